// `ip -ts monitor address` inside a lab node: every address the kernel adds to or deletes from
// its eth0, with the kernel's times, for tests that must see whether a VIP ever left.
import type { ChildProcess } from 'node:child_process';
import type { Lab, NodeName } from '../../lab/lab.js';
import { pollUntil } from '../../lab/routers.js';

/** `ip -ts monitor address` inside a node: every address added to or deleted from its eth0, with the kernel's times. */
export class AddressMonitor {
  readonly events: { at: number; deleted: boolean; address: string }[] = [];
  private readonly child: ChildProcess;
  private pending = '';

  constructor(lab: Lab, node: NodeName) {
    this.child = lab.spawn(node, ['ip', '-ts', 'monitor', 'address', 'dev', 'eth0']);
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.pending += chunk.toString();
      const lines = this.pending.split('\n');
      this.pending = lines.pop() ?? '';
      for (const line of lines) {
        // [2026-01-01T12:00:00.123456] Deleted 2: eth0    inet 198.51.100.200/24 scope global secondary eth0
        const match = /^\[([\d-]+T[\d:]+)\.(\d{6})\] (Deleted )?\d+: \S+\s+inet6? ([0-9a-f.:]+)\//.exec(line);
        if (!match) continue;
        const at = Date.parse(match[1]!) + Number(match[2]) / 1000;
        this.events.push({ at, deleted: match[3] !== undefined, address: match[4]! });
      }
    });
  }

  /** Resolves once `ip monitor` has printed one event: it is listening from then on. */
  async ready(lab: Lab, node: NodeName): Promise<void> {
    await pollUntil(
      async () => {
        await lab.exec(node, ['ip', 'addr', 'replace', '203.0.113.1/32', 'dev', 'eth0']);
        return this.events.some((e) => e.address === '203.0.113.1');
      },
      () => 'ip monitor printed nothing',
    );
    await lab.exec(node, ['ip', 'addr', 'del', '203.0.113.1/32', 'dev', 'eth0']);
  }

  /** Milliseconds from the first deletion of `address` after `since` to the add that followed it. */
  readdLatency(address: string, since: number): number | undefined {
    const events = this.events.filter((e) => e.address === address && e.at >= since);
    const deleted = events.findIndex((e) => e.deleted);
    const readded = events.slice(deleted + 1).find((e) => !e.deleted);
    return deleted >= 0 && readded ? readded.at - events[deleted]!.at : undefined;
  }

  /** How many times `address` was deleted after `since`. */
  deletions(address: string, since: number): number {
    return this.events.filter((e) => e.address === address && e.deleted && e.at >= since).length;
  }

  adds(address: string, since: number): number {
    return this.events.filter((e) => e.address === address && !e.deleted && e.at >= since).length;
  }

  stop(): void {
    this.child.kill('SIGINT');
  }
}
