// keepalived's notify FIFOs from a real vigild: the VRRP lines a reader of vrrp_notify_fifo
// gets, the notify_fifo_script vigild starts and what it reads (line for line what Debian's
// keepalived 2.2.7 writes), and a FIFO nobody reads, full to the brim, which must not stop vigild.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  createReadStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { keepalivedUnavailable } from '../../lab/keepalived.js';
import { Lab, labUnavailable } from '../../lab/lab.js';
import { DaemonProcess, vigil, waitFor } from '../../lab/processes.js';
import { ONE_MASTER } from '../helpers/daemon-configs.js';
import { skipWithout } from '../helpers/needs.js';

/** VI_1 starts as BACKUP and, alone, becomes MASTER after its Master_Down_Interval (about 0.4 s). */
const instance = ONE_MASTER.replace('state MASTER', 'state BACKUP');

const BACKUP_THEN_MASTER = ['INSTANCE "VI_1" BACKUP 150', 'INSTANCE "VI_1" MASTER 150'];

/** A notify_fifo_script that, like keepalived's sample, reads on after SIGTERM to the end of the FIFO. */
function fifoSetup(dir: string) {
  const files = {
    vrrpFifo: path.join(dir, 'vrrp.fifo'),
    allFifo: path.join(dir, 'all.fifo'),
    scriptOut: path.join(dir, 'script.out'),
  };
  const script = path.join(dir, 'fifo-reader.sh');
  writeFileSync(
    script,
    `#!/bin/sh\ntrap '' TERM\necho "args: $*" >> ${files.scriptOut}\nfor fifo; do :; done\nexec cat "$fifo" >> ${files.scriptOut}\n`,
  );
  chmodSync(script, 0o755);
  const config = `global_defs {
  script_user root
  vrrp_notify_fifo ${files.vrrpFifo}
  notify_fifo ${files.allFifo}
  notify_fifo_script "${script} first-arg"
}
${instance}`;
  return { ...files, config, scriptLines: () => readFileSync(files.scriptOut, 'utf8').trim().split('\n') };
}

const scriptSaw = (out: string, word: string) => existsSync(out) && readFileSync(out, 'utf8').includes(word);

/** Everything written to the FIFO so far, as lines, read by this test as a reader would. */
function readLines(fifo: string): { lines: string[]; close: () => void } {
  const reader = { lines: [] as string[], close: () => stream.destroy() };
  let partial = '';
  const stream = createReadStream(fifo, { encoding: 'utf8' });
  stream.on('data', (text) => {
    const pieces = (partial + text).split('\n');
    partial = pieces.pop()!;
    reader.lines.push(...pieces);
  });
  return reader;
}

/** What vigild's notify_fifo_script read, with its directory as `DIR`, for the comparison with keepalived. */
let vigildScriptLines: string[] | undefined;

describe('notify FIFOs of a running vigild', { skip: await skipWithout(labUnavailable) }, () => {
  const lab = new Lab();
  const daemon = new DaemonProcess({ netns: lab.ns('r1') });
  const setup = fifoSetup(daemon.dir);
  let reader: ReturnType<typeof readLines> | undefined;

  before(async () => {
    await lab.up(1);
    daemon.writeConfig(setup.config);
    await daemon.start();
  });

  after(async () => {
    reader?.close();
    await daemon.cleanup();
    await lab.down();
  });

  test('vigild creates the FIFOs with mode 0600, and a reader of vrrp_notify_fifo gets BACKUP then MASTER in keepalived format', async () => {
    const info = statSync(setup.vrrpFifo);
    assert.ok(info.isFIFO());
    assert.equal(info.mode & 0o777, 0o600);
    reader = readLines(setup.vrrpFifo);
    // Lines written before the reader came wait in the FIFO: vigild holds it open.
    await waitFor('BACKUP and MASTER lines', () => reader!.lines.length >= 2, 10_000);
    assert.deepEqual(reader.lines, BACKUP_THEN_MASTER);
  });

  test('notify_fifo_script is started once, with the FIFO as its last argument, and reads the lines; STOP comes at the end', async () => {
    await waitFor('the script to read MASTER', () => scriptSaw(setup.scriptOut, 'MASTER'), 10_000).catch((err: Error) =>
      assert.fail(`${err.message}; vigild's log:\n${daemon.log}`),
    );
    assert.equal(await daemon.stop(), 0);
    await waitFor('the script to read to the end', () => scriptSaw(setup.scriptOut, 'STOP'), 5000);
    assert.deepEqual(setup.scriptLines(), [
      `args: first-arg ${setup.allFifo}`,
      ...BACKUP_THEN_MASTER,
      'INSTANCE "VI_1" STOP 150',
    ]);
    vigildScriptLines = setup.scriptLines().map((line) => line.replaceAll(daemon.dir, 'DIR'));
    // vigild made them, so it removes them.
    assert.equal(existsSync(setup.allFifo), false);
    assert.equal(existsSync(setup.vrrpFifo), false);
  });
});

describe("keepalived 2.2.7's notify FIFO, for comparison", {
  skip: await skipWithout(labUnavailable, keepalivedUnavailable),
}, () => {
  const lab = new Lab();
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-keepalived-fifo-'));
  const setup = fifoSetup(dir);

  before(() => lab.up(1));
  after(async () => {
    await lab.down();
    rmSync(dir, { recursive: true, force: true });
  });

  test('its notify_fifo_script reads the same lines as vigild’s, and its FIFOs have the same mode', async () => {
    const configPath = path.join(dir, 'keepalived.conf');
    writeFileSync(configPath, setup.config);
    const pid = (name: string) => path.join(dir, name);
    const keepalived = lab.spawn('r1', [
      'keepalived',
      '--dont-fork',
      '--vrrp',
      '--log-console',
      '--no-syslog',
      ...['--pid', pid('keepalived.pid'), '--vrrp_pid', pid('vrrp.pid'), '--use-file', configPath],
    ]);
    let log = '';
    keepalived.stdout!.on('data', (d) => (log += d));
    keepalived.stderr!.on('data', (d) => (log += d));
    const exited = new Promise((resolve) => keepalived.once('exit', resolve));
    await waitFor('keepalived’s script to read MASTER', () => scriptSaw(setup.scriptOut, 'MASTER'), 10_000).catch(
      (err: Error) => assert.fail(`${err.message}; keepalived's log:\n${log}`),
    );
    assert.equal(statSync(setup.vrrpFifo).mode & 0o777, 0o600);
    keepalived.kill('SIGTERM');
    await exited;
    await waitFor('the script to read to the end', () => scriptSaw(setup.scriptOut, 'STOP'), 5000);
    const lines = setup.scriptLines().map((line) => line.replaceAll(dir, 'DIR'));
    if (vigildScriptLines) assert.deepEqual(vigildScriptLines, lines);
    assert.deepEqual(lines.slice(1), [...BACKUP_THEN_MASTER, 'INSTANCE "VI_1" STOP 150']);
    assert.equal(existsSync(setup.allFifo), false);
  });
});

describe('a notify FIFO nobody reads', { skip: await skipWithout(labUnavailable) }, () => {
  const lab = new Lab();
  const daemon = new DaemonProcess({ netns: lab.ns('r1') });
  const fifo = path.join(daemon.dir, 'full.fifo');
  let holder: number | undefined;

  before(async () => {
    await lab.up(1);
    // Made full before vigild starts: every line vigild writes finds no room.
    execFileSync('mkfifo', [fifo]);
    holder = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      for (;;) writeSync(holder, Buffer.alloc(4096, 'x'));
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'EAGAIN');
    }
    daemon.writeConfig(`global_defs {\n  vrrp_notify_fifo ${fifo}\n}\n${instance}`);
    await daemon.start();
  });

  after(async () => {
    if (holder !== undefined) closeSync(holder);
    await daemon.cleanup();
    await lab.down();
  });

  test('vigild goes on: it becomes MASTER, answers vigil status, says once that lines are lost, and leaves the FIFO it did not create', async () => {
    await waitFor('VI_1 to become MASTER', () => daemon.log.includes('BACKUP -> MASTER'), 10_000);
    const { code, stdout, stderr } = await vigil(['status', '--socket', daemon.socket]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^VI_1 +eth0 +51 +v3 +MASTER/m);
    assert.equal(daemon.log.match(/could not be written/g)?.length, 1, daemon.log);
    assert.equal(await daemon.stop(), 0);
    assert.ok(statSync(fifo).isFIFO());
  });
});

describe('a reload that moves the notify FIFO', { skip: await skipWithout(labUnavailable) }, () => {
  const lab = new Lab();
  const daemon = new DaemonProcess({ netns: lab.ns('r1') });
  const config = (fifo: string) => `global_defs {\n  vrrp_notify_fifo ${path.join(daemon.dir, fifo)}\n}\n${instance}`;

  before(async () => {
    await lab.up(1);
    daemon.writeConfig(config('old.fifo'));
    await daemon.start();
    await waitFor('VI_1 to become MASTER', () => daemon.log.includes('BACKUP -> MASTER'), 10_000);
  });

  after(async () => {
    await daemon.cleanup();
    await lab.down();
  });

  test('closes and removes the old FIFO, creates the new one, and leaves VRRP alone', async () => {
    daemon.writeConfig(config('new.fifo'));
    daemon.signal('SIGHUP');
    await waitFor('the reload', () => daemon.log.includes('config reloaded'), 10_000);
    assert.equal(existsSync(path.join(daemon.dir, 'old.fifo')), false);
    assert.ok(statSync(path.join(daemon.dir, 'new.fifo')).isFIFO());
    assert.doesNotMatch(daemon.log, /VRRP instances changed/);
    assert.equal(daemon.log.match(/BACKUP -> MASTER/g)?.length, 1);
  });
});
