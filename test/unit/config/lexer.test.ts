import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Token, tokenize } from '../../../src/config/lexer.js';

const words = (tokens: Token[]): string[] => tokens.map((t) => t.text);
const at = (t: Token): string => `${t.pos.line}:${t.pos.col}`;

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

  it('drops # and ! comments to the end of the line, only where a token would begin', () => {
    const text = '# whole line\n! bang line\npriority 100 # trailing\nauth_pass ab!c#d\nx !y\n}# after brace\n';
    const { tokens } = tokenize(text, 'k.conf');
    assert.deepEqual(words(tokens), ['priority', '100', 'auth_pass', 'ab!c#d', 'x', '}']);
    assert.deepEqual(tokens.map(at), ['3:1', '3:10', '4:1', '4:11', '5:1', '6:1']);
  });

  it('keeps braces as their own tokens even when glued to words', () => {
    const { tokens } = tokenize('vrrp_instance VI_1{\nunicast_peer {198.51.100.2}\n}', 'k.conf');
    assert.deepEqual(words(tokens), ['vrrp_instance', 'VI_1', '{', 'unicast_peer', '{', '198.51.100.2', '}', '}']);
    assert.deepEqual(tokens.map(at), ['1:1', '1:15', '1:19', '2:1', '2:14', '2:15', '2:27', '3:1']);
  });

  it('reads double-quoted strings with spaces, braces, comment characters and escapes', () => {
    const { tokens, diagnostics } = tokenize(
      'script "/bin/check --a {b} # !c"\nx "say \\"hi\\" \\\\ \\n"\nmix"ed q"uote',
      'k.conf',
    );
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(words(tokens), ['script', '/bin/check --a {b} # !c', 'x', 'say "hi" \\ \\n', 'mixed quote']);
    assert.deepEqual(
      tokens.map((t) => t.quoted),
      [false, true, false, true, true],
    );
    assert.equal(at(tokens[1]!), '1:8');
  });

  it('reports an unterminated quote at the opening quote and keeps going on the next line', () => {
    const { tokens, diagnostics } = tokenize('a "open\nb c', 'k.conf');
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.severity, 'error');
    assert.deepEqual(diagnostics[0]!.pos, { file: 'k.conf', line: 1, col: 3 });
    assert.match(diagnostics[0]!.message, /unterminated quoted string/);
    assert.deepEqual(words(tokens), ['a', 'open', 'b', 'c']);
  });

  it('treats CRLF line ends and a byte-order mark as whitespace', () => {
    const { tokens } = tokenize('\uFEFFa b\r\nc\r\n', 'k.conf');
    assert.deepEqual(words(tokens), ['a', 'b', 'c']);
    assert.deepEqual(tokens.map(at), ['1:1', '1:3', '2:1']);
  });
});
