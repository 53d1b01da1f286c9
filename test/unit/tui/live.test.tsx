// The monitor live: vigild's events through the lead's feed onto the screen, a vigild that goes
// away said so plainly, and its return picked up without a key pressed.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DaemonUnreachableError } from '../../../src/api/client.js';
import { startFeed } from '../../../src/tui/feed.js';
import { MonitorModel } from '../../../src/tui/model.js';
import { FakeDaemon } from './fake-daemon.js';
import { NOW, status } from './fixtures.js';
import { renderApp } from './screen.js';

const lineWith = (frame: string, text: string) => frame.split('\n').find((l) => l.includes(text)) ?? '';

it('shows events as they come, says when vigild is lost and retried, and goes live again', async () => {
  const daemon = new FakeDaemon(status());
  const model = new MonitorModel(daemon.socket, NOW);
  const feed = startFeed(daemon, model, {
    notifyIntervalMs: 10,
    initialBackoffMs: 10,
    maxBackoffMs: 20,
    now: () => NOW,
  });
  try {
    const screen = await renderApp({ model, feed }, { columns: 160, rows: 30 });
    await screen.until(/● live/);
    assert.match(lineWith(screen.frame(), 'VI_2'), /BACKUP/);

    daemon.push({
      type: 'vrrp.transition',
      at: new Date(NOW).toISOString(),
      instance: 'VI_2',
      from: 'BACKUP',
      to: 'MASTER',
      reason: 'higher priority',
    });
    await screen.until(/VI_2 +MASTER/);
    assert.match(screen.frame(), /EVENTS[\s\S]*VI_2[^\n]*MASTER/);

    daemon.up = false;
    daemon.end(new DaemonUnreachableError(daemon.socket, 'no such socket'));
    const lost = await screen.until(/✖ lost/);
    assert.match(lost, /✖ lost 0s ago, retrying: .*no such socket/);
    assert.doesNotMatch(lost, /● live/);

    daemon.up = true;
    await screen.until(/● live/);
    assert.doesNotMatch(screen.frame(), /✖ lost/);
  } finally {
    feed.close();
  }
});
