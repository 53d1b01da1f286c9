import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import {
  answerDumpSignals,
  closeInspectorOpenedBySignal,
  type DumpSignal,
  dumpBeforeStart,
} from '../../../src/daemon/signals.js';

const realTime = { SIGRTMIN: 34, SIGRTMAX: 64 };

function capture() {
  const lines: { msg: string; signal?: string; dump?: string }[] = [];
  return { lines, log: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) };
}

test("every dump signal keepalived's tools send is answered: named ones by Node, real-time ones by number", () => {
  const named = new Map<string, () => void>();
  const numbered = new Map<number, () => void>();
  const dumps: DumpSignal[] = [];
  answerDumpSignals(
    {
      on: (signal, listener) => void named.set(signal, listener),
      onNumber: (signum, listener) => void numbered.set(signum, listener),
      realTime,
    },
    (dump) => dumps.push(dump),
  );
  assert.deepEqual([...named.keys()], ['SIGUSR1', 'SIGUSR2']);
  // What `keepalived --signum=JSON` and `--signum=STATS_CLEAR` print on Debian's keepalived 2.2.7.
  assert.deepEqual([...numbered.keys()], [36, 63]);
  for (const listener of [...named.values(), ...numbered.values()]) listener();
  assert.deepEqual(
    dumps.map((d) => `${d.name}=${d.kind}`),
    ['SIGUSR1=data', 'SIGUSR2=stats', 'SIGRTMIN+2=json', 'SIGRTMAX-1=stats-clear'],
  );
});

test('a dump signal during start-up is logged: there is no state to dump yet', () => {
  const { lines, log } = capture();
  dumpBeforeStart(log)({ kind: 'json', name: 'SIGRTMIN+2', signal: 36 });
  assert.equal(lines[0]?.signal, 'SIGRTMIN+2');
  assert.match(lines[0]!.msg, /^SIGRTMIN\+2: vigild is still starting; no json dump is written/);
});

test('an inspector opened by an early SIGUSR1 is closed, one asked for with --inspect is not', () => {
  let url: string | undefined = 'ws://127.0.0.1:9229/x';
  const inspector = { url: () => url, close: () => (url = undefined) };
  const { lines, log } = capture();

  closeInspectorOpenedBySignal(inspector, ['--inspect=127.0.0.1:9230', '--enable-source-maps'], log);
  assert.equal(url, 'ws://127.0.0.1:9229/x');
  closeInspectorOpenedBySignal(inspector, ['--enable-source-maps'], log);
  assert.equal(url, undefined);
  assert.match(lines[0]!.msg, /SIGUSR1 during start-up opened Node's inspector; it is closed again/);
  closeInspectorOpenedBySignal(inspector, [], log);
  assert.equal(lines.length, 1, 'nothing open, nothing said');
});
