// What `vigil monitor`'s screen says, as patterns for capture-pane text: a row of its tables
// (not the event log, which names the same instances and servers in its lines) and its header.
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A table row: at a line's start, `>` when selected, the name, then `rest`. */
const row = (name: string, rest: string) => new RegExp(`^[> ]\\s*${literal(name)}\\s+${rest}`, 'm');

/** The instances table shows `name` in `state`. */
export const instanceRow = (name: string, state: string) => row(name, `${state}\\b`);

/** The real servers table shows ADDRESS:PORT with its health (`up`, `down`) and then `more`. */
export const realServerRow = (name: string, health: string, more = '') =>
  row(name, `${health}\\b${more ? `.*\\b${more}\\b` : ''}`);

/** The selection marker on a row. */
export const selected = (name: string) => new RegExp(`^>\\s*${literal(name)}\\s`, 'm');

/** The header's connection line: `live`, or `lost` (while vigild is away). */
export const connection = (state: 'live' | 'lost') => new RegExp(`^\\W*${state}\\b`, 'm');
