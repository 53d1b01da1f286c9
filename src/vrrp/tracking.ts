// What an instance's tracked objects say about it: FAULT or not, and its effective priority.
// Pure: the observations (interfaces up or down, script statuses, track file values) come in,
// a verdict goes out. The rules are keepalived's (keepalived.conf(5) and vrrp_track.c):
//
//  - Interfaces and scripts are good or bad. Weight 0: bad means FAULT (`reverse`: good means
//    FAULT). A positive weight is added while good, a negative weight while bad; `reverse`
//    flips the sign of what is added, not when it is added.
//  - A track file's value is multiplied by the weight (negated by `reverse`); a product of
//    -254 or less means FAULT, more than 253 counts as 253. Weight 0: a non-zero value means
//    FAULT (`reverse`: zero means FAULT).
//  - A track process is good while its count of processes is within quorum..quorum_max, and
//    weighs like a script.
//  - A sync group's own track_* entries apply to every member, with their weights. What would
//    move one member alone was taken out of the config when it was read (config/keywords/
//    sync-tracking.ts), so every weight left counts, on members too.
//  - The effective priority is the configured one plus what the weights add, kept within
//    1..254. The address owner (255) keeps 255: weights never move it, faults still do.
import type { Config, TrackRef, VrrpInstance, VrrpScript } from '../config/index.js';
import type { Link } from '../net/rtnetlink.js';
import { OWNER_PRIORITY } from './machine.js';

/**
 * A vrrp_script as tracking sees it: `init` until its first run ends, then `ok` or `failed`
 * by rise and fall, or `disabled` when it may not run at all (refused by
 * enable_script_security, missing, not executable, unknown user): keepalived then drops it
 * from every instance's tracking, so it neither faults nor weighs.
 */
export type ScriptStatus = 'init' | 'ok' | 'failed' | 'disabled';

/** What ScriptHealth reports: a script that runs is never `disabled`. */
export type RunningScriptStatus = Exclude<ScriptStatus, 'disabled'>;

/** keepalived counts an interface as up when it is both administratively up and running. */
export function linkIsUp(link: Pick<Link, 'up' | 'running'>): boolean {
  return link.up && link.running;
}

/** `init_fail` starts a script failed; otherwise it waits in `init` for its first result. */
export function initialScriptStatus(script: Pick<VrrpScript, 'initFail'>): RunningScriptStatus {
  return script.initFail ? 'failed' : 'init';
}

/**
 * keepalived's rise/fall hysteresis for one vrrp_script, fed one result per run:
 * `rise` consecutive successes make a failed script OK, `fall` consecutive failures make an OK
 * script failed. From `init` the first result decides at once either way (keepalived starts
 * the counter one step short of both thresholds, "one success is enough").
 */
export class ScriptHealth {
  #status: RunningScriptStatus;
  /** Consecutive results against the current status. */
  #streak = 0;

  constructor(private readonly script: Pick<VrrpScript, 'rise' | 'fall' | 'initFail'>) {
    this.#status = initialScriptStatus(script);
  }

  get status(): RunningScriptStatus {
    return this.#status;
  }

  /** Records one run's result; returns the new status when it changed. */
  record(success: boolean): 'ok' | 'failed' | undefined {
    const towards = success ? 'ok' : 'failed';
    if (towards === this.#status) {
      this.#streak = 0;
      return undefined;
    }
    this.#streak++;
    const needed = this.#status === 'init' ? 1 : success ? this.script.rise : this.script.fall;
    if (this.#streak < needed) return undefined;
    this.#status = towards;
    this.#streak = 0;
    return towards;
  }
}

export interface TrackingObservations {
  /** Interface name → up (see linkIsUp). An interface missing here does not exist: down. */
  interfaces: ReadonlyMap<string, boolean>;
  /** vrrp_script name → status. A script missing here has its initial status. */
  scripts: ReadonlyMap<string, ScriptStatus>;
  /** track_file name → value. A file missing here reads 0, as keepalived reads a missing file. */
  files: ReadonlyMap<string, number>;
  /** vrrp_track_process name → quorum held. One missing here has no processes seen: down. */
  processes?: ReadonlyMap<string, boolean>;
}

export interface TrackingVerdict {
  /** Set when the instance must be in FAULT; names everything that failed. Wins over `waitingFor`. */
  fault?: string;
  /**
   * Set while a weight-0 script has not reported its first result: keepalived keeps the
   * instance in INIT (not started, not FAULT, no notify scripts) until it has. Scripts first
   * run at startup, so this lasts one run.
   */
  waitingFor?: string;
  /** Configured priority plus the weights that apply, within 1..254; 255 for the address owner. */
  effectivePriority: number;
}

/** Above this a track file's weighted value is cut; at its negation or below it means FAULT. */
const TRACK_FILE_LIMIT = 254;

type Effect = { fault: string } | { waiting: string } | { adjust: number };
const NO_EFFECT: Effect = { adjust: 0 };

/** keepalived's rule for something good or bad, such as an interface (up) or a script (OK). */
function goodOrBadEffect(good: boolean, weight: number, reverse: boolean, badReason: () => string): Effect {
  if (weight === 0) return good === reverse ? { fault: badReason() } : NO_EFFECT;
  const applies = good ? weight > 0 : weight < 0;
  return applies ? { adjust: reverse ? -weight : weight } : NO_EFFECT;
}

function fileEffect(name: string, value: number, weight: number, reverse: boolean): Effect {
  if (weight === 0) {
    if ((value !== 0) === reverse) return NO_EFFECT;
    return {
      fault: reverse
        ? `track_file ${name} holds 0 (weight 0 reverse)`
        : `track_file ${name} holds ${value} (weight 0: non-zero means FAULT)`,
    };
  }
  const weighted = value * weight * (reverse ? -1 : 1);
  if (weighted <= -TRACK_FILE_LIMIT) {
    return {
      fault: `track_file ${name} holds ${value}, which weighted (${weight}${reverse ? ' reverse' : ''}) is ${weighted}, at or below -${TRACK_FILE_LIMIT}`,
    };
  }
  return { adjust: Math.min(weighted, TRACK_FILE_LIMIT - 1) };
}

function definitionOf<T extends { name: string }>(
  definitions: readonly T[],
  ref: TrackRef,
  kind: string,
  instance: string,
): T {
  const found = definitions.find((d) => d.name === ref.name);
  // Config validation rejects unknown references, so this is a caller passing mismatched config.
  if (!found)
    throw new Error(`vrrp_instance ${instance} tracks ${kind} ${ref.name}, which the configuration does not define`);
  return found;
}

function scriptEffect(script: VrrpScript, ref: TrackRef, status: ScriptStatus): Effect {
  const weight = ref.weight ?? script.weight;
  const reverse = ref.reverse ?? script.weightReverse;
  switch (status) {
    case 'disabled':
      return NO_EFFECT;
    case 'init':
      // Weighted scripts add nothing until they report; weight-0 ones hold the instance back.
      return weight === 0 ? { waiting: `vrrp_script ${script.name} has not reported yet` } : NO_EFFECT;
    case 'ok':
    case 'failed':
      return goodOrBadEffect(status === 'ok', weight, reverse, () =>
        status === 'ok'
          ? `vrrp_script ${script.name} succeeded (weight 0 reverse)`
          : `vrrp_script ${script.name} failed`,
      );
  }
}

export type TrackingDefinitions = Pick<Config, 'scripts' | 'trackFiles'> &
  Partial<Pick<Config, 'trackProcesses' | 'syncGroups'>>;

/**
 * The entries of one kind that apply to `instance`: its own, then its sync group's. An object
 * tracked by both takes the group's weight, unless the instance's is 0 (keepalived's rule).
 */
function withGroupRefs(
  own: readonly TrackRef[],
  group: readonly TrackRef[],
  weightOf: (ref: TrackRef) => number,
): TrackRef[] {
  const refs = new Map(own.map((ref) => [ref.name, ref]));
  for (const ref of group) {
    const mine = refs.get(ref.name);
    if (!mine) refs.set(ref.name, ref);
    else if (weightOf(mine) !== 0) refs.set(ref.name, { ...mine, weight: weightOf(ref) });
  }
  return [...refs.values()];
}

function processDefinition(definitions: TrackingDefinitions, ref: TrackRef, instance: VrrpInstance) {
  return definitionOf(definitions.trackProcesses ?? [], ref, 'vrrp_track_process', instance.name);
}

function processEffect(definitions: TrackingDefinitions, ref: TrackRef, instance: VrrpInstance, up: boolean): Effect {
  const def = processDefinition(definitions, ref, instance);
  const reverse = ref.reverse ?? def.weightReverse;
  return goodOrBadEffect(up, ref.weight ?? def.weight, reverse, () =>
    up
      ? `track_process ${ref.name} has its quorum (weight 0 reverse)`
      : `track_process ${ref.name} lost its quorum of ${quorumText(def)} processes named ${def.process}`,
  );
}

const quorumText = (def: { quorum: number; quorumMax?: number }): string =>
  def.quorumMax === undefined ? `at least ${def.quorum}` : `${def.quorum}..${def.quorumMax}`;

/** Every tracked object's effect on `instance`, its own interface first. */
function effects(instance: VrrpInstance, definitions: TrackingDefinitions, observed: TrackingObservations): Effect[] {
  const isUp = (name: string) => observed.interfaces.get(name) ?? false;
  const group = definitions.syncGroups?.find((g) => g.members.includes(instance.name));
  const script = (ref: TrackRef) => definitionOf(definitions.scripts, ref, 'vrrp_script', instance.name);
  const file = (ref: TrackRef) => definitionOf(definitions.trackFiles, ref, 'track_file', instance.name);
  const process = (ref: TrackRef) => processDefinition(definitions, ref, instance);
  const all: Effect[] = [];
  if (!instance.dontTrackPrimary && !isUp(instance.interface))
    all.push({ fault: `interface ${instance.interface} is down` });
  for (const ref of withGroupRefs(instance.trackInterfaces, group?.trackInterfaces ?? [], (r) => r.weight ?? 0)) {
    const reverse = ref.reverse ?? false;
    all.push(
      goodOrBadEffect(isUp(ref.name), ref.weight ?? 0, reverse, () =>
        reverse ? `track_interface ${ref.name} is up (weight 0 reverse)` : `track_interface ${ref.name} is down`,
      ),
    );
  }
  for (const ref of withGroupRefs(
    instance.trackScripts,
    group?.trackScripts ?? [],
    (r) => r.weight ?? script(r).weight,
  )) {
    const def = script(ref);
    all.push(scriptEffect(def, ref, observed.scripts.get(ref.name) ?? initialScriptStatus(def)));
  }
  for (const ref of withGroupRefs(instance.trackFiles, group?.trackFiles ?? [], (r) => r.weight ?? file(r).weight)) {
    const def = file(ref);
    all.push(
      fileEffect(
        ref.name,
        observed.files.get(ref.name) ?? 0,
        ref.weight ?? def.weight,
        ref.reverse ?? def.weightReverse,
      ),
    );
  }
  const processes = withGroupRefs(
    instance.trackProcesses,
    group?.trackProcesses ?? [],
    (r) => r.weight ?? process(r).weight,
  );
  for (const ref of processes)
    all.push(processEffect(definitions, ref, instance, observed.processes?.get(ref.name) ?? false));
  return all;
}

/** The verdict of everything `instance` tracks, given what is observed now. */
export function evaluateTracking(
  instance: VrrpInstance,
  definitions: TrackingDefinitions,
  observed: TrackingObservations,
): TrackingVerdict {
  const faults: string[] = [];
  const waiting: string[] = [];
  let adjustment = 0;
  for (const effect of effects(instance, definitions, observed)) {
    if ('fault' in effect) faults.push(effect.fault);
    else if ('waiting' in effect) waiting.push(effect.waiting);
    else adjustment += effect.adjust;
  }
  const moved = (by: number) =>
    instance.priority === OWNER_PRIORITY
      ? OWNER_PRIORITY
      : Math.min(OWNER_PRIORITY - 1, Math.max(1, instance.priority + by));
  const verdict: TrackingVerdict = { effectivePriority: moved(adjustment) };
  if (faults.length > 0) verdict.fault = faults.join('; ');
  else if (waiting.length > 0) verdict.waitingFor = waiting.join('; ');
  return verdict;
}
