// Drains in the state dir: what one run drained, the next reads back, with when it began; a real
// server gone from the config loses its drain; every write is whole (temp file and rename).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { Drains } from '../../../src/daemon/drains.js';

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'vigil-drains-'));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

const a = 'tcp:198.51.100.80:80|203.0.113.21:80';
const b = 'tcp:198.51.100.81:80|203.0.113.21:80';
const names = (vs: string) => ({ virtualServer: vs, realServer: '203.0.113.21:80' });
const at = new Date('2026-12-01T10:00:00.000Z');

test('a drain outlives the process: the next run reads it back with when it began', () => {
  const first = new Drains(stateDir);
  assert.deepEqual([...first.add(new Map([[a, names('198.51.100.80:80')]]), at)], [[a, true]]);
  const again = new Drains(stateDir);
  assert.deepEqual(again.get(a), { ...names('198.51.100.80:80'), since: at });
  assert.equal(again.has(b), false);
});

test('draining again keeps the first time; undraining reports what was drained', () => {
  const drains = new Drains(stateDir);
  drains.add(new Map([[a, names('198.51.100.80:80')]]), at);
  const added = drains.add(
    new Map([
      [a, names('198.51.100.80:80')],
      [b, names('198.51.100.81:80')],
    ]),
    new Date('2026-12-01T11:00:00.000Z'),
  );
  assert.deepEqual(
    [...added],
    [
      [a, false],
      [b, true],
    ],
  );
  assert.equal(new Drains(stateDir).get(a)?.since.toISOString(), at.toISOString());
  assert.deepEqual(
    [...drains.remove([a, 'tcp:198.51.100.99:80|203.0.113.1:80'])],
    [
      [a, true],
      ['tcp:198.51.100.99:80|203.0.113.1:80', false],
    ],
  );
  assert.deepEqual([new Drains(stateDir).has(a), new Drains(stateDir).has(b)], [false, true]);
});

test('keepOnly drops the drains of real servers no longer configured, for good', () => {
  const drains = new Drains(stateDir);
  drains.add(
    new Map([
      [a, names('198.51.100.80:80')],
      [b, names('198.51.100.81:80')],
    ]),
    at,
  );
  const dropped = drains.keepOnly(new Set([a]));
  assert.deepEqual(dropped, [{ ...names('198.51.100.81:80'), since: at }]);
  assert.deepEqual([new Drains(stateDir).has(a), new Drains(stateDir).has(b)], [true, false]);
});

test('writes leave no temp file behind, and nothing is written until something is drained', () => {
  const drains = new Drains(stateDir);
  drains.keepOnly(new Set());
  assert.equal(existsSync(path.join(stateDir, 'drains.json')), false);
  drains.add(new Map([[a, names('198.51.100.80:80')]]), at);
  assert.deepEqual(readdirSync(stateDir), ['drains.json']);
});

test('a file vigild did not write stops the start, saying which', () => {
  writeFileSync(path.join(stateDir, 'drains.json'), '{"drains": {"x": {"since": "never"}}}');
  assert.throws(() => new Drains(stateDir), /drains\.json is not what vigild wrote there/);
});
