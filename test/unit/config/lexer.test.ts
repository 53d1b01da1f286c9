// How Debian's keepalived 2.2.7 ends a line at a comment, observed with the real daemon
// (`keepalived --dump-conf --vrrp` in a network namespace; "Password = ..." in the VRRP
// process's dump; `-t` agrees). `auth_pass X` gave:
//
//   X (as written)   keepalived reads   why
//   ab!cd            ab                 unquoted `!` ends the line, also inside a word
//   ab#cd            ab                 the same for `#`
//   ab !cd           ab                 a comment after whitespace
//   ab<TAB>#cd       ab
//   ab##cd, ab!#cd   ab                 the first comment character counts
//   "ab"#cd          ab                 right after a closing quote
//   "ab!cd"          ab!cd              double quotes protect `!` and `#`
//   "ab#cd"          ab#cd
//   "a\!b"           a\!b               inside quotes the backslash stays
//   "a\#b"           a\#b
//   ab\!cd           ab                 `\!` is no escape: the parent's reading drops the `\`,
//   ab\#cd           ab                   the VRRP process reads `ab#cd` again
//   \#ab             (missing value)    so a whole-word `\#ab` is a comment: "missing a parameter"
//   ab\\#cd          ab\\               `\\` is a pair, then the comment
//   ab\\!cd          ab\\
//   ab\\\#cd         ab\\               a pair, then `\#`
//   ab\x#cd          ab\x               other backslashes stay, then the comment
//   a\b!cd           a\b
//   ab\ #cd          ab\                a backslash before whitespace stays alone
//   a!b"c            a                  no unterminated-quote error: the quote is in the comment
//
// A `"` inside a word (cid probe, the same way): keepalived ends a bare word at a `"` and a
// quoted word at its closing `"`, and what follows is a word of its own. `auth_pass X` gave:
//
//   X (as written)   keepalived reads   words on the line after auth_pass
//   ab"!"cd          ab                 ab, !, cd
//   ab"c#d"          ab                 ab, c#d (the `#` is quoted: no comment)
//   "ab"cd           ab                 ab, cd
//   ab"c d"ef        ab                 ab, c d, ef
//   "ab""cd"         ab                 ab, cd
//   ab""             ab                 ab, (empty)
// The later words are real words, not dropped: in virtual_ipaddress `198.51.100.20/32"dev"cidd1`
// and `198.51.100.21/32 dev"cidd1"` are both on cidd1. Script commands differ: keepalived
// reads their line again as a shell would, so `notify_master /bin/echo"x y"` runs `/bin/echox`
// (with the argument `y`).
//
// A backslash before a quote (`keepalived -t`, "unknown state 'a\'" each time): keepalived's
// comment scan takes `\"` as a pair, but it splits words with no escapes at all, so the
// backslash stays and the quote opens or closes a word; a quote left open drops the rest of
// the line ("Unmatched quote"). `state X` gave:
//
//   X (as written)   words after state   logged
//   a\"b             a\                  Unmatched quote
//   "a\"b"           a\, b               Unmatched quote
//   "a\"b" c         a\, b               Unmatched quote
//   a\"b c"d         a\, b c, d          Unterminated quote (the comment scan's; words are whole)
//   a\"b#c           a\                  Unmatched quote (the `#` is a comment: `\"` opened nothing)
//   "a\"b#c"         a\, b#c             Unmatched quote
// A script command is read again from the raw line with `\"` as an escaped quote:
// `notify_master "/usr/bin/touch \"/tmp/d1k/q a\" /tmp/d1k/q2"` made `q a` and `q2`.
//
// Conditional lines (cid probe, --dump-conf with and without `-i`, host name cidh.example.net):
// `@cidA router_id a` / `@^cidA router_id b` gave a with `-i cidA`, b with `-i other` and with
// no `-i`; `@cidh priority 150` / `@^cidh priority 50`, indented inside vrrp_instance, gave 150
// with no `-i` (the default id is the host name up to its first dot) and 50 with `-i cidA`; in
// an included file `@^cidA priority 77` held for all but cidA; `virtual_ipaddress { @cidA ADDR`
// kept ADDR only for cidA (after a brace the rest of the line is a line of its own); a bare
// `@cidA` line was no error.
// Elsewhere (c1 probe): `198.51.100.10/24#x` and `198.51.100.11/24!y` in virtual_ipaddress are
// the bare addresses; `notify_backup /bin/echo#b1` runs /bin/echo; `notify_master "/bin/echo m#1 !2"`
// keeps both arguments.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Token, tokenize } from '../../../src/config/lexer.js';

const words = (tokens: Token[]): string[] => tokens.map((t) => t.text);
const at = (t: Token): string => `${t.pos.line}:${t.pos.col}`;

/** The table above: source after `auth_pass `, and the word keepalived reads. */
const OBSERVED: [string, string][] = [
  ['ab!cd', 'ab'],
  ['ab#cd', 'ab'],
  ['ab !cd', 'ab'],
  ['ab\t#cd', 'ab'],
  ['ab##cd', 'ab'],
  ['ab!#cd', 'ab'],
  ['"ab"#cd', 'ab'],
  ['"ab!cd"', 'ab!cd'],
  ['"ab#cd"', 'ab#cd'],
  ['"a\\!b"', 'a\\!b'],
  ['"a\\#b"', 'a\\#b'],
  ['ab\\!cd', 'ab'],
  ['ab\\#cd', 'ab'],
  ['ab\\\\#cd', 'ab\\\\'],
  ['ab\\\\!cd', 'ab\\\\'],
  ['ab\\\\\\#cd', 'ab\\\\'],
  ['ab\\x#cd', 'ab\\x'],
  ['a\\b!cd', 'a\\b'],
  ['ab\\ #cd', 'ab\\'],
  ['a!b"c', 'a'],
];

/** The second table: source after `auth_pass `, and every word keepalived makes of it. */
const QUOTE_INSIDE_WORD: [string, string[]][] = [
  ['ab"!"cd', ['ab', '!', 'cd']],
  ['ab"c#d"', ['ab', 'c#d']],
  ['"ab"cd', ['ab', 'cd']],
  ['ab"c d"ef', ['ab', 'c d', 'ef']],
  ['"ab""cd"', ['ab', 'cd']],
  ['ab""', ['ab', '']],
];

/** The fourth table: source after `state `, its words, and the column of the quote left open. */
const BACKSLASH_QUOTE: [string, string[], number?][] = [
  ['a\\"b', ['a\\'], 9],
  ['"a\\"b"', ['a\\', 'b'], 12],
  ['"a\\"b" c', ['a\\', 'b'], 12],
  ['a\\"b c"d', ['a\\', 'b c', 'd']],
  ['a\\"b#c', ['a\\'], 9],
  ['"a\\"b#c"', ['a\\', 'b#c'], 14],
];

describe('lexer', () => {
  it('splits on whitespace and gives 1-based line and column positions', () => {
    const { tokens, diagnostics } = tokenize('global_defs {\n\trouter_id  lb-1\n}\n', 'k.conf');
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(words(tokens), ['global_defs', '{', 'router_id', 'lb-1', '}']);
    assert.deepEqual(tokens.map(at), ['1:1', '1:13', '2:2', '2:13', '3:1']);
    assert.equal(tokens[0]!.pos.file, 'k.conf');
    assert.deepEqual(
      tokens.map((t) => t.kind),
      ['word', 'open', 'word', 'word', 'close'],
    );
  });

  it('drops # and ! comments to the end of the line, also glued to or inside a word', () => {
    const text = '# whole line\n! bang line\npriority 100 # trailing\nauth_pass ab!c#d\nx !y\n}# after brace\n{!b\nz';
    const { tokens } = tokenize(text, 'k.conf');
    assert.deepEqual(words(tokens), ['priority', '100', 'auth_pass', 'ab', 'x', '}', '{', 'z']);
    assert.deepEqual(tokens.map(at), ['3:1', '3:10', '4:1', '4:11', '5:1', '6:1', '7:1', '8:1']);
  });

  describe('reads each observed keepalived 2.2.7 case as keepalived does (table above)', () => {
    for (const [source, value] of OBSERVED) {
      it(`auth_pass ${source} is ${value}`, () => {
        const { tokens, diagnostics } = tokenize(`auth_pass ${source}\nnext`, 'k.conf');
        assert.deepEqual(
          diagnostics.filter((d) => d.severity === 'error'),
          [],
        );
        assert.deepEqual(words(tokens), ['auth_pass', value, 'next']);
        assert.deepEqual(tokens.map(at), ['1:1', '1:11', '2:1']);
      });
    }
  });

  it('warns at the comment when it cuts a word short, naming what the word is read as', () => {
    const { tokens, diagnostics } = tokenize('a {\n  auth_pass ab!cd\n  x "q"#r\n}\n', 'k.conf');
    assert.deepEqual(words(tokens), ['a', '{', 'auth_pass', 'ab', 'x', 'q', '}']);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, `${d.pos.line}:${d.pos.col}`]),
      [
        ['warning', '2:15'],
        ['warning', '3:8'],
      ],
    );
    assert.match(diagnostics[0]!.message, /`!` in the middle of a word starts a comment/);
    assert.match(diagnostics[0]!.message, /read as `ab`/);
    assert.match(diagnostics[0]!.message, /double quotes to keep the `!`/);
    assert.match(diagnostics[1]!.message, /read as `q`.*keep the `#`/);
  });

  it('warns that `\\#` and `\\!` are comments too, at the backslash', () => {
    const { tokens, diagnostics } = tokenize('auth_pass ab\\#cd\nauth_pass \\!ab\n', 'k.conf');
    assert.deepEqual(words(tokens), ['auth_pass', 'ab', 'auth_pass']);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, `${d.pos.line}:${d.pos.col}`]),
      [
        ['warning', '1:13'],
        ['warning', '2:11'],
      ],
    );
    assert.match(diagnostics[0]!.message, /`\\#` does not escape a comment in keepalived 2\.2\.7/);
    assert.match(diagnostics[0]!.message, /read as `ab`/);
    assert.match(diagnostics[1]!.message, /`\\!` does not escape a comment/);
    assert.doesNotMatch(diagnostics[1]!.message, /read as/);
  });

  it('does not warn about a comment after whitespace or a brace', () => {
    const { diagnostics } = tokenize('a # c\nb\t!c\n}#c\n{!c\n"q" #c\n', 'k.conf');
    assert.deepEqual(diagnostics, []);
  });

  it('keeps braces as their own tokens even when glued to words', () => {
    const { tokens } = tokenize('vrrp_instance VI_1{\nunicast_peer {198.51.100.2}\n}', 'k.conf');
    assert.deepEqual(words(tokens), ['vrrp_instance', 'VI_1', '{', 'unicast_peer', '{', '198.51.100.2', '}', '}']);
    assert.deepEqual(tokens.map(at), ['1:1', '1:15', '1:19', '2:1', '2:14', '2:15', '2:27', '3:1']);
  });

  describe('splits a word at a `"` as keepalived 2.2.7 does (second table above)', () => {
    for (const [source, values] of QUOTE_INSIDE_WORD) {
      it(`auth_pass ${source} is ${values.map((v) => `\`${v}\``).join(' ')}`, () => {
        const { tokens, diagnostics } = tokenize(`auth_pass ${source}\nnext`, 'k.conf');
        assert.deepEqual(
          diagnostics.map((d) => [d.severity, `${d.pos.line}:${d.pos.col}`]),
          [['warning', `1:${11 + values[0]!.length + (source.startsWith('"') ? 2 : 0)}`]],
        );
        assert.deepEqual(words(tokens), ['auth_pass', ...values, 'next']);
        assert.deepEqual(
          tokens.map((t) => t.gluedToPrevious ?? false),
          [false, false, ...values.slice(1).map(() => true), false],
        );
      });
    }
  });

  it('warns where a quote splits a word, naming every word it is read as', () => {
    const { diagnostics } = tokenize('a {\n  auth_pass ab"!"cd\n  x "q" "r"\n}\n', 'k.conf');
    assert.equal(diagnostics.length, 1);
    assert.deepEqual(diagnostics[0]!.pos, { file: 'k.conf', line: 2, col: 15 });
    assert.match(diagnostics[0]!.message, /the separate words `ab`, `!`, `cd`/);
    assert.match(diagnostics[0]!.message, /keeps only `ab`/);
    assert.match(diagnostics[0]!.message, /whole word in double quotes/);
  });

  it('reads double-quoted strings with spaces, braces, comment characters and backslashes as written', () => {
    const { tokens, diagnostics } = tokenize('script "/bin/check --a {b} # !c"\nx "say \\\\ \\n"', 'k.conf');
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(words(tokens), ['script', '/bin/check --a {b} # !c', 'x', 'say \\\\ \\n']);
    assert.deepEqual(
      tokens.map((t) => t.quoted),
      [false, true, false, true],
    );
    assert.equal(at(tokens[1]!), '1:8');
  });

  describe('reads `\\"` as keepalived 2.2.7 does (fourth table above)', () => {
    for (const [source, values, unclosedAt] of BACKSLASH_QUOTE) {
      it(`state ${source} is ${values.map((v) => `\`${v}\``).join(' ')}`, () => {
        const { tokens, diagnostics } = tokenize(`state ${source}\nnext`, 'k.conf');
        assert.deepEqual(words(tokens), ['state', ...values, 'next']);
        const unclosed = diagnostics.filter((d) => d.message.includes('Unmatched quote'));
        assert.deepEqual(
          unclosed.map((d) => [d.severity, d.pos.col]),
          unclosedAt === undefined ? [] : [['warning', unclosedAt]],
        );
        assert.deepEqual(
          diagnostics.filter((d) => d.severity === 'error'),
          [],
        );
      });
    }
  });

  it('reports an unterminated quote at the opening quote and keeps going on the next line', () => {
    const { tokens, diagnostics } = tokenize('a "open\nb c', 'k.conf');
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.severity, 'error');
    assert.deepEqual(diagnostics[0]!.pos, { file: 'k.conf', line: 1, col: 3 });
    assert.match(diagnostics[0]!.message, /unterminated quoted string/);
    assert.deepEqual(words(tokens), ['a', 'open', 'b', 'c']);
  });

  describe('keeps a conditional line only for its config id, as keepalived 2.2.7 (third table above)', () => {
    const text = 'a 1\n@lb1 b 2\n  @^lb1 c 3\nx { @lb1 d 4\n} @^lb1 e 5\n@lb1\n@lb1#c f\nlast';
    const cases: [string | undefined, string[]][] = [
      ['lb1', ['a', '1', 'b', '2', 'x', '{', 'd', '4', '}', 'last']],
      ['lb2', ['a', '1', 'c', '3', 'x', '{', '}', 'e', '5', 'last']],
      [undefined, ['a', '1', 'c', '3', 'x', '{', '}', 'e', '5', 'last']],
    ];
    for (const [configId, expected] of cases) {
      it(`config id ${configId ?? '(none)'}`, () => {
        const { tokens, diagnostics } = tokenize(text, 'k.conf', configId);
        assert.deepEqual(diagnostics, []);
        assert.deepEqual(words(tokens), expected);
      });
    }

    it('keeps the kept words at their own columns', () => {
      const { tokens } = tokenize('  @lb1 priority 150\n', 'k.conf', 'lb1');
      assert.deepEqual(tokens.map(at), ['1:8', '1:17']);
    });

    it('reads `@` after a word, or a second `@` on a kept line, as an ordinary word', () => {
      const { tokens } = tokenize('a @lb1 b\n@lb1 @lb1 c\n"@lb1" d', 'k.conf', 'lb1');
      assert.deepEqual(words(tokens), ['a', '@lb1', 'b', '@lb1', 'c', '@lb1', 'd']);
    });
  });

  it('treats CRLF line ends and a byte-order mark as whitespace', () => {
    const { tokens } = tokenize('\uFEFFa b\r\nc\r\n', 'k.conf');
    assert.deepEqual(words(tokens), ['a', 'b', 'c']);
    assert.deepEqual(tokens.map(at), ['1:1', '1:3', '2:1']);
  });
});
