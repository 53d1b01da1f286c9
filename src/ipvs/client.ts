/**
 * The kernel's IPVS table through generic netlink: read services, destinations and version,
 * and change one entry per request. Each change is acknowledged before the next is sent, so a
 * batch fails at the first refusal with a NetlinkError that names the operation, e.g.
 * "add IPVS service TCP 192.0.2.10:80: EEXIST: file already exists".
 */
import { type GenericMessage, GenericNetlink } from '../net/genetlink.js';
import { withContext } from '../net/native.js';
import { NetlinkError } from '../net/netlink-codec.js';
import {
  type Destination,
  type DestinationKey,
  decodeDestination,
  decodeInfo,
  decodeService,
  decodeTimeouts,
  IPVS_CMD,
  IPVS_GENL_NAME,
  IPVS_GENL_VERSION,
  type IpvsInfo,
  type IpvsRequest,
  type IpvsTimeouts,
  ipvsRequest,
  type Service,
  type ServiceKey,
} from './codec.js';
import {
  DAEMON_CMD,
  decodeSyncDaemon,
  type SyncDaemon,
  type SyncRole,
  type SyncSettings,
  syncDaemonRequest,
} from './sync-daemon.js';

/** The kernel has no IPVS family: ip_vs is not loaded, or not built. */
export class IpvsUnavailableError extends Error {
  readonly code = 'IPVS_UNAVAILABLE';

  constructor(options: ErrorOptions) {
    super('IPVS is not available in this kernel (modprobe ip_vs?)', options);
    this.name = 'IpvsUnavailableError';
  }
}

const SERVICE_CHANGES: ReadonlySet<number> = new Set([IPVS_CMD.NEW_SERVICE, IPVS_CMD.SET_SERVICE]);

/** What the kernel means by an errno from IPVS, where its words alone mislead ("ESRCH: no such process"). */
function meaningOf(code: string, command: number): string | undefined {
  switch (code) {
    // Every IPVS command, reads included, is GENL_ADMIN_PERM.
    case 'EPERM':
      return 'IPVS needs root / CAP_NET_ADMIN';
    case 'ESRCH':
      return command === DAEMON_CMD.DEL ? 'that sync daemon is not running' : 'no such service';
    case 'EEXIST':
      return command === DAEMON_CMD.NEW ? 'a sync daemon of that role is running already' : undefined;
    case 'ENOENT':
      // The kernel tried to load ip_vs_<scheduler> / ip_vs_pe_<engine> and found none.
      return SERVICE_CHANGES.has(command) ? 'no such scheduler or persistence engine' : 'no such destination';
    default:
      return undefined;
  }
}

function explainRefusal(error: unknown, command: number): unknown {
  const meaning = error instanceof NetlinkError ? meaningOf(error.code, command) : undefined;
  if (meaning) (error as Error).message += ` (${meaning})`;
  return error;
}

export class IpvsClient {
  readonly #genl: GenericNetlink;

  private constructor(genl: GenericNetlink) {
    this.#genl = genl;
  }

  /**
   * Resolves the IPVS family and reads its info, so that a missing module (IpvsUnavailableError)
   * or missing privilege (NetlinkError EPERM) shows here rather than at the first change.
   */
  static async open(): Promise<IpvsClient> {
    let genl: GenericNetlink;
    try {
      genl = await GenericNetlink.open(IPVS_GENL_NAME, IPVS_GENL_VERSION);
    } catch (error) {
      if (error instanceof NetlinkError && error.code === 'ENOENT') throw new IpvsUnavailableError({ cause: error });
      throw error;
    }
    const client = new IpvsClient(genl);
    try {
      await client.info();
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  async info(): Promise<IpvsInfo> {
    const request = ipvsRequest.info();
    const [reply] = await this.#send(request);
    return decodeFor(request.operation, () => {
      if (!reply) throw new Error('the kernel acknowledged without an answer');
      return decodeInfo(reply);
    });
  }

  /** Every service in the table, vigil's and others'. */
  async services(): Promise<Service[]> {
    const request = ipvsRequest.listServices();
    const replies = await this.#send(request, 'dump');
    return decodeFor(request.operation, () => replies.map(decodeService));
  }

  /** The destinations of the service `key`; none when there is no such service. */
  async destinations(key: ServiceKey): Promise<Destination[]> {
    const request = ipvsRequest.listDestinations(key);
    const replies = await this.#send(request, 'dump');
    return decodeFor(request.operation, () => replies.map((reply) => decodeDestination(reply, key.family)));
  }

  async timeouts(): Promise<IpvsTimeouts> {
    const request = ipvsRequest.getTimeouts();
    const [reply] = await this.#send(request);
    return decodeFor(request.operation, () => {
      if (!reply) throw new Error('the kernel acknowledged without an answer');
      return decodeTimeouts(reply);
    });
  }

  /** Sets the timeouts given (not 0); the kernel keeps the others. */
  async setTimeouts(timeouts: Partial<IpvsTimeouts>): Promise<void> {
    await this.#send(ipvsRequest.setTimeouts(timeouts));
  }

  async addService(service: Service): Promise<void> {
    await this.#send(ipvsRequest.addService(service));
  }

  /** Sets everything but the key: scheduler, flags, timeout, netmask, persistence engine. */
  async editService(service: Service): Promise<void> {
    await this.#send(ipvsRequest.editService(service));
  }

  /** Removes the service and its destinations. */
  async removeService(key: ServiceKey): Promise<void> {
    await this.#send(ipvsRequest.removeService(key));
  }

  async addDestination(service: ServiceKey, destination: Destination): Promise<void> {
    await this.#send(ipvsRequest.addDestination(service, destination));
  }

  /** Sets forwarding method, weight, thresholds and tunnel encapsulation. */
  async editDestination(service: ServiceKey, destination: Destination): Promise<void> {
    await this.#send(ipvsRequest.editDestination(service, destination));
  }

  async removeDestination(service: ServiceKey, destination: DestinationKey): Promise<void> {
    await this.#send(ipvsRequest.removeDestination(service, destination));
  }

  /** The sync daemons running (lvs_sync_daemon): none, a master, a backup, or both. */
  async syncDaemons(): Promise<SyncDaemon[]> {
    const request = syncDaemonRequest.list();
    const replies = await this.#send(request, 'dump');
    return decodeFor(request.operation, () => replies.map(decodeSyncDaemon));
  }

  async startSyncDaemon(role: SyncRole, settings: SyncSettings): Promise<void> {
    await this.#send(syncDaemonRequest.start(role, settings));
  }

  async stopSyncDaemon(daemon: SyncDaemon): Promise<void> {
    await this.#send(syncDaemonRequest.stop(daemon));
  }

  close(): void {
    this.#genl.close();
  }

  async #send(
    { operation, command, attributes }: IpvsRequest,
    mode: 'request' | 'dump' = 'request',
  ): Promise<GenericMessage[]> {
    try {
      return mode === 'dump'
        ? await this.#genl.dump(operation, command, attributes)
        : await this.#genl.request(operation, command, attributes);
    } catch (error) {
      throw explainRefusal(error, command);
    }
  }
}

/** Runs a decoder, naming the operation in what it throws. */
function decodeFor<T>(operation: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    throw withContext(operation, error as Error);
  }
}
