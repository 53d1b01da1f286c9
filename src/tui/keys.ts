// The monitor's keys, for the footer and the help screen.
import type { ExtraKey } from './extra-key.js';

export const KEYS: readonly [key: string, what: string][] = [
  ['↑ ↓  j k', 'select an instance or a real server'],
  ['d', 'drain the selected real server (asks first)'],
  ['u', 'undrain the selected real server (asks first)'],
  ['f', 'failover: hand a MASTER off, take over on a BACKUP, release a held instance (asks first)'],
  ['m', 'maintenance on / off: every instance held as backup (asks first)'],
  ['r', 'reload the config: shows the dry run, then asks'],
  ['/', 'filter by name or address (Enter keeps it, Esc clears it)'],
  ['PgUp PgDn', 'scroll the event log'],
  ['?', 'this help'],
  ['q  Ctrl-C', 'quit'],
];

const SHORT = 'd drain  u undrain  f failover  m maint  r reload  / filter  ? help  q quit';

export function footerKeys(extra: readonly ExtraKey[]): string {
  return [SHORT, ...extra.map((k) => `${k.key} ${k.label}`)].join('  ');
}
