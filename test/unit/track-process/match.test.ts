// Which processes a vrrp_track_process counts: keepalived's exact comparisons.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type MatchSpec, matchesProcess } from '../../../src/track-process/match.js';

const spec = (over: Partial<MatchSpec>): MatchSpec => ({
  process: 'nginx',
  params: [],
  paramMatch: 'none',
  fullCommand: false,
  ...over,
});
const proc = (comm: string, argv?: string[]) => ({ pid: 1, comm, argv });

describe('process matching', () => {
  it('compares the process name exactly, never as a pattern', () => {
    assert.equal(matchesProcess(spec({ process: 'ssh' }), proc('ssh')), true);
    assert.equal(matchesProcess(spec({ process: 'ssh' }), proc('sshd')), false);
    // The kernel keeps 15 bytes of a name: a longer configured one never matches it.
    assert.equal(matchesProcess(spec({ process: 'systemd-resolved' }), proc('systemd-resolve')), false);
  });

  it('with full_command compares argv[0], and the arguments only when param_match is set', () => {
    const full = spec({ process: '/usr/sbin/nginx', fullCommand: true });
    assert.equal(matchesProcess(full, proc('nginx', ['/usr/sbin/nginx', '-g', 'daemon off;'])), true);
    assert.equal(matchesProcess(full, proc('nginx', ['nginx'])), false);
    assert.equal(matchesProcess(full, proc('nginx')), false);
  });

  it('exact, partial and initial parameter matches', () => {
    const argv = ['/bin/sleep', '300', 'extra'];
    const exact = spec({ process: '/bin/sleep', fullCommand: true, params: ['300'], paramMatch: 'exact' });
    assert.equal(matchesProcess(exact, proc('sleep', argv)), false);
    assert.equal(matchesProcess(exact, proc('sleep', ['/bin/sleep', '300'])), true);
    assert.equal(matchesProcess({ ...exact, paramMatch: 'partial' }, proc('sleep', argv)), true);
    assert.equal(matchesProcess({ ...exact, params: ['30'], paramMatch: 'partial' }, proc('sleep', argv)), false);
    assert.equal(matchesProcess({ ...exact, params: ['30'], paramMatch: 'initial' }, proc('sleep', argv)), true);
    assert.equal(matchesProcess({ ...exact, params: ['3', 'ex'], paramMatch: 'initial' }, proc('sleep', argv)), false);
    // param_match without parameters: the command must have none.
    const bare = spec({ process: '/bin/sleep', fullCommand: true, paramMatch: 'exact' });
    assert.equal(matchesProcess(bare, proc('sleep', ['/bin/sleep'])), true);
    assert.equal(matchesProcess(bare, proc('sleep', argv)), false);
  });
});
