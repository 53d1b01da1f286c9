// The live demo's own keys, beside `vigil monitor`'s: each breaks or mends one thing in the lab
// and answers with a line for the monitor's log, so what happens next on screen has a cause.
import type { DirectorLab } from '../lab/director-lab.js';
import type { HttpLoad } from '../lab/http-load.js';
import type { ExtraKey } from '../src/tui/main.js';

/** How far back `c` looks at the client's requests. */
const CLIENT_WINDOW_MS = 5000;

async function toggleDirector(lab: DirectorLab): Promise<string> {
  if (lab.isRunning('r1')) {
    await lab.stopDirector('r1');
    return 'r1: vigild stopped (SIGTERM: it resigns), r2 takes the VIP';
  }
  await lab.startDirector('r1');
  return 'r1: vigild started: it takes the VIP back from r2 in ~4 s';
}

async function toggleWeb(lab: DirectorLab): Promise<string> {
  if (lab.isServing('r3')) {
    await lab.stopWeb('r3');
    return 'r3: web server stopped: its HTTP_GET check fails in ~3 s';
  }
  await lab.startWeb('r3');
  return 'r3: web server started: its next check brings it back';
}

/** What the client saw lately; without IPVS nothing forwards the VIP, which says why it fails. */
function clientView(load: HttpLoad, ipvs: boolean): string {
  const { answered, failed, byServer, lastFailure } = load.summary(CLIENT_WINDOW_MS);
  const servers = Object.entries(byServer).map(([server, count]) => `${server} ${count}`);
  const counts = `client, last ${CLIENT_WINDOW_MS / 1000} s: ${answered} of ${answered + failed} answered`;
  const why = failed === 0 ? '' : ipvs ? `; last failure ${lastFailure}` : ` (${lastFailure}: no IPVS here)`;
  return `${counts}${servers.length > 0 ? ` (${servers.join(', ')})` : ''}${why}`;
}

/** A key's failure is a line in the log too: the demo goes on. */
const answering =
  (action: () => Promise<string>): (() => Promise<string>) =>
  () =>
    action().catch((error: Error) => `failed: ${error.message.split('\n')[0]}`);

/** `ipvs`: whether the directors' kernel has IPVS (vigild's status says). */
export function demoKeys(lab: DirectorLab, load: HttpLoad, ipvs: boolean): ExtraKey[] {
  return [
    { key: 's', label: "r1's vigild", run: answering(() => toggleDirector(lab)) },
    { key: 'x', label: 'web r3', run: answering(() => toggleWeb(lab)) },
    { key: 'c', label: 'client', run: answering(async () => clientView(load, ipvs)) },
  ];
}
