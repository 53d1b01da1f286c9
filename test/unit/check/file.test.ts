// keepalived's FILE_CHECK rule for a real server: what a track file's value means for up, down
// and weight, and which weight applies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileCheckWeight, fileVerdict } from '../../../src/check/file.js';
import type { FileCheck, TrackFile } from '../../../src/config/index.js';

const pos = { file: 'k.conf', line: 1, col: 1 };
const trackFile: TrackFile = { name: 'maint', pos, file: '/run/maint', weight: 3, weightReverse: true };
const fileCheck = (weight?: number, reverse?: boolean): FileCheck => ({
  type: 'FILE_CHECK',
  pos,
  track: { name: 'maint', pos, ...(weight !== undefined && { weight }), ...(reverse !== undefined && { reverse }) },
});

describe('fileVerdict', () => {
  test('weight 0: zero is up, anything else down, and reverse swaps them; the weight is untouched', () => {
    assert.deepEqual(fileVerdict('maint', 0, 0, false), { up: true, offset: 0 });
    assert.deepEqual(fileVerdict('maint', 5, 0, false), {
      up: false,
      reason: 'track_file maint holds 5 (weight 0: non-zero means down)',
    });
    assert.deepEqual(fileVerdict('maint', -1, 0, true), { up: true, offset: 0 });
    assert.deepEqual(fileVerdict('maint', 0, 0, true), {
      up: false,
      reason: 'track_file maint holds 0 (weight 0 reverse: 0 means down)',
    });
  });

  test('a weight: value × weight is added to the server weight (negated by reverse), and a negative one does not take it down', () => {
    assert.deepEqual(fileVerdict('maint', 4, 5, false), { up: true, offset: 20 });
    assert.deepEqual(fileVerdict('maint', 4, 5, true), { up: true, offset: -20 });
    assert.deepEqual(fileVerdict('maint', -1000, 1, false), { up: true, offset: -1000 });
  });

  test('only a weighted value at or below -2^31 is down; above 2^31-1 it is cut', () => {
    assert.equal(fileVerdict('maint', -(2 ** 31), 1, false).up, false);
    assert.deepEqual(fileVerdict('maint', -(2 ** 31) + 1, 1, false), { up: true, offset: -(2 ** 31) + 1 });
    assert.deepEqual(fileVerdict('maint', 2 ** 31, 2, false), { up: true, offset: 2 ** 31 - 1 });
  });
});

describe('fileCheckWeight', () => {
  test("without its own weight a FILE_CHECK takes the track_file's weight and reverse", () => {
    assert.deepEqual(fileCheckWeight(fileCheck(), trackFile), { weight: 3, reverse: true });
  });
  test('its own weight replaces both (reverse false unless it says so)', () => {
    assert.deepEqual(fileCheckWeight(fileCheck(7), trackFile), { weight: 7, reverse: false });
    assert.deepEqual(fileCheckWeight(fileCheck(0, true), trackFile), { weight: 0, reverse: true });
  });
});
