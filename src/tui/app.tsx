// `vigil monitor`'s screen: header, instances, servers, event log and footer, shared out to
// the terminal's rows. It renders when the model moved, the screen state changed, or the
// one-second tick moves the "ago" times; nothing else.
import { Box } from 'ink';
import { useEffect, useState } from 'react';
import type { ActionClient } from './actions.js';
import { DetailPanel } from './detail-panel.js';
import { EventLog } from './event-log.js';
import type { ExtraKey } from './extra-key.js';
import type { MonitorFeed } from './feed.js';
import { Footer, type Prompt } from './footer.js';
import { Header } from './header.js';
import { Help } from './help.js';
import { InstancesPanel } from './instances-panel.js';
import { footerKeys } from './keys.js';
import { Line } from './line.js';
import { INITIAL_SCREEN, layOut, type ScreenState } from './screen-state.js';
import { ServersPanel } from './servers-panel.js';
import { type Actions, useActions } from './use-actions.js';
import { useCurrent } from './use-current.js';
import { useKeys } from './use-keys.js';
import { useTerminalSize } from './use-terminal-size.js';

export interface AppProps {
  feed: Pick<MonitorFeed, 'model' | 'onChange'>;
  client: ActionClient;
  /** The clock for "12s ago" (tests pin it). */
  now?: () => number;
  tickMs?: number;
  extraKeys?: readonly ExtraKey[];
  banner?: string;
}

/** Re-renders when the feed says the model moved, and on every tick. */
function useRefresh(feed: AppProps['feed'], tickMs: number): void {
  const [, setVersion] = useState(feed.model.version);
  const [, setTick] = useState(0);
  useEffect(() => feed.onChange(() => setVersion(feed.model.version)), [feed]);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), tickMs);
    return () => clearInterval(timer);
  }, [tickMs]);
}

function promptOf(actions: Actions, filter: ScreenState['filter']): Prompt {
  const { pending, busy, answer } = actions.state();
  if (pending) return { kind: 'confirm', question: pending.question };
  if (filter.editing) return { kind: 'filter', text: filter.text };
  if (busy) return { kind: 'busy', what: busy };
  if (answer) return { kind: 'answer', ...answer };
  return { kind: 'none' };
}

export function App(props: AppProps) {
  const { model } = props.feed;
  const now = props.now ?? Date.now;
  const extraKeys = props.extraKeys ?? [];
  useRefresh(props.feed, props.tickMs ?? 1000);
  const size = useTerminalSize();
  const screen = useCurrent<ScreenState>(INITIAL_SCREEN);
  const actions = useActions(model, now);
  const layout = () => layOut(screen.get(), model, size, now(), props.banner !== undefined);
  useKeys({ screen, actions, layout, model, client: props.client, extraKeys });

  const state = screen.get();
  const { view, selected, header, fixed, budget } = layout();
  const pending = actions.state().pending;
  if (budget.instances + budget.servers + budget.log < 3)
    return (
      <Line color="red">{`terminal too small (${size.columns}x${size.rows}): vigil monitor needs ${fixed + 7} rows`}</Line>
    );
  const filtered = state.filter.text !== '';
  return (
    <Box flexDirection="column" width={size.columns}>
      {props.banner !== undefined && <Line color="cyan">{props.banner}</Line>}
      <Header lines={header} />
      {state.help ? (
        <Help extraKeys={extraKeys} lines={budget.instances + budget.servers + budget.log + 3} />
      ) : (
        <>
          <InstancesPanel
            rows={view.instances}
            selectedKey={selected?.key}
            lines={budget.instances}
            now={now()}
            filtered={filtered}
            width={size.columns}
          />
          <ServersPanel
            groups={view.groups}
            selectedKey={selected?.key}
            lines={budget.servers}
            model={model}
            filtered={filtered}
            width={size.columns}
          />
          {pending?.detail ? (
            <DetailPanel title={`${pending.what}: what it would change`} detail={pending.detail} lines={budget.log} />
          ) : (
            <EventLog log={model.log} lines={budget.log} back={state.logBack} />
          )}
        </>
      )}
      <Footer
        prompt={promptOf(actions, state.filter)}
        keys={footerKeys(extraKeys)}
        filter={state.filter.editing ? '' : state.filter.text}
      />
    </Box>
  );
}
