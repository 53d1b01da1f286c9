// The operator service without a network: which requests are refused and why, what maintenance
// writes to the state dir and what a vigild started on it then holds, and what status shows.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { pino } from 'pino';
import type { DaemonEvent, StatusResponse } from '../../../src/api/schema.js';
import { HttpError } from '../../../src/daemon/control-server.js';
import { OperatorService } from '../../../src/daemon/operator.js';
import { StateStore } from '../../../src/daemon/store.js';
import type { InstanceStatus, VrrpInstanceRuntime } from '../../../src/vrrp/instance.js';
import type { OperatorMode } from '../../../src/vrrp/machine.js';
import { configWith } from '../../helpers/vrrp-instance.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A runtime that reports `state` and records the modes it is given. */
function fakeRuntime(name: string, state: InstanceStatus['state'], masterPriority?: number) {
  const modes: OperatorMode[] = [];
  const runtime = {
    name,
    config: { advertInt: 0.1 },
    status: () => ({ name, state, masterPriority, masterAddress: '198.51.100.12', operator: modes.at(-1) ?? 'none' }),
    setOperator: (mode: OperatorMode) => modes.push(mode),
  } as unknown as VrrpInstanceRuntime;
  return { runtime, modes };
}

function service(stateDir: string, runtime?: VrrpInstanceRuntime) {
  const config = configWith('eth0');
  const store = new StateStore('k.conf', config, ['k.conf'], [], new Date());
  const events: DaemonEvent[] = [];
  store.subscribe((e) => events.push(e));
  const operator = new OperatorService({
    stateDir,
    log: pino({ level: 'silent' }),
    store,
    config: () => config,
    runtime: (name) => (runtime?.name === name ? runtime : undefined),
  });
  return { operator, events };
}

const newStateDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-operator-'));
  dirs.push(dir);
  return dir;
};

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  assert.fail('the request was not refused');
}

describe('operator service', () => {
  test('maintenance is written to the state dir, and a vigild started on it holds every instance as backup', async () => {
    const dir = newStateDir();
    const { runtime, modes } = fakeRuntime('VI_1', 'BACKUP');
    const first = service(dir, runtime);
    const on = await first.operator.maintenance({ on: true });
    assert.equal(on.on, true);
    assert.deepEqual(modes, ['yield']);
    assert.ok(existsSync(path.join(dir, 'operator.json')));
    assert.ok(first.events.some((e) => e.type === 'vrrp.operator' && e.mode === 'yield' && e.by === 'maintenance'));

    const restarted = service(dir).operator;
    assert.equal(restarted.heldMode('VI_1'), 'yield');
    const status = restarted.decorate({ daemon: {}, instances: [{ name: 'VI_1' }] } as unknown as StatusResponse);
    assert.equal(status.daemon.maintenance?.on, true);
    assert.equal(status.instances[0]?.operator?.by, 'maintenance');

    await service(dir, runtime).operator.maintenance({ on: false });
    assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'operator.json'), 'utf8')), { maintenance: null });
    assert.equal(service(dir).operator.heldMode('VI_1'), 'none');
  });

  test('refusals say why: hand-off on a backup, take from the address owner, anything but a hand-off in maintenance', async () => {
    const backup = service(newStateDir(), fakeRuntime('VI_1', 'BACKUP').runtime).operator;
    assert.match(
      (await refusal(backup.failover({ action: 'handoff' }))).message,
      /VI_1 is BACKUP here \(the master is 198\.51\.100\.12\): a hand-off is done on the master/,
    );
    const behindOwner = service(newStateDir(), fakeRuntime('VI_1', 'BACKUP', 255).runtime).operator;
    assert.match(
      (await refusal(behindOwner.failover({ action: 'take' }))).message,
      /owns the addresses \(priority 255\)/,
    );
    const inMaintenance = service(newStateDir(), fakeRuntime('VI_1', 'BACKUP').runtime).operator;
    await inMaintenance.maintenance({ on: true });
    const take = await refusal(inMaintenance.failover({ action: 'take' }));
    assert.equal(take.code, 'refused');
    assert.match(take.message, /maintenance is on/);
  });

  test('unknown targets are not_found and list what there is', async () => {
    const { operator } = service(newStateDir(), fakeRuntime('VI_1', 'MASTER').runtime);
    const unknown = await refusal(operator.failover({ action: 'handoff', instance: 'VI_9' }));
    assert.equal(unknown.code, 'not_found');
    assert.match(unknown.message, /instances here: VI_1/);
    assert.equal((await refusal(operator.failover({ action: 'take', group: 'SG' }))).code, 'not_found');
  });
});
