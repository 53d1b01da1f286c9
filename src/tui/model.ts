// What `vigil monitor` shows, kept current from vigild's status and event stream: the latest
// status with every event since folded in, an event log, and the short histories the sparklines
// and charts draw. Pure: no I/O and no timers; time comes in with each input.
//
// A snapshot and the stream race: events that vigild sent after it took a snapshot may arrive
// before the snapshot does, and folding them in first would let the older snapshot undo them. So
// the model keeps the last few seconds of events and, on a snapshot, folds in again those vigild
// sent after the snapshot's time (state only: they are in the log already).
import type {
  DaemonEvent,
  InstanceStatus,
  RealServerStatus,
  StatusResponse,
  VirtualServerStatus,
} from '../api/schema.js';
import { eventLine } from './event-lines.js';

export const LOG_LIMIT = 500;
export const HISTORY_LIMIT = 120;
/** Events kept for folding in again over a snapshot that was taken before they were sent. */
const REPLAY_LIMIT = 4096;
const REPLAY_WINDOW_MS = 10_000;

export interface Sample {
  at: number;
  value: number;
}

export interface LogEntry {
  at: number;
  /** The event's type, `connection` (lost, back) or `action` (an operator's request and its answer). */
  type: DaemonEvent['type'] | 'connection' | 'action';
  severity: 'info' | 'warn' | 'error';
  /** One line for people, e.g. `VI_1 BACKUP -> MASTER: master down`. */
  text: string;
}

export type Connection =
  | { state: 'connecting'; since: number }
  | { state: 'live'; since: number }
  | { state: 'lost'; since: number; reason: string };

export type MonitorInput =
  | { kind: 'status'; at: number; status: StatusResponse }
  | { kind: 'event'; at: number; event: DaemonEvent }
  | { kind: 'lost'; at: number; reason: string };

/** `ADDR:PORT` / `[v6]:PORT`: how events and requests name a real server. */
export function realServerName(rs: Pick<RealServerStatus, 'address' | 'port'>): string {
  return rs.address.includes(':') ? `[${rs.address}]:${rs.port}` : `${rs.address}:${rs.port}`;
}

const keyOf = (virtualServer: string, realServer: string) => `${virtualServer}\u0000${realServer}`;
const NO_SAMPLES: readonly Sample[] = Object.freeze([]);

function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}

/** A virtual server's connection rate: what its real servers (and sorry server) get, summed. */
function connectionRateOf(vs: VirtualServerStatus): number {
  const rates = vs.realServers.map((rs) => rs.kernel?.stats.connectionRate ?? 0);
  return rates.reduce((a, b) => a + b, vs.sorryServer?.kernel?.stats.connectionRate ?? 0);
}

export class MonitorModel {
  #version = 0;
  #connection: Connection;
  #status: StatusResponse | undefined;
  readonly #log: LogEntry[] = [];
  readonly #latency = new Map<string, Sample[]>();
  readonly #rates = new Map<string, Sample[]>();
  /** The lastCheck.at last sampled, by real server: a sample per completed check, not per read. */
  readonly #sampledCheck = new Map<string, string>();
  readonly #instances = new Map<string, InstanceStatus>();
  readonly #virtualServers = new Map<string, VirtualServerStatus>();
  readonly #realServers = new Map<string, RealServerStatus>();
  readonly #recent: { sentAt: number; event: DaemonEvent }[] = [];

  constructor(
    readonly socket: string,
    now = Date.now(),
  ) {
    this.#connection = { state: 'connecting', since: now };
  }

  get version(): number {
    return this.#version;
  }

  get connection(): Connection {
    return this.#connection;
  }

  get status(): StatusResponse | undefined {
    return this.#status;
  }

  get log(): readonly LogEntry[] {
    return this.#log;
  }

  latency(virtualServer: string, realServer: string): readonly Sample[] {
    return this.#latency.get(keyOf(virtualServer, realServer)) ?? NO_SAMPLES;
  }

  connectionRate(virtualServer: string): readonly Sample[] {
    return this.#rates.get(virtualServer) ?? NO_SAMPLES;
  }

  apply(input: MonitorInput): void {
    if (input.kind === 'status') this.#snapshot(input.status, input.at);
    else if (input.kind === 'lost') this.#lost(input.reason, input.at);
    else {
      this.#remember(input.event);
      this.#fold(input.event, input.at, true);
      const line = eventLine(input.event);
      if (line) this.#append({ at: input.at, type: input.event.type, ...line });
    }
    this.#version++;
  }

  note(at: number, severity: LogEntry['severity'], text: string): void {
    this.#append({ at, type: 'action', severity, text });
    this.#version++;
  }

  #append(entry: LogEntry): void {
    pushBounded(this.#log, entry, LOG_LIMIT);
  }

  #snapshot(status: StatusResponse, at: number): void {
    const takenAt = Date.parse(status.daemon.startedAt) + status.daemon.uptimeSeconds * 1000;
    this.#status = structuredClone(status);
    this.#index();
    for (const { sentAt, event } of this.#recent) if (sentAt >= takenAt) this.#fold(event, at, false);
    this.#sample(status.virtualServers, at);
    if (this.#connection.state !== 'live') this.#connected(status, at);
  }

  #connected(status: StatusResponse, at: number): void {
    const previous = this.#connection;
    this.#connection = { state: 'live', since: at };
    const who = `vigild ${status.daemon.version} (pid ${status.daemon.pid}) on ${this.socket}`;
    const text =
      previous.state === 'lost'
        ? `connected again to ${who} after ${((at - previous.since) / 1000).toFixed(1)} s`
        : `connected to ${who}`;
    this.#append({ at, type: 'connection', severity: 'info', text });
  }

  #lost(reason: string, at: number): void {
    if (this.#connection.state === 'lost') {
      this.#connection = { ...this.#connection, reason };
      return;
    }
    this.#connection = { state: 'lost', since: at, reason };
    this.#append({ at, type: 'connection', severity: 'error', text: `${reason}; retrying` });
  }

  #remember(event: DaemonEvent): void {
    const sentAt = Date.parse(event.at);
    pushBounded(this.#recent, { sentAt, event }, REPLAY_LIMIT);
    const stale = this.#recent.findIndex((e) => e.sentAt >= sentAt - REPLAY_WINDOW_MS);
    if (stale > 0) this.#recent.splice(0, stale);
  }

  #index(): void {
    this.#instances.clear();
    for (const i of this.#status?.instances ?? []) this.#instances.set(i.name, i);
    this.#indexVirtualServers();
  }

  #indexVirtualServers(): void {
    this.#virtualServers.clear();
    this.#realServers.clear();
    for (const vs of this.#status?.virtualServers ?? []) {
      this.#virtualServers.set(vs.name, vs);
      for (const rs of vs.realServers) this.#realServers.set(keyOf(vs.name, realServerName(rs)), rs);
    }
  }

  /** A latency sample per completed check; a rate sample per virtual server while IPVS counts. */
  #sample(virtualServers: VirtualServerStatus[], at: number): void {
    const counting = this.#status?.ipvs.available === true;
    for (const vs of virtualServers) {
      if (counting) this.#series(this.#rates, vs.name).push({ at, value: connectionRateOf(vs) });
      for (const rs of vs.realServers) {
        const key = keyOf(vs.name, realServerName(rs));
        if (!rs.lastCheck || this.#sampledCheck.get(key) === rs.lastCheck.at) continue;
        this.#sampledCheck.set(key, rs.lastCheck.at);
        this.#series(this.#latency, key).push({ at: Date.parse(rs.lastCheck.at), value: rs.lastCheck.latencyMs });
      }
    }
    for (const series of [...this.#rates.values(), ...this.#latency.values()]) {
      if (series.length > HISTORY_LIMIT) series.splice(0, series.length - HISTORY_LIMIT);
    }
  }

  #series(map: Map<string, Sample[]>, key: string): Sample[] {
    const series = map.get(key) ?? [];
    if (series.length === 0) map.set(key, series);
    return series;
  }

  /** An event's change to the state shown (events that change nothing shown only log); `sample`: record its figures in the histories. */
  #fold(event: DaemonEvent, at: number, sample: boolean): void {
    const status = this.#status;
    if (!status) return;
    if (event.type === 'vrrp.transition') this.#transition(event);
    else if (event.type === 'vrrp.operator') this.#operator(event);
    else if (event.type === 'realserver.health') this.#health(event);
    else if (event.type === 'realserver.drain') this.#drain(event);
    else if (event.type === 'virtualserver.quorum') this.#quorum(event);
    else if (event.type === 'vrrp.stats') {
      status.instances = structuredClone(event.instances);
      this.#index();
    } else if (event.type === 'ipvs.stats') {
      status.virtualServers = structuredClone(event.virtualServers);
      this.#indexVirtualServers();
      if (sample) this.#sample(status.virtualServers, at);
    }
  }

  #transition(event: Extract<DaemonEvent, { type: 'vrrp.transition' }>): void {
    const instance = this.#instances.get(event.instance);
    if (!instance) return;
    instance.state = event.to;
    instance.lastTransition = { at: event.at, from: event.from, to: event.to, reason: event.reason };
  }

  #drain(event: Extract<DaemonEvent, { type: 'realserver.drain' }>): void {
    const rs = this.#realServers.get(keyOf(event.virtualServer, event.realServer));
    if (!rs) return;
    rs.drained = event.drained;
    rs.drainedSince = event.drained ? event.at : undefined;
  }

  #quorum(event: Extract<DaemonEvent, { type: 'virtualserver.quorum' }>): void {
    const vs = this.#virtualServers.get(event.virtualServer);
    if (!vs) return;
    vs.quorumHolds = event.holds;
    vs.aliveWeight = event.aliveWeight;
    if (vs.sorryServer) vs.sorryServer.active = event.sorryServerActive;
  }

  #health(event: Extract<DaemonEvent, { type: 'realserver.health' }>): void {
    const rs = this.#realServers.get(keyOf(event.virtualServer, event.realServer));
    if (!rs) return;
    rs.health = event.health;
    rs.healthReason = event.reason;
    rs.healthSince = event.at;
    rs.dynamicWeight = event.dynamicWeight;
  }

  #operator(event: Extract<DaemonEvent, { type: 'vrrp.operator' }>): void {
    const instance = this.#instances.get(event.instance);
    if (instance) {
      instance.operator =
        event.mode === 'none'
          ? undefined
          : { mode: event.mode, by: event.by, since: event.at, until: event.until, handingOff: false };
    }
    const daemon = this.#status?.daemon;
    if (daemon && event.by === 'maintenance') {
      daemon.maintenance = event.mode === 'none' ? { on: false } : { on: true, since: event.at };
    }
  }
}
