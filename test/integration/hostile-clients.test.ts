// vigild against an unprivileged local user (uid 65534) on the world-writable read-only socket:
// pipelined event streams, a client that never reads, too many connections, half a header.
// Whatever they do, the daemon stays up, its memory stays bounded and root keeps control.
// The config has no VRRP instance and no virtual server, so vigild runs on the host safely.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DaemonProcess, vigil, waitFor } from '../../lab/processes.js';
import { VigilClient } from '../../src/api/client.js';
import { type DaemonEvent, ErrorResponse } from '../../src/api/schema.js';
import { skipWithout, unreadableByNobody } from '../helpers/needs.js';

const hostileClient = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'hostile-client.js');
const nobody = { uid: 65534, gid: 65534, env: { ...process.env, HOME: '/nonexistent' } };
const MiB = 1024 * 1024;
/** How much vigild's resident memory may grow under an attack: a leak grows it by hundreds. */
const RSS_GROWTH_LIMIT = 24 * MiB;

/**
 * A config without VRRP or IPVS whose every reload publishes a `config.reloaded` of about
 * 2 × `bytes`: its include matches nothing, and the warning quotes the pattern (twice).
 */
function configWithEventsOf(bytes: number): string {
  return `global_defs {\n  router_id hostile-test\n}\ninclude /nonexistent-vigil-test/${'x'.repeat(bytes / 2)}*\n`;
}

function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match, `VmRSS of ${pid}`);
  return Number(match[1]) * 1024;
}

/** The hostile client as uid 65534, its JSON lines collected as they come. */
class NobodyClient {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[] = [];
  private partial = '';

  constructor(mode: string, socket: string, count?: number) {
    const args = [hostileClient, mode, socket, ...(count === undefined ? [] : [String(count)])];
    this.child = spawn(process.execPath, args, { ...nobody, stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.stdout!.on('data', (d) => {
      const [head, ...rest] = (this.partial + d).split('\n').reverse();
      this.partial = head ?? '';
      for (const line of rest.reverse()) this.lines.push(JSON.parse(line));
    });
  }

  line(what: string, matches: (line: Record<string, unknown>) => boolean, timeoutMs = 10_000) {
    return waitFor(what, () => this.lines.find(matches), timeoutMs);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** A vigild of its own for one test, its sockets reachable by others as /run/vigil's are, and root's client. */
class Harness {
  readonly daemon = new DaemonProcess();
  readonly root = new VigilClient({ socket: this.daemon.socket });
  private readonly clients: NobodyClient[] = [];

  static async start(t: TestContext, eventBytes: number): Promise<Harness> {
    const harness = new Harness();
    t.after(() => harness.cleanup());
    chmodSync(harness.daemon.dir, 0o755);
    harness.daemon.writeConfig(configWithEventsOf(eventBytes));
    await harness.daemon.start(['--log-level', 'debug']);
    return harness;
  }

  reload() {
    return this.root.reload();
  }

  rss(): number {
    return rssBytes(this.daemon.child.pid!);
  }

  /** Reloads until the heap has grown to what reloads of this config need, so growth after is the attack's. */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await this.reload();
  }

  /** The daemon's count of event streams, as its debug log last reported it. */
  eventStreams(): number | undefined {
    const at = this.daemon.log.lastIndexOf('"eventStreams":');
    return at < 0 ? undefined : Number.parseInt(this.daemon.log.slice(at + 15, at + 25), 10);
  }

  asNobody(mode: string, count?: number): NobodyClient {
    const client = new NobodyClient(mode, this.daemon.readOnlySocket, count);
    this.clients.push(client);
    return client;
  }

  alive(): boolean {
    return this.daemon.child.exitCode === null && this.daemon.child.signalCode === null;
  }

  private async cleanup(): Promise<void> {
    for (const client of this.clients) client.kill();
    await this.root.close();
    await this.daemon.cleanup();
  }
}

describe('vigild against hostile clients on the read-only socket', {
  skip: await skipWithout(unreadableByNobody(hostileClient)),
}, () => {
  test('2,000 pipelined event streams then a close leave no subscriber behind, across 40 reloads', async (t) => {
    const vigild = await Harness.start(t, 6 * 1024);
    await vigild.settle();
    const baseline = vigild.rss();
    const attacker = vigild.asNobody('pipeline', 2000);
    await attacker.line('the attack to end', (l) => l.closed === true);
    for (let i = 0; i < 40 && vigild.rss() - baseline < 10 * RSS_GROWTH_LIMIT; i++) await vigild.reload();
    const growth = vigild.rss() - baseline;
    t.diagnostic(`RSS growth ${(growth / MiB).toFixed(1)} MiB`);
    assert.ok(growth < RSS_GROWTH_LIMIT, `vigild grew by ${(growth / MiB).toFixed(1)} MiB`);
    await waitFor('no event stream left', () => vigild.eventStreams() === 0);
    assert.equal(vigild.alive(), true, 'vigild is still running');
  });

  test('a client that stops reading costs a bounded buffer, then learns with `lagged` what it missed', async (t) => {
    const vigild = await Harness.start(t, 128 * 1024); // each reload publishes ~128 KiB
    await vigild.settle();
    const reader = vigild.asNobody('stuck');
    await reader.line('hello', (l) => l.type === 'hello');
    const baseline = vigild.rss();
    let published = 0;
    while (published < 2 * RSS_GROWTH_LIMIT && vigild.rss() - baseline < 10 * RSS_GROWTH_LIMIT) {
      // Each publishes a config.reloaded carrying what the answer carries.
      published += Buffer.byteLength(JSON.stringify(await vigild.reload()));
    }
    const growth = vigild.rss() - baseline;
    t.diagnostic(`RSS growth ${(growth / MiB).toFixed(1)} MiB with ${(published / MiB).toFixed(0)} MiB published`);
    assert.ok(growth < RSS_GROWTH_LIMIT, `vigild grew by ${(growth / MiB).toFixed(1)} MiB for one stuck reader`);

    reader.child.stdin!.write('read\n');
    const lagged = (await reader.line('a lagged event', (l) => l.type === 'lagged', 20_000)) as DaemonEvent;
    assert.equal(lagged.type, 'lagged');
    assert.ok(lagged.type === 'lagged' && lagged.dropped > 0, 'it says how many events were dropped');
    assert.ok(lagged.type === 'lagged' && lagged.since <= lagged.at, 'and since when');
    const { generation } = await vigild.reload();
    await reader.line('live events again', (l) => l.type === 'config.reloaded' && l.generation === generation);
    reader.kill();
    await waitFor('no event stream left', () => vigild.eventStreams() === 0);
  });

  test('the 65th connection on the read-only socket gets 503, and root still has the control socket', async (t) => {
    const vigild = await Harness.start(t, 1024);
    const holder = vigild.asNobody('hold', 64);
    await holder.line('64 streams held', (l) => l.held === 64);
    const { reply } = (await holder.line('the 65th answer', (l) => 'reply' in l)) as { reply: string };
    assert.match(reply, /^HTTP\/1\.1 503 /);
    const body = ErrorResponse.parse(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)));
    assert.equal(body.error.code, 'too_many_connections');

    const status = await vigil(['status', '--socket', vigild.daemon.socket]);
    assert.equal(status.code, 0, status.stderr);
    assert.ok((await vigild.reload()).generation > 0);

    holder.child.stdin!.end();
    await waitFor('the held streams to close', () => vigild.eventStreams() === 0);
    const again = spawnSync(process.execPath, [hostileClient, 'hold', vigild.daemon.readOnlySocket, '1'], {
      ...nobody,
      input: '',
      encoding: 'utf8',
    });
    assert.match(again.stdout, /"held":1/, 'the read-only socket serves again once they are gone');
  });

  test('half a request header is answered 408 after the header timeout', async (t) => {
    const vigild = await Harness.start(t, 1024);
    const slow = vigild.asNobody('half-header');
    const { reply, ms } = (await slow.line('an answer', (l) => 'reply' in l, 20_000)) as { reply: string; ms: number };
    assert.match(reply, /^HTTP\/1\.1 408 /);
    const body = ErrorResponse.parse(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)));
    assert.equal(body.error.code, 'request_timeout');
    assert.ok(ms >= 9_000 && ms < 12_500, `answered after ${ms} ms`);
    assert.equal(vigild.alive(), true, 'vigild is still running');
  });
});
