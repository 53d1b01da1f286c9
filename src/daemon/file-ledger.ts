// What vigild has put in the kernel (VIPs, vmacs), kept as a list in its state dir so that it
// outlives a crash: the next start finds what a killed vigild left behind, and removes only that.
import path from 'node:path';
import { readStateFile, writeStateFile } from './state-file.js';

export class FileLedger<T> {
  private readonly file: string;
  private entries: T[];

  constructor(
    stateDir: string,
    fileName: string,
    private readonly same: (a: T, b: T) => boolean,
  ) {
    this.file = path.join(stateDir, fileName);
    this.entries = readStateFile(this.file, [], (v): v is T[] => Array.isArray(v));
  }

  owned(): T[] {
    return [...this.entries];
  }

  record(entry: T): void {
    this.entries = [...this.entries.filter((e) => !this.same(e, entry)), entry];
    writeStateFile(this.file, this.entries);
  }

  forget(entry: T): void {
    this.entries = this.entries.filter((e) => !this.same(e, entry));
    writeStateFile(this.file, this.entries);
  }
}
