// vigild(8): the flags, signals and exit codes from src/daemon/flags.ts (the tables vigild's
// parser and --help use), with the prose about sockets, state and systemd written here.
import {
  DAEMON_EXIT_CODES,
  DAEMON_FLAGS,
  DAEMON_SIGNALS,
  type DaemonFlag,
  DUMP_DIRECTORY_TEXT,
  flagDefault,
  MANY_DAEMONS_TEXT,
} from '../src/daemon/flags.js';
import { bold, header, italic, paragraphs, roff, section, tagged } from './gen-roff.js';

const DESCRIPTION = `vigild runs what keepalived runs, configured with the same keepalived.conf (see vigil.conf(5)): VRRP instances and sync groups that move virtual addresses between routers, the IPVS virtual and real servers of a load balancer, and the health checks that take real servers in and out. It is one process: VRRP on its main thread, the checks on a worker thread.

vigild is controlled through its unix sockets with vigil(1): status, checks, reloads and the operator commands. It also answers keepalived's signals, so scripts written for keepalived keep working.`;

const SOCKETS = `The control socket (--socket, default /run/vigil/vigil.sock) takes every request of vigil(1). Beside it vigild creates a read-only socket, NAME-ro.sock, which answers reads (status, checks, the event stream) only; give it wider permissions than the control socket to let unprivileged users watch.

The pid file (--pid-file) holds vigild's pid while it runs.`;

const STATE = `The state directory (--state-dir, default /var/lib/vigil) holds what must outlive a vigild process: the addresses and IPVS entries this vigild added (so that a restart, even after kill -9, removes or adopts exactly those and nothing else), and the operator's persistent settings. A lock in it keeps a second vigild from running on the same directory. Files are replaced atomically.`;

const SYSTEMD = `Started with $NOTIFY_SOCKET set (a systemd unit of Type=notify), vigild sends READY=1 once its control socket answers, so \`systemctl start vigild\` returns when vigil(1) can talk to it; STOPPING=1 when it begins to stop; and RELOADING=1 (with MONOTONIC_USEC) then READY=1 around a reload by SIGHUP (\`systemctl reload vigild\`). The unit shipped in packaging/vigild.service puts the sockets in /run/vigil (RuntimeDirectory=) and the state in /var/lib/vigil (StateDirectory=).`;

const ENVIRONMENT: readonly (readonly [string, string])[] = [
  ['NOTIFY_SOCKET', 'where to send systemd readiness messages (set by systemd); not passed on to scripts.'],
  ['TMPDIR', "where keepalived's dump signals write their files, if it is an absolute path (else /tmp)."],
];

const FILES: readonly (readonly [string, string])[] = [
  ['/etc/keepalived/keepalived.conf', 'the default configuration file.'],
  ['/run/vigil/vigil.sock, /run/vigil/vigil-ro.sock', 'the control and read-only sockets.'],
  ['/run/vigil/vigil.pid', 'the default pid file.'],
  ['/var/lib/vigil', 'the default state directory.'],
  ['/tmp/keepalived.data, keepalived.stats, keepalived.json', "keepalived's dumps, written on its signals."],
];

const flagTag = (flag: DaemonFlag): string =>
  [flag.short && bold(`-${flag.short}`), `${bold(`--${flag.name}`)}${flag.value ? ` ${italic(flag.value)}` : ''}`]
    .filter(Boolean)
    .join(', ');

function flagEntry(flag: DaemonFlag): string {
  const fallback = flagDefault(flag);
  return tagged(
    flagTag(flag),
    roff(fallback === undefined ? flag.description : `${flag.description} (default: ${fallback})`),
  );
}

const definitions = (rows: readonly (readonly [string | number, string])[]): string =>
  rows.map(([term, text]) => tagged(bold(String(term)), roff(text))).join('\n');

export function vigildPage(version: string): string {
  return [
    header('vigild', 8, version, 'vigil manual'),
    section('NAME', 'vigild \\- VRRP failover, IPVS programming and health checks, configured with keepalived.conf'),
    section('SYNOPSIS', `${bold('vigild')} [${italic('OPTIONS')}]`),
    section('DESCRIPTION', paragraphs(DESCRIPTION)),
    section('OPTIONS', DAEMON_FLAGS.map(flagEntry).join('\n')),
    section('SIGNALS', `${definitions(DAEMON_SIGNALS)}\n${paragraphs(DUMP_DIRECTORY_TEXT)}`),
    section('SOCKETS', paragraphs(SOCKETS)),
    section('STATE', paragraphs(STATE)),
    section('SYSTEMD', paragraphs(SYSTEMD)),
    section('EXIT STATUS', definitions(DAEMON_EXIT_CODES)),
    section('ENVIRONMENT', definitions(ENVIRONMENT)),
    section('FILES', definitions(FILES)),
    section('NOTES', paragraphs(MANY_DAEMONS_TEXT)),
    section('SEE ALSO', roff('vigil(1), vigil.conf(5), keepalived(8), systemd.service(5), sd_notify(3)')),
  ]
    .join('\n')
    .concat('\n');
}
