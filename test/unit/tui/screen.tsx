// The monitor's App on ink-testing-library's fake terminal, sized as a test asks, with keys to
// press and a way to wait for what the screen shows.
import './force-color.js';
import { afterEach } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import type { DrainResponse, FailoverResponse, MaintenanceResponse, ReloadResponse } from '../../../src/api/schema.js';
import type { ActionClient } from '../../../src/tui/actions.js';
import { App, type AppProps } from '../../../src/tui/app.js';
import type { MonitorModel } from '../../../src/tui/model.js';
import { NOW } from './fixtures.js';

export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  escape: '\u001B',
  enter: '\r',
  pageUp: '\u001B[5~',
  backspace: '\u007F',
};

// A test that fails before it unmounts would leave the App's clock ticking, and node running.
afterEach(cleanup);

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

// biome-ignore lint/suspicious/noControlCharactersInRegex: colours are ANSI escapes
const plain = (text: string) => text.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');

/** `pattern` drawn in an ANSI foreground colour (32 green, 36 cyan, 31 red...). */
export const inColour = (code: number, pattern: string) => new RegExp(`\u001B\\[${code}m${pattern}`);

export interface Screen {
  /** The last frame, without colours. */
  frame(): string;
  /** The last frame as drawn, colours included. */
  raw(): string;
  press(...keys: string[]): Promise<void>;
  /** Waits until the frame matches (a second at most). */
  until(pattern: RegExp): Promise<string>;
  resize(columns: number, rows: number): Promise<void>;
  unmount(): void;
}

export async function renderApp(
  props: Omit<AppProps, 'client' | 'feed'> & { model: MonitorModel; client?: ActionClient; feed?: AppProps['feed'] },
  size = { columns: 100, rows: 24 },
): Promise<Screen> {
  const { model, client = new FakeClient(), feed = { model, onChange: () => () => {} }, ...rest } = props;
  const ink = render(<App feed={feed} client={client} now={() => NOW} {...rest} />);
  const screen: Screen = {
    raw: () => ink.lastFrame() ?? '',
    frame: () => plain(ink.lastFrame() ?? ''),
    async press(...keys) {
      for (const key of keys) {
        // React renders after the key, not during it: wait for that frame (a key that changes
        // nothing draws none, hence the bound).
        const drawn = ink.frames.length;
        ink.stdin.write(key);
        for (let waited = 0; waited < 200 && ink.frames.length === drawn; waited += 5) await tick();
      }
    },
    async until(pattern) {
      for (let waited = 0; waited < 1000 && !pattern.test(screen.frame()); waited += 5) await tick();
      if (!pattern.test(screen.frame())) throw new Error(`the screen never showed ${pattern}:\n${screen.frame()}`);
      return screen.frame();
    },
    async resize(columns, rows) {
      Object.defineProperty(ink.stdout, 'columns', { value: columns, configurable: true });
      Object.defineProperty(ink.stdout, 'rows', { value: rows, configurable: true });
      ink.stdout.emit('resize');
      await tick();
    },
    unmount: () => ink.unmount(),
  };
  // The App reads keys and follows resizes once its effects ran (later on a busy machine).
  while (ink.stdin.listenerCount('readable') === 0) await tick();
  await screen.resize(size.columns, size.rows);
  return screen;
}

type Call = { method: string; request: unknown };

/** Answers like vigild, and records what was asked; `fail` makes the next answer that error. */
export class FakeClient implements ActionClient {
  readonly calls: Call[] = [];
  fail: Error | undefined;
  reloadChanges: ReloadResponse['changes'] = [];

  private answer<T>(method: string, request: unknown, response: T): Promise<T> {
    this.calls.push({ method, request });
    const error = this.fail;
    this.fail = undefined;
    return error ? Promise.reject(error) : Promise.resolve(response);
  }

  drain(request: { realServer: string; virtualServer?: string }): Promise<DrainResponse> {
    return this.answer('drain', request, drained(request, true));
  }

  undrain(request: { realServer: string; virtualServer?: string }): Promise<DrainResponse> {
    return this.answer('undrain', request, drained(request, false));
  }

  failover(request: { action: FailoverResponse['action']; instance?: string }): Promise<FailoverResponse> {
    const message = `${request.instance}: ${request.action} done in 64 ms`;
    return this.answer('failover', request, {
      action: request.action,
      instances: [request.instance ?? ''],
      elapsedMs: 64,
      message,
    });
  }

  maintenance(request: { on: boolean }): Promise<MaintenanceResponse> {
    return this.answer('maintenance', request, {
      on: request.on,
      instances: [],
      message: `maintenance ${request.on ? 'on' : 'off'}`,
    });
  }

  reload(request: { dryRun?: boolean } = {}): Promise<ReloadResponse> {
    const response = {
      generation: request.dryRun ? 3 : 4,
      files: ['/etc/keepalived/keepalived.conf'],
      warnings: [],
      dryRun: request.dryRun === true,
      changes: this.reloadChanges,
    };
    return this.answer('reload', request, response);
  }
}

function drained(request: { realServer: string; virtualServer?: string }, drain: boolean): DrainResponse {
  const [address = '', port = '0'] = request.realServer.split(/:(?=\d+$)/);
  return {
    at: new Date(NOW).toISOString(),
    realServers: [
      {
        address,
        port: Number(port),
        weight: 100,
        health: 'up',
        checkers: [],
        drained: drain,
        source: 'k.conf:9:3',
        virtualServer: request.virtualServer ?? '',
        changed: true,
      },
    ],
  };
}
