// Two network namespaces joined by a veth pair, and an agent process in each that runs the
// net/ code there. Only tests create namespaces (with ip(8)); the product code never spawns ip.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { labUnavailable } from '../../../lab/lab.js';
import { waitFor } from '../../../lab/processes.js';
import { skipWithout } from '../../helpers/needs.js';

/** `skip` for suites that make namespaces: they need what a lab needs (root, ip). */
export const skipWithoutNamespaces = await skipWithout(labUnavailable);

/** Runs ip(8) and returns its stdout; a failure throws with ip's own message. */
export function ip(...args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`ip ${args.join(' ')} failed: ${stderr.trim() || (error as Error).message}`);
  }
}

interface IpLink {
  ifindex: number;
  ifname: string;
  address: string;
}

interface IpAddressInfo {
  family: string;
  local: string;
  prefixlen: number;
  label?: string;
  scope: string;
  tentative?: boolean;
  nodad?: boolean;
  deprecated?: boolean;
  preferred_life_time?: number;
}

/** `ip -j addr show dev LINK` in a namespace: what the kernel holds, for cross-checking. */
export function ipAddresses(namespace: string, link: string): IpAddressInfo[] {
  const [entry] = JSON.parse(ip('-n', namespace, '-j', 'addr', 'show', 'dev', link)) as {
    addr_info: IpAddressInfo[];
  }[];
  return entry?.addr_info ?? [];
}

export function ipLink(namespace: string, link: string): IpLink {
  const [entry] = JSON.parse(ip('-n', namespace, '-j', 'link', 'show', 'dev', link)) as IpLink[];
  if (!entry) throw new Error(`no link ${link} in ${namespace}`);
  return entry;
}

export interface Side {
  namespace: string;
  link: string;
  ipv4: string;
  ipv6: string;
  /** The link's fe80:: address: the source of IPv6 multicast VRRP. */
  linkLocal: string;
}

export interface VethPair {
  a: Side;
  b: Side;
  /** Deletes both namespaces (and with them the veth pair); safe to call twice. */
  destroy(): void;
}

/**
 * Namespaces vigil-a-XXXXXX and vigil-b-XXXXXX, a veth pair between them with
 * 198.51.100.1/24 + 2001:db8::1/64 on A and .2 / ::2 on B, both up, IPv6 usable at once.
 */
export async function createVethPair(): Promise<VethPair> {
  const suffix = randomBytes(3).toString('hex');
  const created: string[] = [];
  const destroy = (): void => {
    for (const namespace of created.splice(0)) {
      try {
        ip('netns', 'del', namespace);
      } catch {
        // already gone
      }
    }
  };
  try {
    const sides = (['a', 'b'] as const).map((name, i) => ({
      namespace: `vigil-${name}-${suffix}`,
      link: `v${name}${suffix}`,
      ipv4: `198.51.100.${i + 1}`,
      ipv6: `2001:db8::${i + 1}`,
    }));
    const [a, b] = sides as [(typeof sides)[0], (typeof sides)[0]];
    for (const side of sides) {
      ip('netns', 'add', side.namespace);
      created.push(side.namespace);
    }
    ip('-n', a.namespace, 'link', 'add', a.link, 'type', 'veth', 'peer', 'name', b.link, 'netns', b.namespace);
    for (const side of sides) {
      // No duplicate address detection, or the link-local address stays tentative (and
      // unusable as a source) for a second or more after the link comes up.
      execFileSync('ip', ['netns', 'exec', side.namespace, 'sysctl', '-qw', `net.ipv6.conf.${side.link}.accept_dad=0`]);
      ip('-n', side.namespace, 'addr', 'add', `${side.ipv4}/24`, 'dev', side.link);
      ip('-n', side.namespace, 'addr', 'add', `${side.ipv6}/64`, 'dev', side.link, 'nodad');
      ip('-n', side.namespace, 'link', 'set', 'lo', 'up');
      ip('-n', side.namespace, 'link', 'set', side.link, 'up');
    }
    const withLinkLocal = await Promise.all(
      sides.map(async (side) => {
        const linkLocal = await waitFor(
          `a link-local address on ${side.link}`,
          () =>
            ipAddresses(side.namespace, side.link).find(
              (x) => x.scope === 'link' && x.family === 'inet6' && !x.tentative,
            )?.local,
        );
        return { ...side, linkLocal };
      }),
    );
    return { a: withLinkLocal[0]!, b: withLinkLocal[1]!, destroy };
  } catch (error) {
    destroy();
    throw error;
  }
}

const agentScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'net-agent.js');

export type AgentEvent = { event: string } & Record<string, unknown>;

/**
 * A node process inside a namespace running fixtures/net-agent.js: `call` runs one operation
 * there and returns its result, `event` waits for something it reported (a received packet, a
 * link change).
 */
export class NetAgent {
  readonly events: AgentEvent[] = [];
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  readonly #exited: Promise<void>;
  #nextId = 1;
  #stderr = '';

  private constructor(namespace: string) {
    this.#child = spawn('ip', ['netns', 'exec', namespace, process.execPath, agentScript], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#child.stderr!.on('data', (chunk) => (this.#stderr += chunk));
    let buffered = '';
    this.#child.stdout!.on('data', (chunk) => {
      buffered += chunk;
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        this.#onLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    });
    this.#exited = new Promise((resolve) => this.#child.on('exit', () => resolve()));
    void this.#exited.then(() => {
      for (const { reject } of this.#pending.values()) reject(new Error(`net agent exited:\n${this.#stderr}`));
      this.#pending.clear();
    });
  }

  static async start(namespace: string): Promise<NetAgent> {
    const agent = new NetAgent(namespace);
    try {
      await agent.event('ready');
      return agent;
    } catch (error) {
      await agent.stop();
      throw error;
    }
  }

  call<T = unknown>(op: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.stdin!.write(`${JSON.stringify({ id, op, ...params })}\n`);
    });
  }

  /** The first event of this kind matching `match`, past or future; it is consumed. */
  async event(kind: string, match: (event: AgentEvent) => boolean = () => true, timeoutMs = 5000): Promise<AgentEvent> {
    try {
      return await waitFor(
        `a ${kind} event from the net agent`,
        () => {
          const index = this.events.findIndex((e) => e.event === kind && match(e));
          return index >= 0 && this.events.splice(index, 1)[0];
        },
        timeoutMs,
      );
    } catch (error) {
      throw new Error(
        `${(error as Error).message}; unclaimed events: ${JSON.stringify(this.events)}; agent stderr: ${this.#stderr || '(none)'}`,
      );
    }
  }

  /** Ends the agent (closing stdin makes it close its sockets and exit) and waits for it. */
  async stop(): Promise<void> {
    this.#child.stdin!.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 2000);
    await this.#exited;
    clearTimeout(timer);
  }

  #onLine(line: string): void {
    const message = JSON.parse(line) as {
      id?: number;
      result?: unknown;
      error?: { message: string; code?: string };
    } & AgentEvent;
    if (message.id === undefined) {
      this.events.push(message);
      return;
    }
    const pending = this.#pending.get(message.id);
    this.#pending.delete(message.id);
    if (message.error) pending?.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
    else pending?.resolve(message.result);
  }
}
