// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${NAME}` is keepalived syntax under test here, not a mistaken template
// keepalived 2.2.7's definitions and sequences, observed with Debian's binary (`keepalived -D -l
// -n --vrrp --dump-conf` in a network namespace; "Password =", "Virtual Router ID =" and the
// virtual addresses of the dump) and read in its lib/parser.c:
//
//   written                              keepalived reads
//   $PASS=secret # c  /  auth_pass $PASS  secret (the value is read without its comment)
//   virtual_router_id ${VR}   ($VR=42)   42
//   $NET/24   ($NET=198.51.100.50)       $NET/24: `$NAME` ends at a blank, `,`, `)` or the line end
//   ${NET}1/24                           198.51.100.501/24: braces end the name anywhere
//   auth_pass "${P}x" / auth_pass "$P"   fromIncx / $P: replaced inside quotes, but `"` does not end a bare name
//   auth_pass $NOPE   (never defined)    $NOPE, no message
//   $P=... in an included file           defined for the lines after the include
//   $BODY= \  ... lines ending in \      the lines are read in place of a `$BODY` ending a line
//   ~SEQ(N, 10, 12) 198.51.100.${N}/24   .10, .11, .12;  ~SEQ(M, 3): 1, 2, 3;  ~SEQx: hex digits
//   $A=$A, then $A used                  keepalived never finishes reading (killed after 5 s)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryReader, formatDiagnostic, parseConfigText } from '../../../src/config/index.js';
import { expectDiagnostic, expectLoaded, expectOnlyErrors, warningsOf } from './assert-diagnostics.js';

const load = (text: string, files: Record<string, string> = {}, configId?: string) =>
  parseConfigText(text, '/etc/k/k.conf', { reader: createMemoryReader(files), configId });

/** A VRRP instance whose `auth_pass`, `virtual_router_id` and addresses are given as written. */
const instance = (name: string, pass: string, vrid: string, vips: string[]): string =>
  [
    `vrrp_instance ${name} {`,
    '  interface eth0',
    `  virtual_router_id ${vrid}`,
    '  priority 100',
    `  authentication {\n    auth_type PASS\n    auth_pass ${pass}\n  }`,
    `  virtual_ipaddress {\n${vips.map((v) => `    ${v}`).join('\n')}\n  }`,
    '}',
  ].join('\n');

const addresses = (text: string, files?: Record<string, string>): string[] =>
  expectLoaded(load(text, files)).instances.flatMap((i) => i.vips.map((v) => `${v.address}/${v.prefix}`));

describe('definitions: $NAME=value and its uses', () => {
  it('replaces $NAME and ${NAME} with the value, read without its comment', () => {
    const config = expectLoaded(
      load(`$PASS=secret # not part of it\n$VR=42\n${instance('VI_1', '$PASS', '${VR}', ['198.51.100.1/24'])}`),
    );
    assert.equal(config.instances[0]!.auth?.password, 'secret');
    assert.equal(config.instances[0]!.vrid, 42);
  });

  it('ends a bare name only at a blank, `,`, `)` or the line end; braces end it anywhere', () => {
    assert.deepEqual(addresses(`$NET=198.51.100\n${instance('VI_1', 'p', '1', ['${NET}.7/24'])}`), ['198.51.100.7/24']);
    const result = load(`$HOST=198.51.100.50\n${instance('VI_1', 'p', '1', ['$HOST/24'])}`);
    expectOnlyErrors(result, [['/etc/k/k.conf:11:5', '`$HOST/24` is not an IPv4']]);
  });

  // Observed in the script interop lab: keepalived ran `"... \\"c#d\\" ${WORD}"` with WORD's value.
  it('replaces after an escaped quote inside quotes: `\\"` neither ends the quoting nor lets a `#` start a comment', () => {
    const config = expectLoaded(load(`$W=w0rd\nvrrp_script s {\n  script "/bin/x \\"c#d\\" \${W}"\n}\n`));
    assert.deepEqual(config.scripts[0]!.script, ['/bin/x', 'c#d', 'w0rd']);
  });

  it('replaces inside double quotes, where `"` does not end a bare name', () => {
    const quoted = (pass: string) => expectLoaded(load(`$P=abc\n${instance('VI_1', pass, '1', ['198.51.100.1/24'])}`));
    assert.equal(quoted('"${P}x"').instances[0]!.auth?.password, 'abcx');
    assert.equal(quoted('"$P"').instances[0]!.auth?.password, '$P');
  });

  it('keeps an undefined $NAME as written, with a warning at it', () => {
    const result = load(instance('VI_1', '$NOPE', '1', ['198.51.100.1/24']));
    assert.equal(expectLoaded(result).instances[0]!.auth?.password, '$NOPE');
    expectDiagnostic(result, 'warning', '/etc/k/k.conf:7:15', '`$NOPE` is not defined');
  });

  it('uses the value in force when the line is read: a later definition replaces it', () => {
    const text = `$VR=5\n${instance('VI_1', 'p', '$VR', ['198.51.100.1/24'])}\n$VR=6\n${instance('VI_2', 'p', '$VR', ['198.51.100.2/24'])}`;
    assert.deepEqual(
      expectLoaded(load(text)).instances.map((i) => i.vrid),
      [5, 6],
    );
  });

  it('points a problem in a replaced value at the use', () => {
    const result = load(`$VR=300\n${instance('VI_1', 'p', '$VR', ['198.51.100.1/24'])}`);
    expectOnlyErrors(result, [['/etc/k/k.conf:4:21', '300']]);
  });

  it('reads a definition only on a kept conditional line', () => {
    const text = `@a $VR=7\n@^a $VR=8\n${instance('VI_1', 'p', '$VR', ['198.51.100.1/24'])}`;
    assert.equal(expectLoaded(load(text, {}, 'a')).instances[0]!.vrid, 7);
    assert.equal(expectLoaded(load(text, {}, 'b')).instances[0]!.vrid, 8);
  });

  it('has keepalived pre-defined names: ${_INSTANCE}, ${_PWD}, ${_HASH}, ${_BANG}', () => {
    const text = `global_defs {\n  router_id \${_INSTANCE}-\${_BANG}\n}\n${instance('VI_1', '"${_PWD}${_HASH}"', '1', ['198.51.100.1/24'])}`;
    const config = expectLoaded(load(text, {}, 'node1'));
    assert.equal(config.global.routerId, 'node1-');
    assert.equal(config.instances[0]!.auth?.password, '/etc/k#');
  });

  it('${_RANDOM MIN MAX} is a number in the range; other names take no numbers', () => {
    const vrids = (vrid: string) => load(instance('VI_1', 'p', vrid, ['198.51.100.1/24'])).config?.instances[0]?.vrid;
    assert.equal(vrids('${_RANDOM 7 7}'), 7);
    for (let i = 0; i < 20; i++) assert.ok([1, 2, 3].includes(vrids('${_RANDOM 1  3}')!));
    const result = load(`$P=5\n${instance('VI_1', '"${P 1}"', '1', ['198.51.100.1/24'])}`);
    assert.equal(expectLoaded(result).instances[0]!.auth?.password, '${P 1}');
  });

  it('reports a definition that uses itself at the use, instead of reading forever', () => {
    const result = load(`$A=x$A\nglobal_defs {\n  router_id $A\n}`);
    expectOnlyErrors(result, [['/etc/k/k.conf:3:13', 'expands without end']]);
  });

  it('shares definitions with included files in reading order', () => {
    const files = {
      '/etc/k/defs.inc': '$NET=198.51.100\n$P=fromInc\n',
      '/etc/k/uses.inc': instance('VI_2', '$P', '$VR', ['${NET}.2/24']),
    };
    const text = `include defs.inc\n$VR=9\n${instance('VI_1', '$P', '1', ['${NET}.1/24'])}\ninclude uses.inc\n`;
    const config = expectLoaded(load(text, files));
    assert.deepEqual(
      config.instances.map((i) => `${i.name} ${i.vrid} ${i.auth?.password} ${i.vips[0]!.address}`),
      ['VI_1 1 fromInc 198.51.100.1', 'VI_2 9 fromInc 198.51.100.2'],
    );
  });
});

describe('definitions: multi-line', () => {
  const body = [
    '$INST= \\',
    '  vrrp_instance VI_${NUM} { \\',
    '    interface eth0 \\',
    '    virtual_router_id ${NUM} \\',
  ];
  const rest = [
    '    priority 100 \\',
    '    virtual_ipaddress { \\',
    '      198.51.100.${NUM}/24 \\',
    '    } \\',
    '  }',
  ];

  it('reads the lines of the value where the name ends a line, once per use', () => {
    const text = [...body, ...rest, '$NUM=1', '$INST', '$NUM=2', '  $INST   # again'].join('\n');
    const config = expectLoaded(load(text));
    assert.deepEqual(
      config.instances.map((i) => `${i.name} ${i.vrid} ${i.vips[0]!.address}`),
      ['VI_1 1 198.51.100.1', 'VI_2 2 198.51.100.2'],
    );
    assert.deepEqual(config.instances[1]!.pos, { file: '/etc/k/k.conf', line: 13, col: 3 });
  });

  it('is kept as written, with a warning, where the name does not end the line', () => {
    const result = load(
      ['$V=198.51.100.1/24 \\', '  198.51.100.2/24', '', instance('VI_1', 'p', '1', ['$V x'])].join('\n'),
    );
    expectDiagnostic(result, 'warning', '/etc/k/k.conf:13:5', 'multi-line definition');
  });

  it('ends at an empty line, and skips comment lines inside it', () => {
    const text = [
      '$V=198.51.100.1/24 \\',
      '! a comment',
      '  198.51.100.2/24 \\',
      '',
      '  198.51.100.3/24',
      instance('VI_1', 'p', '1', ['$V']),
    ].join('\n');
    const result = load(text);
    // The third address is an ordinary line outside any block: an error of its own.
    assert.ok(
      result.diagnostics.some((d) => d.pos.line === 5),
      result.diagnostics.map(formatDiagnostic).join('\n'),
    );
    const noStray = text.replace('  198.51.100.3/24\n', '');
    assert.deepEqual(addresses(noStray), ['198.51.100.1/24', '198.51.100.2/24']);
  });
});

describe('definitions: ~SEQ lines', () => {
  it('repeats the rest of the line for each value, with keepalived defaults for start and step', () => {
    assert.deepEqual(
      addresses(instance('VI_1', 'p', '1', ['~SEQ(N, 10, 12) 198.51.100.${N}/24', '~SEQ(M, 2) 198.51.100.${M}/32'])),
      ['198.51.100.10/24', '198.51.100.11/24', '198.51.100.12/24', '198.51.100.1/32', '198.51.100.2/32'],
    );
    assert.deepEqual(addresses(instance('VI_1', 'p', '1', ['~SEQ(N, 5, -2, 1) 198.51.100.${N}/24'])), [
      '198.51.100.5/24',
      '198.51.100.3/24',
      '198.51.100.1/24',
    ]);
  });

  it('~SEQx counts in hex; sequences nest; the numbers may be definitions', () => {
    assert.deepEqual(addresses(instance('VI_1', 'p', '1', ['~SEQx(H, 0x9, 0xb) 2001:db8::${H}/64'])), [
      '2001:db8::9/64',
      '2001:db8::a/64',
      '2001:db8::b/64',
    ]);
    const nested = `$LAST=2\n${instance('VI_1', 'p', '1', ['~SEQ(A, 1, $LAST) ~SEQ(B, 0, 1) 198.51.100.${A}${B}/24'])}`;
    assert.deepEqual(addresses(nested), [
      '198.51.100.10/24',
      '198.51.100.11/24',
      '198.51.100.20/24',
      '198.51.100.21/24',
    ]);
  });

  it('makes each generated line a statement of its own, placed at the ~SEQ line', () => {
    const text = ['~SEQ(N, 1, 3) $I', ''].join('\n');
    const withBody = `$I=${instance('VI_${N}', 'p', '${N}', ['198.51.100.${N}/24']).replaceAll('\n', ' \\\n')}\n\n${text}`;
    const config = expectLoaded(load(withBody));
    assert.deepEqual(
      config.instances.map((i) => `${i.name} ${i.vrid} ${i.pos.line}`),
      ['VI_1 1 14', 'VI_2 2 14', 'VI_3 3 14'],
    );
  });

  it('reports a malformed ~SEQ at its line and reads nothing from it', () => {
    for (const [seq, why] of [
      ['~SEQ N 3', 'write `~SEQ(VAR, end)`'],
      ['~SEQ(N, 1, 0, 3)', 'step must not be 0'],
      ['~SEQ(N, 3, 1, 1)', 'step must not be 0'],
      ['~SEQ(N, 1, x)', 'whole numbers'],
      ['~SEQx(N, -1, 2)', 'not negative'],
    ] as const) {
      const result = load(instance('VI_1', 'p', '1', ['198.51.100.1/24', `${seq} 198.51.100.$N/24`]));
      expectOnlyErrors(result, [['/etc/k/k.conf:11:5', why]]);
    }
  });

  it('refuses ~LST, which vigil does not implement', () => {
    const result = load(instance('VI_1', 'p', '1', ['198.51.100.1/24', '~LST(N, 1, 2) 198.51.100.$N/24']));
    expectOnlyErrors(result, [['/etc/k/k.conf:11:5', '`~LST` list lines are not supported']]);
    assert.equal(warningsOf(result).length, 0);
  });
});
