// The VIPs vigild has added, kept in its state dir so that they outlive a crash.
import { type AddressLedger, type OwnedAddress, sameAddress } from '../net/vip-addresses.js';
import { FileLedger } from './file-ledger.js';

export const fileAddressLedger = (stateDir: string): AddressLedger =>
  new FileLedger<OwnedAddress>(stateDir, 'owned-addresses.json', sameAddress);
