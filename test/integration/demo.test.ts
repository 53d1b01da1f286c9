// `npm run demo` as a newcomer runs it on a fresh Debian: the built demo with nothing on its PATH
// but node, ip and bash (no nft, ping, tcpdump, tshark or keepalived), without a terminal; as a
// user who is not root; and interrupted half-way. Each time it must leave nothing behind: no
// namespace with its lab's prefix, no process of its process group.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labUnavailable } from '../../lab/lab.js';
import { repoRoot } from '../../lab/paths.js';
import { waitFor } from '../../lab/processes.js';
import { skipWithout, unreadableByNobody } from '../helpers/needs.js';

const demo = path.join(repoRoot, 'dist', 'demo', 'demo.js');
/** What the demo may find on a Debian that has only node and iproute2 added (bash is Essential). */
const DEFAULT_DEBIAN_TOOLS = ['ip', 'bash'];

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The demo's pid, which is also its process group (it runs detached, as a shell's job would). */
  pid: number;
}

interface Interrupt {
  /** Sent once stdout shows this. */
  after: RegExp;
  signal: NodeJS.Signals;
  /** To the whole process group, as Ctrl-C in a terminal does, or to the demo alone. */
  toGroup: boolean;
}

/** Where `tool` is on this host's PATH, or '' when it is not. */
const which = (tool: string): string =>
  spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();

/** setpriv(1) running node as `uid` (util-linux, Essential on Debian). */
const asUser = (uid: number, args: string[]): [string, string[]] => [
  which('setpriv'),
  [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', process.execPath, ...args],
];

function runDemo(env: NodeJS.ProcessEnv, { interrupt, uid }: { interrupt?: Interrupt; uid?: number } = {}) {
  const [command, argv] = uid === undefined ? ['node', [demo]] : asUser(uid, [demo]);
  const child = spawn(command, argv, {
    env,
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    if (interrupt && !interrupted && interrupt.after.test(stdout)) {
      interrupted = true;
      process.kill(interrupt.toGroup ? -child.pid! : child.pid!, interrupt.signal);
    }
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise<DemoRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, pid: child.pid! }));
  });
}

/** The lab prefix the demo announces. */
function labPrefix(stdout: string): string {
  const prefix = /namespaces (vg[0-9a-f]{6}-)\*/.exec(stdout)?.[1];
  assert.ok(prefix, `the demo named no lab:\n${stdout}`);
  return prefix;
}

const namespacesWith = (prefix: string): string[] => readdirSync('/run/netns').filter((n) => n.startsWith(prefix));

/** Processes still in process group `pgid`, as "pid command". */
function processesIn(pgid: number): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [, , , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(pgrp) === pgid ? [`${pid} ${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}`] : [];
      } catch {
        return []; // exited while we looked
      }
    });
}

/** Fails when the demo left a namespace or a process behind, after removing them. */
async function assertNothingLeft(run: DemoRun): Promise<void> {
  const prefix = labPrefix(run.stdout);
  await waitFor(`the demo's processes to be gone`, () => processesIn(run.pid).length === 0, 2000).catch(() => {});
  const [namespaces, processes] = [namespacesWith(prefix), processesIn(run.pid)];
  sweep(run.pid, namespaces);
  assert.deepEqual({ namespaces, processes }, { namespaces: [], processes: [] }, `${run.stdout}\n${run.stderr}`);
}

/** What a failing demo left: the processes of its group, its namespaces (and whatever runs in them). */
function sweep(pgid: number, namespaces: string[]): void {
  if (processesIn(pgid).length > 0) process.kill(-pgid, 'SIGKILL');
  for (const ns of namespaces) {
    spawnSync('bash', ['-c', `pids=$(ip netns pids ${ns}); [ -z "$pids" ] || kill -KILL $pids; ip netns del ${ns}`]);
  }
}

const skipAsNobody = await skipWithout(unreadableByNobody(demo));

describe('npm run demo', { skip: await skipWithout(labUnavailable) }, () => {
  const bin = mkdtempSync(path.join(tmpdir(), 'vigil-demo-path-'));
  /** Only node, ip and bash on the PATH: whatever else the demo runs is not there. */
  const debianEnv = { PATH: bin, HOME: '/root', LANG: 'C.UTF-8' };

  before(() => {
    symlinkSync(process.execPath, path.join(bin, 'node'));
    for (const tool of DEFAULT_DEBIAN_TOOLS) {
      const found = which(tool);
      assert.ok(found, `${tool} is not installed here`);
      symlinkSync(found, path.join(bin, tool));
    }
  });
  after(() => rmSync(bin, { recursive: true, force: true }));

  test('as root with node, ip and bash only, without a terminal: the scripted failover, exit 0, nothing left', {
    timeout: 90_000,
  }, async () => {
    const run = await runDemo(debianEnv);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /resigned \(priority 0 advert\); took over after skew time/);
    assert.match(run.stdout, /client saw an outage of \d+ ms\n/);
    assert.match(run.stdout, /r1 comes back and preempts[\s\S]*BACKUP -> MASTER at .*: preempted 198\.51\.100\.12/);
    await assertNothingLeft(run);
  });

  test('as a user who is not root: one line on stderr saying what it needs, exit 1', {
    skip: skipAsNobody,
  }, async () => {
    const run = await runDemo(debianEnv, { uid: 65534 });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^demo: .*root.*sudo npm run demo.*\n$/);
  });

  for (const interrupt of [
    { signal: 'SIGINT', toGroup: true, what: 'Ctrl-C (SIGINT to its process group)' },
    { signal: 'SIGTERM', toGroup: false, what: 'SIGTERM to the demo alone' },
  ] as const) {
    test(`${interrupt.what} with both routers running: it tears its lab down and exits`, {
      timeout: 60_000,
    }, async () => {
      const run = await runDemo(debianEnv, {
        interrupt: { ...interrupt, after: /vigild on both routers[\s\S]*r2:\n/ },
      });
      await assertNothingLeft(run);
      assert.doesNotMatch(run.stdout, /r1 comes back/, 'the demo was not interrupted half-way');
      assert.match(run.stderr, new RegExp(`${interrupt.signal}: tearing the lab down`));
      assert.equal(run.code, interrupt.signal === 'SIGINT' ? 130 : 143);
    });
  }
});
