// Which notify FIFOs vigild opens and which lines each gets, by keepalived 2.2.7's rules:
// notify_fifo gets every line, vrrp_notify_fifo the VRRP ones, lvs_notify_fifo the health
// checker's; a FIFO named twice is opened once; a script needs its FIFO.
import type { Command, GlobalDefs, NotifyFifo, RunAs } from '../config/index.js';

export type FifoLines = 'vrrp' | 'lvs';

export interface FifoTarget {
  path: string;
  /** How the config names it, for messages: `vrrp_notify_fifo /run/x`. */
  keyword: string;
  owner?: RunAs;
  script?: { command: Command; user?: RunAs };
  lines: FifoLines[];
}

export interface FifoPlan {
  targets: FifoTarget[];
  /** What was left out and why, for the log. */
  notes: string[];
}

const KEYWORD = { all: 'notify_fifo', vrrp: 'vrrp_notify_fifo', lvs: 'lvs_notify_fifo' } as const;

function target(kind: keyof typeof KEYWORD, fifo: NotifyFifo & { path: string }, lines: FifoLines[]): FifoTarget {
  return {
    path: fifo.path,
    keyword: `${KEYWORD[kind]} ${fifo.path}`,
    ...(fifo.owner && { owner: fifo.owner }),
    ...(fifo.script && { script: { command: fifo.script, ...(fifo.scriptUser && { user: fifo.scriptUser }) } }),
    lines,
  };
}

export function planFifos(global: Pick<GlobalDefs, 'notifyFifos'>): FifoPlan {
  const notes: string[] = [];
  const targets: FifoTarget[] = [];
  const { all, vrrp, lvs } = global.notifyFifos;
  for (const kind of ['all', 'vrrp', 'lvs'] as const) {
    const fifo = global.notifyFifos[kind];
    if (fifo?.script && fifo.path === undefined)
      notes.push(`${KEYWORD[kind]}_script is ignored: ${KEYWORD[kind]} is not set`);
  }
  if (all?.path !== undefined) targets.push(target('all', { ...all, path: all.path }, ['vrrp', 'lvs']));
  const specific = (kind: 'vrrp' | 'lvs', fifo: NotifyFifo | undefined): FifoTarget | undefined => {
    if (fifo?.path === undefined) return undefined;
    if (fifo.path === all?.path) {
      notes.push(`${KEYWORD[kind]} ${fifo.path} is also notify_fifo, which gets its lines already: ignored`);
      return undefined;
    }
    return target(kind, { ...fifo, path: fifo.path }, [kind]);
  };
  const vrrpTarget = specific('vrrp', vrrp);
  const lvsTarget = specific('lvs', lvs);
  if (vrrpTarget && lvsTarget && vrrpTarget.path === lvsTarget.path) {
    // One FIFO for both: keepalived's two processes would each open it; vigild opens it once.
    if (vrrpTarget.script && lvsTarget.script)
      notes.push(
        `lvs_notify_fifo ${lvsTarget.path} is also vrrp_notify_fifo, with a script each: lvs_notify_fifo_script is ignored`,
      );
    targets.push({ ...vrrpTarget, script: vrrpTarget.script ?? lvsTarget.script, lines: ['vrrp', 'lvs'] });
  } else {
    for (const each of [vrrpTarget, lvsTarget]) if (each) targets.push(each);
  }
  return { targets, notes };
}
