import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonDump } from '../../../../src/daemon/dumps/json-dump.js';
import { LIVE, views } from './two-masters.js';

const stats =
  '"stats":{"advert_rcvd":0,"advert_sent":2,"become_master":1,"release_master":0,"packet_len_err":0,"advert_interval_err":0,"ip_ttl_err":0,"invalid_type_rcvd":0,"addr_list_err":0,"invalid_authtype":0,"authtype_mismatch":0,"auth_failure":0,"pri_zero_rcvd":0,"pri_zero_sent":0}';

const data = (name: string, vrid: number, priority: number, transition: string, version: number, tail: string) =>
  `{"data":{"iname":"${name}","dont_track_primary":0,"skip_check_adv_addr":0,"strict_mode":0,"vmac_ifname":"","ifp_ifname":"eth0","master_priority":0,"last_transition":${transition},"garp_delay":5,"garp_refresh":0,"garp_rep":5,"garp_refresh_rep":1,"garp_lower_prio_delay":5,"garp_lower_prio_rep":5,"lower_prio_no_advert":0,"higher_prio_send_advert":0,"vrid":${vrid},"base_priority":${priority},"effective_priority":${priority},"vipset":true,"promote_secondaries":false,"adver_int":1,"master_adver_int":1,"accept":1,"nopreempt":false,"preempt_delay":0,"state":2,"wantstate":2,"version":${version},"smtp_alert":false,"notify_deleted":false,${tail}},${stats}}`;

// keepalived's file, byte for byte; only the transition times have vigil's millisecond precision.
const KEEPALIVED = `[${data('VI_1', 51, 150, '1796158385.144000', 3, '"vips":["198.51.100.200\\/24 dev eth0 scope global set"],"auth_type":0')},${data('VI_2', 52, 100, '1796158385.342000', 2, '"vips":["198.51.100.201\\/24 dev eth0 scope global set"],"auth_type":1,"auth_data":"secret"')}]\n`;

test("the JSON dump is keepalived's, field for field and byte for byte", () => {
  assert.equal(jsonDump(views()), KEEPALIVED);
});

test('strings are escaped as keepalived escapes them, but the file stays JSON', () => {
  const [first] = views(LIVE);
  const odd = { ...first!, name: 'a/b\\c"d\u0001' };
  const text = jsonDump([odd]);
  assert.match(text, /"iname":"a\\\/b\\\\c\\"d\\u0001"/);
  assert.equal(JSON.parse(text)[0].data.iname, 'a/b\\c"d\u0001');
});

test('an AH instance is auth_type 2 in JSON, with its key as auth_data, as keepalived writes it', () => {
  const [, vi2] = views();
  const text = jsonDump([{ ...vi2!, auth: { type: 'AH', password: 'secret' } }]);
  assert.match(text, /"auth_type":2,"auth_data":"secret"/);
});
