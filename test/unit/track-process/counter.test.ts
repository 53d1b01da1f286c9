// Counting tracked processes and the quorum verdict, with keepalived's delays, on a fake clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrackProcess } from '../../../src/config/index.js';
import { newTrackProcess } from '../../../src/config/keywords/track-process.js';
import { ProcessCounter } from '../../../src/track-process/counter.js';
import { FakeClock } from '../../helpers/fake-clock.js';

function counter(over: Partial<TrackProcess>) {
  const def = { ...newTrackProcess('web', { file: 'k', line: 1, col: 1 }), process: 'nginx', ...over };
  const clock = new FakeClock();
  const changes: string[] = [];
  const c = new ProcessCounter([def], clock, {
    quorumChanged: (name, up, count) => changes.push(`${name} ${up ? 'up' : 'down'} ${count}`),
  });
  return { c, clock, changes };
}
const nginx = (pid: number) => ({ pid, comm: 'nginx' });

describe('process counting', () => {
  it('the initial scan sets the quorum without reporting; later crossings report once', () => {
    const { c, changes } = counter({ quorum: 2 });
    c.scan([nginx(10), { pid: 11, comm: 'bash' }]);
    assert.deepEqual([c.isUp('web'), c.count('web')], [false, 1]);
    c.seen(nginx(12));
    c.seen(nginx(12)); // seen again (an exec of the same name): counted once
    c.seen(nginx(13));
    c.exited(10);
    c.exited(12);
    assert.deepEqual(changes, ['web up 2', 'web down 1']);
  });

  it('too many processes is down: quorum_max', () => {
    const { c, changes } = counter({ quorumMax: 1 });
    c.scan([nginx(10)]);
    c.seen(nginx(11));
    c.exited(11);
    assert.deepEqual(changes, ['web down 2', 'web up 1']);
  });

  it('a forked child counts with its parent, and a fork only counts after fork_delay', () => {
    const { c, clock, changes } = counter({ quorum: 2, forkDelay: 1 });
    c.scan([nginx(10)]);
    c.forked(10, 20);
    clock.advance(999);
    assert.deepEqual(changes, []);
    clock.advance(1);
    assert.deepEqual(changes, ['web up 2']);
    // A child that exits within the delay never brings the quorum.
    c.exited(20);
    c.forked(10, 21);
    c.exited(21);
    clock.advance(2000);
    assert.deepEqual(changes, ['web up 2', 'web down 1']);
  });

  it('terminate_delay rides out a restart; a rename counts at once', () => {
    const { c, clock, changes } = counter({ terminateDelay: 2 });
    c.scan([nginx(10)]);
    c.exited(10);
    clock.advance(1500);
    c.seen(nginx(11));
    clock.advance(5000);
    assert.deepEqual(changes, []);
    c.renamed(11, 'nginx-old');
    assert.deepEqual(changes, ['web down 0']);
    c.renamed(11, 'nginx');
    c.exited(11);
    clock.advance(2000);
    assert.deepEqual(changes, ['web down 0', 'web up 1', 'web down 0']);
  });

  it('quorum_max 0: up while none runs', () => {
    const { c, changes } = counter({ quorum: 0, quorumMax: 0 });
    c.scan([]);
    assert.equal(c.isUp('web'), true);
    c.seen(nginx(5));
    assert.deepEqual(changes, ['web down 1']);
  });
});
