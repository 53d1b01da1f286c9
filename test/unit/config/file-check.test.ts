// FILE_CHECK as keepalived 2.2.7 reads it: a real server follows a track_file, with the
// FILE_CHECK's own weight (reverse included) or else the track_file's; mistakes at file:line:col.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FileCheck, parseConfigText } from '../../../src/config/index.js';
import { expectDiagnostic, expectLoaded, expectOnlyErrors, warningsOf } from './assert-diagnostics.js';

const config = (fileCheck: string, trackFile = 'track_file maint {\n  file /run/maint\n  weight 3 reverse\n}\n') =>
  parseConfigText(
    `${trackFile}virtual_server 198.51.100.80 80 {\n  protocol TCP\n  real_server 198.51.100.21 80 {\n    FILE_CHECK {\n${fileCheck}    }\n  }\n}\n`,
    'k.conf',
  );

const fileCheckOf = (text: string): FileCheck => {
  const checker = expectLoaded(config(text)).virtualServers[0]!.realServers[0]!.checkers[0];
  assert.equal(checker?.type, 'FILE_CHECK');
  return checker as FileCheck;
};

describe('FILE_CHECK', () => {
  it('names its track_file; without a weight it keeps the track_file weight and reverse (unset here)', () => {
    const check = fileCheckOf('      track_file maint\n');
    assert.equal(check.track.name, 'maint');
    assert.equal(check.track.weight, undefined);
    assert.equal(check.track.reverse, undefined);
  });

  it('takes its own weight, which sets reverse too (noreverse unless it says reverse)', () => {
    assert.deepEqual(
      [fileCheckOf('      track_file maint\n      weight -7\n').track].map((t) => [t.weight, t.reverse]),
      [[-7, false]],
    );
    assert.equal(fileCheckOf('      track_file maint\n      weight 0 reverse\n').track.reverse, true);
    assert.equal(fileCheckOf('      track_file maint\n      weight 2147483647\n').track.weight, 2147483647);
  });

  it('is run by vigil: no "not run" warning', () => {
    const result = config('      track_file maint\n');
    assert.deepEqual(
      warningsOf(result).map((d) => d.message),
      [],
    );
  });

  it('needs a track_file', () => {
    expectOnlyErrors(config('      weight 1\n'), [['k.conf:8:5', '`FILE_CHECK` needs a `track_file`']]);
  });

  it('names a track_file that exists, with a suggestion', () => {
    expectOnlyErrors(config('      track_file maint2\n'), [
      ['k.conf:9:18', 'track_file `maint2` is not defined; did you mean `maint`?'],
    ]);
  });

  it('rejects a weight out of range, a bad reverse word and unknown keywords', () => {
    expectDiagnostic(config('      track_file maint\n      weight 2147483648\n'), 'error', 'k.conf:10:14', 'weight');
    expectDiagnostic(
      config('      track_file maint\n      weight 1 backwards\n'),
      'error',
      'k.conf:10:16',
      '`reverse` or `noreverse`',
    );
    expectDiagnostic(config('      track_file maint\n      retry 3\n'), 'error', 'k.conf:10:7', 'retry');
  });
});
