// The charts' shared time axis: where its columns are, how they are labelled, and what a
// series reads at each.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AXIS_POINTS,
  agoLabel,
  axisTimes,
  MAX_WINDOW_MS,
  MIN_WINDOW_MS,
  valuesAt,
} from '../../../src/tui/charts/time-axis.js';

const NOW = 1_000_000_000;

describe('axisTimes', () => {
  test('ends now and reaches back to the oldest sample', () => {
    const times = axisTimes(NOW, NOW - 120_000);
    assert.equal(times.length, AXIS_POINTS);
    assert.equal(times.at(-1), NOW);
    assert.equal(times[0], NOW - 120_000);
  });

  test('spans at least ten seconds and at most half an hour', () => {
    assert.equal(axisTimes(NOW, NOW)[0], NOW - MIN_WINDOW_MS);
    assert.equal(axisTimes(NOW, NOW - 24 * 3600_000)[0], NOW - MAX_WINDOW_MS);
  });
});

describe('agoLabel', () => {
  test('says how long before now, in the units status uses', () => {
    assert.equal(agoLabel(NOW, NOW), 'now');
    assert.equal(agoLabel(NOW, NOW - 12_000), '-12s');
    assert.equal(agoLabel(NOW, NOW - 250_000), '-4m10s');
  });
});

describe('valuesAt', () => {
  const samples = [
    { at: 10, value: 5 },
    { at: 20, value: 7 },
    { at: 30, value: 9 },
  ];

  test('each time reads the latest sample at or before it', () => {
    assert.deepEqual(valuesAt(samples, [10, 15, 20, 29, 30, 100]), [5, 5, 7, 7, 9, 9]);
  });

  test('before its first sample a series has that value, so its line starts at the left edge', () => {
    assert.deepEqual(valuesAt(samples, [0, 5]), [5, 5]);
  });

  test('a series with no samples reads 0', () => {
    assert.deepEqual(valuesAt([], [1, 2]), [0, 0]);
  });
});
