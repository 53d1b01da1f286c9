import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { example } from '../../../lab/paths.js';
import { createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { prng } from '../../helpers/prng.js';

const sources = readdirSync(example())
  .filter((f) => f.endsWith('.conf'))
  .map((f) => readFileSync(example(f), 'utf8'));
const vocabulary = [...new Set(sources.join('\n').split(/\s+/).filter(Boolean))];
const separators = [' ', ' ', '\n', '\n', '{', '}', '"', '#', '\t', '$X=1\n', '@a ', 'include x*.conf\n'];

function check(text: string, label: string): void {
  const reader = createMemoryReader({ '/fuzz/x1.conf': 'vrrp_instance X {\n', '/fuzz/x2.conf': 'include x1.conf\n' });
  let result: ReturnType<typeof parseConfigText>;
  try {
    result = parseConfigText(text, '/fuzz/main.conf', { reader });
  } catch (err) {
    assert.fail(`${label} threw: ${String(err)}\n--- input ---\n${text}`);
  }
  assert.ok(Array.isArray(result.diagnostics), label);
  const hasErrors = result.diagnostics.some((d) => d.severity === 'error');
  assert.equal(
    result.config === undefined,
    hasErrors,
    `${label}: config must be present exactly when there are no errors`,
  );
  assert.ok(
    !result.diagnostics.some((d) => d.message.includes('internal error')),
    `${label}: ${result.diagnostics.map((d) => d.message).join('; ')}`,
  );
}

describe('never throws', () => {
  const random = prng(0x5eed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

  it('on truncations of the examples', () => {
    for (let i = 0; i < 150; i++) {
      const source = pick(sources);
      check(source.slice(0, Math.floor(random() * source.length)), `truncation #${i}`);
    }
  });

  it('on examples with characters deleted or duplicated', () => {
    for (let i = 0; i < 100; i++) {
      let text = pick(sources);
      for (let edits = 1 + Math.floor(random() * 8); edits > 0; edits--) {
        const at = Math.floor(random() * text.length);
        text =
          random() < 0.5
            ? text.slice(0, at) + text.slice(at + 1)
            : text.slice(0, at) + text.slice(at, at + 3) + text.slice(at);
      }
      check(text, `mutation #${i}`);
    }
  });

  it('on random token sequences drawn from the examples', () => {
    for (let i = 0; i < 200; i++) {
      const parts: string[] = [];
      for (let n = Math.floor(random() * 80); n > 0; n--) parts.push(pick(vocabulary), pick(separators));
      check(parts.join(''), `sequence #${i}`);
    }
  });
});
