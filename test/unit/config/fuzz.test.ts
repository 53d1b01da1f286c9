// Broken and reshaped configurations, generated from the examples. The loader turns any throw
// into an "internal error" diagnostic, so the stages run here without it: a bug surfaces as the
// exception itself. Every diagnostic must point into the text it blames, and layout that
// keepalived ignores (indentation, spacing, comments, blank lines, CRLF, a `{` on its own line)
// must change nothing but positions, which must follow the words they point at.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { example } from '../../../lab/paths.js';
import {
  type Diagnostic,
  DiagnosticSink,
  formatDiagnostic,
  type SourcePos,
  sortDiagnostics,
} from '../../../src/config/diagnostics.js';
import { createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { RouteNames } from '../../../src/config/iproute2-names.js';
import { buildConfig } from '../../../src/config/keywords.js';
import { SourceLoader } from '../../../src/config/parser.js';
import type { Config } from '../../../src/config/types.js';
import { validateConfig } from '../../../src/config/validate.js';
import { prng } from '../../helpers/prng.js';

const MAIN = '/fuzz/main.conf';
const INCLUDED = { '/fuzz/x1.conf': 'vrrp_instance X {\n', '/fuzz/x2.conf': 'include x1.conf\n' };
const texts: Record<string, string> = { ...INCLUDED };

const examples = [
  ...readdirSync(example()).filter((f) => f.endsWith('.conf')),
  ...readdirSync(example('failover')).map((f) => `failover/${f}`),
].map((f) => ({ name: f, text: readFileSync(example(f), 'utf8') }));
const sources = examples.map((e) => e.text);
const vocabulary = [...new Set(sources.join('\n').split(/\s+/).filter(Boolean))];
const separators = [' ', ' ', '\n', '\n', '{', '}', '"', '#', '\t', '$X=1\n', '@a ', 'include x*.conf\n'];

/** What loadConfig does, stage by stage, with nothing to catch a throw. */
function loadStages(text: string): { config?: Config; diagnostics: Diagnostic[] } {
  const sink = new DiagnosticSink();
  const sources = new SourceLoader(createMemoryReader(INCLUDED), sink).loadMain(MAIN, text);
  let config: Config | undefined;
  if (sources.balanced && sources.files.length > 0) {
    const built = buildConfig(sources.statements, sink, new RouteNames(() => undefined));
    validateConfig(built.config, built.sites, sink);
    config = built.config;
  }
  return { config, diagnostics: sortDiagnostics(sink.items, sources.files) };
}

/** The line and column exist in the file blamed (a column may sit just past a line's end). */
function pointsIntoInput(pos: SourcePos, mainText: string): boolean {
  const text = pos.file === MAIN ? mainText : texts[pos.file];
  const line = text?.split('\n')[pos.line - 1];
  return line !== undefined && Number.isInteger(pos.col) && pos.col >= 1 && pos.col <= line.length + 1;
}

function check(text: string, label: string): void {
  let staged: ReturnType<typeof loadStages>;
  try {
    staged = loadStages(text);
  } catch (err) {
    assert.fail(`${label} threw: ${err instanceof Error ? err.stack : String(err)}\n--- input ---\n${text}`);
  }
  const outside = staged.diagnostics.filter((d) => !pointsIntoInput(d.pos, text));
  assert.deepEqual(
    outside.map(formatDiagnostic),
    [],
    `${label}: diagnostics outside the input\n--- input ---\n${text}`,
  );
  const result = parseConfigText(text, MAIN, { reader: createMemoryReader(INCLUDED) });
  assert.deepEqual(result.diagnostics, staged.diagnostics, `${label}: the loader reports what its stages found`);
  const hasErrors = result.diagnostics.some((d) => d.severity === 'error');
  assert.equal(result.config === undefined, hasErrors, `${label}: config present exactly when there are no errors`);
}

describe('broken input: no stage throws, and every diagnostic points into the input', () => {
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

// ---- layout that means nothing ---------------------------------------------------------------

type Reshape = (line: string, random: () => number) => string;

const blanks = (random: () => number): string =>
  [' ', '\t', '  '][Math.floor(random() * 3)]!.repeat(1 + Math.floor(random() * 3));

/** Each keeps the line's words and their order, and breaks no line a statement depends on. */
const RESHAPES: Record<string, Reshape> = {
  indentation: (line, random) => line.replace(/^[ \t]*/, blanks(random)),
  'spacing between words': (line, random) =>
    line.includes('"') ? line : line.replace(/[ \t]+(?=\S)/g, () => blanks(random)),
  'a trailing comment': (line, random) =>
    line.trim() === '' ? line : `${line}${blanks(random)}${random() < 0.5 ? '#' : '!'} note { "`,
  'a comment line before': (line) => `# vrrp_instance X { }\n${line}`,
  'a blank line before': (line, random) => `${blanks(random)}\n${line}`,
  'CRLF line ends': (line) => `${line}\r`,
  '`{` on its own line': (line) => line.replace(/^(\s*\S.*?)\s+\{\s*$/, '$1\n{'),
};

/** The configuration with every position left out, and the diagnostics without positions. */
function meaning(result: { config?: Config; diagnostics: Diagnostic[] }): string {
  const diagnostics = result.diagnostics.map((d) => `${d.severity}: ${d.message.replace(/\S+:\d+:\d+/g, 'POS')}`);
  return JSON.stringify({ config: result.config, diagnostics }, (key, value) => (key === 'pos' ? undefined : value));
}

/** Every position in the configuration, in order, as the word written there (`{`, `}` or up to a blank). */
function wordsAtPositions(config: Config, text: string): string[] {
  const lines = text.split('\n');
  const words: string[] = [];
  const visit = (value: unknown, key?: string): void => {
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (value && typeof value === 'object') {
      if (key === 'pos') {
        const { line, col } = value as SourcePos;
        words.push(/^(?:[{}]|[^\s{}]+)/.exec(lines[line - 1]!.slice(col - 1))?.[0] ?? `(nothing at ${line}:${col})`);
      } else for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  visit(config);
  return words;
}

describe('layout that keepalived ignores changes nothing but positions, which follow the words', () => {
  const random = prng(0xc0ffee);
  for (const [name, reshape] of Object.entries(RESHAPES)) {
    it(name, () => {
      for (const { name: file, text } of examples) {
        const original = loadStages(text);
        assert.ok(original.config, `${file} is valid`);
        for (let round = 0; round < 3; round++) {
          const reshaped = text
            .split('\n')
            .map((line) => (random() < 0.5 ? reshape(line, random) : line))
            .join('\n');
          const result = loadStages(reshaped);
          const label = `${file} with ${name} (round ${round})\n--- input ---\n${reshaped}`;
          assert.equal(meaning(result), meaning(original), label);
          assert.deepEqual(wordsAtPositions(result.config!, reshaped), wordsAtPositions(original.config, text), label);
        }
      }
    });
  }
});
