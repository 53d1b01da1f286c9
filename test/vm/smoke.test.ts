// The IPVS guest itself: the kernel has IPVS and every scheduler, ipvsadm programs it, and a real
// LVS-DR service in namespaces balances HTTP over two real servers. Later VM tests build on this.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ipvsadm, LvsLab, outsideVm } from './lvs-lab.js';

const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];

describe('IPVS in the guest', { skip: outsideVm }, () => {
  // The guest is throwaway, so flushing its own namespace's table is fine here; vigil never flushes.
  after(() => ipvsadm(['-C']));

  test('the kernel has IPVS and ipvsadm reads its table', async () => {
    assert.ok(existsSync('/proc/net/ip_vs'));
    assert.match(await ipvsadm(['-Ln']), /^IP Virtual Server version/);
  });

  test('a wrr service with a direct-routing real server shows up, and -C removes it', async () => {
    await ipvsadm(['-A', '-t', '198.51.100.1:80', '-s', 'wrr']);
    await ipvsadm(['-a', '-t', '198.51.100.1:80', '-r', '198.51.100.2:80', '-g', '-w', '2']);
    const table = await ipvsadm(['-Ln']);
    assert.match(table, /^TCP {2}198\.51\.100\.1:80 wrr\s*$/m);
    assert.match(table, /^ {2}-> 198\.51\.100\.2:80\s+Route\s+2\s+0\s+0\s*$/m);
    await ipvsadm(['-C']);
    assert.doesNotMatch(await ipvsadm(['-Ln']), /TCP/);
  });

  test('every scheduler the harness loads can back a service', async () => {
    for (const [i, scheduler] of SCHEDULERS.entries())
      await ipvsadm(['-A', '-t', `198.51.100.1:${1000 + i}`, '-s', scheduler]);
    const table = await ipvsadm(['-Ln']);
    for (const [i, scheduler] of SCHEDULERS.entries())
      assert.match(table, new RegExp(`198\\.51\\.100\\.1:${1000 + i} ${scheduler}\\b`));
    await ipvsadm(['-C']);
  });
});

describe('LVS-DR in namespaces', { skip: outsideVm }, () => {
  const lab = new LvsLab();
  before(() => lab.upDr(2));
  after(() => lab.down());

  test('a client fetching the VIP is answered by both real servers in turn', async () => {
    await lab.addDrService('rr');
    await lab.serveHttp();
    const names = await lab.fetchVip(6);
    assert.deepEqual(new Set(names), new Set(['r2', 'r3']), `answers: ${names.join(', ')}`);
    // rr alternates: consecutive answers never come from the same real server.
    for (let i = 1; i < names.length; i++) assert.notEqual(names[i], names[i - 1], `answers: ${names.join(', ')}`);
  });
});
