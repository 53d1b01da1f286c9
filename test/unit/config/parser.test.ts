import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMemoryReader, formatDiagnostic, loadConfig, parseConfigText } from '../../../src/config/index.js';
import { tokenize } from '../../../src/config/lexer.js';
import { parseTokens, type Statement } from '../../../src/config/parser.js';
import { fixture } from '../../helpers/paths.js';
import { expectDiagnostic, expectLoaded, expectOnlyErrors } from './assert-diagnostics.js';

/** A compact picture of a statement tree: `keyword args... { children }`. */
function shape(statements: readonly Statement[]): string[] {
  return statements.map((s) => {
    const head = [s.keyword, ...s.args].map((t) => t.text).join(' ');
    return s.block ? `${head} { ${shape(s.block).join('; ')} }` : head;
  });
}

const parse = (text: string) => parseTokens(tokenize(text, 'k.conf').tokens);

describe('parser: statements and blocks', () => {
  it('ends statements at line ends and nests blocks', () => {
    const result = parse(
      'global_defs {\n  router_id a\n}\nvrrp_instance VI_1 {\n  authentication {\n    auth_type PASS\n  }\n  priority 100\n}\n',
    );
    assert.deepEqual(result.diagnostics, []);
    assert.ok(result.balanced);
    assert.deepEqual(shape(result.statements), [
      'global_defs { router_id a }',
      'vrrp_instance VI_1 { authentication { auth_type PASS }; priority 100 }',
    ]);
    assert.deepEqual(result.statements[1]!.pos, { file: 'k.conf', line: 4, col: 1 });
  });

  it('attaches a `{` standing alone on the next line to the statement above it', () => {
    const result = parse(
      'vrrp_instance VI_1\n{\n  state BACKUP\n  virtual_ipaddress\n  {\n    198.51.100.10\n  }\n}\n',
    );
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(shape(result.statements), [
      'vrrp_instance VI_1 { state BACKUP; virtual_ipaddress { 198.51.100.10 } }',
    ]);
  });

  it('reads blocks opened and closed on one line', () => {
    const result = parse('a {\n  unicast_peer { 198.51.100.2 }\n  group { VI_1 VI_2 }\n  x { y { z } }\n}');
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(shape(result.statements), [
      'a { unicast_peer { 198.51.100.2 }; group { VI_1 VI_2 }; x { y { z } } }',
    ]);
  });

  it('reports an unclosed `{` at the opening brace', () => {
    const result = loadConfig(fixture('config', 'unclosed.conf'));
    expectOnlyErrors(result, [[`${fixture('config', 'unclosed.conf')}:4:20`, 'unclosed `{`']]);
  });

  it('reports every unclosed brace of nested blocks at its own position', () => {
    const result = parse('a {\n  b {\n    c\n');
    assert.equal(result.balanced, false);
    assert.deepEqual(
      result.diagnostics.map((d) => `${d.pos.line}:${d.pos.col}`),
      ['1:3', '2:5'],
    );
  });

  it('reports a stray `}` at itself', () => {
    const result = loadConfig(fixture('config', 'stray-close.conf'));
    expectOnlyErrors(result, [[`${fixture('config', 'stray-close.conf')}:4:1`, 'unexpected `}`']]);
  });

  it('reports a `{` with no keyword before it and drops its contents', () => {
    const result = parse('a { }\n{ b }\nc { d }');
    assert.deepEqual(
      result.diagnostics.map((d) => `${d.pos.line}:${d.pos.col} ${d.message.slice(0, 25)}`),
      ['2:1 `{` has no keyword before'],
    );
    assert.deepEqual(shape(result.statements), ['a {  }', 'c { d }']);
  });
});

describe('parser: include', () => {
  let dir: string;
  const write = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  const instance = (name: string, vrid: number) =>
    `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  virtual_ipaddress {\n    198.51.100.${vrid}/24\n  }\n}\n`;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-include-'));
    write('main.conf', 'global_defs {\n  router_id inc\n}\ninclude conf.d/*.conf\n');
    // Written out of order on purpose: the include must splice them sorted.
    write('conf.d/20-b.conf', instance('VI_B', 20));
    write('conf.d/10-a.conf', `${instance('VI_A', 10)}include ../extra/[a-c]?.inc\n`);
    write('conf.d/.hidden.conf', 'this is not a keyword\n');
    write('conf.d/notes.txt', 'not matched\n');
    write('extra/b1.inc', instance('VI_B1', 31));
    write('extra/a1.inc', instance('VI_A1', 30));
    write('missing.conf', 'include does-not-exist.conf\n');
    write('nomatch.conf', 'include nothing/*.conf\n');
    write('cycle/one.conf', 'include two.conf\n');
    write('cycle/two.conf', 'include one.conf\n');
    write('inblock.conf', 'vrrp_instance VI_X {\n  include parts/body.inc\n}\n');
    write('parts/body.inc', 'interface eth0\nvirtual_router_id 9\nvirtual_ipaddress {\n  198.51.100.9/24\n}\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('splices glob matches relative to the including file, sorted, depth first', () => {
    const main = path.join(dir, 'main.conf');
    const result = loadConfig(main);
    const config = expectLoaded(result);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      config.instances.map((i) => i.name),
      ['VI_A', 'VI_A1', 'VI_B1', 'VI_B'],
    );
    assert.deepEqual(result.files, [
      main,
      path.join(dir, 'conf.d/10-a.conf'),
      path.join(dir, 'extra/a1.inc'),
      path.join(dir, 'extra/b1.inc'),
      path.join(dir, 'conf.d/20-b.conf'),
    ]);
    assert.deepEqual(config.instances[1]!.pos, { file: path.join(dir, 'extra/a1.inc'), line: 1, col: 1 });
  });

  it('accepts absolute patterns and includes inside a block', () => {
    const result = parseConfigText(`include ${path.join(dir, 'inblock.conf')}\n`, path.join(dir, 'virtual.conf'));
    const config = expectLoaded(result);
    assert.equal(config.instances[0]!.vrid, 9);
    assert.equal(config.instances[0]!.interface, 'eth0');
  });

  it('warns at its argument of a literal include that does not exist, and reads on as keepalived does', () => {
    const file = path.join(dir, 'missing.conf');
    const result = loadConfig(file);
    expectDiagnostic(result, 'warning', `${file}:1:9`, 'no file `does-not-exist.conf` to include');
    assert.ok(result.config);
  });

  it('warns when a glob in a directory that does not exist matches nothing', () => {
    const file = path.join(dir, 'nomatch.conf');
    const result = loadConfig(file);
    expectDiagnostic(result, 'warning', `${file}:1:9`, 'no file `nothing/*.conf`');
    assert.ok(result.config);
  });

  it('reports include cycles naming the chain', () => {
    const one = path.join(dir, 'cycle/one.conf');
    const two = path.join(dir, 'cycle/two.conf');
    const result = loadConfig(one);
    expectOnlyErrors(result, [[`${two}:1:9`, `include cycle: ${one} → ${two} → ${one}`]]);
    assert.deepEqual(result.files, [one, two]);
  });

  it('resolves includes of in-memory text through the given reader', () => {
    const reader = createMemoryReader({
      '/etc/vigil/conf.d/b.conf': instance('VI_2', 2),
      '/etc/vigil/conf.d/a.conf': instance('VI_1', 1),
    });
    const result = parseConfigText('include conf.d/*.conf\n', '/etc/vigil/keepalived.conf', { reader });
    const config = expectLoaded(result);
    assert.deepEqual(
      config.instances.map((i) => i.name),
      ['VI_1', 'VI_2'],
    );
    assert.deepEqual(result.files, [
      '/etc/vigil/keepalived.conf',
      '/etc/vigil/conf.d/a.conf',
      '/etc/vigil/conf.d/b.conf',
    ]);
  });

  it('reports an unreadable main file as one error at path:1:1', () => {
    const file = path.join(dir, 'no-such-file.conf');
    const result = loadConfig(file);
    assert.equal(result.config, undefined);
    assert.deepEqual(result.files, []);
    assert.equal(result.diagnostics.length, 1);
    assert.match(
      formatDiagnostic(result.diagnostics[0]!),
      new RegExp(`^${file.replace(/[.]/g, '\\.')}:1:1: error: cannot read`),
    );
  });
});
