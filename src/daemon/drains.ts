// The real servers an operator drained (`vigil drain`), kept in the state dir: each change is
// written atomically before the kernel is told, so that a restart, even after kill -9, programs
// weight 0 from its first table and never briefly gives a drained server its full weight.
import path from 'node:path';
import { readStateFile, writeStateFile } from './state-file.js';

/** One drain, named as status names it so that the file reads on its own. */
export interface Drain {
  virtualServer: string;
  realServer: string;
  since: Date;
}

interface DrainsFile {
  /** By realServerId (see ipvs/desired). */
  drains: Record<string, { virtualServer: string; realServer: string; since: string }>;
}

const isDrainsFile = (v: unknown): v is DrainsFile => {
  const drains = (v as DrainsFile | null)?.drains;
  return (
    typeof drains === 'object' &&
    drains !== null &&
    Object.values(drains).every(
      (d) =>
        typeof d?.virtualServer === 'string' && typeof d.realServer === 'string' && !Number.isNaN(Date.parse(d.since)),
    )
  );
};

export class Drains {
  private readonly file: string;
  private readonly drains: Map<string, Drain>;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'drains.json');
    const saved = readStateFile<DrainsFile>(this.file, { drains: {} }, isDrainsFile);
    this.drains = new Map(Object.entries(saved.drains).map(([id, d]) => [id, { ...d, since: new Date(d.since) }]));
  }

  get(id: string): Drain | undefined {
    return this.drains.get(id);
  }

  has(id: string): boolean {
    return this.drains.has(id);
  }

  /** Drains those of `wanted` not drained yet; returns whether each was new. */
  add(wanted: ReadonlyMap<string, Omit<Drain, 'since'>>, now: Date): Map<string, boolean> {
    const added = new Map([...wanted.keys()].map((id) => [id, !this.drains.has(id)]));
    for (const [id, names] of wanted) if (added.get(id)) this.drains.set(id, { ...names, since: now });
    this.saveIf([...added.values()].some(Boolean));
    return added;
  }

  /** Ends the drains of `ids`; returns whether each was drained. */
  remove(ids: readonly string[]): Map<string, boolean> {
    const removed = new Map(ids.map((id) => [id, this.drains.delete(id)]));
    this.saveIf([...removed.values()].some(Boolean));
    return removed;
  }

  /** Ends the drains of real servers not in `configured`, and returns them. */
  keepOnly(configured: Pick<ReadonlySet<string>, 'has'>): Drain[] {
    const gone = [...this.drains].filter(([id]) => !configured.has(id));
    for (const [id] of gone) this.drains.delete(id);
    this.saveIf(gone.length > 0);
    return gone.map(([, drain]) => drain);
  }

  private saveIf(changed: boolean): void {
    if (!changed) return;
    const drains = Object.fromEntries(
      [...this.drains].map(([id, d]) => [
        id,
        { virtualServer: d.virtualServer, realServer: d.realServer, since: d.since.toISOString() },
      ]),
    );
    writeStateFile(this.file, { drains });
  }
}
