import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { dataDump } from '../../../../src/daemon/dumps/data-dump.js';
import { DEFAULT_DUMP_UMASK } from '../../../../src/daemon/dumps/dump-files.js';
import { fixture } from '../../../helpers/paths.js';
import { loadTwoMasters, views } from './two-masters.js';

// keepalived prints local time; the fixture was written in UTC.
process.env.TZ = 'UTC';

const globalView = () => ({
  global: loadTwoMasters().global,
  routerId: 'vm',
  scriptIds: { uid: 0, gid: 0 },
  umask: DEFAULT_DUMP_UMASK,
  firewall: false,
});

test("the data dump is keepalived's, line for line, less its sockets and interfaces (see the fixture's README)", () => {
  const expected = readFileSync(fixture('dumps', 'two-masters.data'), 'utf8');
  assert.equal(dataDump(globalView(), views(), []), expected);
});

test('a BACKUP names its master; a sync group lists its members and their state', () => {
  const [vi1, vi2] = views();
  const backup = { ...vi1!, state: 'BACKUP' as const, wantState: 'BACKUP' as const, masterAddress: '198.51.100.12' };
  const group = {
    name: 'G1',
    pos: { file: 'k', line: 1, col: 1 },
    members: ['VI_1', 'VI_2'],
    trackInterfaces: [],
    trackScripts: [],
    trackFiles: [],
    trackProcesses: [],
    trackingWeight: false,
    notify: { master: ['/bin/true', 'x'] },
  };
  const text = dataDump(globalView(), [{ ...backup, masterPriority: 200 }, vi2!], [{ group, smtpAlert: false }]);
  assert.match(
    text,
    / {3}State = BACKUP\n {3}Master router = 198\.51\.100\.12\n {3}Master priority = 200\n {3}Master advert int = 1\.00 sec\n/,
  );
  assert.match(
    text,
    /------< VRRP Sync groups >------\n VRRP Sync Group = G1, BACKUP\n {3}Num member fault 0, num member init 0\n {3}VRRP member instances :\n {5}VI_1\n {5}VI_2\n {3}Using smtp notification = no\n {3}Master state transition script = '\/bin\/true' 'x', uid:gid 0:0\n$/,
  );
});

test('an AH instance dumps as IPSEC_AH, its key left out as keepalived leaves it out', () => {
  const [, vi2] = views();
  const text = dataDump(globalView(), [{ ...vi2!, auth: { type: 'AH', password: 'secret' } }], []);
  assert.match(text, / {3}Authentication type = IPSEC_AH\n/);
  assert.doesNotMatch(text, /Password|secret/);
});
