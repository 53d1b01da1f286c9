// The commands an operator or a monitoring script runs most, in their plain forms (`vigil status`,
// `vigil check`, with --socket and --json only): one request and its rendering, shared by the
// oclif commands and the lean start-up path (lean.ts), so the two cannot print differently.
import type { VigilClient } from '../api/client.js';
import type { StatusResponse } from '../api/schema.js';
import { renderChecks } from './render-checks.js';
import { renderStatus } from './render-status.js';

export interface HotCommand<T> {
  request(client: VigilClient): Promise<T>;
  render(result: T): string;
}

export const statusCommand: HotCommand<StatusResponse> = {
  request: (client) => client.status(),
  render: renderStatus,
};

/** `vigil check` without a real server or --config: every real server's checks, from status. */
export const checkListCommand: HotCommand<StatusResponse> = {
  request: (client) => client.status(),
  render: renderChecks,
};
