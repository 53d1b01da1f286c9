// keepalived's JSON dump (its JSON signal, /tmp/keepalived.json): an array with one
// {"data": {...}, "stats": {...}} object per instance, on one line, fields in keepalived's order
// and written as its JSON writer writes them (numbers bare, floats as %g, a `/` escaped).
import type { InstanceView } from './instance-view.js';
import { fText, gText } from './keepalived-text.js';

/** A JSON value already written out. */
type Json = string;
type Field = [name: string, value: Json];

/** keepalived's numbers for the states. */
const STATE_NUMBER = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3 } as const;
/** keepalived's (and RFC 2338's) numbers for the VRRPv2 authentication types. */
const AUTH_TYPE_NUMBER = { PASS: 1, AH: 2 } as const;

export function jsonDump(instances: readonly InstanceView[]): string {
  return `[${instances
    .map((i) =>
      object([
        ['data', dataObject(i)],
        ['stats', statsObject(i)],
      ]),
    )
    .join(',')}]\n`;
}

function dataObject(i: InstanceView): Json {
  const fields: Field[] = [
    ['iname', str(i.name)],
    ['dont_track_primary', flag(i.dontTrackPrimary)],
    ['skip_check_adv_addr', flag(i.skipCheckAdvAddr)],
    ['strict_mode', flag(i.strict)],
    ['vmac_ifname', str('')],
    ['ifp_ifname', str(i.interface)],
    ['master_priority', String(i.masterPriority)],
    ['last_transition', fText(i.lastTransition ? i.lastTransition.getTime() / 1000 : 0)],
    ['garp_delay', gText(i.garpDelay)],
    ['garp_refresh', String(i.garpRefresh)],
    ['garp_rep', String(i.garpRepeat)],
    ['garp_refresh_rep', String(i.garpRefreshRepeat)],
    ['garp_lower_prio_delay', String(i.garpLowerPrioDelay)],
    ['garp_lower_prio_rep', String(i.garpLowerPrioRepeat)],
    ['lower_prio_no_advert', flag(i.lowerPrioNoAdvert)],
    ['higher_prio_send_advert', flag(i.higherPrioSendAdvert)],
    ['vrid', String(i.vrid)],
    ['base_priority', String(i.priority)],
    ['effective_priority', String(i.effectivePriority)],
    ['vipset', String(i.state === 'MASTER')],
    ['promote_secondaries', 'false'],
    ['adver_int', gText(i.advertIntSeconds)],
    ['master_adver_int', gText(i.masterAdvertIntSeconds)],
    ['accept', flag(i.accept)],
    ['nopreempt', String(i.nopreempt)],
    ['preempt_delay', String(i.preemptDelay)],
    ['state', String(STATE_NUMBER[i.state])],
    ['wantstate', String(STATE_NUMBER[i.wantState])],
    ['version', String(i.version)],
    ['smtp_alert', String(i.smtpAlert)],
    ['notify_deleted', 'false'],
    ...scriptFields(i),
    ...arrayField('vips', i.vips),
    ...arrayField('evips', i.excludedVips),
    ...arrayField(
      'track_ifp',
      i.trackInterfaces.map((t) => t.name),
    ),
    ...arrayField(
      'track_script',
      i.trackScripts.map((t) => t.command),
    ),
    ['auth_type', String(i.auth ? AUTH_TYPE_NUMBER[i.auth.type] : 0)],
    ...(i.auth ? [['auth_data', str(i.auth.password)] as Field] : []),
  ];
  return object(fields);
}

/** keepalived's JSON names for the notify scripts, in its order. */
const SCRIPT_FIELD = {
  Backup: 'script_backup',
  Master: 'script_master',
  Fault: 'script_fault',
  Stop: 'script_stop',
  Generic: 'script',
  'Master rx lower pri': 'script_master_rx_lower_pri',
};

function scriptFields(i: InstanceView): Field[] {
  return i.notify.map(({ slot, command }) => [SCRIPT_FIELD[slot], str(command)]);
}

function statsObject(i: InstanceView): Json {
  return object(Object.entries(i.stats).map(([name, value]) => [name, String(value)]));
}

/** keepalived leaves an empty list out. */
const arrayField = (name: string, values: string[]): Field[] =>
  values.length === 0 ? [] : [[name, `[${values.map(str).join(',')}]`]];

const object = (fields: Field[]): Json => `{${fields.map(([name, value]) => `${str(name)}:${value}`).join(',')}}`;

/** keepalived writes these as 0 or 1, not as JSON booleans. */
const flag = (on: boolean): Json => (on ? '1' : '0');

const ESCAPES: Record<string, string> = {
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\f': '\\f',
  '\b': '\\b',
  '"': '\\"',
  '/': '\\/',
  '\\': '\\\\',
};

/**
 * A JSON string as keepalived's writer escapes it (`/` too). Two departures, both so that the
 * output stays JSON: a backslash is `\\` (keepalived writes `\n` for it), and the control
 * characters it leaves raw are `\u00XX`.
 */
function str(text: string): Json {
  const escaped = (c: string): string =>
    ESCAPES[c] ?? (c.charCodeAt(0) < 0x20 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c);
  return `"${Array.from(text, escaped).join('')}"`;
}
