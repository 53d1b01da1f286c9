// `vigil monitor` end to end, as an operator sees it: the real CLI on a real terminal (tmux,
// 100x30) attached to a real vigild in the lab's load balancer (../../lab/director-lab.ts, the
// demo's), read back with capture-pane. The instance turns MASTER on screen, a real server goes
// down when its web server stops, `d` drains one after asking, and the screen survives vigild
// restarting: it says the connection is lost, then is live again with the instance back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DirectorLab, REAL_SERVERS } from '../../lab/director-lab.js';
import { labUnavailable } from '../../lab/lab.js';
import { vigil, vigilBin } from '../../lab/processes.js';
import { connection, instanceRow, realServerRow, selected } from '../helpers/monitor-screen.js';
import { commandOnPath, skipWithout } from '../helpers/needs.js';
import { TmuxScreen } from '../helpers/tmux.js';

const skip = await skipWithout(labUnavailable, commandOnPath('tmux'));
/** advert_int 1 s: a master after ~3.6 s without adverts (a busy host makes it later). */
const ELECTION_MS = 10_000;
/** HTTP_GET every 2 s with one retry after 1 s, 1 s connect timeout. */
const CHECK_DOWN_MS = 10_000;
/** The monitor retries with a backoff up to 5 s: the next try after vigild is back, and a margin. */
const RECONNECT_MS = 15_000;

describe('vigil monitor in tmux against vigild in the lab', { skip, timeout: 90_000 }, () => {
  const lab = new DirectorLab();
  const screen = new TmuxScreen();
  const status = async () =>
    JSON.parse((await vigil(['status', '--json', '--socket', lab.socket('r1')])).stdout) as {
      virtualServers: { realServers: { address: string; drained?: boolean }[] }[];
    };

  before(async () => {
    await lab.up();
    await Promise.all(REAL_SERVERS.map((rs) => lab.startWeb(rs)));
    await Promise.all([lab.startDirector('r1'), lab.startDirector('r2')]);
    await screen.start([vigilBin, 'monitor', '--socket', lab.socket('r1')], { cols: 100, rows: 30 });
  });
  after(async () => {
    await screen.kill();
    await lab.down();
  });

  test('it shows the instance turn MASTER', async () => {
    await screen.waitFor('VI_WEB as MASTER', instanceRow('VI_WEB', 'MASTER'), ELECTION_MS);
  });

  test('a real server goes down when its web server stops', async () => {
    await screen.waitFor('198.51.100.13 up', realServerRow('198.51.100.13:80', 'up'));
    await lab.stopWeb('r3');
    await screen.waitFor('198.51.100.13 down', realServerRow('198.51.100.13:80', 'down'), CHECK_DOWN_MS);
  });

  test('d on a real server asks, and once confirmed it shows drained', async () => {
    // Rows in screen order: VI_WEB, then 198.51.100.13:80, then 198.51.100.14:80; `>` marks the selection.
    await screen.keys('j');
    await screen.waitFor('198.51.100.13 selected', selected('198.51.100.13:80'));
    await screen.keys('j');
    await screen.waitFor('198.51.100.14 selected', selected('198.51.100.14:80'));
    await screen.keys('d');
    await screen.waitFor('the drain question', /Drain 198\.51\.100\.14:80/);
    await screen.keys('y');
    await screen.waitFor('198.51.100.14 drained', realServerRow('198.51.100.14:80', 'up', 'DRAINED'));
    const drained = (await status()).virtualServers[0]!.realServers.find((rs) => rs.address === '198.51.100.14');
    assert.equal(drained?.drained, true, 'vigild did not drain it');
  });

  test('vigild restarting: the screen says lost, then live again with the instance back', async () => {
    await lab.stopDirector('r1');
    await screen.waitFor('the connection lost', connection('lost'));
    await lab.startDirector('r1');
    const newPid = lab.directors.r1.pid;
    await screen.waitFor(
      `live again, on vigild pid ${newPid}`,
      [new RegExp(`pid ${newPid}\\b`), connection('live')],
      RECONNECT_MS,
    );
    await screen.waitFor('VI_WEB back as MASTER', instanceRow('VI_WEB', 'MASTER'), ELECTION_MS);
  });
});
