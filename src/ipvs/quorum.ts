// keepalived's quorum for a virtual server: the summed weight of its live real servers against
// `quorum`, with `hysteresis` so a pool hovering at the threshold does not flap the sorry server
// in and out. Pure.
import type { VirtualServer } from '../config/index.js';
import { type TableInputs, verdictOf } from './desired.js';

/** The weight of the real servers that are alive now (a check-set weight counts as theirs). */
export function aliveWeight(vs: VirtualServer, health: TableInputs['health']): number {
  return vs.realServers.reduce((sum, rs) => {
    const { alive, weight } = verdictOf(vs, rs, health);
    return alive ? sum + weight : sum;
  }, 0);
}

/**
 * Whether quorum holds, given whether it held before (`undefined` at start: it counts as held, so
 * a pool that starts empty loses it at once). Lost when the live weight is 0 or falls below
 * quorum − hysteresis; regained only at quorum + hysteresis.
 */
export function quorumHolds(
  heldBefore: boolean | undefined,
  weight: number,
  vs: Pick<VirtualServer, 'quorum' | 'hysteresis'>,
): boolean {
  if (heldBefore === false) return weight >= vs.quorum + vs.hysteresis;
  return weight > 0 && weight >= vs.quorum - vs.hysteresis;
}
