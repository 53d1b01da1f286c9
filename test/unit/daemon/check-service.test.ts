// The daemon's health layer with a fake clock and fake TCP probes: what a real server going down
// and coming back does to the table inputs, the event stream and the notify scripts, and how
// hysteresis holds quorum in the band.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { DaemonEvent } from '../../../src/api/schema.js';
import type { TcpTarget } from '../../../src/check/tcp.js';
import type { CheckOutcome } from '../../../src/check/verdict.js';
import type { Command } from '../../../src/config/index.js';
import { parseConfigText } from '../../../src/config/index.js';
import { CheckService } from '../../../src/daemon/check-service.js';
import { StateStore } from '../../../src/daemon/store.js';
import { desiredTable } from '../../../src/ipvs/desired.js';
import type { ScriptLauncher } from '../../../src/scripts/launcher.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const CHECK = 'TCP_CHECK {\n connect_timeout 1\n delay_loop 1\n retry 0\n warmup 0\n }';
const CONFIG = `virtual_server 198.51.100.80 80 {
  protocol TCP
  lb_kind DR
  quorum 3
  hysteresis 1
  sorry_server 203.0.113.99 80
  quorum_down /usr/local/bin/quorum-down
  omega
  real_server 203.0.113.21 80 {
    weight 2
    notify_down "/usr/local/bin/rs-down 21"
    ${CHECK}
  }
  real_server 203.0.113.22 80 {
    weight 1
    notify_down "/usr/local/bin/rs-down 22"
    ${CHECK}
  }
  real_server 203.0.113.23 80 {
    weight 1
    ${CHECK}
  }
}
`;

test('a real server going down: event, notify_down, table input; quorum held within the hysteresis band, then lost with the sorry server in', async () => {
  const { config, diagnostics } = parseConfigText(CONFIG, 'k.conf');
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  const clock = new FakeClock();
  const down = new Set<string>();
  const probeTcp = async (t: TcpTarget): Promise<CheckOutcome> =>
    down.has(t.host) ? { ok: false, latencyMs: 1, reason: 'connection refused' } : { ok: true, latencyMs: 1 };
  const ran: string[] = [];
  const launcher: ScriptLauncher = {
    prepare: async (command: Command) => ({
      ok: true,
      script: { command, file: command[0]!, identity: { user: 'root', uid: 0, gid: 0 } },
    }),
    run: async (script) => {
      ran.push(script.command.join(' '));
      return { success: true, detail: 'exited with status 0', outputTail: [], exitCode: 0 };
    },
  };
  const events: DaemonEvent[] = [];
  const store = new StateStore('k.conf', config, ['k.conf'], [], new Date());
  store.subscribe((e) => events.push(e));
  let tableChanges = 0;
  const fifoLines: string[] = [];
  const checks = await CheckService.start(config, {
    log: pino({ level: 'silent' }),
    store,
    onTableChange: () => tableChanges++,
    fifo: { write: (lines, line) => fifoLines.push(`${lines}: ${line}`) },
    ports: { clock, probeTcp, launcher, random: () => 0 },
  });
  const settle = async () => {
    clock.advance(1000);
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  };
  const table = () =>
    desiredTable(config, { health: store.verdicts(), quorumLost: store.quorumLost() })[0]!.destinations.map(
      (d) => `${d.address} ${d.weight}`,
    );
  const vs = config.virtualServers[0]!;

  await settle();
  assert.deepEqual(table(), ['203.0.113.21 2', '203.0.113.22 1', '203.0.113.23 1']);
  assert.equal(events.length, 0, 'healthy from the start: nothing to report');

  down.add('203.0.113.21');
  await settle();
  assert.deepEqual(table(), ['203.0.113.22 1', '203.0.113.23 1']);
  assert.deepEqual(
    events.map((e) => e.type === 'realserver.health' && [e.realServer, e.health, e.reason]),
    [['203.0.113.21:80', 'down', 'TCP_CHECK: connection refused']],
  );
  assert.equal(store.quorumHolds(vs), true, 'live weight 2 is within quorum 3 ± 1: still held');
  assert.equal(tableChanges, 1);

  down.add('203.0.113.22');
  await settle();
  assert.equal(store.quorumHolds(vs), false);
  assert.deepEqual(table(), ['203.0.113.99 1'], 'lost quorum: the sorry server alone');
  const quorumEvent = events.find((e) => e.type === 'virtualserver.quorum');
  assert.deepEqual(quorumEvent && { ...quorumEvent, at: undefined }, {
    type: 'virtualserver.quorum',
    at: undefined,
    virtualServer: '198.51.100.80:80',
    holds: false,
    aliveWeight: 1,
    quorum: 3,
    hysteresis: 1,
    sorryServerActive: true,
  });

  down.delete('203.0.113.21');
  await settle();
  assert.equal(store.quorumHolds(vs), false, 'live weight 3 is below quorum + hysteresis: not yet regained');
  down.delete('203.0.113.22');
  await settle();
  assert.equal(store.quorumHolds(vs), true);
  assert.deepEqual(table(), ['203.0.113.21 2', '203.0.113.22 1', '203.0.113.23 1']);

  const beforeStop = ran.length;
  down.add('203.0.113.22');
  await settle();
  assert.deepEqual(ran.slice(beforeStop), ['/usr/local/bin/rs-down 22'], 'notify_down as 22 fails again');
  await checks.stop();
  assert.deepEqual(ran, [
    '/usr/local/bin/rs-down 21',
    '/usr/local/bin/rs-down 22',
    '/usr/local/bin/quorum-down',
    '/usr/local/bin/rs-down 22',
    // omega at stop: the down script of 21 (still up); not of 22 (already down); quorum_down (held).
    '/usr/local/bin/rs-down 21',
    '/usr/local/bin/quorum-down',
  ]);
  // The same events in lvs_notify_fifo's lines, with the servers as keepalived writes them.
  const rs = (n: number, state: string) => `lvs: RS [203.0.113.${n}]:tcp:80 [198.51.100.80]:tcp:80 ${state}\n`;
  const vsLine = (state: string) => `lvs: VS [198.51.100.80]:tcp:80 ${state}\n`;
  assert.deepEqual(fifoLines, [
    rs(21, 'DOWN'),
    rs(22, 'DOWN'),
    vsLine('DOWN'),
    rs(21, 'UP'),
    rs(22, 'UP'),
    vsLine('UP'),
    rs(22, 'DOWN'),
    // omega at stop: every server still up goes down, scripts or not, then the quorum.
    rs(21, 'DOWN'),
    rs(23, 'DOWN'),
    vsLine('DOWN'),
  ]);
});

test('verdicts that change together are weighed once: one quorum change, one table refresh, none after stop', async () => {
  const { config } = parseConfigText(CONFIG, 'k.conf');
  assert.ok(config);
  const clock = new FakeClock();
  let down = false;
  const probeTcp = async (): Promise<CheckOutcome> =>
    down ? { ok: false, latencyMs: 1, reason: 'connection refused' } : { ok: true, latencyMs: 1 };
  const launcher: ScriptLauncher = {
    prepare: async (command: Command) => ({
      ok: true,
      script: { command, file: command[0]!, identity: { user: 'root', uid: 0, gid: 0 } },
    }),
    run: async () => ({ success: true, detail: 'exited with status 0', outputTail: [], exitCode: 0 }),
  };
  const store = new StateStore('k.conf', config, ['k.conf'], [], new Date());
  const events: DaemonEvent[] = [];
  store.subscribe((e) => events.push(e));
  let tableChanges = 0;
  const checks = await CheckService.start(config, {
    log: pino({ level: 'silent' }),
    store,
    onTableChange: () => tableChanges++,
    ports: { clock, probeTcp, launcher, random: () => 0 },
  });
  const settle = async () => {
    clock.advance(1000);
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  };
  await settle();
  down = true;
  await settle();
  assert.equal(events.filter((e) => e.type === 'realserver.health').length, 3, 'all three went down in one turn');
  assert.equal(tableChanges, 1, 'one refresh for the burst');
  assert.deepEqual(
    events
      .filter((e) => e.type === 'virtualserver.quorum')
      .map((e) => e.type === 'virtualserver.quorum' && e.aliveWeight),
    [0],
    'quorum weighed once, after all three: not at 2 and 1 on the way',
  );
  down = false;
  clock.advance(1000);
  await checks.stop();
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  assert.equal(tableChanges, 1, 'verdicts arriving as the service stops refresh nothing');
});
