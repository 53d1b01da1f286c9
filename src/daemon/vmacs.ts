// use_vmac inside vigild: which vmacs a config wants, and the names of those vigild created, kept
// in its state dir so that a restart after a crash knows them for its own.
import path from 'node:path';
import type { Config, VrrpInstance } from '../config/index.js';
import type { VmacLedger, VmacWant } from '../net/vmac-links.js';
import { readStateFile, writeStateFile } from './state-file.js';

export const vmacWantOf = (instance: VrrpInstance): VmacWant | undefined =>
  instance.vmac && {
    instance: instance.name,
    base: instance.interface,
    family: instance.family,
    vrid: instance.vrid,
    name: instance.vmac.name,
    xmitBase: instance.vmacXmitBase ?? false,
  };

export const vmacWantsOf = (config: Config): VmacWant[] => config.instances.flatMap((i) => vmacWantOf(i) ?? []);

export class FileVmacLedger implements VmacLedger {
  private readonly file: string;
  private names: string[];

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'owned-vmacs.json');
    this.names = readStateFile(this.file, [], (v): v is string[] => Array.isArray(v));
  }

  owned(): string[] {
    return [...this.names];
  }

  record(name: string): void {
    this.names = [...this.names.filter((n) => n !== name), name];
    writeStateFile(this.file, this.names);
  }

  forget(name: string): void {
    this.names = this.names.filter((n) => n !== name);
    writeStateFile(this.file, this.names);
  }
}
