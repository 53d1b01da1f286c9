// The global section of keepalived's data dump, as Debian's keepalived 2.2.7 (with LVS, BFD,
// SNMP, DBus and nftables built in) prints it: the settings vigil reads with their values, the
// ones it does not have with keepalived's defaults, so that line-based parsers find every line.
import type { GlobalDefs, NotifyFifo, NotifyFifoKind } from '../../config/index.js';
import type { ScriptIds } from './data-instances.js';
import { commandText, fText } from './keepalived-text.js';

export interface GlobalView {
  global: GlobalDefs;
  /** router_id, or the host name keepalived takes when it is unset. */
  routerId: string;
  scriptIds: ScriptIds;
  /** The mode bits the dump files leave out (keepalived's `umask`). */
  umask: number;
  /** keepalived names its nftables table when `nftables` is set or an instance needs drop rules. */
  firewall: boolean;
}

const onOff = (value: boolean | undefined): string => (value === undefined ? 'unset' : value ? 'on' : 'off');

export function globalLines(view: GlobalView): string[] {
  const { global } = view;
  return [
    '------< Global definitions >------',
    ' Network namespace = (default)',
    ' Network namespace ipvs = (main namespace)',
    ` Router ID = ${view.routerId}`,
    ...mailLines(global),
    ' Checkers log all failures = false',
    ' No test config before reload',
    ' Dynamic interfaces = false',
    ...(global.mail.noFaults ? [' Send emails for fault transitions = off'] : []),
    ` Default interface = ${global.defaultInterface ?? 'eth0'}`,
    ' Disable local IGMP = no',
    ' LVS flush = false',
    ' LVS flush on stop = disabled',
    ...fifoLines(global, view.scriptIds),
    ' FIFO write vrrp states on reload = false',
    ' VRRP notify priority changes = false',
    ` VRRP IPv4 mcast group = ${global.vrrpMcastGroup4}`,
    ` VRRP IPv6 mcast group = ${global.vrrpMcastGroup6}`,
    ...garpLines(global),
    ' Send advert after receive lower priority advert = true',
    ` Send advert after receive higher priority advert = ${global.higherPrioSendAdvert}`,
    ` Gratuitous ARP interval = ${fText(global.garpInterval)}`,
    ` Gratuitous NA interval = ${fText(global.gnaInterval)}`,
    ` VRRP default protocol version = ${global.vrrpVersion}`,
    ...nftablesLines(view),
    ' VRRP check unicast_src = false',
    ` VRRP skip check advert addresses = ${global.skipCheckAdvAddr}`,
    ` VRRP strict mode = ${global.vrrpStrict}`,
    ' Max auto priority = 0',
    ' Min auto priority delay = 1000000 usecs',
    ...processLines('VRRP', global.vrrpNice),
    ...processLines('Checker', global.checkerNice),
    ...processLines('BFD', undefined),
    ...snmpAndDbusLines(),
    ` Script security ${global.enableScriptSecurity ? 'enabled' : 'disabled'}`,
    ` Default script uid:gid ${view.scriptIds.uid}:${view.scriptIds.gid}`,
    ...bufferLines(),
    ` umask = 0${view.umask.toString(8)}`,
  ];
}

function mailLines({ mail }: GlobalDefs): string[] {
  return [
    ...(mail.server ? [` Smtp server = ${mail.server.host}`, ` Smtp server port = ${mail.server.port}`] : []),
    ...(mail.heloName ? [` Smtp HELO name = ${mail.heloName}`] : []),
    ...(mail.server ? [` Smtp server connection timeout = ${mail.connectTimeout}`] : []),
    ...(mail.from
      ? [` Email notification from = ${mail.from}`, ' Email notification to:', ...mail.to.map((to) => `   ${to}`)]
      : []),
    ` Default smtp_alert = ${onOff(mail.alert)}`,
    ` Default smtp_alert_vrrp = ${onOff(mail.alertVrrp)}`,
    ` Default smtp_alert_checker = ${onOff(mail.alertChecker)}`,
  ];
}

const FIFO_NAMES: [NotifyFifoKind, string][] = [
  ['all', 'Global'],
  ['vrrp', 'VRRP'],
  ['lvs', 'LVS'],
];

function fifoLines(global: GlobalDefs, ids: ScriptIds): string[] {
  return FIFO_NAMES.flatMap(([kind, name]) => {
    const fifo: NotifyFifo | undefined = global.notifyFifos[kind];
    if (!fifo?.path) return [];
    const owner = `uid:gid ${ids.uid}:${ids.gid}`;
    return [
      ` ${name} notify fifo = ${fifo.path}, ${owner}`,
      ...(fifo.script ? [` ${name} notify fifo script = ${commandText(fifo.script)}, ${owner}`] : []),
    ];
  });
}

function garpLines(global: GlobalDefs): string[] {
  return [
    ` Gratuitous ARP delay = ${global.garpMasterDelay}`,
    ` Gratuitous ARP repeat = ${global.garpMasterRepeat}`,
    ` Gratuitous ARP refresh timer = ${global.garpMasterRefresh}`,
    ` Gratuitous ARP refresh repeat = ${global.garpMasterRefreshRepeat}`,
    // Unset, the lower-priority settings are the plain ones.
    ` Gratuitous ARP lower priority delay = ${global.garpMasterDelay}`,
    ` Gratuitous ARP lower priority repeat = ${global.garpMasterRepeat}`,
    ' Num adverts before down = 3',
    ' Gratuitous ARP for each secondary VMAC = 0s',
  ];
}

function processLines(name: string, nice: number | undefined): string[] {
  return [
    ` ${name} process priority = ${nice ?? 0}`,
    ` ${name} don't swap = false`,
    ` ${name} realtime priority = 0`,
    ` ${name} realtime limit = 10000`,
  ];
}

function snmpAndDbusLines(): string[] {
  return [
    ' SNMP vrrp disabled',
    ' SNMP checker disabled',
    ' SNMP RFCv2 disabled',
    ' SNMP RFCv3 disabled',
    ' SNMP traps disabled',
    ' SNMP socket = default (unix:/var/agentx/master)',
    ' DBus disabled',
    ' DBus service name = ',
  ];
}

function bufferLines(): string[] {
  const netlink = [
    'vrrp_netlink_cmd',
    'vrrp_netlink_monitor',
    'process_monitor',
    'lvs_netlink_cmd',
    'lvs_netlink_monitor',
  ];
  return [
    ...netlink.flatMap((name) => [` ${name}_rcv_bufs = 0`, ` ${name}_rcv_bufs_force = 0`]),
    ' rs_init_notifies = 0',
    ' no_checker_emails = 0',
    ' rx_bufs_multiples = 3',
  ];
}

function nftablesLines({ global: { nftables }, firewall }: GlobalView): string[] {
  const table = firewall
    ? [
        ` nftables table name = ${nftables.table}`,
        ` nftables base chain priority = ${nftables.priority}`,
        ` nftables ${nftables.ifindex ? '' : "don't "}force use ifindex for link local IPv6`,
      ]
    : [];
  return [...table, ` nftables with${nftables.counters ? '' : 'out'} counters`];
}
