// `npm run demo` on a terminal (tmux, 100x30): the live demo, `vigil monitor` attached to
// director 1 of its load balancer, with the demo's keys on the banner; its keys act on the lab
// and the screen shows it; and it leaves nothing behind, whether quit with q or when its terminal
// closes (SIGHUP, as closing a terminal window sends).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { labUnavailable } from '../../lab/lab.js';
import { repoRoot } from '../../lab/paths.js';
import { waitFor, waitUntil } from '../../lab/processes.js';
import { instanceRow, realServerRow } from '../helpers/monitor-screen.js';
import { commandOnPath, skipWithout } from '../helpers/needs.js';
import { TmuxScreen } from '../helpers/tmux.js';

const demo = path.join(repoRoot, 'dist', 'demo', 'demo.js');
/** advert_int 1 s: a master after ~3.6 s without adverts, after the lab is built. */
const READY_MS = 20_000;
/**
 * Quitting stops two vigilds (each resigns first), the web servers and the client, then removes
 * the namespaces: seconds here, but over 15 s in a CI run beside another lab test.
 */
const EXIT_MS = 45_000;

/** Whether pid runs: a zombie has ended (tmux may reap its pane's process only later). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const namespacesWith = (prefix: string): string[] => readdirSync('/run/netns').filter((n) => n.startsWith(prefix));

describe('npm run demo on a terminal', { skip: await skipWithout(labUnavailable, commandOnPath('tmux')) }, () => {
  let screen: TmuxScreen;
  /** This run's namespaces start with it (the demo's Lab adds its own random part). */
  let prefix: string;

  /** The demo in tmux (argv runs it), once the monitor shows director 1 as master. */
  async function startDemo(argv = [process.execPath, demo]): Promise<void> {
    screen = new TmuxScreen();
    prefix = `${process.env.VIGIL_LAB_PREFIX ?? 'vg'}t${randomBytes(2).toString('hex')}`;
    await screen.start(argv, { cwd: repoRoot, env: { VIGIL_LAB_PREFIX: prefix } });
    await screen.waitFor('the banner', /s r1's vigild off\/on/, READY_MS);
    await screen.waitFor('VI_WEB as MASTER', instanceRow('VI_WEB', 'MASTER'), READY_MS);
  }

  /** Fails when the demo left a namespace or its process behind. */
  async function assertNothingLeft(pid: number): Promise<void> {
    await waitFor('the demo to exit', () => !running(pid), 15_000).catch(() => {});
    assert.deepEqual(
      { namespaces: namespacesWith(prefix), running: running(pid) },
      {
        namespaces: [],
        running: false,
      },
    );
  }

  afterEach(() => screen.kill());

  test('x stops web server r3: the monitor shows it down; q quits, tearing the lab down', {
    timeout: 120_000,
  }, async () => {
    // A shell runs the demo and writes its exit status: tmux's own may stay unknown (it can mark
    // the pane dead when the terminal closes and reap the process only later).
    const exitFile = path.join(mkdtempSync(path.join(tmpdir(), 'vigil-demo-exit-')), 'status');
    await startDemo(['sh', '-c', '"$0" "$1"; echo $? > "$2"', process.execPath, demo, exitFile]);
    const pid = await screen.pid();
    await screen.keys('x');
    await screen.waitFor('198.51.100.13 down', realServerRow('198.51.100.13:80', 'down'), 10_000);
    await screen.keys('q');
    await waitUntil('the demo to exit after q', async () => existsSync(exitFile), EXIT_MS).catch(async (err: Error) =>
      assert.fail(`${err.message}; the screen shows:\n${await screen.capture()}`),
    );
    assert.equal(readFileSync(exitFile, 'utf8').trim(), '0', screen.last);
    rmSync(path.dirname(exitFile), { recursive: true, force: true });
    await assertNothingLeft(pid);
  });

  test('its terminal closing (SIGHUP): the lab goes too', { timeout: 60_000 }, async () => {
    await startDemo();
    const pid = await screen.pid();
    await screen.kill();
    await assertNothingLeft(pid);
  });
});
