// FILE_CHECK: a real server follows the value in a track_file, as keepalived's checker does.
// There is no probe to schedule: the file is watched, and each new value is a verdict at once
// (no retries, no alpha). Pure: the value comes in, the verdict goes out.
import type { FileCheck, TrackFile } from '../config/index.js';

/** IPVS weights are 32-bit: a weighted value at or below this means down. */
const WEIGHT_FAULT = -(2 ** 31);
const WEIGHT_MAX = 2 ** 31 - 1;

export type FileVerdict =
  /** `offset` is added to the real server's weight (keepalived: its effective weight). */
  { up: true; offset: number } | { up: false; reason: string };

/** The weight and reverse a FILE_CHECK applies: its own when it sets a weight, else the track_file's. */
export function fileCheckWeight(check: FileCheck, file: TrackFile): { weight: number; reverse: boolean } {
  if (check.track.weight === undefined) return { weight: file.weight, reverse: file.weightReverse };
  return { weight: check.track.weight, reverse: check.track.reverse ?? false };
}

/**
 * keepalived's rule for a real server: with weight 0 a non-zero value means down (`reverse`:
 * zero means down); otherwise value × weight (negated by `reverse`) is added to the server's
 * weight, and only a product at or below −2³¹ takes it down.
 */
export function fileVerdict(name: string, value: number, weight: number, reverse: boolean): FileVerdict {
  if (weight === 0) {
    if ((value === 0) !== reverse) return { up: true, offset: 0 };
    return {
      up: false,
      reason: reverse
        ? `track_file ${name} holds 0 (weight 0 reverse: 0 means down)`
        : `track_file ${name} holds ${value} (weight 0: non-zero means down)`,
    };
  }
  const weighted = value * weight * (reverse ? -1 : 1);
  if (weighted <= WEIGHT_FAULT) {
    return {
      up: false,
      reason: `track_file ${name} holds ${value}, which weighted (${weight}${reverse ? ' reverse' : ''}) is ${weighted}, at or below ${WEIGHT_FAULT}`,
    };
  }
  return { up: true, offset: Math.min(weighted, WEIGHT_MAX) };
}
