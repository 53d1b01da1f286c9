// keepalived's own sample configurations (test/fixtures/keepalived-samples, its doc/samples):
// each loads, and none draws a "not implemented" warning except for the features issue 17 adds
// (VMACs, the LVS sync daemon, SNMP,
// DBus, BFD). A sample that warns about a missing dialect, alert, FIFO or dump feature fails.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { formatDiagnostic, loadConfig } from '../../../src/config/index.js';
import { fixture } from '../../helpers/paths.js';

const SAMPLES = fixture('keepalived-samples');

/** The keywords of issue 17's features, the only ones a sample may be warned about as not implemented. */
const LATER = /^`(lvs_sync_daemon_interface|\w*snmp\w*|\w*dbus\w*|\w*bfd\w*)` is accepted but not implemented/i;

const samples = readdirSync(SAMPLES).filter((f) => f.startsWith('keepalived.conf.'));

describe("keepalived's sample configurations", () => {
  it('are all here: 25 files of keepalived 2.2.7', () => {
    assert.equal(samples.length, 25);
  });

  for (const file of samples) {
    it(file, () => {
      const result = loadConfig(`${SAMPLES}/${file}`);
      const listing = result.diagnostics.map(formatDiagnostic).join('\n');
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors.map(formatDiagnostic), [], listing);
      const unimplemented = result.diagnostics.filter(
        (d) => d.message.includes('not implemented') && !LATER.test(d.message),
      );
      assert.deepEqual(unimplemented.map(formatDiagnostic), []);
    });
  }
});
