// VRRP routers in a lab node, whatever runs them (vigild here, keepalived in ./keepalived.ts),
// behind one interface, so a scenario can be written once and played with the roles either way.
// Both read the same keepalived.conf text, which vrrpConfig() writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DaemonUnreachableError, VigilClient } from '../src/api/client.js';
import type { InstanceStatus, ReloadResponse, StatusResponse, VrrpState } from '../src/api/schema.js';
import type { Lab, NodeName } from './lab.js';
import { DaemonProcess } from './processes.js';

/** A VRRP state, or DOWN when nothing runs VRRP on the node. */
export type RouterState = VrrpState | 'DOWN';

/** The instance name vrrpConfig() uses unless told otherwise. */
export const DEFAULT_INSTANCE = 'VI_1';

export interface LabRouter {
  readonly node: NodeName;
  /** What speaks VRRP on the node, for test names and messages. */
  readonly kind: 'vigild' | 'keepalived';
  /** Starts the daemon with this keepalived.conf text; resolves once its instances are running. */
  start(config: string): Promise<void>;
  /** SIGTERM, as an operator or systemd stops it: a master resigns with priority 0. */
  stop(): Promise<void>;
  state(instance?: string): Promise<RouterState>;
  /** What the daemon printed, for failure messages. */
  readonly log: string;
  /** Kills what is still running and removes its files. */
  cleanup(): Promise<void>;
}

export interface InstanceSpec {
  name?: string;
  version: 2 | 3;
  vrid: number;
  priority: number;
  /** Seconds; VRRPv2 takes whole seconds only. */
  advertInt: number;
  /** With its prefix length, e.g. 198.51.100.200/24. */
  vip: string;
  /** VRRPv2 `auth_pass`: the password of `auth_type PASS`, or the key of `auth_type AH`. */
  authPass?: string;
  /** VRRPv2 `auth_type` for `authPass`; PASS unless said. */
  authType?: 'PASS' | 'AH';
  /** Unicast adverts from `source` to each of `peers` (a peer line may carry min_ttl / max_ttl), instead of multicast; `ttl`: unicast_ttl. */
  unicast?: { source: string; peers: string[]; ttl?: number };
  /** `mcast_dst_ip`: a multicast group instead of 224.0.0.18 / ff02::12. */
  multicastGroup?: string;
}

/** keepalived.conf text for these instances, in the dialect both keepalived and vigild read. */
export function vrrpConfig(...instances: InstanceSpec[]): string {
  return instances.map(instanceBlock).join('\n');
}

function instanceBlock({
  name = DEFAULT_INSTANCE,
  version,
  vrid,
  priority,
  advertInt,
  vip,
  authPass,
  authType = 'PASS',
  unicast,
  multicastGroup,
}: InstanceSpec): string {
  const block = (keyword: string, lines: string[]) => [`${keyword} {`, ...lines.map((line) => `    ${line}`), '}'];
  const lines = [
    'state BACKUP',
    'interface eth0',
    `version ${version}`,
    `virtual_router_id ${vrid}`,
    `priority ${priority}`,
    `advert_int ${advertInt}`,
  ];
  if (authPass !== undefined)
    lines.push(...block('authentication', [`auth_type ${authType}`, `auth_pass ${authPass}`]));
  if (unicast) lines.push(`unicast_src_ip ${unicast.source}`, ...block('unicast_peer', unicast.peers));
  if (unicast?.ttl) lines.push(`unicast_ttl ${unicast.ttl}`);
  if (multicastGroup) lines.push(`mcast_dst_ip ${multicastGroup}`);
  lines.push(...block('virtual_ipaddress', [`${vip} dev eth0`]));
  return `${block(`vrrp_instance ${name}`, lines).join('\n')}\n`;
}

/** The address of a VIP written with its prefix length. */
export const vipAddress = (vip: string): string => vip.split('/')[0]!;

export const vipFamily = (vip: string): 4 | 6 => (vip.includes(':') ? 6 : 4);

/**
 * Polls `probe` every 50 ms until it returns true; after `timeoutMs` fails with what `explain`
 * says about the last attempt.
 */
export async function pollUntil(
  probe: () => Promise<boolean>,
  explain: () => string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`after ${timeoutMs} ms: ${explain()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits until every router is in its expected state for `instance` (an array lists the states
 * that will do). Fails with the states seen last and the routers' logs.
 */
export async function waitForStates(
  expected: [LabRouter, RouterState | RouterState[]][],
  { instance = DEFAULT_INSTANCE, timeoutMs = 10_000 } = {},
): Promise<void> {
  let states: RouterState[] = [];
  await pollUntil(
    async () => {
      states = await Promise.all(expected.map(([router]) => router.state(instance)));
      return expected.every(([, want], i) => [want].flat().includes(states[i]!));
    },
    () => {
      const seen = expected.map(
        ([router, want], i) =>
          `${router.kind} on ${router.node}: ${states[i]} (expected ${[want].flat().join(' or ')})`,
      );
      const logs = expected.map(([router]) => `--- ${router.kind} on ${router.node} ---\n${router.log.slice(-4000)}`);
      return `${instance}: ${seen.join('; ')}\n${logs.join('\n')}`;
    },
    timeoutMs,
  );
}

/** vigild in a lab node, its state read over the control API as `vigil status --json` would. */
export class VigildRouter implements LabRouter {
  readonly kind = 'vigild';
  /** Kept across restarts, as in production: the state dir holds the ledger of VIPs it added. */
  readonly dir = mkdtempSync(path.join(tmpdir(), 'vigil-lab-'));
  private daemon: DaemonProcess | undefined;

  constructor(
    private readonly lab: Lab,
    readonly node: NodeName,
  ) {}

  get log(): string {
    return this.daemon?.log ?? '';
  }

  /** vigild's process id while it runs (`ip netns exec` execs it, so this is vigild itself). */
  get pid(): number | undefined {
    return this.daemon?.child.pid;
  }

  async start(config: string): Promise<void> {
    this.daemon = this.newDaemon();
    this.daemon.writeConfig(config);
    await this.daemon.start();
  }

  /** Starts vigild on a config file where it is (a shipped example), as `vigild --config PATH`. */
  async startFrom(configPath: string): Promise<void> {
    this.daemon = this.newDaemon(configPath);
    await this.daemon.start();
  }

  private newDaemon(configPath?: string): DaemonProcess {
    // A new process object per start: DaemonProcess waits for a start-up line in its own log.
    // TMPDIR: keepalived's dumps go to this router's directory, as its keepalived twin's do.
    return new DaemonProcess({ netns: this.lab.ns(this.node), dir: this.dir, configPath, env: { TMPDIR: this.dir } });
  }

  async stop(): Promise<void> {
    await this.daemon?.stop();
  }

  /** Where vigild writes a keepalived dump (keepalived.data, .stats, .json). */
  dumpFile(name: string): string {
    return path.join(this.dir, name);
  }

  signal(signal: NodeJS.Signals | number): void {
    this.daemon?.signal(signal);
  }

  /** kill -9: the daemon dies without resigning or removing its VIPs, as in a crash. */
  async kill(): Promise<void> {
    this.daemon?.signal('SIGKILL');
    await this.daemon?.exited;
  }

  /** Writes `config` and reloads it over the control API, as `vigil reload` does. */
  async reload(config: string): Promise<ReloadResponse> {
    if (!this.daemon) throw new Error(`vigild on ${this.node} is not running`);
    this.daemon.writeConfig(config);
    const client = this.client();
    try {
      return await client.reload();
    } finally {
      await client.close();
    }
  }

  /** A client of the control socket (close it when done). */
  client(timeoutMs = 10_000): VigilClient {
    if (!this.daemon) throw new Error(`vigild on ${this.node} is not running`);
    return new VigilClient({ socket: this.daemon.socket, timeoutMs });
  }

  /** The daemon's status, or undefined when no vigild answers. */
  async status(): Promise<StatusResponse | undefined> {
    if (!this.daemon) return undefined;
    const client = new VigilClient({ socket: this.daemon.socket, timeoutMs: 2000 });
    try {
      return await client.status();
    } catch (err) {
      if (err instanceof DaemonUnreachableError) return undefined;
      throw err;
    } finally {
      await client.close();
    }
  }

  /** One instance's status; throws when vigild is down or does not run it. */
  async instance(name = DEFAULT_INSTANCE): Promise<InstanceStatus> {
    const found = (await this.status())?.instances.find((i) => i.name === name);
    if (!found) throw new Error(`vigild on ${this.node} does not report instance ${name}:\n${this.log.slice(-4000)}`);
    return found;
  }

  async state(instance = DEFAULT_INSTANCE): Promise<RouterState> {
    const status = await this.status();
    return status?.instances.find((i) => i.name === instance)?.state ?? 'DOWN';
  }

  async cleanup(): Promise<void> {
    await this.daemon?.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
