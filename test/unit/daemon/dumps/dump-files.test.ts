import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  DEFAULT_DUMP_UMASK,
  dumpDirectory,
  dumpPath,
  writeAtomically,
} from '../../../../src/daemon/dumps/dump-files.js';

test("keepalived's paths: TMPDIR when it is absolute, else /tmp", () => {
  assert.equal(dumpDirectory({ TMPDIR: '/run/dumps' }), '/run/dumps');
  assert.equal(dumpDirectory({ TMPDIR: 'relative' }), '/tmp');
  assert.equal(dumpDirectory({}), '/tmp');
  assert.equal(dumpPath('/tmp', 'data'), '/tmp/keepalived.data');
  assert.equal(dumpPath('/tmp', 'stats'), '/tmp/keepalived.stats');
  assert.equal(dumpPath('/tmp', 'json'), '/tmp/keepalived.json');
});

test('a dump replaces the old file whole, mode 0600, and replaces a planted symlink instead of writing through it', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-dumps-'));
  try {
    const victim = path.join(dir, 'victim');
    writeFileSync(victim, 'precious');
    const file = path.join(dir, 'keepalived.data');
    symlinkSync(victim, file);
    await writeAtomically(file, 'dump\n', DEFAULT_DUMP_UMASK);
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.equal(lstatSync(file).isFile(), true);
    assert.equal(lstatSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8'), 'dump\n');
    assert.deepEqual(readdirSync(dir).sort(), ['keepalived.data', 'victim'], 'no temporary file left behind');
    // global_defs umask 022, whatever the process's own umask.
    await writeAtomically(file, 'dump\n', 0o22);
    assert.equal(lstatSync(file).mode & 0o777, 0o644);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
