// What the tests inside the IPVS guest share: ipvsadm, and an LVS-DR lab built on the
// namespace lab (../lab/lab.ts), so that cut/loss/heal work on its nodes too.
//
//   client 198.51.100.100 ──┐
//   r1 (director) .11 ──────┼── bridge (switch namespace)      VIP 198.51.100.80: on the director's
//   r2, r3 (real servers) ──┘   198.51.100.12, .13             eth0, and on each real server's lo
//
// Direct routing: the director's IPVS rewrites only the destination MAC, the real servers accept
// the VIP on lo and answer the client themselves; arp_ignore=1 / arp_announce=2 keep them from
// answering or announcing the VIP on the wire, so the client's ARP finds the director alone.
import { type ChildProcess, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ipv4Of, Lab, type NodeName } from '../../lab/lab.js';

const run = promisify(execFile);

/** Set by test/vm/ipvs-vm.sh in the guest; these tests skip anywhere else. */
export const outsideVm = process.env.VIGIL_IPVS_VM === '1' ? false : 'runs only in the IPVS guest: npm run test:vm';

/**
 * Runs ipvsadm in the guest's own namespace (or in `netns`) and returns its stdout. nsenter
 * rather than `ip netns exec`, which also sets up a mount namespace: tests poll the table, and
 * each exec costs the emulated guest most of a second of CPU.
 */
export async function ipvsadm(args: string[], netns?: string): Promise<string> {
  const { stdout } = await (netns
    ? run('nsenter', [`--net=/run/netns/${netns}`, 'ipvsadm', ...args])
    : run('ipvsadm', args));
  return stdout;
}

/** `ipvsadm -Ln ARGS` (in `netns`) without its three header lines, spaces folded: what a person compares. */
export async function listing(args: string[] = [], netns?: string): Promise<string[]> {
  const lines = (await ipvsadm(['-Ln', ...args], netns)).trim().split('\n').slice(3);
  return lines.map((l) => l.trim().replace(/\s+/g, ' '));
}

/** The destination rows of `listing(args)`: the columns after each `ADDRESS:PORT`, by it. */
export async function destinationRows(args: string[] = [], netns?: string): Promise<Map<string, string[]>> {
  const rows = (await listing(args, netns)).filter((l) => l.startsWith('-> ')).map((l) => l.split(' ').slice(1));
  return new Map(rows.map(([address, ...columns]) => [address!, columns]));
}

export const VIP = '198.51.100.80';
export const DIRECTOR: NodeName = 'r1';

// One tiny HTTP server per real server: answers every request with the node's name.
const SERVER = `require('node:http').createServer((q, s) => s.end(process.argv[1])).listen(80, () => console.log('listening'))`;
// The client, started once per lab (a node start costs seconds in the guest): for each line
// `COUNT` on its stdin, COUNT GETs of the VIP, each on a new connection (so each is scheduled
// anew), answered with one line: the names in order as JSON, or `{"error": MESSAGE}`.
const CLIENT = `const http = require('node:http'); const host = process.argv[1];
const get = () => new Promise((resolve, reject) => http.get({ host, agent: false, timeout: 5000 }, (r) => {
  let body = ''; r.on('data', (d) => (body += d)); r.on('end', () => resolve(body));
}).on('error', reject).on('timeout', function () { this.destroy(new Error('timed out')); }));
const fetchAll = async (count) => { const names = []; for (let i = 0; i < count; i++) names.push(await get()); return names; };
require('node:readline').createInterface({ input: process.stdin }).on('line', (count) =>
  fetchAll(+count).then((names) => console.log(JSON.stringify(names)), (e) => console.log(JSON.stringify({ error: e.message }))));`;

export class LvsLab extends Lab {
  readonly realServers: NodeName[] = [];
  private readonly httpServers = new Map<NodeName, ChildProcess>();
  private fetchDialog: LineDialog | undefined;

  /** Builds the client, the director (r1, VIP on eth0, no IPVS service yet) and `count` real servers (r2..) with the VIP on lo. */
  async upDr(count = 2): Promise<void> {
    await this.up(count + 1);
    await this.exec(DIRECTOR, ['ip', 'addr', 'add', `${VIP}/32`, 'dev', 'eth0']);
    for (let i = 2; i <= count + 1; i++) {
      const node: NodeName = `r${i}`;
      await this.exec(node, ['sysctl', '-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2']);
      await this.exec(node, ['ip', 'addr', 'add', `${VIP}/32`, 'dev', 'lo']);
      this.realServers.push(node);
    }
  }

  /** ipvsadm on the director. */
  ipvsadm(args: string[]): Promise<string> {
    return ipvsadm(args, this.ns(DIRECTOR));
  }

  /** A DR service VIP:80 on the director with every real server at weight 1. */
  async addDrService(scheduler = 'rr'): Promise<void> {
    await this.ipvsadm(['-A', '-t', `${VIP}:80`, '-s', scheduler]);
    for (const node of this.realServers)
      await this.ipvsadm(['-a', '-t', `${VIP}:80`, '-r', `${ipv4Of(node)}:80`, '-g', '-w', '1']);
  }

  /** Starts an HTTP server on port 80 of each node (every real server by default) and resolves once all listen. */
  async serveHttp(nodes: NodeName[] = this.realServers): Promise<void> {
    await Promise.all(
      nodes.map(
        (node) =>
          new Promise<void>((resolve, reject) => {
            const child = this.spawn(node, ['node', '-e', SERVER, node]);
            this.httpServers.set(node, child);
            let err = '';
            child.stderr?.on('data', (d) => (err += d));
            child.stdout?.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
            child.once('exit', (code) => reject(new Error(`HTTP server on ${node} exited ${code}: ${err}`)));
          }),
      ),
    );
  }

  /** Stops the HTTP server of `node`: its port 80 refuses connections from then on. */
  async stopHttp(node: NodeName): Promise<void> {
    const child = this.httpServers.get(node);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.httpServers.delete(node);
  }

  /** The names of the real servers that answered `count` GETs of http://VIP/ from the client, in order. */
  async fetchVip(count: number): Promise<string[]> {
    const answer = await this.fetcher().ask(String(count));
    const parsed = JSON.parse(answer) as string[] | { error: string };
    if (!Array.isArray(parsed)) throw new Error(`fetching http://${VIP}/ from the client: ${parsed.error}`);
    return parsed;
  }

  /** The client's fetch process, started on first use; Lab.down() ends it with the lab's other children. */
  private fetcher(): LineDialog {
    if (!this.fetchDialog || this.fetchDialog.exited) {
      this.fetchDialog = new LineDialog(
        this.spawn('client', ['node', '-e', CLIENT, VIP], { stdio: ['pipe', 'pipe', 'pipe'] }),
      );
    }
    return this.fetchDialog;
  }
}

/** A child that answers each line on its stdin with one line on its stdout. */
class LineDialog {
  exited = false;
  private buffered = '';
  private stderr = '';
  private waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;

  constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (d) => {
      this.buffered += d;
      const end = this.buffered.indexOf('\n');
      if (end < 0 || !this.waiting) return;
      const line = this.buffered.slice(0, end);
      this.buffered = this.buffered.slice(end + 1);
      this.waiting.resolve(line);
      this.waiting = undefined;
    });
    child.stderr!.on('data', (d) => (this.stderr += d));
    child.once('exit', (code, signal) => {
      this.exited = true;
      this.waiting?.reject(new Error(`the client exited (${signal ?? code}): ${this.stderr}`));
    });
  }

  /** Sends `line` and resolves with the answer; callers wait for one answer before asking again. */
  ask(line: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      if (this.exited) return reject(new Error(`the client exited: ${this.stderr}`));
      if (this.waiting) return reject(new Error('the client is still answering the previous question'));
      this.waiting = { resolve, reject };
      this.child.stdin!.write(`${line}\n`);
    });
  }
}
