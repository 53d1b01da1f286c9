// keepalived 2.2.7's corrections to tracking once the whole file is read (vrrp_complete_instance,
// sync_group_tracking_init). A sync group changes state as one, so a weight that would move one
// member alone has no place there; the address owner (255) has no weights at all. Each is a
// warning at the line, and the entry becomes what keepalived makes of it:
//  - a weighted track_script: dropped;
//  - a track_file of weight 1 (its default): weight 0 (non-zero means FAULT); of another weight: dropped;
//  - track_interface and track_process keep their weights. keepalived logs that it ignores an
//    interface's, but its running daemon still applies it (a member at 100 with `eth1 weight -30`
//    is at 70 while eth1 is down, not in FAULT), and so does vigil.
// Members keep their own weights when the group says sync_group_tracking_weight. The group's own
// track_* entries apply to every member with their weights (vrrp/tracking.ts), but not when a
// member is the owner: then they become weight 0.
import type { Config, SyncGroup, TrackRef, VrrpInstance } from '../types.js';
import type { BuildContext } from './table.js';

const OWNER = 255;

/** A reference's weight: its own, else its definition's (undefined for an undefined name: validation reports it). */
interface Weights {
  scriptWeight(ref: TrackRef): number | undefined;
  fileWeight(ref: TrackRef): number | undefined;
  processWeight(ref: TrackRef): number | undefined;
}

export function correctTrackingWeights(config: Config, ctx: BuildContext): void {
  const weights: Weights = {
    scriptWeight: (ref) => ref.weight ?? config.scripts.find((s) => s.name === ref.name)?.weight,
    fileWeight: (ref) => ref.weight ?? config.trackFiles.find((f) => f.name === ref.name)?.weight,
    processWeight: (ref) => ref.weight ?? config.trackProcesses.find((p) => p.name === ref.name)?.weight,
  };
  const groupOf = new Map(config.syncGroups.flatMap((g) => g.members.map((m) => [m, g] as const)));
  for (const instance of config.instances) {
    const group = groupOf.get(instance.name);
    if (instance.priority === OWNER)
      stripWeights(instance, 'the address owner (priority 255) has no weights', weights, ctx);
    else if (group && !group.trackingWeight)
      stripWeights(
        instance,
        `weights do not apply in sync group \`${group.name}\` without \`sync_group_tracking_weight\``,
        weights,
        ctx,
      );
  }
  for (const group of config.syncGroups) {
    const owners = config.instances.filter((i) => group.members.includes(i.name) && i.priority === OWNER);
    if (owners.length > 0) clearGroupWeights(group, owners[0]!.name, weights, ctx);
  }
}

function stripWeights(instance: VrrpInstance, why: string, weights: Weights, ctx: BuildContext): void {
  const say = (ref: TrackRef, what: string) =>
    ctx.warning(ref.pos, `vrrp_instance \`${instance.name}\`: ${what}: ${why}, as keepalived 2.2.7 does`);
  instance.trackScripts = instance.trackScripts.filter((ref) => {
    if (!weights.scriptWeight(ref)) return true;
    say(ref, `track_script ${ref.name} is not tracked, having a weight`);
    return false;
  });
  instance.trackFiles = instance.trackFiles.flatMap((ref) => {
    const weight = weights.fileWeight(ref);
    if (!weight) return [ref];
    if (weight === 1) {
      say(ref, `track_file ${ref.name} is tracked with weight 0, not its default 1 (non-zero means FAULT)`);
      return [{ ...ref, weight: 0 }];
    }
    say(ref, `track_file ${ref.name} is not tracked, having weight ${weight}`);
    return [];
  });
}

function clearGroupWeights(group: SyncGroup, owner: string, weights: Weights, ctx: BuildContext): void {
  const cleared = (ref: TrackRef, kind: string, weight: number | undefined): TrackRef => {
    if (!weight) return ref;
    ctx.warning(
      ref.pos,
      `vrrp_sync_group \`${group.name}\`: ${kind} ${ref.name} has weight 0, since member \`${owner}\` is the address owner (priority 255), as keepalived 2.2.7 does`,
    );
    return { ...ref, weight: 0 };
  };
  group.trackInterfaces = group.trackInterfaces.map((r) => cleared(r, 'track_interface', r.weight));
  group.trackScripts = group.trackScripts.map((r) => cleared(r, 'track_script', weights.scriptWeight(r)));
  group.trackFiles = group.trackFiles.map((r) => cleared(r, 'track_file', weights.fileWeight(r)));
  group.trackProcesses = group.trackProcesses.map((r) => cleared(r, 'track_process', weights.processWeight(r)));
}

type TrackKey = 'trackInterfaces' | 'trackScripts' | 'trackFiles' | 'trackProcesses';

/** The names some instance or sync group tracks with `key`: what must run or be watched. */
export function trackedNames(config: Pick<Config, 'instances' | 'syncGroups'>, key: TrackKey): Set<string> {
  return new Set([...config.instances, ...config.syncGroups].flatMap((owner) => owner[key].map((ref) => ref.name)));
}
