// The control API: every request, response and event the daemon serves, the CLI sends and the
// TUI renders. The daemon validates requests with these schemas; tests validate responses with
// them. The CLI imports only the inferred types (`import type`) so that a command does not pay
// for loading zod at start-up.
import { z } from 'zod';

export const API_VERSION = 1;

/** A place in a config file, as `file:line:col`. */
const SourceRef = z.string();

export const Diagnostic = z.object({
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  line: z.int(),
  col: z.int(),
  message: z.string(),
  /** The whole diagnostic as `file:line:col: severity: message`, ready to print. */
  text: z.string(),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

/** RFC 5798 §6.4 states. INIT until the VRRP engine has started the instance. */
export const VrrpState = z.enum(['INIT', 'BACKUP', 'MASTER', 'FAULT']);
export type VrrpState = z.infer<typeof VrrpState>;

/**
 * An operator's hold on an instance (`vigil failover`, `vigil maintenance`): `yield` keeps it
 * backup, `take` keeps it master at priority 254. Absent from status when there is none.
 */
export const OperatorHold = z.object({
  mode: z.enum(['none', 'yield', 'take']),
  /** What holds it: maintenance wins over a failover hold while it is on. */
  by: z.enum(['failover', 'maintenance']).optional(),
  since: z.iso.datetime().optional(),
  /** When a `--hold` ends and the instance is released on its own. */
  until: z.iso.datetime().optional(),
  /** A master's hand-off is under way: priority 0 sent, VIPs kept until another router takes over. */
  handingOff: z.boolean(),
});
export type OperatorHold = z.infer<typeof OperatorHold>;

export const InstanceStatus = z.object({
  name: z.string(),
  interface: z.string(),
  vrid: z.int(),
  version: z.union([z.literal(2), z.literal(3)]),
  family: z.union([z.literal(4), z.literal(6)]),
  state: VrrpState,
  initialState: z.enum(['MASTER', 'BACKUP']),
  priority: z.int(),
  effectivePriority: z.int(),
  advertIntSeconds: z.number(),
  nopreempt: z.boolean(),
  /** Each VIP as written in keepalived.conf terms: `ADDR/PREFIX [dev IF]`. */
  vips: z.array(z.string()),
  syncGroup: z.string().optional(),
  /** The current master's primary address: ours when MASTER, the last accepted advert's sender when BACKUP. */
  masterAddress: z.string().optional(),
  /** The master's priority as last heard in its adverts: ours when MASTER. */
  masterPriority: z.int().optional(),
  /** Why the instance is in FAULT. */
  faultReason: z.string().optional(),
  operator: OperatorHold.optional(),
  lastTransition: z.object({ at: z.iso.datetime(), from: VrrpState, to: VrrpState, reason: z.string() }).optional(),
  counters: z.object({
    advertsSent: z.int(),
    advertsReceived: z.int(),
    priorityZeroSent: z.int(),
    priorityZeroReceived: z.int(),
    becameMaster: z.int(),
    releasedMaster: z.int(),
    announcements: z.int(),
    sendErrors: z.int(),
    /** Received adverts dropped, by reason (bad_checksum, auth_mismatch, ...). */
    drops: z.record(z.string(), z.int()),
  }),
  source: SourceRef,
});
export type InstanceStatus = z.infer<typeof InstanceStatus>;

/**
 * Health of a real server as vigild's checks see it: `unchecked` when it has no checker vigild
 * runs (it counts as up, as in keepalived).
 */
export const RealServerHealth = z.enum(['up', 'down', 'unchecked']);
export type RealServerHealth = z.infer<typeof RealServerHealth>;

/** What IPVS counts, as `ipvsadm -Ln --stats --exact` and `--rate` show it; rates per second. */
const IpvsStats = z.object({
  connections: z.number(),
  packetsIn: z.number(),
  packetsOut: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  connectionRate: z.number(),
  packetRateIn: z.number(),
  packetRateOut: z.number(),
  byteRateIn: z.number(),
  byteRateOut: z.number(),
});

/** A destination as the kernel's IPVS table has it (counts summed over a group's services). */
const KernelDestination = z.object({
  weight: z.int(),
  activeConns: z.int(),
  inactiveConns: z.int(),
  /** Persistence templates pointing at it (`ipvsadm -Ln --persistent-conn`). */
  persistConns: z.int(),
  stats: IpvsStats,
});

export const RealServerStatus = z.object({
  address: z.string(),
  port: z.int(),
  /** As configured. */
  weight: z.int(),
  health: RealServerHealth,
  /** Why it is down, e.g. `TCP_CHECK: connection refused`. */
  healthReason: z.string().optional(),
  /** When health last changed (or checking began). */
  healthSince: z.iso.datetime().optional(),
  /** The most recent completed check. */
  lastCheck: z.object({ at: z.iso.datetime(), latencyMs: z.number() }).optional(),
  /** A weight set by MISC_CHECK misc_dynamic, in place of `weight`. */
  dynamicWeight: z.int().optional(),
  /** Checker types configured for this real server, e.g. `HTTP_GET`. */
  checkers: z.array(z.string()),
  /** Drained by `vigil drain`: at weight 0 while its checks say up (out or 0 as they say otherwise), until `vigil undrain`. */
  drained: z.boolean(),
  /** When the drain began (it survives reloads and restarts). */
  drainedSince: z.iso.datetime().optional(),
  /** From the kernel's IPVS table; absent when the destination is not there (or IPVS is unavailable). */
  kernel: KernelDestination.optional(),
  source: SourceRef,
});
export type RealServerStatus = z.infer<typeof RealServerStatus>;

export const VirtualServerStatus = z.object({
  /** `ADDR:PORT` (`[v6]:PORT`), `fwmark N` or `group NAME`, as ipvsadm would name it. */
  name: z.string(),
  /** `FWM` for a fwmark virtual server, whatever protocol its packets have: ipvsadm's name. */
  protocol: z.enum(['TCP', 'UDP', 'SCTP', 'FWM']),
  scheduler: z.string(),
  lbKind: z.enum(['DR', 'NAT', 'TUN']),
  persistenceTimeoutSeconds: z.number().optional(),
  quorum: z.int(),
  hysteresis: z.int(),
  /** The summed weight of the live real servers, which quorum is measured against. */
  aliveWeight: z.int(),
  /** False once the live weight fell below quorum − hysteresis, until it reaches quorum + hysteresis. */
  quorumHolds: z.boolean(),
  /** In service (`active`) while quorum is lost. */
  sorryServer: z
    .object({ address: z.string(), port: z.int(), active: z.boolean(), kernel: KernelDestination.optional() })
    .optional(),
  realServers: z.array(RealServerStatus),
  source: SourceRef,
});
export type VirtualServerStatus = z.infer<typeof VirtualServerStatus>;

export const ConfigStatus = z.object({
  /** The main config file as given to vigild. */
  path: z.string(),
  /** Every file read for the running config, includes in order. */
  files: z.array(z.string()),
  loadedAt: z.iso.datetime(),
  /** Counts loads: 1 after start, +1 per accepted reload. */
  generation: z.int(),
  warnings: z.array(Diagnostic),
  /** The latest reload attempt, when it was rejected and the running config kept. */
  lastRejectedReload: z.object({ at: z.iso.datetime(), errors: z.array(Diagnostic) }).optional(),
});

export const DaemonStatus = z.object({
  version: z.string(),
  pid: z.int(),
  startedAt: z.iso.datetime(),
  uptimeSeconds: z.number(),
  socket: z.string(),
  readOnlySocket: z.string(),
  stateDir: z.string(),
  /** `vigil maintenance on`: every instance is held as backup (kept across restarts). */
  maintenance: z.object({ on: z.boolean(), since: z.iso.datetime().optional() }).optional(),
});

export const IpvsStatus = z.object({
  /** Whether vigild can program IPVS; false with `error` saying why (no module, no permission). */
  available: z.boolean(),
  error: z.string().optional(),
  /** Services vigild owns in the kernel (added or adopted). */
  ownedServices: z.int(),
});

export const StatusResponse = z.object({
  apiVersion: z.literal(API_VERSION),
  daemon: DaemonStatus,
  config: ConfigStatus,
  instances: z.array(InstanceStatus),
  ipvs: IpvsStatus,
  virtualServers: z.array(VirtualServerStatus),
});
export type StatusResponse = z.infer<typeof StatusResponse>;

/**
 * POST /v1/reload: the daemon re-reads the file it was started with. `dryRun`: validate it and
 * answer with the changes it would make, changing nothing.
 */
export const ReloadRequest = z.strictObject({ dryRun: z.boolean().optional() });
export type ReloadRequest = z.infer<typeof ReloadRequest>;

/** One change a reload makes (see src/daemon/reload-diff.ts). */
export const ReloadChange = z.object({
  object: z.enum(['instance', 'vip', 'virtualServer', 'realServer']),
  change: z.enum(['added', 'removed', 'changed']),
  /** `VI_1`, `198.51.100.10/24 on eth0`, `TCP 198.51.100.80:80`, `203.0.113.21:80 in TCP 198.51.100.80:80`. */
  name: z.string(),
  /** What changed and, for instances, how it is applied: `in place` or `restart: WHY`. */
  detail: z.string().optional(),
});
export type ReloadChange = z.infer<typeof ReloadChange>;

export const ReloadResponse = z.object({
  generation: z.int(),
  files: z.array(z.string()),
  warnings: z.array(Diagnostic),
  /** True when nothing was applied (`dryRun`): `generation` is then the running one. */
  dryRun: z.boolean(),
  changes: z.array(ReloadChange),
});
export type ReloadResponse = z.infer<typeof ReloadResponse>;

/**
 * POST /v1/checks/run (control socket only): run one real server's checks now. `realServer` is
 * `ADDR:PORT` (`[v6]:PORT`); `virtualServer`, as status names it (`ADDR:PORT`, `fwmark N`,
 * `group NAME`), is needed only when the real server is in several virtual servers.
 */
export const CheckRunRequest = z.strictObject({
  realServer: z.string().min(1),
  virtualServer: z.string().min(1).optional(),
});
export type CheckRunRequest = z.infer<typeof CheckRunRequest>;

export const CheckRunResponse = z.object({
  at: z.iso.datetime(),
  virtualServer: z.string(),
  realServer: z.string(),
  /** What the checks saw now: `up` when every checker passed, `unchecked` when it has none vigild runs. */
  result: RealServerHealth,
  checkers: z.array(
    z.object({
      type: z.string(),
      ok: z.boolean(),
      latencyMs: z.number(),
      /** Why it failed, e.g. `TCP_CHECK: connection refused`. */
      reason: z.string().optional(),
    }),
  ),
  /**
   * The daemon's verdict, which this run leaves as it is: only the regular schedule moves it
   * (its retries, delay_loop and alpha as keepalived has them).
   */
  verdict: RealServerStatus.pick({ health: true, healthReason: true, healthSince: true }),
});
export type CheckRunResponse = z.infer<typeof CheckRunResponse>;

/**
 * POST /v1/drain (control socket only): IPVS weight 0 for a real server, `ADDR:PORT`
 * (`[v6]:PORT`), in every virtual server holding it or in `virtualServer` alone (named as status
 * names it). Answered once the kernel has the new weight.
 */
export const DrainRequest = z.strictObject({
  realServer: z.string().min(1),
  virtualServer: z.string().min(1).optional(),
});
export type DrainRequest = z.infer<typeof DrainRequest>;

/**
 * POST /v1/undrain (control socket only): ends drains, giving back the weight the config and
 * checks give. `refused` while a check says the real server is down, unless `force`.
 */
export const UndrainRequest = DrainRequest.extend({ force: z.boolean().optional() });
export type UndrainRequest = z.infer<typeof UndrainRequest>;

/** The answer to a drain or an undrain: each real server it named, as status shows it after the change. */
export const DrainResponse = z.object({
  at: z.iso.datetime(),
  realServers: z.array(
    RealServerStatus.extend({
      virtualServer: z.string(),
      /** False when it already was (drain) or was not (undrain) drained. */
      changed: z.boolean(),
    }),
  ),
});
export type DrainResponse = z.infer<typeof DrainResponse>;

/**
 * POST /v1/failover (control socket only). `instance` or `group` names the target (neither: the
 * only instance); a sync group member stands for its whole group. `handoff` (on the master) and
 * `take` (on a backup) hold the instances until `release`, or for `holdSeconds`.
 */
export const FailoverRequest = z.strictObject({
  action: z.enum(['handoff', 'take', 'release']),
  instance: z.string().min(1).optional(),
  group: z.string().min(1).optional(),
  /** handoff: go backup even when no router takes over (the VIPs are then served by nobody). */
  force: z.boolean().optional(),
  holdSeconds: z.number().positive().optional(),
});
export type FailoverRequest = z.infer<typeof FailoverRequest>;

export const FailoverResponse = z.object({
  action: FailoverRequest.shape.action,
  /** Every instance the request applied to: the target, or all members of its sync group. */
  instances: z.array(z.string()),
  syncGroup: z.string().optional(),
  /** The master after a hand-off (another router's address), when one took over. */
  newMaster: z.string().optional(),
  /** From the request to the outcome reported here (for a hand-off: until the new master was heard). */
  elapsedMs: z.number(),
  until: z.iso.datetime().optional(),
  /** One line for people, e.g. `VI_1: handed off to 198.51.100.12 in 64 ms`. */
  message: z.string(),
});
export type FailoverResponse = z.infer<typeof FailoverResponse>;

/** POST /v1/maintenance (control socket only): every instance held as backup, or released. */
export const MaintenanceRequest = z.strictObject({ on: z.boolean() });
export type MaintenanceRequest = z.infer<typeof MaintenanceRequest>;

export const MaintenanceResponse = z.object({
  on: z.boolean(),
  since: z.iso.datetime().optional(),
  /** Each instance as the change left it; `newMaster` when another router took over from us. */
  instances: z.array(z.object({ name: z.string(), state: VrrpState, newMaster: z.string().optional() })),
  message: z.string(),
});
export type MaintenanceResponse = z.infer<typeof MaintenanceResponse>;

/** Every non-2xx answer. `code` is stable for scripts; `message` is for people. */
export const ErrorResponse = z.object({
  error: z.object({
    code: z.enum([
      'bad_request',
      'not_found',
      'method_not_allowed',
      'read_only',
      'payload_too_large',
      'headers_too_large',
      'unsupported_media_type',
      'request_timeout',
      'too_many_connections',
      'config_invalid',
      /** The request is understood but the daemon's state forbids it now (the message says why). */
      'refused',
      'checker_restarting',
      'internal',
    ]),
    message: z.string(),
    diagnostics: z.array(Diagnostic).optional(),
  }),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;
export type ErrorCode = ErrorResponse['error']['code'];

/** Events on GET /v1/events, one per SSE message (`event:` is the type, `data:` the JSON). */
export const DaemonEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), at: z.iso.datetime(), generation: z.int() }),
  z.object({
    type: z.literal('config.reloaded'),
    at: z.iso.datetime(),
    generation: z.int(),
    files: z.array(z.string()),
    warnings: z.array(Diagnostic),
  }),
  z.object({ type: z.literal('config.rejected'), at: z.iso.datetime(), errors: z.array(Diagnostic) }),
  z.object({ type: z.literal('daemon.stopping'), at: z.iso.datetime(), signal: z.string() }),
  z.object({
    type: z.literal('ipvs.reconciled'),
    at: z.iso.datetime(),
    /** Each kernel change made, e.g. `editDestination 203.0.113.21:80 in tcp:198.51.100.80:80`. */
    operations: z.array(z.string()),
    failed: z.int(),
  }),
  z.object({
    type: z.literal('ipvs.stats'),
    at: z.iso.datetime(),
    /** As in status: every virtual and real server with weights, health and the kernel's counters. */
    virtualServers: z.array(VirtualServerStatus),
  }),
  z.object({
    type: z.literal('vrrp.stats'),
    at: z.iso.datetime(),
    /** As in status: every instance with its state, effective priority, master as heard and advert counters. */
    instances: z.array(InstanceStatus),
  }),
  z.object({
    type: z.literal('realserver.health'),
    at: z.iso.datetime(),
    /** The virtual server's status name and the real server's `ADDR:PORT`. */
    virtualServer: z.string(),
    realServer: z.string(),
    health: z.enum(['up', 'down']),
    reason: z.string().optional(),
    dynamicWeight: z.int().optional(),
  }),
  z.object({
    type: z.literal('realserver.drain'),
    at: z.iso.datetime(),
    virtualServer: z.string(),
    realServer: z.string(),
    drained: z.boolean(),
    /** Why a drain ended other than by `vigil undrain` (its real server left the config). */
    reason: z.string().optional(),
  }),
  z.object({
    type: z.literal('virtualserver.quorum'),
    at: z.iso.datetime(),
    virtualServer: z.string(),
    holds: z.boolean(),
    aliveWeight: z.int(),
    quorum: z.int(),
    hysteresis: z.int(),
    sorryServerActive: z.boolean(),
  }),
  z.object({
    type: z.literal('vrrp.transition'),
    at: z.iso.datetime(),
    instance: z.string(),
    from: VrrpState,
    to: VrrpState,
    reason: z.string(),
  }),
  /** An operator hold on an instance changed (failover, maintenance, a --hold that ran out). */
  z.object({
    type: z.literal('vrrp.operator'),
    at: z.iso.datetime(),
    instance: z.string(),
    mode: OperatorHold.shape.mode,
    by: z.enum(['failover', 'maintenance']),
    until: z.iso.datetime().optional(),
  }),
  /**
   * This stream fell behind: its client read more slowly than events came, so the daemon skipped
   * `dropped` events from `since` on rather than buffer them. Sent once the client has caught
   * up; what it tracks from events (health, states) may be stale, so re-read GET /v1/status.
   */
  z.object({ type: z.literal('lagged'), at: z.iso.datetime(), dropped: z.int(), since: z.iso.datetime() }),
]);
export type DaemonEvent = z.infer<typeof DaemonEvent>;

/** `vigil check --json`: the outcome of validating a config file (also what a reload checks). */
export const ConfigCheckResult = z.object({
  ok: z.boolean(),
  path: z.string(),
  files: z.array(z.string()),
  summary: z.object({ instances: z.int(), virtualServers: z.int(), realServers: z.int() }).optional(),
  diagnostics: z.array(Diagnostic),
});
export type ConfigCheckResult = z.infer<typeof ConfigCheckResult>;
