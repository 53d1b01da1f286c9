// Real-server health checking: runs every real server's checkers on keepalived's schedule
// (random warmup, then delay_loop, with retries after delay_before_retry), keeps each real
// server's verdict (alive when all its checkers are up) and reports when a verdict or a
// dynamic weight changes. FILE_CHECKs have no schedule: the caller watches their track files
// and hands each new value in (trackFileChanged), which is their verdict at once. Time, processes and sockets come in through ports, so the schedule
// is tested with a fake clock and fake probes.
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import type {
  Checker,
  CheckerType,
  FileCheck,
  HttpCheck,
  MiscCheck,
  PingCheck,
  TcpCheck,
  TrackFile,
  UdpCheck,
} from '../config/index.js';
import { parseIp } from '../inet/address.js';
import type { Preparation, ScriptLauncher } from '../scripts/launcher.js';
import { readTrackFileValue } from '../track-file.js';
import { type DnsTarget, dnsTarget, probeDns } from './dns.js';
import { DueHeap } from './due-heap.js';
import { Fifo } from './fifo.js';
import { fileCheckWeight, fileVerdict } from './file.js';
import { type HttpTarget, probeHttp } from './http.js';
import { urlRule } from './http-exchange.js';
import { probeMisc } from './misc.js';
import { type PingTarget, probePing } from './ping.js';
import { probeSmtp, type SmtpTarget, smtpTarget, splitSmtpHosts } from './smtp.js';
import { probeTcp, type TcpTarget } from './tcp.js';
import { probeUdp, type UdpTarget } from './udp.js';
import { DEFAULT_UDP_PAYLOAD } from './udp-reply.js';
import { afterCheck, type CheckerState, type CheckOutcome, initialCheckerState } from './verdict.js';

/** The checkers that probe on a schedule. */
type ScheduledChecker = Exclude<Checker, FileCheck>;

function isScheduled(checker: Checker): checker is ScheduledChecker {
  return checker.type !== 'FILE_CHECK';
}

export interface RealServerTarget {
  /** Stable across reloads; the caller builds it, e.g. "tcp:198.51.100.10:80|198.51.100.21:80". */
  id: string;
  address: string;
  port: number;
  /** As configured: what a FILE_CHECK's weighted value is added to. */
  weight: number;
  checkers: readonly Checker[];
}

export interface RealServerHealth {
  alive: boolean;
  /** Set while a check sets the weight: MISC_CHECK misc_dynamic gave one, or a FILE_CHECK adds to it. */
  weight?: number;
  /** Why the RS is down (the failing checker's last reason, prefixed with the checker type, e.g. "TCP_CHECK: connection refused"); unset when alive. */
  reason?: string;
  /** Latency of the RS's most recent check, ms. */
  lastLatencyMs?: number;
  /** Wall-clock ms of the most recent check's end; unset before the first check. */
  lastCheckAt?: number;
  /** Wall-clock ms of the last alive/down change, or of when checking began. */
  since: number;
  /** False when the RS has no checker vigil runs (always alive). */
  checked: boolean;
}

export interface HealthPorts {
  /** Monotonic time and timers. */
  clock: Clock;
  /** Date.now: the times in RealServerHealth are for people. */
  wallClock: () => number;
  /** Math.random: spreads the first checks over the warmup. */
  random: () => number;
  launcher: ScriptLauncher;
  /** Injectable for unit tests. */
  probeTcp?: typeof probeTcp;
  /** Reads a track file's value for checkNow(); injectable for unit tests. */
  readTrackFile?: (file: string) => Promise<number>;
  /** Checks running at once across all real servers; default 1024. */
  maxConcurrent?: number;
}

export type HealthListener = (id: string, health: RealServerHealth, previous: RealServerHealth) => void;
/** Hears of every scheduled check's end, with the server's health after it. */
export type CheckListener = (id: string, health: RealServerHealth) => void;

/** One checker's outcome in a checkNow(). */
export interface CheckerResult {
  type: CheckerType;
  ok: boolean;
  latencyMs: number;
  /** Why it failed, prefixed with the checker type as in RealServerHealth. */
  reason?: string;
}

/** What checkNow() saw: `alive` when every checker passed. */
export interface CheckNowResult {
  alive: boolean;
  checkers: CheckerResult[];
}

/**
 * A bound on the daemon's sockets, and back-pressure: checks in flight are the rate times their
 * latency, so when replies slow down the limit holds further checks back (late) rather than
 * piling connections on slow servers until they time out (false downs). Measured in
 * bench:checks on a saturated host: at 8,192, 10,000 servers' checks timed out and flapped,
 * and vigild's main thread stalled with them (adverts up to a second late); at 1,024 every
 * verdict held. Thousands of blackholed servers, each holding a socket until connect_timeout, delay
 * the others' checks by as much.
 */
const DEFAULT_MAX_CONCURRENT = 1024;

/** One checker of one real server, between and during its checks. */
interface CheckerRun {
  checker: ScheduledChecker;
  server: ServerRun;
  state: CheckerState;
  /** Why its last check failed. */
  reason?: string;
  /** The weight its last success gave (misc_dynamic); kept through failures, which make the RS down anyway or are retried. */
  weight?: number;
  /** MISC_CHECK: the launcher's verdict on the script, kept once it is accepted. */
  preparation?: Promise<Preparation>;
  /** What its probe connects to and asks, built at the first check: a server's checkers never change. */
  probeTarget?: ProbeTarget;
  /** When its next check is due (the checker's clock), while it waits in the schedule. */
  due: number;
  seq: number;
}

/** One real server being checked. */
interface ServerRun {
  target: RealServerTarget;
  /** What a reload compares to decide whether this run goes on: the target without source positions. */
  definition: unknown;
  checkers: CheckerRun[];
  files: FileRun[];
  health: RealServerHealth;
  /** The checkNow() in progress, which a second request joins rather than probing twice. */
  checkingNow?: Promise<CheckNowResult>;
  /** Removed by a reload or stopped: no timers left, and results still to come are dropped. */
  retired: boolean;
}

/** One FILE_CHECK of one real server: its verdict is the file's last value. */
interface FileRun {
  checker: FileCheck;
  up: boolean;
  /** What it adds to the real server's weight while up. */
  offset: number;
  reason?: string;
}

/** The parts of a target that matter to its checks; `pos` fields only say where the config said it. */
function definitionOf(target: RealServerTarget): unknown {
  // Not the weight: a reload that only changes it keeps every check's state.
  const { address, port, checkers } = target;
  return JSON.parse(
    JSON.stringify({ address, port, checkers }, (key, value: unknown) => (key === 'pos' ? undefined : value)),
  );
}

/** A real server's verdict from its checkers' states; `since` is decided by the caller. */
function summarize(
  server: ServerRun,
  since: number,
  lastCheck: Pick<RealServerHealth, 'lastLatencyMs' | 'lastCheckAt'>,
): RealServerHealth {
  const down = failingRun(server);
  const weight = dynamicWeight(server);
  return {
    alive: down === undefined,
    ...(weight !== undefined && { weight }),
    ...(down && { reason: reasonOf(down) }),
    ...lastCheck,
    since,
    checked: server.checkers.length + server.files.length > 0,
  };
}

/** The first checker or file check that holds the server down. */
const failingRun = (server: ServerRun): CheckerRun | FileRun | undefined =>
  server.checkers.find((run) => !run.state.up) ?? server.files.find((run) => !run.up);

/** Why that check holds it down; a checker can be down without a reason only when alpha made it start down. */
const reasonOf = (down: CheckerRun | FileRun): string =>
  `${down.checker.type}: ${down.reason ?? 'not checked yet (alpha: down until a check passes)'}`;

/**
 * keepalived's effective weight: misc_dynamic's weight in place of the configured one, plus
 * what each FILE_CHECK adds; never below 0. Unset when no check sets it.
 */
function dynamicWeight(server: ServerRun): number | undefined {
  const misc = server.checkers.find((run) => run.weight !== undefined)?.weight;
  const offset = server.files.reduce((sum, run) => sum + run.offset, 0);
  if (misc === undefined && offset === 0) return undefined;
  return Math.max(0, (misc ?? server.target.weight) + offset);
}

/**
 * Checks real servers until stop(). update() says which; onChange hears when one's `alive` or
 * `weight` changes (not of every check, nor of what update() itself starts: read health());
 * onChecked, when given, of every scheduled check's end.
 */
export class HealthChecker {
  #servers = new Map<string, ServerRun>();
  /** Checks that are due but over the concurrency limit, oldest first; a removed server's are skipped. */
  readonly #waiting = new Fifo<CheckerRun>();
  /** Every check waiting for its time, soonest first, behind one timer. */
  readonly #scheduled = new DueHeap<CheckerRun>();
  #seq = 0;
  #timer: { at: number; cancel: () => void } | undefined;
  #inFlight = 0;
  readonly #maxConcurrent: number;
  readonly #probeTcp: typeof probeTcp;
  readonly #readTrackFile: (file: string) => Promise<number>;
  /** The track files FILE_CHECKs follow, with their last values, by name. */
  readonly #trackFiles = new Map<string, { file: TrackFile; value: number }>();

  constructor(
    private readonly ports: HealthPorts,
    private readonly onChange: HealthListener,
    private readonly onChecked?: CheckListener,
  ) {
    this.#maxConcurrent = ports.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
    this.#probeTcp = ports.probeTcp ?? probeTcp;
    this.#readTrackFile = ports.readTrackFile ?? readTrackFileValue;
  }

  /**
   * (Re)configures: targets whose id and definition (address, port and checkers, source
   * positions aside) are unchanged keep their state and schedule; new or changed ones start
   * afresh (alpha honoured); missing ones stop. Of duplicate ids, the first counts.
   */
  update(targets: readonly RealServerTarget[]): void {
    const next = new Map<string, ServerRun>();
    for (const target of targets) {
      if (next.has(target.id)) continue;
      const definition = definitionOf(target);
      const current = this.#servers.get(target.id);
      if (current && isDeepStrictEqual(current.definition, definition)) {
        this.#keep(current, target);
        next.set(target.id, current);
      } else {
        next.set(target.id, this.#start(target, definition));
      }
    }
    for (const [id, server] of this.#servers) if (next.get(id) !== server) this.#retire(server);
    this.#servers = next;
  }

  health(id: string): RealServerHealth | undefined {
    return this.#servers.get(id)?.health;
  }

  /**
   * A track file's value, first or new: every FILE_CHECK on it takes its verdict now, and
   * onChange hears of the servers whose verdict or weight this changed. Call it for each file
   * before update() names the servers that follow it, so they start from its value.
   */
  trackFileChanged(file: TrackFile, value: number): void {
    this.#trackFiles.set(file.name, { file, value });
    for (const server of this.#servers.values()) {
      const runs = server.files.filter((run) => run.checker.track.name === file.name);
      if (runs.length === 0) continue;
      for (const run of runs) this.#judgeFile(run);
      this.#report(server, {});
    }
  }

  /**
   * Runs every checker of one real server at once and says what each saw (undefined: no such
   * server). An operator's look, not part of the schedule: the verdict, the retry count and the
   * next check stay as they are, as keepalived knows of no such run. A second call while one is
   * in progress gets the same result.
   */
  checkNow(id: string): Promise<CheckNowResult> | undefined {
    const server = this.#servers.get(id);
    if (!server) return undefined;
    server.checkingNow ??= this.#checkNow(server).finally(() => {
      server.checkingNow = undefined;
    });
    return server.checkingNow;
  }

  /** Cancels every timer; checks in flight finish but report nothing. */
  stop(): void {
    for (const server of this.#servers.values()) this.#retire(server);
    this.#servers = new Map();
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #start(target: RealServerTarget, definition: unknown): ServerRun {
    const server: ServerRun = {
      target,
      definition,
      checkers: [],
      files: [],
      health: { alive: true, since: 0, checked: false },
      retired: false,
    };
    server.checkers = target.checkers
      .flatMap((checker): Checker[] => (checker.type === 'SMTP_CHECK' ? splitSmtpHosts(checker) : [checker]))
      .filter(isScheduled)
      .map((checker) => ({
        checker,
        server,
        state: initialCheckerState(checker.alpha, checker.retry),
        due: 0,
        seq: 0,
      }));
    server.files = target.checkers
      .filter((checker) => checker.type === 'FILE_CHECK')
      .map((checker) => this.#judgeFile({ checker, up: true, offset: 0 }));
    server.health = summarize(server, this.ports.wallClock(), {});
    // The random first delay keeps servers configured together from being checked together.
    for (const run of server.checkers) this.#schedule(run, this.ports.random() * run.checker.warmup * 1000);
    return server;
  }

  /** An unchanged server under a new config: only its configured weight may differ, which a FILE_CHECK adds to. */
  #keep(server: ServerRun, target: RealServerTarget): void {
    server.target = target;
    // Not reported: the caller reads every verdict again after update().
    server.health = summarize(server, server.health.since, lastCheckOf(server.health));
  }

  /** A FILE_CHECK's verdict from a value (unset: its file's last one; a file not handed in yet reads 0, as a missing one). */
  #judgeFile(run: FileRun, value?: number): FileRun {
    const tracked = this.#trackFiles.get(run.checker.track.name);
    const { weight, reverse } = tracked
      ? fileCheckWeight(run.checker, tracked.file)
      : { weight: run.checker.track.weight ?? 1, reverse: run.checker.track.reverse ?? false };
    const verdict = fileVerdict(run.checker.track.name, value ?? tracked?.value ?? 0, weight, reverse);
    run.up = verdict.up;
    run.offset = verdict.up ? verdict.offset : 0;
    run.reason = verdict.up ? undefined : verdict.reason;
    return run;
  }

  async #checkNow(server: ServerRun): Promise<CheckNowResult> {
    const scheduled = server.checkers.map(async (run) => {
      const outcome = await this.#probe(run).catch(
        (err: unknown): CheckOutcome => ({
          ok: false,
          latencyMs: 0,
          reason: `the check could not run: ${String(err)}`,
        }),
      );
      return checkerResult(run.checker.type, outcome);
    });
    const files = server.files.map(async (run) => {
      const tracked = this.#trackFiles.get(run.checker.track.name);
      const started = performance.now();
      const value = tracked ? await this.#readTrackFile(tracked.file.file) : 0;
      const latencyMs = performance.now() - started;
      // Judged on a copy: the watched value, not this read, stays the FILE_CHECK's verdict.
      const verdict = this.#judgeFile({ ...run }, value);
      const outcome: CheckOutcome = verdict.up
        ? { ok: true, latencyMs }
        : { ok: false, latencyMs, reason: verdict.reason ?? 'down' };
      return checkerResult(run.checker.type, outcome);
    });
    const checkers = await Promise.all([...scheduled, ...files]);
    return { alive: checkers.every((c) => c.ok), checkers };
  }

  #retire(server: ServerRun): void {
    // Its runs leave the schedule as they fall due.
    server.retired = true;
  }

  #schedule(run: CheckerRun, delayMs: number): void {
    run.due = this.ports.clock.now() + delayMs;
    run.seq = this.#seq++;
    this.#scheduled.push(run);
    this.#arm();
  }

  /** The one timer, for the soonest check due; re-armed only when that comes sooner. */
  #arm(): void {
    const next = this.#scheduled.peek();
    if (next === undefined || (this.#timer !== undefined && this.#timer.at <= next.due)) return;
    this.#timer?.cancel();
    this.#timer = {
      at: next.due,
      cancel: this.ports.clock.after(Math.max(0, next.due - this.ports.clock.now()), () => this.#fire()),
    };
  }

  #fire(): void {
    this.#timer = undefined;
    const now = this.ports.clock.now();
    for (let run = this.#scheduled.peek(); run !== undefined && run.due <= now; run = this.#scheduled.peek()) {
      this.#scheduled.pop();
      if (run.server.retired) continue;
      if (this.#inFlight < this.#maxConcurrent) void this.#check(run);
      else this.#waiting.push(run);
    }
    this.#arm();
  }

  async #check(run: CheckerRun): Promise<void> {
    this.#inFlight++;
    // Probes never reject; a test's or a future probe's bug must not end the checker's schedule.
    const outcome = await this.#probe(run).catch(
      (err: unknown): CheckOutcome => ({ ok: false, latencyMs: 0, reason: `the check could not run: ${String(err)}` }),
    );
    this.#inFlight--;
    // Before recording, so that a listener that throws cannot leave the waiting checks stuck.
    this.#startWaiting();
    if (!run.server.retired) this.#record(run, outcome);
  }

  #startWaiting(): void {
    while (this.#inFlight < this.#maxConcurrent) {
      const run = this.#waiting.shift();
      if (!run) return;
      if (!run.server.retired) void this.#check(run);
    }
  }

  async #probe(run: CheckerRun): Promise<CheckOutcome> {
    const { checker } = run;
    if (checker.type === 'MISC_CHECK') {
      run.preparation ??= this.ports.launcher.prepare(checker.path, checker.user);
      const preparation = await run.preparation;
      // A refused script is looked at again next time: the operator may have fixed it since.
      if (!preparation.ok) run.preparation = undefined;
      return probeMisc(this.ports.launcher, preparation, {
        timeoutMs: checker.timeout * 1000,
        dynamic: checker.dynamic,
      });
    }
    run.probeTarget ??= probeTargetOf(checker, run.server.target);
    const probe = run.probeTarget;
    switch (probe.type) {
      case 'TCP_CHECK':
        return this.#probeTcp(probe.target);
      case 'UDP_CHECK':
        return probeUdp(probe.target);
      case 'PING_CHECK':
        return probePing(probe.target);
      case 'SMTP_CHECK':
        return probeSmtp(probe.target);
      case 'DNS_CHECK':
        return probeDns(probe.target);
      case 'HTTP_GET':
        return probeHttp(probe.target);
    }
  }

  #record(run: CheckerRun, outcome: CheckOutcome): void {
    const verdict = afterCheck(run.state, outcome, run.checker);
    // In place, like the health below: what lives from one check to the next lives long enough
    // for the GC to promote it, and a fresh object a check was most of the thread's heap growth.
    run.state.up = verdict.state.up;
    run.state.failures = verdict.state.failures;
    if (outcome.ok) run.weight = outcome.weight;
    else run.reason = outcome.reason;
    // Measured from the end of this check, so a slow check never overlaps the next one.
    this.#schedule(run, verdict.nextInSeconds * 1000);

    const at = this.ports.wallClock();
    if (!this.#sameVerdict(run.server, outcome.latencyMs, at))
      this.#report(run.server, { lastLatencyMs: outcome.latencyMs, lastCheckAt: at });
    this.onChecked?.(run.server.target.id, run.server.health);
  }

  /**
   * The common case, thousands of times a second: alive and weight stay, so the health takes
   * the check's figures (and a down server's latest reason) in place. False when either changed.
   */
  #sameVerdict(server: ServerRun, latencyMs: number, at: number): boolean {
    const health = server.health;
    const down = failingRun(server);
    if ((down === undefined) !== health.alive || dynamicWeight(server) !== health.weight) return false;
    health.lastLatencyMs = latencyMs;
    health.lastCheckAt = at;
    if (down) health.reason = reasonOf(down);
    return true;
  }

  /** Summarizes a server again after a check or a file's news; onChange hears when its verdict or weight changed. */
  #report(server: ServerRun, check: Pick<RealServerHealth, 'lastLatencyMs' | 'lastCheckAt'>): void {
    const previous = server.health;
    const health = summarize(server, previous.since, { ...lastCheckOf(previous), ...check });
    if (health.alive !== previous.alive) health.since = this.ports.wallClock();
    server.health = health;
    if (health.alive !== previous.alive || health.weight !== previous.weight)
      this.onChange(server.target.id, health, previous);
  }
}

function lastCheckOf(health: RealServerHealth): Pick<RealServerHealth, 'lastLatencyMs' | 'lastCheckAt'> {
  const { lastLatencyMs, lastCheckAt } = health;
  return {
    ...(lastLatencyMs !== undefined && { lastLatencyMs }),
    ...(lastCheckAt !== undefined && { lastCheckAt }),
  };
}

function checkerResult(type: CheckerType, outcome: CheckOutcome): CheckerResult {
  const { ok, latencyMs } = outcome;
  return { type, ok, latencyMs, ...(!outcome.ok && { reason: `${type}: ${outcome.reason}` }) };
}

/** A socket checker's probe with what it connects to and asks (HTTP_GET stands for SSL_GET too). */
type ProbeTarget =
  | { type: 'TCP_CHECK'; target: TcpTarget }
  | { type: 'UDP_CHECK'; target: UdpTarget }
  | { type: 'PING_CHECK'; target: PingTarget }
  | { type: 'SMTP_CHECK'; target: SmtpTarget }
  | { type: 'DNS_CHECK'; target: DnsTarget }
  | { type: 'HTTP_GET'; target: HttpTarget };

function probeTargetOf(checker: Exclude<ScheduledChecker, MiscCheck>, server: RealServerTarget): ProbeTarget {
  switch (checker.type) {
    case 'TCP_CHECK':
      return { type: 'TCP_CHECK', target: tcpTarget(checker, server) };
    case 'UDP_CHECK':
      return { type: 'UDP_CHECK', target: udpTarget(checker, server) };
    case 'PING_CHECK':
      return { type: 'PING_CHECK', target: pingTarget(checker, server) };
    case 'SMTP_CHECK':
      return { type: 'SMTP_CHECK', target: smtpTarget(checker, server) };
    case 'DNS_CHECK':
      return { type: 'DNS_CHECK', target: dnsTarget(checker, server) };
    case 'HTTP_GET':
    case 'SSL_GET':
      return { type: 'HTTP_GET', target: httpTarget(checker, server) };
  }
}

function tcpTarget(checker: TcpCheck | HttpCheck, target: RealServerTarget): TcpTarget {
  return {
    host: checker.connectIp ?? target.address,
    port: checker.connectPort ?? target.port,
    ...(checker.bindTo !== undefined && { bindTo: checker.bindTo }),
    ...(checker.bindPort !== undefined && { bindPort: checker.bindPort }),
    ...(checker.bindIf !== undefined && { bindIf: checker.bindIf }),
    ...(checker.fwmark !== undefined && { fwmark: checker.fwmark }),
    timeoutMs: checker.connectTimeout * 1000,
  };
}

function udpTarget(checker: UdpCheck, target: RealServerTarget): UdpTarget {
  const host = checker.connectIp ?? target.address;
  return {
    host,
    port: checker.connectPort ?? target.port,
    family: parseIp(host)?.family ?? 4,
    payload: checker.payload !== undefined ? Buffer.from(checker.payload, 'hex') : DEFAULT_UDP_PAYLOAD,
    ...(checker.requireReply && {
      reply: {
        ...(checker.requireReply.pattern !== undefined && { pattern: checker.requireReply.pattern }),
        minLength: checker.minReplyLength,
        maxLength: checker.maxReplyLength,
      },
    }),
    ...routingOf(checker),
    timeoutMs: checker.connectTimeout * 1000,
  };
}

function pingTarget(checker: PingCheck, target: RealServerTarget): PingTarget {
  const host = checker.connectIp ?? target.address;
  return {
    host,
    family: parseIp(host)?.family ?? 4,
    ...(checker.bindIf !== undefined && { bindIf: checker.bindIf }),
    ...(checker.fwmark !== undefined && { fwmark: checker.fwmark }),
    timeoutMs: checker.connectTimeout * 1000,
  };
}

/** The connection options a UDP socket takes from the config. */
function routingOf(checker: UdpCheck): Partial<UdpTarget> {
  return {
    ...(checker.bindTo !== undefined && { bindTo: checker.bindTo }),
    ...(checker.bindPort !== undefined && { bindPort: checker.bindPort }),
    ...(checker.bindIf !== undefined && { bindIf: checker.bindIf }),
    ...(checker.fwmark !== undefined && { fwmark: checker.fwmark }),
  };
}

/** What an HTTP_GET or SSL_GET fetches: its urls with the checker's defaults, over connect_ip/connect_port. */
export function httpTarget(checker: HttpCheck, target: RealServerTarget): HttpTarget {
  const connection = tcpTarget(checker, target);
  return {
    ...connection,
    tls: checker.type === 'SSL_GET',
    sni: checker.enableSni,
    protocol: checker.httpProtocol,
    urls: checker.urls.map((url) => urlRule(url, checker, connection.host, connection.port)),
  };
}
