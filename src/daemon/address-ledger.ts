// The VIPs vigild has added, kept in its state dir so that they outlive a crash.
import path from 'node:path';
import { type AddressLedger, type OwnedAddress, sameAddress } from '../net/vip-addresses.js';
import { readStateFile, writeStateFile } from './state-file.js';

export class FileAddressLedger implements AddressLedger {
  private readonly file: string;
  private entries: OwnedAddress[];

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'owned-addresses.json');
    this.entries = readStateFile(this.file, [], (v): v is OwnedAddress[] => Array.isArray(v));
  }

  owned(): OwnedAddress[] {
    return [...this.entries];
  }

  record(entry: OwnedAddress): void {
    this.entries = [...this.entries.filter((e) => !sameAddress(e, entry)), entry];
    writeStateFile(this.file, this.entries);
  }

  forget(entry: OwnedAddress): void {
    this.entries = this.entries.filter((e) => !sameAddress(e, entry));
    writeStateFile(this.file, this.entries);
  }
}
