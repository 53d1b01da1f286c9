// `vigil check` as a user runs it: the real CLI process on real files.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { example } from '../../lab/paths.js';
import { vigil } from '../../lab/processes.js';
import { ConfigCheckResult } from '../../src/api/schema.js';
import { fixture } from '../helpers/paths.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a valid config: exit 0 and a one-line summary', async () => {
  const { code, stdout } = await vigil(['check', '--config', example('lvs-dr.conf')]);
  assert.equal(code, 0);
  assert.match(stdout, /^\S*lvs-dr\.conf: OK: \d+ instances?, \d+ virtual servers?, \d+ real servers?/);
  assert.equal(stdout.trim().split('\n').length, 1);
});

test('every shipped example is valid', async () => {
  for (const name of [
    'web-vip.conf',
    'lvs-dr.conf',
    'db-misc-check.conf',
    'unicast.conf',
    'ipv6.conf',
    'conf.d-include/keepalived.conf',
  ]) {
    const { code, stderr } = await vigil(['check', '-f', example(name)]);
    assert.equal(code, 0, `${name}: ${stderr}`);
  }
});

test('an invalid config: exit 1, every error as file:line:col, with did-you-mean', async () => {
  const file = path.join(dir, 'broken.conf');
  writeFileSync(
    file,
    [
      'vrrp_instance VI_1 {',
      '  state BACKUP',
      '  interface lo',
      '  virtual_router_id 256',
      '  nopreemt',
      '  virtual_ipaddress {',
      '    198.51.100.300/24',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const { code, stdout, stderr } = await vigil(['check', '--config', file]);
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(stderr, new RegExp(`^${file}:4:21: error: .*1.*255`, 'm'));
  assert.match(stderr, new RegExp(`^${file}:5:3: error: .*nopreemt.*did you mean .?nopreempt`, 'm'));
  assert.match(stderr, new RegExp(`^${file}:7:5: error: .*198\\.51\\.100\\.300`, 'm'));
  assert.match(stderr, /INVALID: 3 errors/);

  const json = await vigil(['check', '--config', file, '--json']);
  assert.equal(json.code, 1);
  const result = ConfigCheckResult.parse(JSON.parse(json.stdout));
  assert.equal(result.ok, false);
  assert.deepEqual(
    result.diagnostics.map((d) => [d.severity, d.line, d.col]),
    [
      ['error', 4, 21],
      ['error', 5, 3],
      ['error', 7, 5],
    ],
  );
});

test('a missing file is one clear error, exit 1', async () => {
  const { code, stderr } = await vigil(['check', '--config', path.join(dir, 'nope.conf')]);
  assert.equal(code, 1);
  assert.match(stderr, /nope\.conf:1:1: error: /);
});

test('--config-id picks the `@ID` / `@^ID` lines, and defaults to the short host name as keepalived does', async () => {
  const instance = (prefix: string, name: string, vrid: number) =>
    [
      `${prefix} vrrp_instance ${name} {`,
      `${prefix}   interface lo`,
      `${prefix}   virtual_router_id ${vrid}`,
      `${prefix}   virtual_ipaddress {`,
      `${prefix}     198.51.100.${vrid}/24`,
      `${prefix}   }`,
      `${prefix} }`,
    ].join('\n');
  const file = path.join(dir, 'conditional.conf');
  const host = hostname().split('.')[0]!;
  writeFileSync(
    file,
    [
      instance('@a', 'VI_A', 10),
      instance('@^a', 'VI_B1', 11),
      instance('@^a', 'VI_B2', 12),
      `@${host} include ${file}.host`,
      '',
    ].join('\n'),
  );
  writeFileSync(`${file}.host`, `${instance('', 'VI_HOST', 13)}\n`);
  const kept = async (...flags: string[]) => {
    const { code, stdout, stderr } = await vigil(['check', '--config', file, ...flags]);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    return stdout.match(/OK: (\d+) instance/)![1];
  };
  assert.equal(await kept('--config-id', 'a'), '1');
  assert.equal(await kept('--config-id', 'b'), '2');
  assert.equal(await kept('-i', 'a'), '1');
  assert.equal(await kept(), '3');

  const misuse = await vigil(['check', '--config-id', 'a']);
  assert.equal(misuse.code, 2);
  assert.match(misuse.stderr, /--config-id selects lines of the file --config validates/);
});

test('--all-config refuses a config whose include is missing, as keepalived -e does', async () => {
  const file = path.join(dir, 'optional-include.conf');
  writeFileSync(file, `include ${file}.missing\n`);
  const lenient = await vigil(['check', '--config', file]);
  assert.equal(lenient.code, 0, lenient.stderr);
  assert.match(lenient.stderr, /warning: no file .*missing` to include; keepalived 2\.2\.7 logs it and reads on/);
  const strict = await vigil(['check', '--config', file, '-e']);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /error: no file .*missing` to include; with the `include_check` in force/);
  const misuse = await vigil(['check', '--all-config']);
  assert.equal(misuse.code, 2);
});

test('keepalived definitions and ~SEQ lines: the summary counts what they generate', async () => {
  // Two instances from one multi-line definition, each with three ~SEQ addresses, and four
  // real servers from a ~SEQ over another definition.
  const file = path.join(dir, 'definitions.conf');
  const text = readFileSync(fixture('config', 'definitions-seq.conf'), 'utf8');
  writeFileSync(file, text);
  const { code, stdout, stderr } = await vigil(['check', '--config', file]);
  assert.equal(code, 1, stdout);
  // Both generated instances have virtual_router_id 10 on lo: the error points at the use of $VI.
  assert.match(stderr, new RegExp(`^${file}:18:15: error: .*virtual_router_id 10`, 'm'));

  writeFileSync(file, text.replace('virtual_router_id 10', 'virtual_router_id 1$I'));
  const ok = await vigil(['check', '--config', file]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /OK: 2 instances, 1 virtual server, 4 real servers/);
});
