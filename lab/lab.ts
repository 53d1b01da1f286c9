// A disposable network-namespace lab for multi-node tests, the benches and the demo (after
// ../shared/tools/netns-lab): routers r1..rN and a client on one bridge in a switch namespace,
// with impairments as nftables rules on the switch's ports so the nodes' own stacks stay untouched.
// Building one needs root, iproute2 and bash only (what every Debian has); nft is needed from the
// first impairment that drops frames (cut 'vrrp' or 'all', loss) on, and only then.
//
//   ns <prefix>sw:  bridge br0 ── p-r1 <veth> eth0 in <prefix>r1   198.51.100.11/24  2001:db8::11/64
//                             ── p-rN <veth> eth0 in <prefix>rN   198.51.100.(10+N)
//                             ── p-client <veth> eth0 in <prefix>client  198.51.100.100
//
// Only 198.51.100.0/24 and 2001:db8::/64 are used, and nothing is routed to the host. Every lab
// has its own random prefix, so labs of concurrent tests never collide; `down()` removes all of
// it, and a test must call it in a `finally`/`after` even when it fails.
import { type ChildProcess, execFile, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type NodeName = `r${number}` | 'client';
export type CutMode = 'link' | 'vrrp' | 'all';

export const NET4 = '198.51.100';
export const NET6 = '2001:db8::';

export function octetOf(node: NodeName): number {
  if (node === 'client') return 100;
  const index = Number(node.slice(1));
  if (!Number.isInteger(index) || index < 1 || index > 89) throw new Error(`router index 1..89 only, got ${node}`);
  return 10 + index;
}

export const ipv4Of = (node: NodeName) => `${NET4}.${octetOf(node)}`;
export const ipv6Of = (node: NodeName) => `${NET6}${octetOf(node)}`;
export const macOf = (node: NodeName) => `02:00:00:00:00:${octetOf(node).toString(16).padStart(2, '0')}`;

/** Why this process cannot build labs (not root, no `ip`), or undefined when it can. */
export async function labUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'network-namespace labs need root';
  return toolMissing('ip', 'iproute2');
}

/** Why labs here cannot drop frames (`cut` 'vrrp' or 'all', `loss`: no `nft`), or undefined when they can. */
export const impairmentsUnavailable = (): Promise<string | undefined> => toolMissing('nft', 'nftables');

async function toolMissing(tool: string, debianPackage: string): Promise<string | undefined> {
  try {
    await run(tool, ['-V']);
    return undefined;
  } catch {
    return `network-namespace labs need \`${tool}\` here (apt-get install ${debianPackage})`;
  }
}

/** A bash script that kills every process in `ns` and deletes it, and succeeds whatever it finds. */
const removal = (ns: string) =>
  `pids=$(ip netns pids ${ns} 2>/dev/null); [ -z "$pids" ] || kill -KILL $pids; ip netns del ${ns} 2>/dev/null; true`;

/** Where ip(8) keeps the names of network namespaces. */
const NETNS_DIR = '/run/netns';

/**
 * `ip netns exec NS` writing net.* sysctls through /proc/sys, which shows the namespace of the
 * writer: procps' sysctl(8) is not on every Debian, bash is.
 */
function sysctlIn(ns: string, settings: Record<string, 0 | 1>): string {
  const writes = Object.entries(settings).map(
    ([key, value]) => `echo ${value} > /proc/sys/${key.replaceAll('.', '/')}`,
  );
  return `ip netns exec ${ns} bash -c '${writes.join('; ')}'`;
}

export class Lab {
  /** VIGIL_LAB_PREFIX (default `vg`) leads it, so that sessions sharing a host can tell their namespaces apart. */
  readonly prefix = `${process.env.VIGIL_LAB_PREFIX ?? 'vg'}${randomBytes(3).toString('hex')}-`;
  readonly nodes: NodeName[] = [];
  private readonly children = new Set<ChildProcess>();
  /** The ip and nft scripts running now: down() lets them finish before it lists what to delete. */
  private readonly building = new Set<Promise<void>>();
  /** The nftables table of the impairments, installed by the first one that needs it. */
  private impairments: Promise<void> | undefined;

  get switchNs(): string {
    return `${this.prefix}sw`;
  }

  ns(node: NodeName): string {
    return `${this.prefix}${node}`;
  }

  /** Builds the switch, routers r1..rN and the client. */
  async up(routers: number): Promise<void> {
    await this.sh(`
      ip netns add ${this.switchNs}
      ip -n ${this.switchNs} link set lo up
      ${sysctlIn(this.switchNs, { 'net.ipv6.conf.all.disable_ipv6': 1, 'net.ipv6.conf.default.disable_ipv6': 1 })}
      ip -n ${this.switchNs} link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
      ip -n ${this.switchNs} link set br0 up`);
    const names: NodeName[] = [...Array.from({ length: routers }, (_, i) => `r${i + 1}` as NodeName), 'client'];
    for (const node of names) await this.addNode(node);
  }

  private async addNode(node: NodeName): Promise<void> {
    const ns = this.ns(node);
    const port = `p-${node}`;
    await this.sh(`
      ip netns add ${ns}
      ip -n ${ns} link set lo up
      ip -n ${this.switchNs} link add ${port} type veth peer name eth0 netns ${ns}
      ${sysctlIn(ns, {
        'net.ipv6.conf.all.accept_dad': 0,
        'net.ipv6.conf.default.accept_dad': 0,
        'net.ipv6.conf.eth0.accept_dad': 0,
        'net.ipv6.conf.eth0.router_solicitations': 0,
      })}
      ip -n ${ns} link set eth0 address ${macOf(node)}
      ip -n ${ns} addr add ${ipv4Of(node)}/24 dev eth0
      ip -n ${ns} addr add ${ipv6Of(node)}/64 dev eth0 nodad
      ip -n ${ns} link set eth0 up
      ip -n ${this.switchNs} link set ${port} master br0 up`);
    this.nodes.push(node);
  }

  /**
   * The switch's nftables table, with a cut and a loss chain for each node's port; installed once,
   * by the first impairment that drops frames, so that a lab that never drops any needs no nft.
   */
  private installImpairments(): Promise<void> {
    this.impairments ??= (async () => {
      const unavailable = await impairmentsUnavailable();
      if (unavailable) throw new Error(`cannot drop frames: ${unavailable}`);
      const ports = this.nodes.flatMap((node) =>
        ['cut', 'loss'].flatMap((kind) => [
          `add chain bridge lab ${kind}-${node}`,
          `add rule bridge lab ports iifname "p-${node}" jump ${kind}-${node}`,
          `add rule bridge lab ports oifname "p-${node}" jump ${kind}-${node}`,
        ]),
      );
      await this.nftScript(
        [
          'add table bridge lab',
          'add chain bridge lab ports { type filter hook forward priority 0; policy accept; }',
          ...ports,
        ].join('\n'),
      );
    })();
    return this.impairments;
  }

  /** `link`: the switch port goes down (the node sees no carrier); `vrrp`: VRRP and AH are dropped; `all`: every frame is dropped with the link up (a silent partition). */
  async cut(node: NodeName, mode: CutMode = 'link'): Promise<void> {
    const chain = `bridge lab cut-${node}`;
    switch (mode) {
      case 'link':
        return this.sh(`ip -n ${this.switchNs} link set p-${node} down`);
      case 'vrrp':
        return this.nft(
          `flush chain ${chain}\nadd rule ${chain} ip protocol { 51, 112 } drop\nadd rule ${chain} ip6 nexthdr { 51, 112 } drop`,
        );
      case 'all':
        return this.nft(`flush chain ${chain}\nadd rule ${chain} drop`);
    }
  }

  /** Drops `percent` % of the frames to and from `node` at random (0 clears it). */
  async loss(node: NodeName, percent: number): Promise<void> {
    const chain = `bridge lab loss-${node}`;
    const rule = percent >= 100 ? 'drop' : percent > 0 ? `numgen random mod 100 < ${percent} drop` : undefined;
    await this.nft(`flush chain ${chain}${rule ? `\nadd rule ${chain} ${rule}` : ''}`);
  }

  async heal(node: NodeName): Promise<void> {
    if (this.impairments) await this.nft(`flush chain bridge lab cut-${node}\nflush chain bridge lab loss-${node}`);
    await this.sh(`ip -n ${this.switchNs} link set p-${node} up`);
  }

  /** Runs a command to completion inside `node`; rejects with its output when it fails. */
  async exec(node: NodeName | 'sw', argv: string[]): Promise<{ stdout: string; stderr: string }> {
    const ns = node === 'sw' ? this.switchNs : this.ns(node);
    return run('ip', ['netns', 'exec', ns, ...argv], { maxBuffer: 16 * 1024 * 1024 });
  }

  /** Whether `node` has `address` on its eth0, as the kernel says (not as a daemon claims). */
  async holds(node: NodeName, address: string): Promise<boolean> {
    const { stdout } = await this.exec(node, ['ip', '-j', 'addr', 'show', 'dev', 'eth0']);
    const [link] = JSON.parse(stdout) as { addr_info: { local: string }[] }[];
    return link?.addr_info.some((a) => a.local === address) ?? false;
  }

  /** Starts a long-running process inside `node`; `down()` ends it if the test did not. */
  spawn(node: NodeName, argv: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns(node), ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Ends every process the lab started and deletes every namespace it made. Never throws. */
  async down(): Promise<void> {
    // Called while up() still runs (on Ctrl-C), it waits for the node being built to be there.
    await Promise.allSettled([...this.building]);
    await Promise.all(
      [...this.children].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    // Anything else still living in the namespaces (e.g. started through exec) goes too. Every
    // namespace with the prefix goes, also one whose node was interrupted half-built.
    for (const ns of this.namespaces()) await this.sh(removal(ns)).catch(() => undefined);
    this.nodes.length = 0;
    this.impairments = undefined;
  }

  /**
   * down() at once, for a process that is exiting (the 'exit' event: nothing async runs any
   * more): kills whatever runs in the namespaces and deletes them. Never throws.
   */
  downNow(): void {
    for (const ns of this.namespaces()) spawnSync('bash', ['-c', removal(ns)]);
    this.nodes.length = 0;
  }

  /** The namespaces of this lab that exist now. */
  namespaces(): string[] {
    try {
      return readdirSync(NETNS_DIR).filter((name) => name.startsWith(this.prefix));
    } catch {
      return []; // no namespace at all on this host
    }
  }

  /** Runs an nft script on the switch, installing the impairments' table first. */
  private async nft(script: string): Promise<void> {
    await this.installImpairments();
    await this.nftScript(script);
  }

  private async nftScript(script: string): Promise<void> {
    await this.sh(`ip netns exec ${this.switchNs} nft -f - <<'NFT'\n${script}\nNFT`);
  }

  private sh(script: string): Promise<void> {
    const done = run('bash', ['-euo', 'pipefail', '-c', script]).then(() => undefined);
    this.building.add(done);
    const settled = () => this.building.delete(done);
    done.then(settled, settled);
    return done;
  }
}
