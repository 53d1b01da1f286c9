// Turns dump signals into file writes without letting a storm of them pile up: one write per
// file at a time, and any number of requests that arrive meanwhile make exactly one more write,
// of the state as it is then. Memory stays constant whatever the signal rate, and the event
// loop (VRRP's timers) is never held for longer than one formatting.
import type { DumpKind } from '../signals.js';
import type { DumpFile } from './dump-files.js';

export interface DumpJob {
  /**
   * The file's text as the state is now, or undefined when keepalived would write none; for
   * stats-clear, the counters are zeroed after it.
   */
  render(file: DumpFile, clear: boolean): string | undefined;
  write(file: DumpFile, text: string): Promise<void>;
  failed(file: DumpFile, err: Error): void;
}

interface FileQueue {
  running: boolean;
  pending: boolean;
  /** A stats-clear among the pending requests. */
  clear: boolean;
}

export class DumpQueue {
  private readonly files = new Map<DumpFile, FileQueue>();

  constructor(private readonly job: DumpJob) {}

  request(kind: DumpKind): void {
    const file: DumpFile = kind === 'stats-clear' ? 'stats' : kind;
    const queue = this.queueOf(file);
    queue.pending = true;
    queue.clear ||= kind === 'stats-clear';
    if (!queue.running) void this.drain(file, queue);
  }

  /** Resolves when no write is running or pending (for tests and an orderly stop). */
  async idle(): Promise<void> {
    while ([...this.files.values()].some((q) => q.running || q.pending)) await new Promise((r) => setImmediate(r));
  }

  private queueOf(file: DumpFile): FileQueue {
    const known = this.files.get(file);
    if (known) return known;
    const queue = { running: false, pending: false, clear: false };
    this.files.set(file, queue);
    return queue;
  }

  private async drain(file: DumpFile, queue: FileQueue): Promise<void> {
    queue.running = true;
    while (queue.pending) {
      const clear = queue.clear;
      queue.pending = false;
      queue.clear = false;
      try {
        const text = this.job.render(file, clear);
        if (text !== undefined) await this.job.write(file, text);
      } catch (err) {
        this.job.failed(file, err as Error);
      }
    }
    queue.running = false;
  }
}
