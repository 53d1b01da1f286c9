// Which command lines the lean path takes (src/cli/lean.ts): those whose meaning under oclif is
// certain; every other goes to oclif, which knows the errors and --help.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../../../lab/paths.js';
import { DEFAULT_SOCKET } from '../../../src/api/endpoints.js';
import { leanFlags } from '../../../src/cli/lean.js';

describe('leanFlags', () => {
  test('--json and the three spellings of --socket, in any order', () => {
    assert.deepEqual(leanFlags([], {}), { socket: DEFAULT_SOCKET, json: false });
    assert.deepEqual(leanFlags(['--json', '--socket', '/a'], {}), { socket: '/a', json: true });
    assert.deepEqual(leanFlags(['--socket=/a'], {}), { socket: '/a', json: false });
    assert.deepEqual(leanFlags(['-s', '/a', '--json'], {}), { socket: '/a', json: true });
  });

  test('VIGIL_SOCKET when set and not empty, as oclif reads env flags; --socket wins', () => {
    assert.deepEqual(leanFlags([], { VIGIL_SOCKET: '/env' }), { socket: '/env', json: false });
    assert.deepEqual(leanFlags([], { VIGIL_SOCKET: '' }), { socket: DEFAULT_SOCKET, json: false });
    assert.deepEqual(leanFlags(['-s', '/a'], { VIGIL_SOCKET: '/env' }), { socket: '/a', json: false });
  });

  test('left to oclif: help, unknown flags, arguments, repeats, missing or flag-like values', () => {
    for (const args of [
      ['--help'],
      ['-h'],
      ['--watch'],
      ['198.51.100.1:80'],
      ['--json', '--json'],
      ['-s', '/a', '--socket', '/b'],
      ['--socket'],
      ['--socket='],
      ['--socket', '--json'],
      ['--'],
      ['-s/a'],
    ]) {
      assert.equal(leanFlags(args, {}), undefined, args.join(' '));
    }
  });
});

test('the lean bundle stays small: oclif (~400 KiB bundled) or zod at run time would undo the lean path', () => {
  const { size } = statSync(path.join(repoRoot, 'dist', 'vigil-lean.cjs'));
  assert.ok(size < 64 * 1024, `dist/vigil-lean.cjs is ${size} bytes: what do src/cli/lean.ts's imports pull in?`);
});
