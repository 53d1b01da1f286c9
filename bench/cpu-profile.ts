// Where a V8 CPU profile (node --cpu-prof) spent its samples: self time summed by package under
// node_modules, by file of this repository, or by V8's own entries ((garbage collector), ...).
// Coarse on purpose: enough to say whether rendering, React, the model or GC costs the most.
import { readFileSync } from 'node:fs';
import { repoRoot } from '../lab/paths.js';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** `nm:PACKAGE`, a repository path, `node:...`, or V8's name for what has no file. */
function placeOf({ functionName, url }: { functionName: string; url: string }): string {
  if (!url) return functionName || '(anonymous)';
  const pkg = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url); // the innermost: packages nest
  if (pkg) return `nm:${pkg[1]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '').replace(`${repoRoot}/`, '');
}

/** The `top` places by self time, as lines of `ms  %  place`. */
export function profileSummary(file: string, top: number): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const placeById = new Map(profile.nodes.map((n) => [n.id, placeOf(n.callFrame)]));
  const byPlace = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const place = placeById.get(id) ?? '?';
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
    total += us;
  });
  return [...byPlace]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([place, us]) =>
        `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${place}`,
    );
}
