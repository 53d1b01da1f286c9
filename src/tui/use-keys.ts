// The monitor's keys, read against the state as it is now (see use-current.ts).
import { type Key, useApp, useInput } from 'ink';
import { useCallback, useRef } from 'react';
import { type ActionClient, drainAction, failoverAction, maintenanceAction } from './actions.js';
import type { ExtraKey } from './extra-key.js';
import type { MonitorModel } from './model.js';
import { reloadAction } from './reload-action.js';
import type { Layout, ScreenState } from './screen-state.js';
import type { Actions } from './use-actions.js';
import type { Current } from './use-current.js';

export interface KeyContext {
  screen: Current<ScreenState>;
  actions: Actions;
  /** The layout for the state as it is now. */
  layout(): Layout;
  model: Pick<MonitorModel, 'status' | 'log'>;
  client: ActionClient;
  extraKeys: readonly ExtraKey[];
}

type Change = (s: ScreenState) => ScreenState;

/** The filter line's editing keys. */
function editFilter(input: string, key: Key): Change {
  return (s) => {
    const { text } = s.filter;
    if (key.return) return { ...s, filter: { text, editing: false } };
    if (key.escape) return { ...s, filter: { text: '', editing: false } };
    if (key.backspace || key.delete) return { ...s, filter: { text: text.slice(0, -1), editing: true } };
    if (input && !key.ctrl && !key.meta) return { ...s, filter: { text: text + input, editing: true } };
    return s;
  };
}

function move(layout: Layout, by: number): Change {
  const to = Math.min(Math.max(0, layout.index + by), layout.view.rows.length - 1);
  const row = layout.view.rows[to];
  return (s) => (row ? { ...s, selection: { key: row.key, index: to } } : s);
}

function scrollLog(c: KeyContext, by: number): Change {
  const { log } = c.layout().budget;
  return (s) => ({ ...s, logBack: Math.min(Math.max(0, s.logBack + by * log), Math.max(0, c.model.log.length - log)) });
}

type Command = (c: KeyContext, exit: () => void) => void;

const show = (c: KeyContext, change: Change) => c.screen.set(change);

/** The keys that act, once the prompt, the filter and navigation have had theirs. */
const COMMANDS: Record<string, Command> = {
  q: (_c, exit) => exit(),
  '?': (c) => show(c, (s) => ({ ...s, help: true })),
  '/': (c) => show(c, (s) => ({ ...s, filter: { text: s.filter.text, editing: true } })),
  d: (c) => c.actions.ask(drainAction(c.client, c.layout().selected, true)),
  u: (c) => c.actions.ask(drainAction(c.client, c.layout().selected, false)),
  f: (c) => c.actions.ask(failoverAction(c.client, c.layout().selected)),
  m: (c) => c.actions.ask(maintenanceAction(c.client, c.model.status)),
  r: (c) => c.actions.prepare('reload: dry run', () => reloadAction(c.client)),
};

function answerPrompt(c: KeyContext, input: string, key: Key): void {
  if (input === 'y') c.actions.accept();
  else if (input === 'n' || key.escape) c.actions.cancel();
}

/** Navigation: the selection, the log's scroll, and Esc clearing the filter; false when the key is none of those. */
function navigate(c: KeyContext, input: string, key: Key): boolean {
  let change: Change | undefined;
  if (key.upArrow || input === 'k') change = move(c.layout(), -1);
  else if (key.downArrow || input === 'j') change = move(c.layout(), 1);
  else if (key.pageUp) change = scrollLog(c, 1);
  else if (key.pageDown) change = scrollLog(c, -1);
  else if (key.escape) change = (s) => ({ ...s, filter: { text: '', editing: false } });
  if (change) show(c, change);
  return change !== undefined;
}

function handle(c: KeyContext, input: string, key: Key, exit: () => void): void {
  const state = c.screen.get();
  if (key.ctrl && input === 'c') exit();
  else if (state.help) {
    if (input === 'q') exit();
    else show(c, (s) => ({ ...s, help: false }));
  } else if (c.actions.state().pending) answerPrompt(c, input, key);
  else if (state.filter.editing) show(c, editFilter(input, key));
  else if (!navigate(c, input, key)) {
    const command = COMMANDS[input];
    const extra = c.extraKeys.find((k) => k.key === input);
    if (command) command(c, exit);
    else if (extra) c.actions.perform(extra.label, extra.run);
  }
}

export function useKeys(context: KeyContext): void {
  const { exit } = useApp();
  const latest = useRef(context);
  latest.current = context;
  useInput(useCallback((input: string, key: Key) => handle(latest.current, input, key, exit), [exit]));
}
