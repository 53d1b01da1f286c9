// The routes and rules vigild has added, kept in its state dir so that they outlive a crash.
import path from 'node:path';
import type { Route, Rule } from '../config/index.js';
import { type EntryKind, type OwnedEntries, type RouteLedger, sameEntry } from '../net/owned-routes.js';
import { readStateFile, writeStateFile } from './state-file.js';

const isEntries = (v: unknown): v is OwnedEntries =>
  typeof v === 'object' &&
  v !== null &&
  Array.isArray((v as OwnedEntries).routes) &&
  Array.isArray((v as OwnedEntries).rules);

export class FileRouteLedger implements RouteLedger {
  private readonly file: string;
  private entries: OwnedEntries;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'owned-routes.json');
    this.entries = readStateFile(this.file, { routes: [], rules: [] }, isEntries);
  }

  owned(): OwnedEntries {
    return { routes: [...this.entries.routes], rules: [...this.entries.rules] };
  }

  record(kind: EntryKind, entry: Route | Rule): void {
    this.#write(kind, [...this.#without(kind, entry), entry]);
  }

  forget(kind: EntryKind, entry: Route | Rule): void {
    this.#write(kind, this.#without(kind, entry));
  }

  #without(kind: EntryKind, entry: Route | Rule): (Route | Rule)[] {
    return (this.entries[kind] as (Route | Rule)[]).filter((e) => !sameEntry(e, entry));
  }

  #write(kind: EntryKind, list: (Route | Rule)[]): void {
    this.entries = { ...this.entries, [kind]: list };
    writeStateFile(this.file, this.entries);
  }
}
