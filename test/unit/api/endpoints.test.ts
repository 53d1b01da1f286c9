import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readOnlySocketFor } from '../../../src/api/endpoints.js';

test('the read-only socket sits beside the control socket', () => {
  assert.equal(readOnlySocketFor('/run/vigil/vigil.sock'), '/run/vigil/vigil-ro.sock');
  assert.equal(readOnlySocketFor('/run/vigil/ns1.sock'), '/run/vigil/ns1-ro.sock');
  assert.equal(readOnlySocketFor('/tmp/ctl'), '/tmp/ctl-ro.sock');
});
