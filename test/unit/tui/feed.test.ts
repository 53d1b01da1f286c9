// The monitor's feed: it folds vigild's events into the model as they come, re-reads status
// when an event says the model may be stale, tells its listeners once per burst, and rides out
// a vigild that goes away.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DaemonUnreachableError } from '../../../src/api/client.js';
import type { DaemonEvent, StatusResponse } from '../../../src/api/schema.js';
import { startFeed } from '../../../src/tui/feed.js';
import { MonitorModel } from '../../../src/tui/model.js';
import { at, healthEvent, statusFixture } from '../../helpers/status-fixture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A vigild whose stream yields what a test pushes, and which can go away and come back. */
class FakeDaemon {
  statusReads = 0;
  connections = 0;
  up = true;
  private push: ((event: DaemonEvent | undefined) => void) | undefined;
  private queue: (DaemonEvent | undefined)[] = [];

  status = async (): Promise<StatusResponse> => {
    this.statusReads++;
    return statusFixture({ uptimeSeconds: 10 + this.statusReads });
  };

  events = async function* (this: FakeDaemon): AsyncGenerator<DaemonEvent> {
    this.connections++;
    if (!this.up) throw new DaemonUnreachableError('/s', 'no such socket');
    yield { type: 'hello', at: at(10), generation: 1 };
    for (;;) {
      const event = this.queue.shift() ?? (await new Promise<DaemonEvent | undefined>((r) => (this.push = r)));
      if (event === undefined) return;
      yield event;
    }
  }.bind(this);

  send(event: DaemonEvent | undefined): void {
    const push = this.push;
    this.push = undefined;
    if (push) push(event);
    else this.queue.push(event);
  }
}

test('a burst of events is one notice; a reload re-reads status; a lost vigild is shown and picked up again', async () => {
  const daemon = new FakeDaemon();
  const model = new MonitorModel('/s');
  const feed = startFeed(daemon, model, { notifyIntervalMs: 20, initialBackoffMs: 5, maxBackoffMs: 10 });
  const state = () => model.connection.state;
  let notices = 0;
  feed.onChange(() => notices++);
  try {
    await sleep(50);
    assert.equal(state(), 'live');
    assert.equal(daemon.statusReads, 1, 'hello: one status read');

    notices = 0;
    for (let i = 0; i < 100; i++) daemon.send(healthEvent(20, i % 2 ? 'up' : 'down'));
    await sleep(60);
    assert.equal(notices, 1, 'a hundred events, one notice');
    assert.equal(model.status!.virtualServers[0]!.realServers[0]!.health, 'up');

    daemon.send({ type: 'config.reloaded', at: at(21), generation: 2, files: [], warnings: [] });
    await sleep(40);
    assert.equal(daemon.statusReads, 2, 'a reload: the status again');

    daemon.up = false;
    daemon.send(undefined);
    await sleep(40);
    assert.equal(state(), 'lost');
    assert.ok(daemon.connections > 2, 'it retries');
    daemon.up = true;
    await sleep(60);
    assert.equal(state(), 'live');
    assert.match(model.log.at(-1)!.text, /^connected again to vigild/);
  } finally {
    feed.close();
    daemon.send(undefined);
  }
});
