// vigild as the monitor's feed sees it: status answers what the test set, and each connection
// to the event stream yields `hello`, then what the test pushes, until it ends it or fails it.
import { DaemonUnreachableError } from '../../../src/api/client.js';
import type { DaemonEvent, StatusResponse } from '../../../src/api/schema.js';

type Next = { event: DaemonEvent } | { end: Error | undefined };

export class FakeDaemon {
  /** False: connections fail as on a missing socket. */
  up = true;
  private waiting: ((next: Next) => void) | undefined;
  private readonly queued: Next[] = [];

  constructor(
    public current: StatusResponse,
    readonly socket = '/run/vigil/vigil.sock',
  ) {}

  readonly status = async (): Promise<StatusResponse> => {
    if (!this.up) throw new DaemonUnreachableError(this.socket, 'no such socket');
    return structuredClone(this.current);
  };

  readonly events = (signal?: AbortSignal): AsyncGenerator<DaemonEvent> => this.stream(signal);

  push(event: DaemonEvent): void {
    this.deliver({ event });
  }

  /** Ends the open stream: quietly, or with `error` (vigild went away). */
  end(error?: Error): void {
    this.deliver({ end: error });
  }

  private deliver(next: Next): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(next);
    else this.queued.push(next);
  }

  private async *stream(signal?: AbortSignal): AsyncGenerator<DaemonEvent> {
    if (!this.up) throw new DaemonUnreachableError(this.socket, 'no such socket');
    yield { type: 'hello', at: new Date().toISOString(), generation: this.current.config.generation };
    while (!signal?.aborted) {
      const next =
        this.queued.shift() ??
        (await new Promise<Next>((resolve) => {
          this.waiting = resolve;
          signal?.addEventListener('abort', () => resolve({ end: undefined }), { once: true });
        }));
      if ('end' in next) {
        if (next.end) throw next.end;
        return;
      }
      yield next.event;
    }
  }
}
