// Track file values as keepalived reads them (strtol with base 0, kept within ±254), and
// init_file's rules for when a value is written.
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { TrackFile } from '../../src/config/index.js';
import { initialiseTrackFile, parseTrackFileValue, readTrackFileValue } from '../../src/track-file.js';

describe('parseTrackFileValue', () => {
  const cases: [string, number][] = [
    ['5\n', 5],
    ['  \t-12 apples', -12],
    ['+7', 7],
    ['0x1f', 31],
    ['0X1F', 31],
    ['017', 15],
    ['08', 0],
    ['0x', 0],
    ['abc', 0],
    ['', 0],
    ['1000', 1000],
    ['-1000', -1000],
    ['99999999999', 2 ** 31],
    ['-99999999999', -(2 ** 31)],
  ];
  for (const [text, value] of cases) {
    test(`${JSON.stringify(text)} reads as ${value}`, () => assert.equal(parseTrackFileValue(text), value));
  }
});

describe('reading and initialising track files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-track-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const trackFile = (name: string, initFile?: TrackFile['initFile']): TrackFile => ({
    name,
    pos: { file: 'k.conf', line: 1, col: 1 },
    file: path.join(dir, name),
    weight: 1,
    weightReverse: false,
    ...(initFile ? { initFile } : {}),
  });

  test('a missing file reads 0; only the first 127 bytes count', async () => {
    assert.equal(await readTrackFileValue(path.join(dir, 'missing')), 0);
    writeFileSync(path.join(dir, 'long'), `${' '.repeat(126)}9`);
    assert.equal(await readTrackFileValue(path.join(dir, 'long')), 9);
    writeFileSync(path.join(dir, 'longer'), `${' '.repeat(127)}9`);
    assert.equal(await readTrackFileValue(path.join(dir, 'longer')), 0);
  });

  test('init_file writes a missing file, and leaves an existing one alone without overwrite', async () => {
    const tf = trackFile('init', { value: 12, overwrite: false });
    await initialiseTrackFile(tf, false);
    assert.equal(readFileSync(tf.file, 'utf8'), '12\n');
    writeFileSync(tf.file, '3\n');
    await initialiseTrackFile(tf, false);
    assert.equal(readFileSync(tf.file, 'utf8'), '3\n');
  });

  test('overwrite writes at start but never on a reload; a reload still creates a missing file', async () => {
    const tf = trackFile('overwrite', { value: -5, overwrite: true });
    writeFileSync(tf.file, '3\n');
    await initialiseTrackFile(tf, true);
    assert.equal(readFileSync(tf.file, 'utf8'), '3\n');
    await initialiseTrackFile(tf, false);
    assert.equal(readFileSync(tf.file, 'utf8'), '-5\n');
    rmSync(tf.file);
    await initialiseTrackFile(tf, true);
    assert.equal(readFileSync(tf.file, 'utf8'), '-5\n');
  });

  test('init_file does not write through a symlink in the file’s place', async () => {
    const target = path.join(dir, 'precious');
    writeFileSync(target, 'keep me');
    const tf = trackFile('planted', { value: 1, overwrite: true });
    symlinkSync(target, tf.file);
    await assert.rejects(initialiseTrackFile(tf, false), /not a regular file|ELOOP/);
    assert.equal(readFileSync(target, 'utf8'), 'keep me');
    assert.ok(lstatSync(tf.file).isSymbolicLink());
  });
});
