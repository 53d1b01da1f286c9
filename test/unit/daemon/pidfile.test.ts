import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { acquirePidFile, releasePidFile } from '../../../src/daemon/pidfile.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-pid-'));
  file = path.join(dir, 'run', 'vigil.pid');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a pid file naming a live process refuses a second daemon', () => {
  acquirePidFile(file, process.ppid);
  assert.throws(() => acquirePidFile(file, process.pid), /already running as pid \d+/);
});

test('a pid file left by a dead process is taken over', () => {
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  acquirePidFile(file, dead);
  acquirePidFile(file, process.pid);
  assert.equal(readFileSync(file, 'utf8'), `${process.pid}\n`);
});

test('release removes only our own pid file', () => {
  acquirePidFile(file, process.pid);
  writeFileSync(file, '999999\n');
  releasePidFile(file, process.pid);
  assert.equal(existsSync(file), true, 'a file naming another daemon stays');
  writeFileSync(file, `${process.pid}\n`);
  releasePidFile(file, process.pid);
  assert.equal(existsSync(file), false);
});
