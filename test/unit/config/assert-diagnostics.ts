import assert from 'node:assert/strict';
import {
  type Config,
  type Diagnostic,
  formatDiagnostic,
  formatPos,
  type LoadResult,
  type Severity,
} from '../../../src/config/index.js';

const listing = (result: LoadResult): string =>
  result.diagnostics.map(formatDiagnostic).join('\n') || '(no diagnostics)';

/** Asserts a diagnostic of `severity` at exactly `at` (`file:line:col`) whose message contains `fragment`. */
export function expectDiagnostic(result: LoadResult, severity: Severity, at: string, fragment: string): Diagnostic {
  const found = result.diagnostics.find(
    (d) => d.severity === severity && formatPos(d.pos) === at && d.message.includes(fragment),
  );
  assert.ok(found, `expected ${severity} at ${at} containing "${fragment}"; got:\n${listing(result)}`);
  return found;
}

export const errorsOf = (result: LoadResult): Diagnostic[] => result.diagnostics.filter((d) => d.severity === 'error');
export const warningsOf = (result: LoadResult): Diagnostic[] =>
  result.diagnostics.filter((d) => d.severity === 'warning');

/** Asserts the load produced no errors (warnings allowed) and returns the config. */
export function expectLoaded(result: LoadResult): Config {
  assert.deepEqual(errorsOf(result).map(formatDiagnostic), [], listing(result));
  assert.ok(result.config, 'config must be present when there are no errors');
  return result.config;
}

/** Asserts the load failed and the diagnostics are exactly `expected` (`file:line:col` + fragment each). */
export function expectOnlyErrors(result: LoadResult, expected: readonly [at: string, fragment: string][]): void {
  assert.equal(result.config, undefined, 'config must be undefined when there are errors');
  for (const [at, fragment] of expected) expectDiagnostic(result, 'error', at, fragment);
  assert.equal(errorsOf(result).length, expected.length, `unexpected extra errors:\n${listing(result)}`);
}
