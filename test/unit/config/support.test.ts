import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitQuotedEscaped, splitScriptLine } from '../../../src/config/argv.js';
import { type Diagnostic, formatDiagnostic, sortDiagnostics } from '../../../src/config/diagnostics.js';
import { expandGlob, globComponentToRegExp } from '../../../src/config/glob.js';
import { createMemoryReader } from '../../../src/config/source-reader.js';
import { closestMatch, editDistance } from '../../../src/config/suggest.js';
import { parseIp, prefixRange } from '../../../src/inet/address.js';

describe('addresses', () => {
  it('normalizes IPv6 per RFC 5952 and keeps IPv4 as written', () => {
    const cases: [string, string][] = [
      ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['::', '::'],
      ['::1', '::1'],
      ['fe80::0001', 'fe80::1'],
      ['::ffff:198.51.100.1', '::ffff:198.51.100.1'],
      ['203.0.113.7', '203.0.113.7'],
    ];
    for (const [input, expected] of cases) assert.equal(parseIp(input)?.address, expected, input);
  });

  it('refuses malformed addresses, including octal-looking IPv4', () => {
    for (const bad of [
      '198.51.100',
      '198.51.100.256',
      '010.0.0.1',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      'g::1',
      '2001:db8::1%eth0',
      '',
    ]) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });

  it('computes prefix ranges', () => {
    const { first, last } = prefixRange(parseIp('198.51.100.77')!, 28);
    assert.deepEqual([first.address, last.address], ['198.51.100.64', '198.51.100.79']);
  });
});

describe('commands', () => {
  it('splits on whitespace; quotes group and backslashes escape, also inside single quotes', () => {
    assert.deepEqual(splitQuotedEscaped(`/bin/a  'b c' "d \\"e\\"" f\\ g`), {
      words: ['/bin/a', 'b c', 'd "e"', 'f g'],
    });
    assert.deepEqual(splitQuotedEscaped(`x '' a"b c"'d'`), { words: ['x', '', 'ab cd'] });
    assert.deepEqual(splitQuotedEscaped(`'a\\.b' "c\\td" \\x41 \\101 \\x4142 \\cA \\q`), {
      words: ['a.b', 'c\td', 'A', 'A', 'B', '\x01', 'q'],
    });
    assert.deepEqual(splitQuotedEscaped(`x 'open`), { error: "`x 'open` is missing its closing '" });
    assert.deepEqual(splitQuotedEscaped(`x \\`), { error: 'a `\\` at the end of `x \\` escapes nothing' });
  });

  // Observed with Debian's keepalived 2.2.7 (a vrrp_script recording its argv): the line is
  // split, its first word after the keyword split again, so escapes count twice.
  it('reads a script line as keepalived 2.2.7 does: the first word is the command, split again', () => {
    const argv = (rest: string) => {
      const split = splitScriptLine(rest);
      return 'error' in split ? split : split.argv;
    };
    assert.deepEqual(argv(`"/r s03 'x y' \\"q r\\" a\\ b"`), ['/r', 's03', 'x y', 'q r', 'a', 'b']);
    assert.deepEqual(argv(`"/r s04 'a\\\\.b' \\x41 \\101 \\t| 'c\\td' $HOME"`), [
      '/r',
      's04',
      'a.b',
      'A',
      'A',
      '|',
      'c\td',
      '$HOME',
    ]);
    assert.deepEqual(argv(`'/r s05 w1 w2'`), ['/r', 's05', 'w1', 'w2']);
    assert.deepEqual(argv(`"/r s06 a"'b c'd`), ['/r', 's06', 'ab', 'cd']);
    assert.deepEqual(argv(`"/r s07 \\\\\\\\x \\\\' \\\\\\" end"`), ['/r', 's07', '\\x', "'", '"', 'end']);
    assert.deepEqual(argv(`"/r s09 ''  \\"\\" x"`), ['/r', 's09', '', '', 'x']);
    assert.deepEqual(splitScriptLine('/r s02 words'), { argv: ['/r'], after: ['s02', 'words'] });
  });
});

describe('suggestions', () => {
  it('counts adjacent swaps as one edit and only suggests close words', () => {
    assert.equal(editDistance('priorty', 'priority'), 1);
    assert.equal(editDistance('nopreemt', 'nopreempt'), 1);
    assert.equal(editDistance('ab', 'ba'), 1);
    assert.equal(
      closestMatch('virtual_ipadress', ['virtual_ipaddress', 'virtual_ipaddress_excluded']),
      'virtual_ipaddress',
    );
    assert.equal(closestMatch('zzz', ['priority', 'state']), undefined);
  });
});

describe('glob', () => {
  it('matches *, ? and [...] without crossing / or matching dot files', () => {
    assert.ok(globComponentToRegExp('*.conf').test('a.conf'));
    assert.ok(!globComponentToRegExp('*.conf').test('a.conf.bak'));
    assert.ok(globComponentToRegExp('1?-[a-c]*').test('10-b.x'));
    assert.ok(!globComponentToRegExp('[!a]x').test('ax'));
    const reader = createMemoryReader({
      '/c/d1/x.conf': '',
      '/c/d2/y.conf': '',
      '/c/d2/.z.conf': '',
      '/c/d2/w.txt': '',
    });
    assert.deepEqual(expandGlob('d*/*.conf', '/c', reader).matches, ['/c/d1/x.conf', '/c/d2/y.conf']);
  });
});

describe('diagnostics', () => {
  it('formats as file:line:col and sorts by file read order, then position', () => {
    const d = (file: string, line: number, col: number): Diagnostic => ({
      severity: 'error',
      pos: { file, line, col },
      message: 'm',
    });
    const sorted = sortDiagnostics([d('b', 1, 1), d('a', 2, 5), d('a', 2, 1), d('a', 1, 9)], ['a', 'b']);
    assert.deepEqual(sorted.map(formatDiagnostic), [
      'a:1:9: error: m',
      'a:2:1: error: m',
      'a:2:5: error: m',
      'b:1:1: error: m',
    ]);
  });
});
