// The VIPs vigild has added, kept in its state dir so that they outlive a crash: written
// atomically (temp file + rename) on every change, read back at start.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sameAddress, type AddressLedger, type OwnedAddress } from '../net/vip-addresses.js';

export class FileAddressLedger implements AddressLedger {
  private readonly file: string;
  private entries: OwnedAddress[];

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'owned-addresses.json');
    this.entries = readEntries(this.file);
  }

  owned(): OwnedAddress[] {
    return [...this.entries];
  }

  record(entry: OwnedAddress): void {
    this.entries = [...this.entries.filter((e) => !sameAddress(e, entry)), entry];
    this.save();
  }

  forget(entry: OwnedAddress): void {
    this.entries = this.entries.filter((e) => !sameAddress(e, entry));
    this.save();
  }

  private save(): void {
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, `${JSON.stringify(this.entries, null, 2)}\n`, { mode: 0o640 });
    renameSync(temp, this.file);
  }
}

function readEntries(file: string): OwnedAddress[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error(`${file} is not a list of addresses; move it away to start afresh`);
  return parsed as OwnedAddress[];
}
