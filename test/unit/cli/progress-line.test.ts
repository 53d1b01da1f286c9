// The progress display: redrawn in place on a terminal, a plain line per change elsewhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressLine } from '../../../src/cli/progress-line.js';

function output(isTTY: boolean) {
  const written: string[] = [];
  const out = { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
  return { written, line: new ProgressLine(out) };
}

test('on a terminal, each update redraws the one line, ended once', () => {
  const { written, line } = output(true);
  line.show('3 active, 1s', '3');
  line.show('3 active, 2s', '3');
  line.show('1 active, 3s', '1');
  line.end();
  assert.deepEqual(written, ['\r\x1b[K3 active, 1s', '\r\x1b[K3 active, 2s', '\r\x1b[K1 active, 3s', '\n']);
});

test('in a pipe, a line when what it says changes, not when only the clock moves', () => {
  const { written, line } = output(false);
  line.show('3 active, 1s', '3');
  line.show('3 active, 2s', '3');
  line.show('1 active, 3s', '1');
  line.end();
  assert.deepEqual(written, ['3 active, 1s\n', '1 active, 3s\n']);
});
