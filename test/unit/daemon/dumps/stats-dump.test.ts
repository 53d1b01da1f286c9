import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statsDump } from '../../../../src/daemon/dumps/stats-dump.js';
import { LIVE, views } from './two-masters.js';

const instanceStats = (name: string) => `VRRP Instance: ${name}
  Advertisements:
    Received: 0
    Sent: 2
  Became master: 1
  Released master: 0
  Packet Errors:
    Length: 0
    TTL: 0
    Invalid Type: 0
    Advertisement Interval: 0
    Address List: 0
  Authentication Errors:
    Invalid Type: 0
    Type Mismatch: 0
    Failure: 0
  Priority Zero:
    Received: 0
    Sent: 0
`;

test("the stats dump is keepalived's text, heading for heading", () => {
  assert.equal(statsDump(views()), instanceStats('VI_1') + instanceStats('VI_2'));
});

test("vigil's drop reasons land in keepalived's error counters", () => {
  const drops = { too_short: 1, bad_length: 2, bad_ttl: 3, bad_type: 4, interval_mismatch: 5, address_mismatch: 6 };
  const more = { bad_auth_type: 7, auth_type_mismatch: 8, auth_mismatch: 5, ah_replayed: 4 };
  const live = LIVE.map((s) => ({
    ...s,
    counters: { ...s.counters, releasedMaster: 2, priorityZeroReceived: 1, drops: { ...drops, ...more } },
  }));
  const text = statsDump(views(live)).split('VRRP Instance: VI_2')[0]!;
  for (const line of [
    'Released master: 2',
    'Length: 3',
    'TTL: 3',
    'Invalid Type: 4',
    'Advertisement Interval: 5',
    'Address List: 6',
    'Invalid Type: 7',
    'Type Mismatch: 8',
    'Failure: 9',
  ])
    assert.match(text, new RegExp(`^ +${line}$`, 'm'));
  assert.match(text, /Priority Zero:\n {4}Received: 1\n/);
});
