// The screen fits the terminal: never a line more than it has rows (Ink would clear and redraw
// the whole screen on every frame, which flickers), never a wrapped line, the selection always
// in view, and what does not fit counted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MonitorModel } from '../../../src/tui/model.js';
import { NOW, realServer, status, virtualServer } from './fixtures.js';
import { renderApp } from './screen.js';

/** Three virtual servers of a hundred real servers each. */
function crowded(): MonitorModel {
  const virtualServers = [10, 11, 12].map((vs) =>
    virtualServer({
      name: `198.51.100.${vs}:80`,
      realServers: Array.from({ length: 100 }, (_, i) =>
        realServer({
          address: `203.0.113.${i + 1}`,
          health: i % 7 === 0 ? 'down' : 'up',
          healthReason: 'TCP_CHECK: connection refused',
        }),
      ),
    }),
  );
  const model = new MonitorModel('/run/vigil/vigil.sock');
  model.apply({ kind: 'status', at: NOW, status: status({ virtualServers }) });
  for (let i = 0; i < 50; i++) model.note(NOW, 'info', `event ${i}`);
  return model;
}

const lines = (frame: string) => frame.split('\n');

function assertFits(frame: string, columns: number, rows: number): void {
  assert.ok(lines(frame).length < rows, `${lines(frame).length} lines on a terminal of ${rows} rows:\n${frame}`);
  for (const line of lines(frame)) assert.ok([...line].length <= columns, `wider than ${columns}: ${line}`);
}

describe('layout', () => {
  it('at 80x24 with 300 real servers: fewer lines than rows, the rest counted, the event log kept', async () => {
    const screen = await renderApp({ model: crowded() }, { columns: 80, rows: 24 });
    const frame = screen.frame();
    assertFits(frame, 80, 24);
    assert.match(frame, /… \+\d+ more \(\d+ below\)/);
    assert.match(frame, /EVENTS\n(.*\n){2,}/);
    assert.match(frame, /event 49/);
    assert.match(frame, /d drain/);
  });

  it('keeps the selected real server in view as it moves down the list', async () => {
    const screen = await renderApp({ model: crowded() }, { columns: 80, rows: 24 });
    await screen.press(...Array.from({ length: 60 }, () => 'j'));
    const frame = screen.frame();
    assertFits(frame, 80, 24);
    assert.match(frame, /^> +203\.0\.113\.59:80/m);
    assert.match(frame, /… \+\d+ more \(\d+ above, \d+ below\)/);
  });

  it('at 200x60 shows more rows and the reason column', async () => {
    const small = await renderApp({ model: crowded() }, { columns: 80, rows: 24 });
    const shownSmall = lines(small.frame()).filter((l) => /203\.0\.113\./.test(l)).length;
    small.unmount();
    const big = await renderApp({ model: crowded() }, { columns: 200, rows: 60 });
    const frame = big.frame();
    assertFits(frame, 200, 60);
    assert.ok(lines(frame).filter((l) => /203\.0\.113\./.test(l)).length > shownSmall + 20);
    assert.match(frame, /203\.0\.113\.1:80 +down .*TCP_CHECK: connection refused/);
  });

  it("at 80 columns keeps each row's reason: counters, interface, master and latency give way", async () => {
    const screen = await renderApp({ model: crowded() }, { columns: 80, rows: 24 });
    const frame = screen.frame();
    assert.match(frame, /^ {2}INSTANCE +STATE +HOLD +PRIO\/EFF +CHANGED +REASON$/m);
    assert.match(frame, /VI_1 +MASTER +150\/150 +12s ago +master down: no advert for/);
    assert.match(frame, /^ {4}VIRTUAL \/ REAL SERVER +HEALTH +DRAIN +ACT\/INACT +REASON$/m);
    assert.match(frame, /203\.0\.113\.1:80 +down +12\/340 +TCP_CHECK: conn/);
    screen.unmount();
    const wide = await renderApp({ model: crowded() }, { columns: 200, rows: 60 });
    assert.match(wide.frame(), /MASTER \(PRIO\) +CHANGED +ADVERTS RX\/TX +IF VRID +REASON/);
    assert.match(wide.frame(), /WGT\/KERN +DRAIN +ACT\/INACT +CHECK +LATENCY TREND +REASON/);
    wide.unmount();
  });

  it('lays out again when the terminal is resized', async () => {
    const screen = await renderApp({ model: crowded() }, { columns: 200, rows: 60 });
    await screen.resize(80, 24);
    assertFits(screen.frame(), 80, 24);
    await screen.resize(100, 12);
    assertFits(screen.frame(), 100, 12);
    assert.match(screen.frame(), /● live/);
  });
});
