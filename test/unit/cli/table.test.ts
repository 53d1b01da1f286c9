import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, renderTable } from '../../../src/cli/table.js';

test('renderTable pads every column to its widest cell and leaves no trailing blanks', () => {
  const text = renderTable(
    ['NAME', 'VRID', 'VIPS'],
    [
      ['VI_1', '51', '198.51.100.10/24'],
      ['VI_LONGER', '7', ''],
    ],
  );
  assert.equal(text, ['NAME       VRID  VIPS', 'VI_1       51    198.51.100.10/24', 'VI_LONGER  7'].join('\n'));
});

test('formatDuration shows the two largest units', () => {
  assert.deepEqual([0, 59.9, 61, 3600 + 5 * 60, 3 * 86400 + 4 * 3600 + 59].map(formatDuration), [
    '0s',
    '59s',
    '1m01s',
    '1h05m',
    '3d4h',
  ]);
});
