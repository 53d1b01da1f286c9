// What the screen shows besides the model: the selection, the filter, help, the log's scroll,
// and what follows from them and the terminal's size (the rows each panel gets).
import { FOOTER_LINES } from './footer.js';
import { headerLines } from './header.js';
import { type Budget, shareRows } from './layout.js';
import type { MonitorModel } from './model.js';
import { buildView, type MonitorView, type Row, selectedIndex } from './rows.js';
import { serverLines } from './servers-panel.js';
import type { TerminalSize } from './use-terminal-size.js';

export interface ScreenState {
  /** The selected row's key, and its place (kept when the row goes away). */
  selection: { key?: string; index: number };
  filter: { text: string; editing: boolean };
  help: boolean;
  /** Log entries scrolled back from the newest. */
  logBack: number;
}

export const INITIAL_SCREEN: ScreenState = {
  selection: { index: 0 },
  filter: { text: '', editing: false },
  help: false,
  logBack: 0,
};

export interface Layout {
  view: MonitorView;
  index: number;
  selected: Row | undefined;
  header: ReturnType<typeof headerLines>;
  /** Lines outside the panels: banner, header, footer. */
  fixed: number;
  budget: Budget;
}

export function layOut(
  state: ScreenState,
  model: Pick<MonitorModel, 'status' | 'connection' | 'socket'>,
  size: TerminalSize,
  now: number,
  banner: boolean,
): Layout {
  const view = buildView(model.status, state.filter.text);
  const index = selectedIndex(view.rows, state.selection.key, state.selection.index);
  const header = headerLines(model, now);
  const fixed = (banner ? 1 : 0) + header.length + FOOTER_LINES;
  const budget = shareRows(size.rows, fixed, {
    instances: Math.max(1, view.instances.length),
    servers: Math.max(1, serverLines(view.groups)),
  });
  return { view, index, selected: view.rows[index], header, fixed, budget };
}
