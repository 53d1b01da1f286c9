// vigild's answers to the operator's requests, as the monitor's keys send them; free of Ink, so
// a test can load the screen the way the monitor does (see src/tui/load-screen.ts).
import type { DrainResponse, FailoverResponse, MaintenanceResponse, ReloadResponse } from '../../../src/api/schema.js';
import type { ActionClient } from '../../../src/tui/actions.js';
import { NOW } from './fixtures.js';

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
