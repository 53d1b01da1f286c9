// completions/ in real shells: what a user gets for TAB in bash (always there) and in fish, and
// zsh's syntax check, when those two are installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { bashCompletion } from '../../../scripts/gen-completions.js';
import { packageRoot } from '../../../scripts/gen-docs.js';
import type { Manifest } from '../../../scripts/gen-manifest.js';

const script = path.join(packageRoot, 'completions', 'vigil.bash');
const hasShell = (shell: string) => spawnSync(shell, ['-c', 'true']).status === 0;
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-completion-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The words bash would offer for the command line `words`, the last one being completed. */
function completeWith(script: string, ...words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const result = spawnSync(
    'bash',
    [
      '--norc',
      '-c',
      `source "$1"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _vigil; printf '%s\\n' "\${COMPREPLY[@]}"`,
      'bash',
      script,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\n').filter(Boolean).sort();
}

const complete = (...words: string[]) => completeWith(script, ...words);

/** A command with fixed choices, as `vigil maintenance on|off` declares them. */
const withChoices: Manifest = {
  version: '0',
  commands: {
    maintenance: {
      id: 'maintenance',
      args: { state: { name: 'state', options: ['on', 'off'], required: true } },
      flags: {
        socket: { name: 'socket', char: 's', type: 'option' },
        level: { name: 'level', type: 'option', options: ['low', 'high'] },
        wait: { name: 'wait', type: 'boolean' },
      },
    },
  },
};

describe('bash completion', () => {
  test('the commands after `vigil`', () => {
    const offered = complete('vigil', '');
    for (const command of ['check', 'reload', 'status']) assert.ok(offered.includes(command), `${command} not offered`);
  });

  test("a command's flags, by prefix", () => {
    assert.deepEqual(complete('vigil', 'status', '--'), ['--help', '--json', '--socket', '--watch']);
    assert.deepEqual(complete('vigil', 'status', '--j'), ['--json']);
  });

  test('files for --socket', () => {
    writeFileSync(path.join(dir, 'vigil.sock'), '');
    assert.deepEqual(complete('vigil', 'status', '--socket', 'vig'), ['vigil.sock']);
    assert.deepEqual(complete('vigil', 'check', '-s', 'vig'), ['vigil.sock']);
  });

  test("an argument's choices, in its position only, and an option flag's values", () => {
    const generated = path.join(dir, 'choices.bash');
    writeFileSync(generated, bashCompletion(withChoices));
    assert.deepEqual(completeWith(generated, 'vigil', 'maintenance', ''), ['off', 'on']);
    assert.deepEqual(completeWith(generated, 'vigil', 'maintenance', '-s', 'x', 'o'), ['off', 'on']);
    assert.deepEqual(completeWith(generated, 'vigil', 'maintenance', 'on', ''), [
      '--help',
      '--level',
      '--socket',
      '--wait',
      '-s',
    ]);
    assert.deepEqual(completeWith(generated, 'vigil', 'maintenance', '--level', ''), ['high', 'low']);
  });

  test('nothing for an unknown command', () => {
    assert.deepEqual(complete('vigil', 'frobnicate', '--'), []);
  });
});

describe('zsh and fish completions', () => {
  test('zsh reads _vigil', { skip: !hasShell('zsh') && 'zsh is not installed' }, () => {
    const result = spawnSync('zsh', ['-n', path.join(packageRoot, 'completions', '_vigil')], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  test("fish offers a command's flags", { skip: !hasShell('fish') && 'fish is not installed' }, () => {
    const file = path.join(packageRoot, 'completions', 'vigil.fish');
    const result = spawnSync('fish', ['--no-config', '-c', `source '${file}'; complete -C 'vigil status --'`], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    const offered = result.stdout.split('\n').map((line) => line.split('\t')[0]);
    for (const flag of ['--json', '--socket', '--watch']) assert.ok(offered.includes(flag), `${flag} not offered`);
  });
});
