// Decoding the kernel's process events: what tracking acts on, and threads left out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeProcEvent } from '../../../src/track-process/proc-connector.js';

/** nlmsghdr (16) + cn_msg (20) + proc_event: what, cpu, timestamp, then its data. */
function event(what: number, ...data: number[]): Buffer {
  const buf = Buffer.alloc(16 + 20 + 16 + 24);
  buf.writeUInt32LE(buf.length, 0);
  buf.writeUInt32LE(1, 16); // CN_IDX_PROC
  buf.writeUInt32LE(1, 20); // CN_VAL_PROC
  buf.writeUInt32LE(what, 36);
  data.forEach((value, i) => {
    buf.writeInt32LE(value, 52 + 4 * i);
  });
  return buf;
}

describe('proc connector events', () => {
  it('decodes fork, exec and exit of processes, and skips threads', () => {
    assert.deepEqual(decodeProcEvent(event(0x1, 10, 10, 20, 20)), { kind: 'fork', parent: 10, child: 20 });
    assert.equal(decodeProcEvent(event(0x1, 10, 10, 21, 20)), undefined);
    assert.deepEqual(decodeProcEvent(event(0x2, 20, 20)), { kind: 'exec', pid: 20 });
    assert.deepEqual(decodeProcEvent(event(0x80000000, 20, 20)), { kind: 'exit', pid: 20 });
    assert.equal(decodeProcEvent(event(0x80000000, 21, 20)), undefined);
  });

  it('reads the new name of a comm event', () => {
    const buf = event(0x200, 30, 30);
    buf.write('Web Content', 60);
    assert.deepEqual(decodeProcEvent(buf), { kind: 'comm', pid: 30, comm: 'Web Content' });
  });
});
