// keepalived 2.2.7's includes, as observed with Debian's keepalived (`keepalived -t -f FILE`):
//   include o/{c,a,b}.inc         reads c, a, b: brace alternatives in order, each sorted
//   include ~/a.inc               no tilde expansion: looks for a directory named `~`
//   include nope.inc              "Config files missing" logged, exit 0 (no check)
//   includem nope.inc             same message, config refused (exit 6); includer: exit 0
//   include none*.inc             nothing logged; includew none*.inc: refused
//   include {a,nope}.inc          "Some config files missing", a.inc read; includeb: refused
//   include dir / x (executable)  "is a directory" / "not a regular non-executable file",
//                                 skipped; includer: refused
//   include "a.inc"               looks for `"a.inc"` (quotes are part of the name)
//   X { include b.body }          looks for `b.body }`: the block stays open
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMemoryReader, type LoadResult, loadConfig, parseConfigText } from '../../../src/config/index.js';
import { expectDiagnostic, expectLoaded, expectOnlyErrors } from './assert-diagnostics.js';

const instance = (name: string, vrid: number) =>
  `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  virtual_ipaddress {\n    198.51.100.${vrid}/24\n  }\n}\n`;
const names = (result: LoadResult): string[] => expectLoaded(result).instances.map((i) => i.name);

describe('include: glob(3) as keepalived calls it', () => {
  const reader = createMemoryReader({
    '/k/o/a.inc': instance('VI_A', 1),
    '/k/o/b.inc': instance('VI_B', 2),
    '/k/o/c.inc': instance('VI_C', 3),
    '/k/o/d/x.inc': instance('VI_X', 4),
    '/k/o/*.inc': instance('VI_STAR', 5),
  });
  const load = (text: string) => parseConfigText(text, '/k/k.conf', { reader });

  it('expands braces in the order written, nested ones too', () => {
    assert.deepEqual(names(load('include o/{c,a,b}.inc\n')), ['VI_C', 'VI_A', 'VI_B']);
    assert.deepEqual(names(load('include o/{{b,d/x},a}.inc\n')), ['VI_B', 'VI_X', 'VI_A']);
    assert.deepEqual(names(load('include o/{c}.inc\n')), ['VI_C']);
  });

  it('sorts the matches of each brace alternative, not the whole', () => {
    assert.deepEqual(names(load('include o/{c,[ab]}.inc\n')), ['VI_C', 'VI_A', 'VI_B']);
  });

  it('takes a backslash as quoting the next character', () => {
    assert.deepEqual(names(load('include o/\\*.inc\n')), ['VI_STAR']);
  });

  it('does not expand a tilde', () => {
    const result = load('include ~/o/a.inc\n');
    expectDiagnostic(result, 'warning', '/k/k.conf:1:9', 'no file `~/o/a.inc`');
    assert.deepEqual(names(result), []);
  });
});

describe('include: what keepalived skips and what it refuses', () => {
  const reader = createMemoryReader({ '/k/a.inc': instance('VI_A', 1), '/k/d/x.inc': instance('VI_X', 2) });
  const load = (text: string) => parseConfigText(text, '/k/k.conf', { reader });

  it('reads on past a missing file, unless includem, includew or includea check it', () => {
    for (const keyword of ['include', 'includer', 'includeb']) {
      const result = load(`${keyword} nope.inc\n`);
      expectDiagnostic(result, 'warning', `/k/k.conf:1:${keyword.length + 2}`, 'no file `nope.inc` to include');
      assert.ok(result.config, keyword);
    }
    for (const keyword of ['includem', 'includew', 'includea']) {
      expectOnlyErrors(load(`${keyword} nope.inc\n`), [
        [`/k/k.conf:1:10`, `with \`${keyword}\` keepalived 2.2.7 refuses`],
      ]);
    }
  });

  it('refuses a wildcard that matches nothing only with includew or includea', () => {
    assert.ok(load('includem d/none*.inc\n').config);
    expectOnlyErrors(load('includew d/none*.inc\n'), [['/k/k.conf:1:10', 'matched no files']]);
  });

  it('reads the brace alternatives found, but none of them with includeb', () => {
    const result = load('include {a,nope}.inc\n');
    expectDiagnostic(result, 'warning', '/k/k.conf:1:9', 'some files of `{a,nope}.inc` are missing');
    assert.deepEqual(names(result), ['VI_A']);
    expectOnlyErrors(load('includeb {a,nope}.inc\n'), [['/k/k.conf:1:10', 'are missing']]);
    expectOnlyErrors(load('includeb {nope,none}.inc\n'), [['/k/k.conf:1:10', 'no file']]);
  });

  it('skips a directory, refused with includer', () => {
    const result = load('include d\n');
    expectDiagnostic(result, 'warning', '/k/k.conf:1:9', '`/k/d` is a directory, so it is skipped');
    expectOnlyErrors(load('includer d\n'), [['/k/k.conf:1:10', 'is a directory']]);
  });

  it('takes the whole rest of the line as the name, quotes and spaces too', () => {
    const spaced = createMemoryReader({ '/k/a b.inc': instance('VI_AB', 1), '/k/"q".inc': instance('VI_Q', 2) });
    const spacedLoad = (text: string) => parseConfigText(text, '/k/k.conf', { reader: spaced });
    assert.deepEqual(names(spacedLoad('include   a b.inc   # comment\n')), ['VI_AB']);
    assert.deepEqual(names(spacedLoad('include "q".inc\n')), ['VI_Q']);
  });

  it('is an unknown keyword with nothing after it', () => {
    expectOnlyErrors(load('include\n'), [['/k/k.conf:1:1', 'unknown keyword `include`']]);
  });
});

describe('include: after a brace on the same line', () => {
  const reader = createMemoryReader({
    '/k/body.inc': '$VR=9\ninterface eth0\nvirtual_ipaddress {\n  198.51.100.9/24\n}\n',
  });
  const load = (text: string) => parseConfigText(text, '/k/k.conf', { reader });

  it('reads the file as the first lines of the block, before the next line', () => {
    const config = expectLoaded(load('vrrp_instance VI_X { include body.inc\n  virtual_router_id $VR\n}\n'));
    assert.equal(config.instances[0]!.vrid, 9);
    assert.equal(config.instances[0]!.interface, 'eth0');
  });

  it('reads a closing brace after the name as part of the name, as keepalived does', () => {
    const result = load('vrrp_instance VI_X { include body.inc }\n');
    expectDiagnostic(result, 'warning', '/k/k.conf:1:30', 'no file `body.inc }`');
    expectDiagnostic(result, 'error', '/k/k.conf:1:20', 'unclosed `{`');
  });
});

describe('include: files on disk', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-include-kinds-'));
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'x.inc'), instance('VI_X', 1));
    chmodSync(path.join(dir, 'x.inc'), 0o755);
    writeFileSync(path.join(dir, 'sub', 'a.inc'), instance('VI_A', 2));
    writeFileSync(path.join(dir, 'main.conf'), 'include sub/*\ninclude x.inc\n');
    writeFileSync(path.join(dir, 'strict.conf'), 'includer x.inc\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('skips an executable file, refused with includer', () => {
    const main = path.join(dir, 'main.conf');
    const result = loadConfig(main);
    expectDiagnostic(result, 'warning', `${main}:2:9`, 'is executable');
    assert.deepEqual(names(result), ['VI_A']);
    const strict = path.join(dir, 'strict.conf');
    expectOnlyErrors(loadConfig(strict), [[`${strict}:1:10`, 'is executable']]);
  });
});

describe('include: global_defs include_check', () => {
  const reader = createMemoryReader({
    '/k/strict.inc': 'global_defs {\n  include_check\n}\n',
    '/k/d/a.inc': instance('VI_A', 1),
  });
  const load = (text: string) => parseConfigText(text, '/k/k.conf', { reader });
  const defs = (words: string) => `global_defs {\n  include_check${words}\n}\n`;

  it('makes the plain includes after it refuse what it checks, all of it with no type', () => {
    expectOnlyErrors(load(`${defs('')}include nope.inc\n`), [['/k/k.conf:4:9', 'the `include_check` in force']]);
    expectOnlyErrors(load(`${defs(' match')}include nope.inc\n`), [['/k/k.conf:4:9', 'refuses']]);
    assert.ok(load(`${defs(' match')}include d/none*.inc\n`).config);
    expectOnlyErrors(load(`${defs(' match +wildcard_match')}include d/none*.inc\n`), [['/k/k.conf:4:9', 'matched']]);
    assert.ok(load(`include nope.inc\n${defs('')}`).config, 'an include before it is not checked');
  });

  it('holds only until the end of the file it is in, as keepalived restores it', () => {
    const result = load('include strict.inc\ninclude nope.inc\n');
    expectDiagnostic(result, 'warning', '/k/k.conf:2:9', 'no file `nope.inc`');
    assert.ok(result.config);
  });

  it("starts with every check under keepalived's -e (allConfig)", () => {
    const strict = parseConfigText('include nope.inc\n', '/k/k.conf', { reader, allConfig: true });
    expectOnlyErrors(strict, [['/k/k.conf:1:9', 'the `include_check` in force']]);
    assert.ok(load('include nope.inc\n').config);
  });

  it('warns of the types keepalived ignores', () => {
    const result = load(defs(' match +readable read'));
    expectDiagnostic(result, 'warning', '/k/k.conf:2:23', 'unknown `include_check` type `+readable`');
    expectDiagnostic(result, 'warning', '/k/k.conf:2:33', 'a second `include_check` type');
  });
});
