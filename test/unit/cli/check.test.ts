// `vigil check` in-process: which combinations of RS, --now, --vs and --config are refused
// (exit 2) before any daemon is asked, how RS is read, and how lists and --now results read.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Check from '../../../commands/check.js';
import { repoRoot } from '../../../lab/paths.js';
import type { CheckRunResponse, StatusResponse } from '../../../src/api/schema.js';
import { parseEndpoint, renderCheckNow, renderChecks } from '../../../src/cli/render-checks.js';

async function usageError(argv: string[]): Promise<string> {
  let message = '';
  await assert.rejects(
    Check.run([...argv, '--socket', '/nonexistent/vigil.sock'], repoRoot),
    (err: Error & { oclif?: { exit?: number } }) => {
      message = err.message;
      return err.oclif?.exit === 2;
    },
  );
  // oclif leaves an exit code behind for the process it thinks it runs in.
  process.exitCode = undefined;
  return message;
}

describe('vigil check arguments', () => {
  test('--now and --vs need an RS; an RS needs --now; --config goes alone', async () => {
    assert.match(await usageError(['--now']), /need a real server/);
    assert.match(await usageError(['--vs', '198.51.100.80:80']), /need a real server/);
    assert.match(await usageError(['198.51.100.21:80']), /add --now/);
    assert.match(await usageError(['--config', 'k.conf', '--now']), /use one or the other/);
    assert.match(await usageError(['198.51.100.21:80', '-f', 'k.conf']), /use one or the other/);
  });

  test('an RS that is not ADDR:PORT is refused before the daemon is asked', async () => {
    assert.match(await usageError(['web1', '--now']), /RS must be ADDR:PORT or \[v6\]:PORT, got 'web1'/);
  });

  test('RS reads as ADDR:PORT or [v6]:PORT, in canonical form', () => {
    assert.equal(parseEndpoint('198.51.100.21:80'), '198.51.100.21:80');
    assert.equal(parseEndpoint('[2001:DB8:0::21]:443'), '[2001:db8::21]:443');
    for (const bad of ['198.51.100.21', '198.51.100.21:0', '198.51.100.21:70000', '2001:db8::21:80', 'web1:80'])
      assert.equal(parseEndpoint(bad), undefined, bad);
  });
});

const realServer = (overrides: Partial<StatusResponse['virtualServers'][number]['realServers'][number]>) => ({
  address: '198.51.100.21',
  port: 80,
  weight: 1,
  health: 'up' as const,
  checkers: ['TCP_CHECK'],
  source: 'k.conf:3:3',
  ...overrides,
});

function statusWith(realServers: ReturnType<typeof realServer>[]): StatusResponse {
  return {
    virtualServers: [{ name: '198.51.100.80:80', realServers }],
  } as unknown as StatusResponse;
}

describe('renderChecks', () => {
  test('a row per real server: verdict, checkers, latency, since and why it is down', () => {
    const since = '2024-05-01T10:00:00.000Z';
    const text = renderChecks(
      statusWith([
        realServer({ lastCheck: { at: since, latencyMs: 1.234 }, healthSince: since }),
        realServer({
          address: '2001:db8::22',
          health: 'down',
          healthReason: 'TCP_CHECK: connection refused',
          healthSince: since,
          lastCheck: { at: since, latencyMs: 312.4 },
          checkers: ['TCP_CHECK', 'FILE_CHECK'],
        }),
        realServer({ address: '198.51.100.23', health: 'unchecked', checkers: [] }),
        realServer({ address: '198.51.100.24', dynamicWeight: 7, checkers: ['FILE_CHECK'] }),
      ]),
    );
    const local = new Date(since);
    const pad = (n: number) => String(n).padStart(2, '0');
    const at = `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())} ${pad(local.getHours())}:${pad(local.getMinutes())}:00`;
    assert.deepEqual(text.split('\n'), [
      'VIRTUAL SERVER    REAL SERVER        HEALTH         CHECKERS              LATENCY  SINCE                LAST ERROR',
      `198.51.100.80:80  198.51.100.21:80   up             TCP_CHECK             1.2ms    ${at}  -`,
      `198.51.100.80:80  [2001:db8::22]:80  DOWN           TCP_CHECK,FILE_CHECK  312ms    ${at}  TCP_CHECK: connection refused`,
      '198.51.100.80:80  198.51.100.23:80   unchecked      -                     -        -                    -',
      '198.51.100.80:80  198.51.100.24:80   up (weight 7)  FILE_CHECK            -        -                    -',
    ]);
  });

  test('no real servers says so', () => {
    assert.equal(renderChecks(statusWith([])), 'no real servers configured');
  });
});

describe('renderCheckNow', () => {
  const response = (overrides: Partial<CheckRunResponse>): CheckRunResponse => ({
    at: '2024-05-01T10:00:00.000Z',
    virtualServer: '198.51.100.80:80',
    realServer: '198.51.100.21:80',
    result: 'down',
    checkers: [
      { type: 'TCP_CHECK', ok: true, latencyMs: 0.8 },
      { type: 'MISC_CHECK', ok: false, latencyMs: 20, reason: 'MISC_CHECK: exited with status 1' },
    ],
    verdict: { health: 'up' },
    ...overrides,
  });

  test("each checker's outcome, then the daemon's verdict, which the run does not change", () => {
    assert.equal(
      renderCheckNow(response({})),
      [
        '198.51.100.21:80 in 198.51.100.80:80: DOWN now',
        '  TCP_CHECK: ok (0.8ms)',
        '  MISC_CHECK: FAILED: exited with status 1 (20ms)',
        "  daemon's verdict: up (a --now run does not change it)",
      ].join('\n'),
    );
  });

  test('a server without a checker vigild runs', () => {
    assert.equal(
      renderCheckNow(response({ result: 'unchecked', checkers: [] })),
      '198.51.100.21:80 in 198.51.100.80:80: no checker vigild runs; it counts as up',
    );
  });
});
