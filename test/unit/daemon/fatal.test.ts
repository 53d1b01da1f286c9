import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { EXIT_FATAL, exitOnFatalError } from '../../../src/daemon/fatal.js';

type Listener = (error: unknown) => void;

/** exitOnFatalError wired to a fake process whose log lines, stops and exits are recorded. */
function harness(stop: (reason: string) => Promise<void>, timeoutMs = 1000) {
  const listeners = new Map<string, Listener>();
  const lines: { level: number; msg: string; err?: { message: string; stack: string } }[] = [];
  const stops: string[] = [];
  let exit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  exitOnFatalError({
    on: (event, listener) => void listeners.set(event, listener),
    exit: (code) => exit(code),
    log,
    stop: (reason) => {
      stops.push(reason);
      return stop(reason);
    },
    timeoutMs,
  });
  return { fire: (event: string, error: unknown) => listeners.get(event)!(error), lines, stops, exited };
}

test('an uncaught exception is logged with its stack, vigild resigns, then exits non-zero', async () => {
  let resigned!: () => void;
  const h = harness(() => new Promise((resolve) => (resigned = resolve)));
  h.fire('uncaughtException', new Error('boom in a socket callback'));
  assert.deepEqual(h.stops, ['uncaught exception']);
  const [fatal] = h.lines;
  assert.equal(fatal?.level, 60);
  assert.match(fatal!.msg, /^uncaught exception: resigning and exiting with 70/);
  assert.equal(fatal?.err?.message, 'boom in a socket callback');
  assert.match(fatal!.err!.stack, /at .*fatal\.test/);

  let code: number | undefined;
  void h.exited.then((c) => (code = c));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(code, undefined, 'not before the masters have resigned');
  resigned();
  assert.equal(await h.exited, EXIT_FATAL);
});

test('an unhandled rejection takes the same path, and a second error does not stop twice', async () => {
  let resigned!: () => void;
  const h = harness(() => new Promise((resolve) => (resigned = resolve)));
  h.fire('unhandledRejection', new Error('rejected'));
  h.fire('uncaughtException', new Error('while resigning'));
  assert.deepEqual(h.stops, ['unhandled promise rejection']);
  assert.deepEqual(
    h.lines.map((l) => [l.level, l.err?.message]),
    [
      [60, 'rejected'],
      [60, 'while resigning'],
    ],
  );
  resigned();
  assert.equal(await h.exited, EXIT_FATAL);
});

test('a resignation that hangs or fails still ends in the exit', async () => {
  const hung = harness(() => new Promise(() => {}), 30);
  hung.fire('uncaughtException', new Error('x'));
  assert.equal(await hung.exited, EXIT_FATAL);
  assert.match(hung.lines.at(-1)!.msg, /resigning took longer than 30 ms/);

  const failed = harness(() => Promise.reject(new Error('netlink gone')));
  failed.fire('uncaughtException', new Error('x'));
  assert.equal(await failed.exited, EXIT_FATAL);
  assert.equal(failed.lines.at(-1)?.err?.message, 'netlink gone');
});
