// Real-server health checking: runs every real server's checkers on keepalived's schedule
// (random warmup, then delay_loop, with retries after delay_before_retry), keeps each real
// server's verdict (alive when all its checkers are up) and reports when a verdict or a
// dynamic weight changes. Time, processes and sockets come in through ports, so the schedule
// is tested with a fake clock and fake probes.
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../clock.js';
import { type Checker, type HttpCheck, RUNNABLE_CHECKERS, type TcpCheck } from '../config/index.js';
import type { Preparation, ScriptLauncher } from '../scripts/launcher.js';
import { type HttpTarget, probeHttp } from './http.js';
import { urlRule } from './http-exchange.js';
import { probeMisc } from './misc.js';
import { probeTcp, type TcpTarget } from './tcp.js';
import { afterCheck, type CheckerState, type CheckOutcome, initialCheckerState } from './verdict.js';

// RUNNABLE_CHECKERS lives with the config types, so that the config layer can warn about the others.
type RunnableChecker = Extract<Checker, { type: (typeof RUNNABLE_CHECKERS)[number] }>;

function isRunnable(checker: Checker): checker is RunnableChecker {
  return (RUNNABLE_CHECKERS as readonly string[]).includes(checker.type);
}

export interface RealServerTarget {
  /** Stable across reloads; the caller builds it, e.g. "tcp:198.51.100.10:80|198.51.100.21:80". */
  id: string;
  address: string;
  port: number;
  checkers: readonly Checker[];
}

export interface RealServerHealth {
  alive: boolean;
  /** Set while a MISC_CHECK with misc_dynamic gave a weight. */
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
  /** Checks running at once across all real servers; default 256. */
  maxConcurrent?: number;
}

export type HealthListener = (id: string, health: RealServerHealth, previous: RealServerHealth) => void;

const DEFAULT_MAX_CONCURRENT = 256;

/** One checker of one real server, between and during its checks. */
interface CheckerRun {
  checker: RunnableChecker;
  server: ServerRun;
  state: CheckerState;
  /** Why its last check failed. */
  reason?: string;
  /** The weight its last success gave (misc_dynamic); kept through failures, which make the RS down anyway or are retried. */
  weight?: number;
  /** MISC_CHECK: the launcher's verdict on the script, kept once it is accepted. */
  preparation?: Promise<Preparation>;
  cancelTimer?: () => void;
}

/** One real server being checked. */
interface ServerRun {
  target: RealServerTarget;
  /** What a reload compares to decide whether this run goes on: the target without source positions. */
  definition: unknown;
  checkers: CheckerRun[];
  health: RealServerHealth;
  /** Removed by a reload or stopped: no timers left, and results still to come are dropped. */
  retired: boolean;
}

/** The parts of a target that matter to its checks; `pos` fields only say where the config said it. */
function definitionOf(target: RealServerTarget): unknown {
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
  const down = server.checkers.find((run) => !run.state.up);
  const weight = server.checkers.find((run) => run.weight !== undefined)?.weight;
  return {
    alive: down === undefined,
    ...(weight !== undefined && { weight }),
    // A checker can be down without a reason only when alpha made it start down.
    ...(down && {
      reason: `${down.checker.type}: ${down.reason ?? 'not checked yet (alpha: down until a check passes)'}`,
    }),
    ...lastCheck,
    since,
    checked: server.checkers.length > 0,
  };
}

/**
 * Checks real servers until stop(). update() says which; onChange hears when one's `alive` or
 * `weight` changes (not of every check, nor of what update() itself starts: read health()).
 */
export class HealthChecker {
  #servers = new Map<string, ServerRun>();
  /** Checks that are due but over the concurrency limit, oldest first; a Set so a removed server's can be taken out. */
  readonly #waiting = new Set<CheckerRun>();
  #inFlight = 0;
  readonly #maxConcurrent: number;
  readonly #probeTcp: typeof probeTcp;

  constructor(
    private readonly ports: HealthPorts,
    private readonly onChange: HealthListener,
  ) {
    this.#maxConcurrent = ports.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
    this.#probeTcp = ports.probeTcp ?? probeTcp;
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
      next.set(
        target.id,
        current && isDeepStrictEqual(current.definition, definition) ? current : this.#start(target, definition),
      );
    }
    for (const [id, server] of this.#servers) if (next.get(id) !== server) this.#retire(server);
    this.#servers = next;
  }

  health(id: string): RealServerHealth | undefined {
    return this.#servers.get(id)?.health;
  }

  /** Cancels every timer; checks in flight finish but report nothing. */
  stop(): void {
    for (const server of this.#servers.values()) this.#retire(server);
    this.#servers = new Map();
  }

  #start(target: RealServerTarget, definition: unknown): ServerRun {
    const server: ServerRun = {
      target,
      definition,
      checkers: [],
      health: { alive: true, since: 0, checked: false },
      retired: false,
    };
    server.checkers = target.checkers
      .filter(isRunnable)
      .map((checker) => ({ checker, server, state: initialCheckerState(checker.alpha, checker.retry) }));
    server.health = summarize(server, this.ports.wallClock(), {});
    // The random first delay keeps servers configured together from being checked together.
    for (const run of server.checkers) this.#schedule(run, this.ports.random() * run.checker.warmup * 1000);
    return server;
  }

  #retire(server: ServerRun): void {
    server.retired = true;
    for (const run of server.checkers) {
      run.cancelTimer?.();
      this.#waiting.delete(run);
    }
  }

  #schedule(run: CheckerRun, delayMs: number): void {
    run.cancelTimer = this.ports.clock.after(delayMs, () => {
      run.cancelTimer = undefined;
      if (this.#inFlight < this.#maxConcurrent) void this.#check(run);
      else this.#waiting.add(run);
    });
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
    for (const run of this.#waiting) {
      if (this.#inFlight >= this.#maxConcurrent) return;
      this.#waiting.delete(run);
      void this.#check(run);
    }
  }

  async #probe(run: CheckerRun): Promise<CheckOutcome> {
    const { checker, server } = run;
    switch (checker.type) {
      case 'TCP_CHECK':
        return this.#probeTcp(tcpTarget(checker, server.target));
      case 'HTTP_GET':
      case 'SSL_GET':
        return probeHttp(httpTarget(checker, server.target));
      case 'MISC_CHECK': {
        run.preparation ??= this.ports.launcher.prepare(checker.path, checker.user);
        const preparation = await run.preparation;
        // A refused script is looked at again next time: the operator may have fixed it since.
        if (!preparation.ok) run.preparation = undefined;
        return probeMisc(this.ports.launcher, preparation, {
          timeoutMs: checker.timeout * 1000,
          dynamic: checker.dynamic,
        });
      }
    }
  }

  #record(run: CheckerRun, outcome: CheckOutcome): void {
    const verdict = afterCheck(run.state, outcome, run.checker);
    run.state = verdict.state;
    if (outcome.ok) run.weight = outcome.weight;
    else run.reason = outcome.reason;
    // Measured from the end of this check, so a slow check never overlaps the next one.
    this.#schedule(run, verdict.nextInSeconds * 1000);

    const { server } = run;
    const previous = server.health;
    const checkedAt = this.ports.wallClock();
    const health = summarize(server, previous.since, { lastLatencyMs: outcome.latencyMs, lastCheckAt: checkedAt });
    if (health.alive !== previous.alive) health.since = checkedAt;
    server.health = health;
    if (health.alive !== previous.alive || health.weight !== previous.weight)
      this.onChange(server.target.id, health, previous);
  }
}

function tcpTarget(checker: TcpCheck | HttpCheck, target: RealServerTarget): TcpTarget {
  return {
    host: checker.connectIp ?? target.address,
    port: checker.connectPort ?? target.port,
    ...(checker.bindTo !== undefined && { bindTo: checker.bindTo }),
    ...(checker.bindPort !== undefined && { bindPort: checker.bindPort }),
    timeoutMs: checker.connectTimeout * 1000,
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
