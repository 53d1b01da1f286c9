// What vigild finds when it starts: pid files left by a crash, another vigild on the same state
// dir, directories it has to create for its sockets.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Lab, labUnavailable } from '../../lab/lab.js';
import { DaemonProcess, vigil, vigilBin, waitUntil } from '../../lab/processes.js';
import { StatusResponse } from '../../src/api/schema.js';
import { MASTER_VIP, noInstances, ONE_MASTER } from '../helpers/daemon-configs.js';
import { skipWithout, unreadableByNobody } from '../helpers/needs.js';

const NO_INSTANCES = noInstances('start-test');
const VIP = MASTER_VIP;

const skipAsNobody = await skipWithout(unreadableByNobody(vigilBin));

describe('vigild at start', () => {
  test('a pid file left naming a live process that is not vigild (pid 1) does not block the start', async () => {
    const daemon = new DaemonProcess();
    try {
      daemon.writeConfig(NO_INSTANCES);
      writeFileSync(daemon.pidFile, '1\n');
      await daemon.start();
      assert.equal(readFileSync(daemon.pidFile, 'utf8'), `${daemon.child.pid}\n`);
      assert.equal(await daemon.stop(), 0);
    } finally {
      await daemon.cleanup();
    }
  });

  test('a SIGTERM that comes while vigild starts (its socket is up) stops it cleanly once started', async () => {
    const daemon = new DaemonProcess();
    try {
      daemon.writeConfig(NO_INSTANCES);
      // It exits during start, as asked: start() says so, and that is expected here.
      const starting = daemon.start().catch(() => undefined);
      // Looked for at every turn, not every 20 ms: the signal must come within the start.
      const deadline = Date.now() + 10_000;
      while (!existsSync(daemon.socket)) {
        assert.ok(Date.now() < deadline, 'no control socket within 10 s');
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(await daemon.stop(), 0, daemon.log);
      await starting;
    } finally {
      await daemon.cleanup();
    }
  });

  test('socket and state dirs it creates: parents 0755, the state dir 0750; anyone reads status on the -ro socket', {
    skip: skipAsNobody,
  }, async () => {
    // --socket BASE/x/vigil.sock --state-dir BASE/x/state, with BASE/x not there yet.
    const base = mkdtempSync(path.join(tmpdir(), 'vigil-start-'));
    // As /run and /tmp are: others may traverse.
    chmodSync(base, 0o755);
    const configPath = path.join(base, 'keepalived.conf');
    const daemon = new DaemonProcess({ dir: path.join(base, 'x'), configPath });
    try {
      writeFileSync(configPath, NO_INSTANCES);
      await daemon.start();
      assert.equal(statSync(daemon.dir).mode & 0o777, 0o755);
      assert.equal(statSync(daemon.stateDir).mode & 0o777, 0o750);

      const nobody = {
        uid: 65534,
        gid: 65534,
        env: { ...process.env, HOME: '/nonexistent' },
        encoding: 'utf8' as const,
      };
      const status = spawnSync(
        process.execPath,
        [vigilBin, 'status', '--json', '--socket', daemon.readOnlySocket],
        nobody,
      );
      assert.equal(status.status, 0, status.stderr);
      assert.equal(StatusResponse.parse(JSON.parse(status.stdout)).daemon.pid, daemon.child.pid);
    } finally {
      await daemon.cleanup();
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('two vigilds on one state dir', { skip: await skipWithout(labUnavailable) }, () => {
  const lab = new Lab();
  before(() => lab.up(1));
  after(() => lab.down());

  test('the second exits 1 naming the state dir and the first one’s pid, and touches nothing of the first', async () => {
    const first = new DaemonProcess({ netns: lab.ns('r1') });
    // Its own socket and pid file, the first one's state dir.
    const second = new DaemonProcess({ netns: lab.ns('r1'), configPath: first.configPath });
    try {
      first.writeConfig(ONE_MASTER);
      await first.start();
      await waitUntil('the first vigild to hold the VIP as master', () => lab.holds('r1', VIP));
      const owned = readFileSync(path.join(first.stateDir, 'owned-addresses.json'), 'utf8');

      const exit = second.startExpectingExit(['--state-dir', first.stateDir]);
      const running = new Promise((resolve) => setTimeout(() => resolve('still running after 10 s'), 10_000).unref());
      assert.equal(await Promise.race([exit, running]), 1, second.log);
      assert.match(
        second.log,
        new RegExp(
          `"msg":"not starting: vigild is already running as pid ${first.child.pid} on the state dir ${first.stateDir}; stop it, or give this one its own --state-dir"`,
        ),
      );
      assert.equal(second.log.trim().split('\n').length, 1, `one line: ${second.log}`);
      assert.equal(await lab.holds('r1', VIP), true, 'the first one keeps its VIP');
      assert.equal(readFileSync(path.join(first.stateDir, 'owned-addresses.json'), 'utf8'), owned);
      const { code } = await vigil(['status', '--socket', first.socket]);
      assert.equal(code, 0);
      assert.equal(await first.stop(), 0);
    } finally {
      await second.cleanup();
      await first.cleanup();
    }
  });
});
