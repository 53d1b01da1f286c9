// The event log's line for each daemon event, and how much it matters. Periodic figures
// (`vrrp.stats`, `ipvs.stats`) and the stream's `hello` are no news and have none.
import type { DaemonEvent } from '../api/schema.js';
import type { LogEntry } from './model.js';

type Line = Pick<LogEntry, 'severity' | 'text'>;

const holdText: Record<'yield' | 'take', string> = { yield: 'held as backup', take: 'held as master' };

function transitionLine(e: Extract<DaemonEvent, { type: 'vrrp.transition' }>): Line {
  const severity = e.to === 'FAULT' ? 'error' : e.from === 'MASTER' ? 'warn' : 'info';
  return { severity, text: `${e.instance} ${e.from} -> ${e.to}: ${e.reason}` };
}

function operatorLine(e: Extract<DaemonEvent, { type: 'vrrp.operator' }>): Line {
  if (e.mode === 'none') return { severity: 'info', text: `${e.instance} released (${e.by})` };
  const until = e.until ? ` until ${e.until}` : '';
  return { severity: 'warn', text: `${e.instance} ${holdText[e.mode]} (${e.by})${until}` };
}

function reconciledLine(e: Extract<DaemonEvent, { type: 'ipvs.reconciled' }>): Line {
  const first = e.operations.slice(0, 2).join('; ');
  const more = e.operations.length > 2 ? ` (+${e.operations.length - 2} more)` : '';
  const failed = e.failed > 0 ? `, ${e.failed} refused by the kernel` : '';
  return { severity: e.failed > 0 ? 'error' : 'info', text: `IPVS: ${first}${more}${failed}` };
}

function rejectedLine(e: Extract<DaemonEvent, { type: 'config.rejected' }>): Line {
  const first = e.errors[0]?.text ?? 'no details';
  const more = e.errors.length > 1 ? ` (+${e.errors.length - 1} more)` : '';
  return { severity: 'error', text: `reload rejected, running config kept: ${first}${more}` };
}

/** The log line for `event`, or undefined when it is no news. */
export function eventLine(event: DaemonEvent): Line | undefined {
  switch (event.type) {
    case 'hello':
    case 'vrrp.stats':
    case 'ipvs.stats':
      return undefined;
    case 'vrrp.transition':
      return transitionLine(event);
    case 'vrrp.operator':
      return operatorLine(event);
    case 'ipvs.reconciled':
      return reconciledLine(event);
    case 'config.rejected':
      return rejectedLine(event);
    case 'config.reloaded': {
      const warnings = event.warnings.length > 0 ? ` with ${event.warnings.length} warning(s)` : '';
      return { severity: 'info', text: `config reloaded: generation ${event.generation}${warnings}` };
    }
    case 'daemon.stopping':
      return { severity: 'warn', text: `vigild is stopping (${event.signal})` };
    case 'realserver.health': {
      const where = `${event.realServer} in ${event.virtualServer}`;
      if (event.health === 'up') return { severity: 'info', text: `${where} up` };
      return { severity: 'error', text: `${where} down${event.reason ? `: ${event.reason}` : ''}` };
    }
    case 'realserver.drain': {
      const what = event.drained ? 'drained' : 'undrained';
      const why = event.reason ? `: ${event.reason}` : '';
      return { severity: 'info', text: `${event.realServer} in ${event.virtualServer} ${what}${why}` };
    }
    case 'virtualserver.quorum': {
      const weight = `alive weight ${event.aliveWeight}, quorum ${event.quorum}`;
      if (event.holds) return { severity: 'info', text: `${event.virtualServer} quorum regained (${weight})` };
      const sorry = event.sorryServerActive ? '; sorry server in service' : '';
      return { severity: 'error', text: `${event.virtualServer} quorum lost (${weight})${sorry}` };
    }
    case 'lagged':
      return {
        severity: 'warn',
        text: `the monitor fell behind: vigild skipped ${event.dropped} event(s) since ${event.since}; status re-read`,
      };
  }
}
