// keepalived's notify FIFO lines and which FIFO gets which, from keepalived.conf text, and the
// FIFOs themselves on this host: created when missing, never blocking when nobody reads.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type Config, createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { realServerFifoLine, virtualServerFifoLine, vrrpFifoLine } from '../../../src/scripts/fifo-lines.js';
import { planFifos } from '../../../src/scripts/fifo-plan.js';
import type { ScriptLauncher } from '../../../src/scripts/launcher.js';
import { NotifyFifos } from '../../../src/scripts/notify-fifo.js';
import { expectLoaded, warningsOf } from '../config/assert-diagnostics.js';

const load = (text: string) => parseConfigText(text, 'mem.conf', { reader: createMemoryReader({}) });
const loaded = (text: string): Config => expectLoaded(load(text));
const globalDefs = (body: string) => `global_defs {\n${body}\n}\n`;

const VS = (key: string, protocol = 'TCP', rs = '203.0.113.21') =>
  `virtual_server ${key} {\n  protocol ${protocol}\n  real_server ${rs} 8080 {\n  }\n}\n`;

describe('notify FIFO lines, as keepalived 2.2.7 writes them', () => {
  it('instances carry their effective priority, groups 0, every state by its keepalived name', () => {
    assert.equal(vrrpFifoLine('INSTANCE', 'VI_1', 'MASTER', 150), 'INSTANCE "VI_1" MASTER 150\n');
    assert.equal(vrrpFifoLine('INSTANCE', 'VI_1', 'FAULT', 0), 'INSTANCE "VI_1" FAULT 0\n');
    assert.equal(vrrpFifoLine('GROUP', 'G', 'BACKUP', 100), 'GROUP "G" BACKUP 0\n');
    assert.equal(vrrpFifoLine('GROUP', 'G', 'STOP', 0), 'GROUP "G" STOP 0\n');
  });

  it('virtual and real servers as [address]:protocol:port, fwmarks as FWM N, groups as [name]:0', () => {
    const cases: [string, string, string][] = [
      [
        VS('198.51.100.80 80'),
        'VS [198.51.100.80]:tcp:80 UP\n',
        'RS [203.0.113.21]:tcp:8080 [198.51.100.80]:tcp:80 DOWN\n',
      ],
      [
        VS('2001:db8::80 53', 'UDP', '2001:db8::21'),
        'VS [2001:db8::80]:udp:53 UP\n',
        'RS [2001:db8::21]:udp:8080 [2001:db8::80]:udp:53 DOWN\n',
      ],
      [VS('fwmark 5'), 'VS FWM 5 UP\n', 'RS [203.0.113.21]:tcp:8080 FWM 5 DOWN\n'],
      [
        `virtual_server_group WEB {\n  198.51.100.80 80\n}\n${VS('group WEB')}`,
        'VS [WEB]:0 UP\n',
        'RS [203.0.113.21]:tcp:8080 [WEB]:0 DOWN\n',
      ],
    ];
    for (const [text, vsLine, rsLine] of cases) {
      const vs = loaded(text).virtualServers[0]!;
      assert.equal(virtualServerFifoLine(vs, true), vsLine);
      assert.equal(realServerFifoLine(vs.realServers[0]!, vs, false), rsLine);
    }
  });
});

describe('which FIFO gets which lines', () => {
  const plan = (body: string) => planFifos(loaded(globalDefs(body)).global);

  it('notify_fifo gets VRRP and LVS lines, the others their own, each with its owner and script user', () => {
    const { targets, notes } = plan(
      '  notify_fifo /run/all nobody nogroup\n  notify_fifo_script "/bin/reader -v" root\n  vrrp_notify_fifo /run/vrrp\n  lvs_notify_fifo /run/lvs\n  lvs_notify_fifo_script /bin/lvs-reader',
    );
    assert.deepEqual(notes, []);
    assert.deepEqual(targets, [
      {
        path: '/run/all',
        keyword: 'notify_fifo /run/all',
        owner: { user: 'nobody', group: 'nogroup' },
        script: { command: ['/bin/reader', '-v'], user: { user: 'root' } },
        lines: ['vrrp', 'lvs'],
      },
      { path: '/run/vrrp', keyword: 'vrrp_notify_fifo /run/vrrp', lines: ['vrrp'] },
      {
        path: '/run/lvs',
        keyword: 'lvs_notify_fifo /run/lvs',
        script: { command: ['/bin/lvs-reader'] },
        lines: ['lvs'],
      },
    ]);
  });

  it('a FIFO named twice is opened once: notify_fifo wins, and vrrp and lvs share one (the VRRP script, if both have one)', () => {
    const same = plan('  notify_fifo /run/x\n  vrrp_notify_fifo /run/x\n  lvs_notify_fifo /run/x');
    assert.deepEqual(
      same.targets.map((t) => [t.path, t.lines]),
      [['/run/x', ['vrrp', 'lvs']]],
    );
    assert.equal(same.notes.length, 2);
    const shared = plan(
      '  vrrp_notify_fifo /run/y\n  vrrp_notify_fifo_script /bin/a\n  lvs_notify_fifo /run/y\n  lvs_notify_fifo_script /bin/b',
    );
    assert.deepEqual(
      shared.targets.map((t) => [t.path, t.script?.command, t.lines]),
      [['/run/y', ['/bin/a'], ['vrrp', 'lvs']]],
    );
    assert.match(shared.notes[0]!, /lvs_notify_fifo_script is ignored/);
  });

  it('a script without its FIFO is ignored with a note; a second FIFO line is ignored with a warning, the first kept', () => {
    assert.deepEqual(plan('  vrrp_notify_fifo_script /bin/a'), {
      targets: [],
      notes: ['vrrp_notify_fifo_script is ignored: vrrp_notify_fifo is not set'],
    });
    const result = load(globalDefs('  notify_fifo /run/first\n  notify_fifo /run/second'));
    assert.deepEqual(
      planFifos(result.config!.global).targets.map((t) => t.path),
      ['/run/first'],
    );
    assert.match(
      warningsOf(result)
        .map((d) => d.message)
        .join('\n'),
      /`notify_fifo` is already set; keepalived keeps the first one/,
    );
  });

  it('the keywords no longer warn that they are not implemented', () => {
    const result = load(globalDefs('  notify_fifo /run/a\n  notify_fifo_script /bin/a\n  lvs_notify_fifo /run/b'));
    assert.deepEqual(warningsOf(result), []);
  });
});

describe('the FIFOs on this host', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-fifo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const noScripts: ScriptLauncher = {
    prepare: async () => assert.fail('no script configured'),
    run: async () => assert.fail('no script configured'),
  };
  const reports: string[] = [];
  const report = { info: (m: string) => reports.push(m), warn: (m: string) => reports.push(m) };

  it('creates a missing FIFO, writes lines a late reader still gets, never blocks when full, and removes what it created', async () => {
    const fifo = path.join(dir, 'made.fifo');
    const config = loaded(globalDefs(`  vrrp_notify_fifo ${fifo}\n  lvs_notify_fifo ${path.join(dir, 'not-a-fifo')}`));
    writeFileSync(path.join(dir, 'not-a-fifo'), '');
    const fifos = await NotifyFifos.open(config.global, noScripts, report);
    assert.ok(statSync(fifo).isFIFO());
    assert.match(reports.join('\n'), /not-a-fifo exists and is not a FIFO; not used/);
    fifos.write('vrrp', 'INSTANCE "VI_1" MASTER 100\n');
    fifos.write('lvs', 'RS not for this FIFO\n');
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const buffer = Buffer.alloc(4096);
    assert.equal(buffer.subarray(0, readSync(reader, buffer)).toString(), 'INSTANCE "VI_1" MASTER 100\n');
    closeSync(reader);
    // Far more than a pipe holds, with nobody reading: returns at once, and says so once.
    const line = `${'x'.repeat(999)}\n`;
    for (let i = 0; i < 200; i++) fifos.write('vrrp', line);
    assert.equal(reports.filter((r) => r.includes('could not be written')).length, 1);
    await fifos.close();
    assert.equal(existsSync(fifo), false);
  });

  it('leaves a FIFO it found in place', async () => {
    const fifo = path.join(dir, 'found.fifo');
    execFileSync('mkfifo', [fifo]);
    const fifos = await NotifyFifos.open(loaded(globalDefs(`  notify_fifo ${fifo}`)).global, noScripts, report);
    fifos.write('lvs', 'VS FWM 1 UP\n');
    await fifos.close();
    assert.ok(statSync(fifo).isFIFO());
  });
});
