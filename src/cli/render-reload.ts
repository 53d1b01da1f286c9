// The changes of a reload, one line each, for `vigil reload` and vigild's log.
import type { ReloadChange } from '../api/schema.js';

const SIGNS = { added: '+', removed: '-', changed: '~' } as const;
const OBJECTS = {
  instance: 'instance',
  vip: 'VIP',
  virtualServer: 'virtual server',
  realServer: 'real server',
} as const;

/** One line per change: `+ instance VI_2 (eth0 VRID 52)`, `~ vip 198.51.100.10/24 on eth0 (VI_1 -> VI_2)`. */
export function formatReloadChange(c: ReloadChange): string {
  return `${SIGNS[c.change]} ${OBJECTS[c.object]} ${c.name}${c.detail ? ` (${c.detail})` : ''}`;
}
