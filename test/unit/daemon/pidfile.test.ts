import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../../lab/paths.js';
import { acquirePidFile, releasePidFile } from '../../../src/daemon/pidfile.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-pid-'));
  file = path.join(dir, 'run', 'vigil.pid');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a held pid file refuses a second daemon, naming the pid that holds it', () => {
  const held = acquirePidFile(file);
  try {
    assert.throws(
      () => acquirePidFile(file, 4242),
      new RegExp(`already running as pid ${process.pid} \\(pid file ${file}\\)`),
    );
    assert.equal(readFileSync(file, 'utf8'), `${process.pid}\n`, 'the refused one writes nothing');
  } finally {
    releasePidFile(held);
  }
});

test('a pid file nobody holds is stale whatever live pid it names (pid 1, our parent)', () => {
  mkdirSync(path.dirname(file));
  for (const live of [1, process.ppid]) {
    writeFileSync(file, `${live}\n`);
    const held = acquirePidFile(file);
    assert.equal(readFileSync(file, 'utf8'), `${process.pid}\n`);
    releasePidFile(held);
  }
});

test('a daemon killed with SIGKILL leaves a pid file the next one takes', async () => {
  const lockFile = pathToFileURL(path.join(repoRoot, 'dist/src/daemon/pidfile.js')).href;
  const holder = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `(await import('${lockFile}')).acquirePidFile(${JSON.stringify(file)}); console.log('held'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    assert.throws(() => acquirePidFile(file), new RegExp(`already running as pid ${holder.pid} `));
  } finally {
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
  }
  assert.equal(readFileSync(file, 'utf8'), `${holder.pid}\n`, 'left behind');
  releasePidFile(acquirePidFile(file));
});

test('release removes our pid file, and only ours', () => {
  const held = acquirePidFile(file);
  releasePidFile(held);
  assert.equal(existsSync(file), false);

  const replaced = acquirePidFile(file);
  rmSync(file);
  writeFileSync(file, '999999\n');
  releasePidFile(replaced);
  assert.equal(readFileSync(file, 'utf8'), '999999\n', 'a file put in its place stays');
});
