// use_vmac inside vigild: which vmacs a config wants, and the names of those vigild created, kept
// in its state dir so that a restart after a crash knows them for its own.
import type { Config, VrrpInstance } from '../config/index.js';
import type { VmacLedger, VmacWant } from '../net/vmac-links.js';
import { FileLedger } from './file-ledger.js';

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

/** The names of the vmacs vigild made. */
export const fileVmacLedger = (stateDir: string): VmacLedger =>
  new FileLedger<string>(stateDir, 'owned-vmacs.json', (a, b) => a === b);
