// The layering rules of ../shared/ARCHITECTURE.md, read off the sources' import lines: a rule
// broken here is a dependency cycle or a pure core that reaches into I/O in the making.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../lab/paths.js';

function sources(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') || f.endsWith('.tsx'))
    .map((f) => path.join(dir, f));
}

/** Every relative import of `file`, as a path from the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+'([^']+)'/g)].map((m) => m[1]!);
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => path.relative(repoRoot, path.resolve(path.dirname(path.join(repoRoot, file)), s)));
}

function violations(fromDirs: string[], forbidden: string[]): string[] {
  return fromDirs.flatMap((dir) =>
    sources(dir).flatMap((file) =>
      importsOf(file)
        .filter((target) => forbidden.some((f) => target === f || target.startsWith(`${f}/`)))
        .map((target) => `${file} imports ${target}`),
    ),
  );
}

describe('layers', () => {
  it('src/net imports nothing from src/vrrp', () => {
    assert.deepEqual(violations(['src/net'], ['src/vrrp']), []);
  });

  it('the engine layers never import the daemon, the API, the TUI or the commands', () => {
    const engine = ['src/vrrp', 'src/check', 'src/ipvs', 'src/net', 'src/inet', 'src/config'];
    assert.deepEqual(violations(engine, ['src/daemon', 'src/api', 'src/tui', 'src/cli', 'commands']), []);
  });

  it('src/check and src/vrrp do not reach into each other (what both use sits below them)', () => {
    assert.deepEqual(violations(['src/check'], ['src/vrrp']), []);
    assert.deepEqual(violations(['src/vrrp'], ['src/check']), []);
  });

  it('src/inet, below every layer, imports no other part of src', () => {
    const others = ['src/config', 'src/vrrp', 'src/net', 'src/ipvs', 'src/check', 'src/daemon', 'src/api', 'src/cli'];
    assert.deepEqual(violations(['src/inet'], others), []);
  });

  it('src imports nothing from commands/ (the bundle entry lives with the commands)', () => {
    assert.deepEqual(violations(['src'], ['commands']), []);
  });

  it('commands/ and the CLI reach the daemon only through the API', () => {
    assert.deepEqual(violations(['commands', 'src/cli'], ['src/daemon']), []);
  });

  it('demo/ and bench/ import nothing from test/: what they share is the lab module', () => {
    assert.deepEqual(violations(['demo', 'bench'], ['test']), []);
  });

  it('lab/ imports nothing from test/, demo/ or bench/: it is the module they build on', () => {
    assert.deepEqual(violations(['lab'], ['test', 'demo', 'bench']), []);
  });

  it('the rules read real imports (a known one is found)', () => {
    assert.ok(importsOf('src/net/vrrp-socket.ts').includes('src/inet/vrrp-wire.js'));
  });
});
