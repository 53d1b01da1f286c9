// vigild running SMTP_CHECK and DNS_CHECK for real: vigild in one namespace, an SMTP and a DNS
// server in another. A bad greeting and an NXDOMAIN take their servers down with those words in
// `vigil status`; answering right again brings them back. A legacy `host` block is a check of its own.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, vigil } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { StatusResponse } from '../../src/api/schema.js';
import { createVethPair, NetAgent, skipWithoutNamespaces, type VethPair } from './net/namespaces.js';

describe('vigild runs SMTP_CHECK and DNS_CHECK', { skip: skipWithoutNamespaces }, () => {
  let pair: VethPair;
  let servers: NetAgent;
  let daemon: DaemonProcess;
  let smtp: number;
  let submission: number;
  let dns: number;
  const timing = 'connect_timeout 1\n      delay_loop 1\n      delay_before_retry 1\n      warmup 0\n      retry 0';

  let seen = '';
  async function health(): Promise<[string, string | undefined][]> {
    const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
    const servers = StatusResponse.parse(JSON.parse(stdout)).virtualServers.flatMap((vs) => vs.realServers);
    const result = servers.map((rs): [string, string | undefined] => [rs.health, rs.healthReason]);
    seen = JSON.stringify(result);
    return result;
  }
  const until = (what: string, probe: (servers: [string, string | undefined][]) => boolean) =>
    pollUntil(
      async () => probe(await health()),
      () => `${what}: real servers ${seen}\n${daemon.log}`,
    );

  before(async () => {
    pair = await createVethPair();
    servers = await NetAgent.start(pair.b.namespace);
    smtp = await servers.call('responder.smtp', { address: pair.b.ipv4, port: 25, mode: 'ok' });
    submission = await servers.call('responder.smtp', { address: pair.b.ipv4, port: 2525, mode: 'ok' });
    dns = await servers.call('responder.dns', { address: pair.b.ipv4, port: 53, mode: 'ok' });
    daemon = new DaemonProcess({ netns: pair.a.namespace });
    daemon.writeConfig(`virtual_server 203.0.113.80 25 {
  protocol TCP
  lb_kind DR
  real_server ${pair.b.ipv4} 25 {
    SMTP_CHECK {
      helo_name lb1.example.net
      connect_port 25
      host {
        connect_port 2525
      }
      ${timing}
    }
  }
}
virtual_server 203.0.113.80 53 {
  protocol UDP
  lb_kind DR
  real_server ${pair.b.ipv4} 53 {
    DNS_CHECK {
      type A
      name www.example.net
      ${timing}
    }
  }
}
`);
    await daemon.start();
  });
  after(async () => {
    await daemon?.cleanup();
    await servers?.stop();
    pair?.destroy();
  });

  test('answering servers are up, and the SMTP server heard our HELO name', async () => {
    await until('both checked and up', (rs) => rs.every(([state]) => state === 'up'));
    const received = await servers.call<string[]>('responder.received', { handle: smtp });
    assert.ok(received.includes('HELO lb1.example.net'), JSON.stringify(received));
  });

  test('a bad greeting and an NXDOMAIN take their servers down, saying so; answering right brings them back', async () => {
    await servers.call('responder.mode', { handle: smtp, mode: 'bad-greeting' });
    await servers.call('responder.mode', { handle: dns, mode: 'nxdomain' });
    await until('both down', (rs) => rs.every(([state]) => state === 'down'));
    assert.deepEqual(await health(), [
      ['down', 'SMTP_CHECK: the greeting was "554 mx.example.net no service here" (expected 220)'],
      ['down', 'DNS_CHECK: the server answered NXDOMAIN'],
    ]);
    await servers.call('responder.mode', { handle: smtp, mode: 'ok' });
    await servers.call('responder.mode', { handle: dns, mode: 'ok' });
    await until('both back up', (rs) => rs.every(([state]) => state === 'up'));
  });

  test('a legacy host block is checked as well: its failure alone takes the real server down', async () => {
    await servers.call('responder.mode', { handle: submission, mode: 'bad-helo' });
    await until('the SMTP server down', (rs) => rs[0]![0] === 'down');
    assert.deepEqual((await health())[0], [
      'down',
      `SMTP_CHECK: ${pair.b.ipv4}:2525: the reply to HELO was "501 go away" (expected 250)`,
    ]);
    await servers.call('responder.mode', { handle: submission, mode: 'ok' });
    await until('the SMTP server back up', (rs) => rs[0]![0] === 'up');
  });
});
