// A direct-routing load balancer in a lab, for `npm run demo` on a terminal and the `vigil
// monitor` tests: directors r1 and r2 run vigild with examples/monitor/director1.conf and
// director2.conf (VIP 198.51.100.80, a virtual server on VIP:80 over two real servers), real
// servers r3 (198.51.100.13) and r4 (.14) run ./web-server.ts with the VIP on their loopback,
// and the client can send steady requests to the VIP (./http-load.ts).
//
// Direct routing: the master director's IPVS hands each connection to a real server by its MAC
// address, unchanged, and the real server answers the client itself from the VIP on its
// loopback; arp_ignore/arp_announce keep the real servers from answering ARP for the VIP, so the
// client reaches it through the master. Where the kernel has no IPVS, vigild says so and still
// runs VRRP and the checks: the client's requests to the VIP are then refused by the master.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpLoad } from './http-load.js';
import { Lab } from './lab.js';
import { example } from './paths.js';
import { VigildRouter } from './routers.js';

export const VIP = '198.51.100.80';
export const DIRECTORS = ['r1', 'r2'] as const;
export const REAL_SERVERS = ['r3', 'r4'] as const;
export type Director = (typeof DIRECTORS)[number];
export type RealServer = (typeof REAL_SERVERS)[number];

const webServer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'web-server.js');
const configOf = (director: Director) => example('monitor', `director${DIRECTORS.indexOf(director) + 1}.conf`);
/** A real server for direct routing: the VIP on lo, and no ARP answers or announcements for it. */
const DIRECT_ROUTING_SETUP = [
  `ip addr add ${VIP}/32 dev lo`,
  ...['all', 'eth0'].flatMap((dev) => [
    `echo 1 > /proc/sys/net/ipv4/conf/${dev}/arp_ignore`,
    `echo 2 > /proc/sys/net/ipv4/conf/${dev}/arp_announce`,
  ]),
].join('; ');

export class DirectorLab {
  readonly lab = new Lab();
  readonly directors = Object.fromEntries(DIRECTORS.map((d) => [d, new VigildRouter(this.lab, d)])) as Record<
    Director,
    VigildRouter
  >;
  private readonly running = new Set<Director>();
  private readonly web = new Map<RealServer, ChildProcess>();
  private load: HttpLoad | undefined;

  /** The namespaces, with the real servers set up for direct routing (nothing runs yet). */
  async up(): Promise<void> {
    await this.lab.up(DIRECTORS.length + REAL_SERVERS.length);
    await Promise.all(REAL_SERVERS.map((rs) => this.lab.exec(rs, ['bash', '-c', DIRECT_ROUTING_SETUP])));
  }

  /** The control socket of a director's vigild: the same path across its restarts. */
  socket(director: Director): string {
    return path.join(this.directors[director].dir, 'vigil.sock');
  }

  isRunning(director: Director): boolean {
    return this.running.has(director);
  }

  /** vigild with the director's shipped example config; resolves once it listens. */
  async startDirector(director: Director): Promise<void> {
    await this.directors[director].startFrom(configOf(director));
    this.running.add(director);
  }

  /** SIGTERM: as systemd stops it (a master resigns, priority 0). */
  async stopDirector(director: Director): Promise<void> {
    this.running.delete(director);
    await this.directors[director].stop();
  }

  isServing(rs: RealServer): boolean {
    return this.web.has(rs);
  }

  /** The real server's web service; resolves once it listens. */
  async startWeb(rs: RealServer): Promise<void> {
    const child = this.lab.spawn(rs, [process.execPath, webServer, rs]);
    this.web.set(rs, child);
    const listening = once(child.stdout!, 'data').then(() => true);
    const exited = once(child, 'exit').then(() => false);
    if (!(await Promise.race([listening, exited])))
      throw new Error(`the web server on ${rs} exited before it listened`);
  }

  async stopWeb(rs: RealServer): Promise<void> {
    const child = this.web.get(rs);
    this.web.delete(rs);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }

  /** The client asks the VIP every `intervalMs` from now on. */
  startLoad(intervalMs = 100): HttpLoad {
    this.load ??= new HttpLoad(this.lab, 'client', VIP, intervalMs);
    return this.load;
  }

  /** Stops everything and removes the lab. Never throws. */
  async down(): Promise<void> {
    this.running.clear();
    this.web.clear();
    this.load = undefined;
    await Promise.allSettled(DIRECTORS.map((d) => this.directors[d].cleanup()));
    await this.lab.down();
  }

  /** down() at once, for a process that is exiting (see Lab.downNow). */
  downNow(): void {
    this.lab.downNow();
    for (const director of DIRECTORS) rmSync(this.directors[director].dir, { recursive: true, force: true });
  }
}
