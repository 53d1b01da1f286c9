// keepalived 2.2.7 corrects some virtual_server settings it cannot program as written (its
// validate_check_config), logging each. vigil makes the same corrections, so it programs the same
// IPVS table, and reports each as a warning at the words it overrides.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Config, formatDiagnostic, parseConfigText, type VirtualServer } from '../../../src/config/index.js';
import { expectDiagnostic, expectLoaded, warningsOf } from './assert-diagnostics.js';

/** Loads `text` as k.conf: no errors, and exactly the `expected` warnings (`line:col` + fragment each). */
function corrected(text: string, expected: readonly [at: string, fragment: string][]): Config {
  const result = parseConfigText(text, 'k.conf');
  const config = expectLoaded(result);
  for (const [at, fragment] of expected) expectDiagnostic(result, 'warning', `k.conf:${at}`, fragment);
  assert.equal(
    warningsOf(result).length,
    expected.length,
    `unexpected warnings:\n${result.diagnostics.map(formatDiagnostic).join('\n')}`,
  );
  return config;
}

/** The virtual server written as `virtual_server TEXT` (its key, as keepalived.conf writes it). */
function vsOf(config: Config, text: string): VirtualServer {
  const found = config.virtualServers.find((vs) => {
    const { key } = vs;
    const written =
      key.kind === 'ip'
        ? `${key.address} ${key.port}`
        : key.kind === 'fwmark'
          ? `fwmark ${key.mark}`
          : `group ${key.name}`;
    return written === text;
  });
  assert.ok(found, `virtual_server ${text}`);
  return found;
}

const ports = (vs: VirtualServer) => vs.realServers.map((rs) => rs.port);

describe('keepalived corrections: protocol', () => {
  it('an address virtual_server without `protocol` is UDP; fwmark ones need none', () => {
    const config = corrected(
      `virtual_server 198.51.100.80 80 {
  real_server 203.0.113.21 80
}
virtual_server 198.51.100.81 80 {
  protocol TCP
  real_server 203.0.113.21 80
}
virtual_server fwmark 7 {
  real_server 203.0.113.21 80
}
virtual_server group MIXED {
  real_server 203.0.113.21 80
}
virtual_server_group MIXED {
  198.51.100.90 80
  fwmark 8
}
`,
      [
        [
          '1:1',
          'no `protocol` in this virtual_server: keepalived programs it as UDP, and so does vigil; add `protocol TCP` if TCP is meant',
        ],
        ['11:1', 'no `protocol` in this virtual_server: keepalived programs it as UDP'],
      ],
    );
    assert.equal(vsOf(config, '198.51.100.80 80').protocol, 'UDP');
    assert.equal(vsOf(config, '198.51.100.81 80').protocol, 'TCP');
    assert.equal(vsOf(config, 'group MIXED').protocol, 'UDP');
  });

  it('`protocol` on a fwmark virtual_server, or a group of fwmarks only, is ignored with a warning', () => {
    corrected(
      `virtual_server fwmark 7 {
  protocol TCP
  real_server 203.0.113.21 80
}
virtual_server group MARKS {
  protocol UDP
  real_server 203.0.113.21 80
}
virtual_server_group MARKS {
  fwmark 8
  fwmark 9 inet
}
virtual_server group MIXED {
  protocol TCP
  real_server 203.0.113.21 80
}
virtual_server_group MIXED {
  198.51.100.90 80
  fwmark 10
}
`,
      [
        [
          '2:3',
          '`protocol` is ignored: a fwmark virtual_server takes packets by their firewall mark, whatever their protocol; keepalived ignores it, and so does vigil; remove it',
        ],
        ['6:3', '`protocol` is ignored: virtual_server_group `MARKS` has only fwmark entries'],
      ],
    );
  });
});

describe('keepalived corrections: ignored virtual servers', () => {
  it('a virtual_server without real servers is left out, sorry_server and all', () => {
    const config = corrected(
      `virtual_server 198.51.100.80 80 {
  protocol TCP
  sorry_server 203.0.113.99 80
}
virtual_server 198.51.100.81 80 {
  protocol TCP
  real_server 203.0.113.21 80
}
virtual_server fwmark 7 {
}
`,
      [
        [
          '1:1',
          'virtual_server `198.51.100.80 80` has no `real_server`: keepalived ignores the whole virtual server (its sorry_server too), and so does vigil; add the real servers, or delete the block',
        ],
        [
          '9:1',
          'virtual_server `fwmark 7` has no `real_server`: keepalived ignores the whole virtual server, and so does vigil',
        ],
      ],
    );
    assert.deepEqual(
      config.virtualServers.map((vs) => vs.pos.line),
      [5],
    );
  });
});

describe('keepalived corrections: one-packet scheduling', () => {
  it('`ops` is turned off on TCP and SCTP address services, and kept on UDP and fwmark ones', () => {
    const config = corrected(
      `virtual_server 198.51.100.80 80 {
  protocol TCP
  ops
  real_server 203.0.113.21 80
}
virtual_server 198.51.100.81 53 {
  protocol UDP
  ops
  real_server 203.0.113.21 53
}
virtual_server fwmark 7 {
  ops
  real_server 203.0.113.21 53
}
virtual_server 198.51.100.82 5060 {
  protocol SCTP
  ops
  real_server 203.0.113.21 5060
}
`,
      [
        [
          '3:3',
          '`ops` (one-packet scheduling) needs UDP, but this virtual_server is TCP: keepalived turns it off, and so does vigil; remove `ops`, or set `protocol UDP` if UDP is meant',
        ],
        ['17:3', 'but this virtual_server is SCTP: keepalived turns it off'],
      ],
    );
    assert.equal(vsOf(config, '198.51.100.80 80').onePacket, false);
    assert.equal(vsOf(config, '198.51.100.81 53').onePacket, true);
    assert.equal(vsOf(config, 'fwmark 7').onePacket, true);
    assert.equal(vsOf(config, '198.51.100.82 5060').onePacket, false);
  });

  it('`ops` without `protocol` stays on: the virtual server is UDP', () => {
    const config = corrected('virtual_server 198.51.100.80 53 {\n  ops\n  real_server 203.0.113.21 53\n}\n', [
      ['1:1', 'no `protocol` in this virtual_server'],
    ]);
    assert.equal(config.virtualServers[0]!.onePacket, true);
  });
});

describe('keepalived corrections: ha_suspend', () => {
  it('`ha_suspend` is turned off on a fwmark service and on a group with a fwmark entry; kept on addresses', () => {
    const config = corrected(
      `virtual_server_group MIXED {
  198.51.100.90 80
  fwmark 9
}
virtual_server fwmark 7 {
  ha_suspend
  real_server 203.0.113.21 80
}
virtual_server group MIXED {
  protocol TCP
  ha_suspend
  real_server 203.0.113.21 80
}
virtual_server 198.51.100.80 80 {
  protocol TCP
  ha_suspend
  real_server 203.0.113.21 80
}
`,
      [
        [
          '6:3',
          '`ha_suspend` cannot follow a fwmark service: a mark has no address for VRRP to hold; keepalived turns it off, and so does vigil',
        ],
        ['11:3', '`ha_suspend` cannot follow a fwmark service'],
      ],
    );
    assert.equal(vsOf(config, 'fwmark 7').haSuspend, false);
    assert.equal(vsOf(config, 'group MIXED').haSuspend, false);
    assert.equal(vsOf(config, '198.51.100.80 80').haSuspend, true);
  });
});

describe('keepalived corrections: services without a port', () => {
  it('port 0 or no port makes a virtual_server persistent for 360 s unless it already is', () => {
    const config = corrected(
      `virtual_server 198.51.100.80 0 {
  protocol TCP
  real_server 203.0.113.21
}
virtual_server 198.51.100.81 {
  protocol TCP
  persistence_timeout 0
  real_server 203.0.113.21
}
virtual_server 198.51.100.82 {
  protocol TCP
  persistence_timeout 600
  real_server 203.0.113.21
}
`,
      [
        [
          '1:30',
          'a virtual_server without a port is only valid when persistent: keepalived makes it persistent with `persistence_timeout 360`, and so does vigil; add the port, or set `persistence_timeout` to choose the timeout',
        ],
        ['5:16', 'a virtual_server without a port is only valid when persistent'],
      ],
    );
    const [zero, none, persistent] = config.virtualServers;
    assert.deepEqual(
      [zero!.key.kind === 'ip' && zero!.key.port, zero!.persistenceTimeout, ports(zero!)],
      [0, 360, [0]],
    );
    assert.deepEqual([none!.persistenceTimeout, persistent!.persistenceTimeout], [360, 600]);
  });

  it('a group entry without a port makes the virtual servers using the group persistent', () => {
    const config = corrected(
      `virtual_server_group WEB {
  198.51.100.80 80
  198.51.100.81-89 0
  198.51.100.90
}
virtual_server group WEB {
  protocol TCP
  real_server 203.0.113.21 80
}
virtual_server group WEB {
  protocol UDP
  persistence_timeout 30
  real_server 203.0.113.21 80
}
`,
      [
        [
          '3:3',
          'this virtual_server_group entry has no port, which is only valid for a persistent service, and `virtual_server group WEB` at k.conf:6:1 is not persistent: keepalived makes it persistent with `persistence_timeout 360`, and so does vigil; add the port here',
        ],
      ],
    );
    assert.deepEqual(
      config.virtualServerGroups[0]!.entries.map((e) => e.kind !== 'fwmark' && e.port),
      [80, 0, 0],
    );
    assert.deepEqual(
      config.virtualServers.map((vs) => vs.persistenceTimeout),
      [360, 30],
    );
  });
});

describe('keepalived corrections: real servers', () => {
  it('a real server listed twice is removed, naming the first', () => {
    const config = corrected(
      `virtual_server 198.51.100.80 80 {
  protocol TCP
  real_server 203.0.113.21 80 {
    weight 2
  }
  real_server 203.0.113.22 80
  real_server 203.0.113.21 80 {
    weight 5
  }
}
`,
      [
        [
          '7:15',
          'real_server `203.0.113.21 80` is already listed at k.conf:3:3 in this virtual_server: keepalived removes this second one, and so does vigil; delete it, or merge its settings into the first',
        ],
      ],
    );
    assert.deepEqual(
      config.virtualServers[0]!.realServers.map((rs) => [rs.address, rs.weight, rs.pos.line]),
      [
        ['203.0.113.21', 2, 3],
        ['203.0.113.22', 1, 6],
      ],
    );
  });

  it('DR and TUN: a real or sorry server port is the virtual server port; NAT keeps any port', () => {
    const config = corrected(
      `virtual_server 198.51.100.80 80 {
  protocol TCP
  lb_kind DR
  sorry_server 203.0.113.99 9090
  real_server 203.0.113.21 8080
  real_server 203.0.113.22
  real_server 203.0.113.23 80
}
virtual_server 198.51.100.81 443 {
  protocol TCP
  lvs_method TUN
  real_server 203.0.113.21 8443
}
virtual_server 198.51.100.82 80 {
  protocol TCP
  lb_kind NAT
  sorry_server 203.0.113.99
  real_server 203.0.113.21 8080
  real_server 203.0.113.22
}
`,
      [
        [
          '4:29',
          "`sorry_server` port 9090 differs from the virtual_server's port 80: with `lvs_method DR` packets reach the sorry_server on the port they were sent to, so keepalived sets it to 80, and so does vigil; write port 80 or no port, or use `lvs_method NAT` to translate ports",
        ],
        [
          '5:28',
          "`real_server` port 8080 differs from the virtual_server's port 80: with `lvs_method DR` packets reach the real_server on the port they were sent to, so keepalived sets it to 80",
        ],
        ['12:28', "`real_server` port 8443 differs from the virtual_server's port 443: with `lvs_method TUN`"],
      ],
    );
    const dr = vsOf(config, '198.51.100.80 80');
    assert.deepEqual([ports(dr), dr.sorryServer?.port], [[80, 80, 80], 80]);
    assert.deepEqual(ports(vsOf(config, '198.51.100.81 443')), [443]);
    // keepalived leaves a NAT sorry server without a port at 0; IPVS then uses the service's port.
    const nat = vsOf(config, '198.51.100.82 80');
    assert.deepEqual([ports(nat), nat.sorryServer?.port], [[8080, 80], 0]);
  });

  it('a fwmark virtual server with DR or TUN has no real or sorry server port; with NAT it keeps them', () => {
    const config = corrected(
      `virtual_server fwmark 7 {
  lb_kind DR
  sorry_server 203.0.113.99 80
  real_server 203.0.113.21 80
  real_server 203.0.113.22
}
virtual_server fwmark 8 {
  lb_kind NAT
  sorry_server 203.0.113.99 80
  real_server 203.0.113.21 8080
}
`,
      [
        [
          '3:29',
          'a fwmark virtual_server has no port for a `sorry_server` to match: with `lvs_method DR` packets reach the sorry_server on the port they were sent to, so keepalived clears port 80, and so does vigil; write no port, or use `lvs_method NAT` to translate ports',
        ],
        ['4:28', 'a fwmark virtual_server has no port for a `real_server` to match'],
      ],
    );
    const dr = vsOf(config, 'fwmark 7');
    assert.deepEqual([ports(dr), dr.sorryServer?.port], [[0, 0], 0]);
    const nat = vsOf(config, 'fwmark 8');
    assert.deepEqual([ports(nat), nat.sorryServer?.port], [[8080], 80]);
  });

  it('a DR group only warns when the ports differ: the written port stays, for the checks', () => {
    const config = corrected(
      `virtual_server_group WEB {
  198.51.100.80 80
}
virtual_server_group MARKS {
  fwmark 7
}
virtual_server group WEB {
  protocol TCP
  lb_kind DR
  sorry_server 203.0.113.99 9090
  real_server 203.0.113.21 8080
  real_server 203.0.113.22 80
  real_server 203.0.113.23
}
virtual_server group MARKS {
  lb_kind DR
  real_server 203.0.113.21 80
}
`,
      [
        [
          '10:29',
          '`sorry_server` port 9090 does not match virtual_server_group `WEB` (port 80 at k.conf:2:3): with `lvs_method DR` packets reach the sorry_server on the port they were sent to, so keepalived keeps port 9090 but programs port 80 for that entry, and so does vigil; make the ports match, or use `lvs_method NAT` to translate ports',
        ],
        [
          '11:28',
          '`real_server` port 8080 does not match virtual_server_group `WEB` (port 80 at k.conf:2:3): with `lvs_method DR` packets reach the real_server on the port they were sent to, so keepalived keeps port 8080 (its checks connect to it) but programs port 80 for that entry',
        ],
        ['17:28', '`real_server` port 80 does not match virtual_server_group `MARKS` (fwmark 7, which has no port)'],
      ],
    );
    const web = vsOf(config, 'group WEB');
    assert.deepEqual([ports(web), web.sorryServer?.port], [[8080, 80, 0], 9090]);
    assert.deepEqual(ports(vsOf(config, 'group MARKS')), [80]);
  });
});

describe('keepalived corrections: quorum', () => {
  it('quorum above the total weight is lowered to it, after repeated real servers are removed; hysteresis stays below it', () => {
    const config = corrected(
      `virtual_server 198.51.100.80 80 {
  protocol TCP
  quorum 5
  hysteresis 4
  real_server 203.0.113.21 80 {
    weight 2
  }
  real_server 203.0.113.21 80 {
    weight 3
  }
  real_server 203.0.113.22 80
}
virtual_server 198.51.100.81 80 {
  protocol TCP
  quorum 3
  hysteresis 3
  real_server 203.0.113.21 80 {
    weight 4
  }
}
`,
      [
        [
          '3:10',
          '`quorum 5` exceeds the total weight of the real servers, 3, so it could never be reached: keepalived lowers it to 3, and so does vigil; set `quorum` to at most 3, or raise the weights',
        ],
        [
          '4:14',
          '`hysteresis 4` is not below the quorum, 3: keepalived sets it to 2, and so does vigil; set `hysteresis` below the quorum',
        ],
        ['8:15', 'real_server `203.0.113.21 80` is already listed'],
        ['16:14', '`hysteresis 3` is not below the quorum, 3: keepalived sets it to 2'],
      ],
    );
    assert.deepEqual(
      config.virtualServers.map((vs) => [vs.quorum, vs.hysteresis]),
      [
        [3, 2],
        [3, 2],
      ],
    );
  });

  it('real servers of weight 0 lower even the default quorum, to 0; hysteresis never goes below 0', () => {
    const config = corrected(
      `virtual_server 198.51.100.80 80 {
  protocol TCP
  real_server 203.0.113.21 80 {
    weight 0
  }
}
virtual_server 198.51.100.81 80 {
  protocol TCP
  quorum 0
  hysteresis 2
  real_server 203.0.113.21 80
}
`,
      [
        [
          '1:1',
          'the default `quorum` of 1 exceeds the total weight of the real servers, 0, so it could never be reached: keepalived lowers it to 0',
        ],
        ['10:14', '`hysteresis 2` is not below the quorum, 0: keepalived sets it to 0'],
      ],
    );
    assert.deepEqual(
      config.virtualServers.map((vs) => [vs.quorum, vs.hysteresis]),
      [
        [0, 0],
        [0, 0],
      ],
    );
  });
});
