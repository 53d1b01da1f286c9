// The operator's keys: what each asks first, what it sends vigild, and what the screen answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../../src/api/client.js';
import { MonitorModel } from '../../../src/tui/model.js';
import { instance, NOW, status } from './fixtures.js';
import { FakeClient, KEY, renderApp } from './screen.js';

function setUp(s = status()) {
  const model = new MonitorModel('/run/vigil/vigil.sock');
  model.apply({ kind: 'status', at: NOW, status: s });
  return { model, client: new FakeClient() };
}

const selectedLine = (frame: string) => frame.split('\n').find((l) => l.startsWith('>')) ?? '';
const logged = (model: MonitorModel) => model.log.map((e) => `${e.severity} ${e.text}`);

describe('selection', () => {
  it('moves across instance and real-server rows with arrows and j/k, and stops at the ends', async () => {
    const { model, client } = setUp();
    const screen = await renderApp({ model, client });
    assert.match(selectedLine(screen.frame()), /VI_1/);
    await screen.press('j');
    assert.match(selectedLine(screen.frame()), /VI_2/);
    await screen.press(KEY.down);
    assert.match(selectedLine(screen.frame()), /203\.0\.113\.21:80/);
    await screen.press('j', 'j', 'j');
    assert.match(selectedLine(screen.frame()), /203\.0\.113\.22:80/);
    await screen.press(KEY.up, 'k');
    assert.match(selectedLine(screen.frame()), /VI_2/);
  });
});

describe('d and u: drain and undrain', () => {
  it('d on a real server asks, then y drains it in its virtual server and shows the answer', async () => {
    const { model, client } = setUp();
    const screen = await renderApp({ model, client });
    await screen.press('j', 'j', 'd');
    assert.match(screen.frame(), /Drain 203\.0\.113\.21:80 in 198\.51\.100\.10:80\? \(y\/n, Esc cancels\)/);
    assert.deepEqual(client.calls, []);
    await screen.press('y');
    const frame = await screen.until(
      /203\.0\.113\.21:80 in 198\.51\.100\.10:80: drained: new connections go elsewhere/,
    );
    assert.deepEqual(client.calls, [
      { method: 'drain', request: { realServer: '203.0.113.21:80', virtualServer: '198.51.100.10:80' } },
    ]);
    assert.match(frame, /EVENTS[\s\S]*\d\d:\d\d:\d\d 203\.0\.113\.21:80 in 198\.51\.100\.10:80: drained/);
    assert.match(logged(model).at(-1)!, /^info 203\.0\.113\.21:80 in 198\.51\.100\.10:80: drained/);
  });

  for (const [name, key] of [
    ['n', 'n'],
    ['Esc', KEY.escape],
  ] as const) {
    it(`${name} at the question sends nothing and says so`, async () => {
      const { model, client } = setUp();
      const screen = await renderApp({ model, client });
      await screen.press('j', 'j', 'd', key);
      await screen.until(/cancelled: nothing was sent/);
      assert.doesNotMatch(screen.frame(), /Drain 203/);
      assert.deepEqual(client.calls, []);
    });
  }

  it("u shows the daemon's refusal (an ApiError) on the prompt line and in the log", async () => {
    const { model, client } = setUp();
    const screen = await renderApp({ model, client });
    client.fail = new ApiError(409, 'refused', '203.0.113.22:80 is down by its checks: add force to undrain it anyway');
    await screen.press('j', 'j', 'j', 'u', 'y');
    await screen.until(/undrain 203\.0\.113\.22:80: 203\.0\.113\.22:80 is down by its checks/);
    assert.deepEqual(client.calls, [
      { method: 'undrain', request: { realServer: '203.0.113.22:80', virtualServer: '198.51.100.10:80' } },
    ]);
    assert.match(logged(model).at(-1)!, /^error undrain 203\.0\.113\.22:80: 203\.0\.113\.22:80 is down/);
  });

  it('d on an instance sends nothing and says what to select', async () => {
    const { model, client } = setUp();
    const screen = await renderApp({ model, client });
    await screen.press('d');
    await screen.until(/drain: select a real server first/);
    await screen.press('y');
    assert.deepEqual(client.calls, []);
  });
});

describe('f: failover', () => {
  it('on a MASTER asks to hand it off, and sends handoff', async () => {
    const { model, client } = setUp();
    const screen = await renderApp({ model, client });
    await screen.press('f');
    await screen.until(/Hand VI_1 off to a backup/);
    await screen.press('y');
    await screen.until(/VI_1: handoff done in 64 ms/);
    assert.deepEqual(client.calls, [{ method: 'failover', request: { action: 'handoff', instance: 'VI_1' } }]);
  });

  it('on a BACKUP asks to take over, and sends take', async () => {
    const { model, client } = setUp();
    const screen = await renderApp({ model, client });
    await screen.press('j', 'f');
    await screen.until(/Take VI_2 over as master/);
    await screen.press('y');
    await screen.until(/VI_2: take done/);
    assert.deepEqual(client.calls, [{ method: 'failover', request: { action: 'take', instance: 'VI_2' } }]);
  });

  it('on a held instance releases the hold', async () => {
    const held = instance({ state: 'BACKUP', operator: { mode: 'yield', by: 'failover', handingOff: false } });
    const { model, client } = setUp(status({ instances: [held] }));
    const screen = await renderApp({ model, client });
    await screen.press('f');
    await screen.until(/Release the operator hold on VI_1\?/);
    await screen.press('y');
    await screen.until(/VI_1: release done/);
    assert.deepEqual(client.calls, [{ method: 'failover', request: { action: 'release', instance: 'VI_1' } }]);
  });
});

describe('m: maintenance', () => {
  it('turns maintenance on when off, and off when on', async () => {
    const { model, client } = setUp();
    const screen = await renderApp({ model, client });
    await screen.press('m');
    await screen.until(/Maintenance on: hold every instance as backup/);
    await screen.press('y');
    await screen.until(/maintenance on$/m);
    const on = status();
    on.daemon.maintenance = { on: true };
    model.apply({ kind: 'status', at: NOW, status: on });
    await screen.press('m', 'y');
    await screen.until(/maintenance off$/m);
    assert.deepEqual(client.calls, [
      { method: 'maintenance', request: { on: true } },
      { method: 'maintenance', request: { on: false } },
    ]);
  });
});

describe('r: reload', () => {
  it('shows the dry run diff first, then applies on y', async () => {
    const { model, client } = setUp();
    client.reloadChanges = [
      { object: 'realServer', change: 'added', name: '203.0.113.23:80 in TCP 198.51.100.10:80' },
      { object: 'instance', change: 'changed', name: 'VI_1', detail: 'priority 150 -> 160, in place' },
    ];
    const screen = await renderApp({ model, client });
    await screen.press('r');
    const frame = await screen.until(/apply these 2 changes\?/);
    assert.match(frame, /\+ real server 203\.0\.113\.23:80 in TCP 198\.51\.100\.10:80/);
    assert.match(frame, /~ instance VI_1 \(priority 150 -> 160, in place\)/);
    assert.deepEqual(client.calls, [{ method: 'reload', request: { dryRun: true } }]);
    await screen.press('y');
    await screen.until(/reloaded: generation 4, 2 changes/);
    assert.deepEqual(client.calls.at(-1), { method: 'reload', request: {} });
  });

  it('n after the dry run applies nothing', async () => {
    const { model, client } = setUp();
    const screen = await renderApp({ model, client });
    await screen.press('r');
    await screen.until(/no changes/);
    await screen.press('n');
    await screen.until(/cancelled/);
    assert.deepEqual(client.calls, [{ method: 'reload', request: { dryRun: true } }]);
  });

  it('a config the dry run rejects shows its message and asks nothing', async () => {
    const { model, client } = setUp();
    client.fail = new ApiError(422, 'config_invalid', 'keepalived.conf:3:5: error: unknown keyword "priorty"');
    const screen = await renderApp({ model, client });
    await screen.press('r');
    await screen.until(/reload: dry run: keepalived\.conf:3:5: error: unknown keyword "priorty"/);
    assert.doesNotMatch(screen.frame(), /\(y\/n/);
  });
});

describe('/ filter, ? help, extra keys', () => {
  it('/ keeps the rows whose name or address holds the text; Esc clears it', async () => {
    const { model, client } = setUp();
    const screen = await renderApp({ model, client });
    await screen.press('/', '2', '2', KEY.enter);
    let frame = screen.frame();
    assert.match(frame, /203\.0\.113\.22:80/);
    assert.doesNotMatch(frame, /203\.0\.113\.21:80|VI_1|VI_2/);
    assert.match(frame, /\[filter \/22\]/);
    await screen.press(KEY.escape);
    frame = screen.frame();
    assert.match(frame, /203\.0\.113\.21:80/);
    assert.match(frame, /VI_1/);
  });

  it('? shows every key; the next key closes it', async () => {
    const { model, client } = setUp();
    const screen = await renderApp({ model, client }, { columns: 100, rows: 30 });
    await screen.press('?');
    const frame = screen.frame();
    assert.match(frame, /KEYS/);
    assert.match(frame, /d +drain the selected real server/);
    assert.match(frame, /r +reload the config: shows the dry run, then asks/);
    await screen.press(' ');
    assert.doesNotMatch(screen.frame(), /KEYS/);
    assert.deepEqual(client.calls, []);
  });

  it('an extra key runs and its line goes to the prompt line and the log', async () => {
    const { model, client } = setUp();
    let ran = 0;
    const extraKeys = [{ key: '1', label: "stop r1's vigild", run: async () => `stopped vigild on r1 (${++ran})` }];
    const screen = await renderApp({ model, client, extraKeys, banner: 'demo: press 1 to stop r1' });
    assert.match(screen.frame(), /^demo: press 1 to stop r1/);
    assert.match(screen.frame(), /1 stop r1's vigild/);
    await screen.press('1');
    await screen.until(/stopped vigild on r1 \(1\)/);
    assert.match(logged(model).at(-1)!, /^info stopped vigild on r1 \(1\)/);
  });
});
