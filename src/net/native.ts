/**
 * The typed face of native/sockets.c (build/Release/sockets.node): generic socket calls and a
 * RawSocket that reads whatever the kernel queues, woken by libuv when the socket is readable.
 * All protocol knowledge lives in the modules built on top (netlink, vrrp-socket, frame-socket).
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The kernel constants the addon exports, with the values of the running system's headers. */
export interface NativeConstants {
  AF_UNSPEC: number;
  AF_INET: number;
  AF_INET6: number;
  AF_PACKET: number;
  AF_NETLINK: number;
  SOCK_RAW: number;
  SOCK_DGRAM: number;
  SOCK_STREAM: number;
  SOL_SOCKET: number;
  SOL_NETLINK: number;
  IPPROTO_IP: number;
  IPPROTO_IPV6: number;
  IPPROTO_UDP: number;
  IPPROTO_TCP: number;
  IPPROTO_ICMP: number;
  IPPROTO_ICMPV6: number;
  SO_MARK: number;
  IP_RECVERR: number;
  IPV6_RECVERR: number;
  SO_BINDTODEVICE: number;
  IP_TTL: number;
  IP_TOS: number;
  IP_HDRINCL: number;
  IP_RECVTTL: number;
  IP_PKTINFO: number;
  IP_MULTICAST_IF: number;
  IP_MULTICAST_TTL: number;
  IP_MULTICAST_LOOP: number;
  IP_ADD_MEMBERSHIP: number;
  IPV6_UNICAST_HOPS: number;
  IPV6_TCLASS: number;
  IPV6_MULTICAST_IF: number;
  IPV6_MULTICAST_HOPS: number;
  IPV6_MULTICAST_LOOP: number;
  IPV6_ADD_MEMBERSHIP: number;
  IPV6_RECVHOPLIMIT: number;
  IPV6_RECVPKTINFO: number;
  ETH_P_ARP: number;
  ETH_P_IPV6: number;
  NETLINK_ROUTE: number;
  NETLINK_GENERIC: number;
  NETLINK_ADD_MEMBERSHIP: number;
  NETLINK_CAP_ACK: number;
  NETLINK_EXT_ACK: number;
  LOCK_EX: number;
  LOCK_NB: number;
  /** The first real-time signal glibc leaves to programs (34 on Linux). */
  SIGRTMIN: number;
  SIGRTMAX: number;
}

/** AF_INET / AF_INET6. `scopeId` is the interface index a link-local or multicast address needs. */
export interface InetSocketAddress {
  family: number;
  address: string;
  port?: number;
  scopeId?: number;
}

/** AF_PACKET (sockaddr_ll); `protocol` is an ethertype in host byte order. */
export interface PacketSocketAddress {
  family: number;
  ifindex: number;
  protocol?: number;
  mac?: Buffer;
  /** Filled in on receive: ARPHRD_* of the interface. */
  hatype?: number;
  /** Filled in on receive: PACKET_HOST, PACKET_BROADCAST, PACKET_OUTGOING, ... */
  pkttype?: number;
}

/** AF_NETLINK (sockaddr_nl): port id 0 is the kernel; `groups` is the multicast bitmask. */
export interface NetlinkSocketAddress {
  family: number;
  pid?: number;
  groups?: number;
}

export type SocketAddress = InetSocketAddress | PacketSocketAddress | NetlinkSocketAddress;

/**
 * Where one AF_INET / AF_INET6 datagram leaves from, instead of where the kernel would choose:
 * sent with IP_PKTINFO / IPV6_PKTINFO.
 */
export interface SendOptions {
  /** A local address to send from; the kernel refuses one the host does not have (IPv6 EINVAL, IPv4 ENETUNREACH). */
  sourceAddress?: string;
  /** The outgoing interface. */
  ifindex?: number;
  /** The TTL / hop limit of this datagram (IP_TTL / IPV6_HOPLIMIT), 1..255; unset, the socket's. */
  ttl?: number;
}

/** What recvmsg found in the control messages the socket options asked for. */
export interface Ancillary {
  /** IPv4 TTL (IP_RECVTTL; AF_INET raw sockets also get it in the IP header they return). */
  ttl?: number;
  /** IPv6 hop limit (IPV6_RECVHOPLIMIT). */
  hopLimit?: number;
  /** The packet's destination address (IP_PKTINFO / IPV6_RECVPKTINFO). */
  destination?: string;
  /** The interface it arrived on (IP_PKTINFO / IPV6_RECVPKTINFO). */
  ifindex?: number;
}

export interface ReceivedMessage<A extends SocketAddress = SocketAddress> {
  data: Buffer;
  address: A;
  ancillary: Ancillary;
  /** The datagram was longer than the addon's 64 KiB receive buffer and `data` is cut short. */
  truncated: boolean;
}

declare const pollHandle: unique symbol;
export type PollHandle = { readonly [pollHandle]: true };
declare const signalHandle: unique symbol;
type SignalHandle = { readonly [signalHandle]: true };
declare const exchangeEngine: unique symbol;
export type ExchangeEngine = { readonly [exchangeEngine]: true };

/** Where one stream exchange connects to, and how (see native/stream-exchange.c). */
export interface ExchangeTarget extends InetSocketAddress {
  /** SO_BINDTODEVICE before connecting. */
  bindIf?: string;
  /** SO_MARK before connecting. */
  mark?: number;
  /** bind() before connecting. */
  source?: InetSocketAddress;
}

interface SocketsAddon {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, address: SocketAddress): void;
  connect(fd: number, address: SocketAddress): void;
  setsockopt(fd: number, level: number, name: number, value: number | Buffer): void;
  sendto(fd: number, data: Buffer, address?: SocketAddress, options?: SendOptions): number;
  recvmsg(fd: number): ReceivedMessage | null;
  close(fd: number): void;
  ifNameToIndex(name: string): number;
  pollStart(fd: number, onReadable: (error: Error | null) => void): PollHandle;
  pollStop(handle: PollHandle): void;
  signalStart(signum: number, onSignal: () => void): SignalHandle;
  signalStop(handle: SignalHandle): void;
  flock(fd: number, operation: number): void;
  exchangeEngine(): [ExchangeEngine, number];
  exchangeOpen(engine: ExchangeEngine, tag: number, target: ExchangeTarget, request?: Buffer): number;
  exchangeCancel(engine: ExchangeEngine, slot: number, tag: number): void;
  /** Events as [tag, kind, a, b] quadruples, and the bytes their DATA events point into. */
  exchangeCollect(engine: ExchangeEngine): [Int32Array, Buffer] | null;
  exchangeClose(engine: ExchangeEngine): void;
  unixDatagramSend(path: string, data: Buffer): void;
  constants: NativeConstants;
}

let addon: SocketsAddon | undefined;

/**
 * The addon, loaded on first use so that code which only imports net/ (config checks, the CLI
 * bundle) runs without it. Compiled, this file is dist/src/net/native.js, three levels below
 * the package root that holds build/.
 */
export function sockets(): SocketsAddon {
  if (addon) return addon;
  const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const addonPath = path.join(packageRoot, 'build', 'Release', 'sockets.node');
  try {
    addon = createRequire(import.meta.url)(addonPath) as SocketsAddon;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error(
      `vigil's native socket addon is not built (${addonPath} is missing): run \`npm ci\` in ${packageRoot}, ` +
        'which compiles it with node-gyp (needs python3, make and a C compiler)',
      { cause: error },
    );
  }
  return addon;
}

/** `error` with `context` in front of its message; code, errno and syscall are kept for callers that test them. */
export function withContext(context: string, error: Error): Error {
  const { code, errno, syscall } = error as NodeJS.ErrnoException;
  return Object.assign(new Error(`${context}: ${error.message}`, { cause: error }), { code, errno, syscall });
}

export const nativeConstants = (): NativeConstants => sockets().constants;

/** The index of the interface called `name`; throws ENODEV if there is none. */
export const interfaceIndex = (name: string): number => sockets().ifNameToIndex(name);

/**
 * Calls `listener` on the event loop each time signal number `signum` arrives, for the ones
 * Node cannot name (real-time signals); like process.on, it does not keep the process alive.
 * Returns the function that stops listening.
 */
export function onSignalNumber(signum: number, listener: () => void): () => void {
  const handle = sockets().signalStart(signum, listener);
  return () => sockets().signalStop(handle);
}

/** Sends `data` as one datagram to the unix socket `path` ('@NAME': abstract); throws on failure. */
export const sendUnixDatagram = (path: string, data: Buffer): void => sockets().unixDatagramSend(path, data);

/**
 * Takes flock(2)'s exclusive lock on the open file `fd` without waiting: false when another
 * open file holds it. The kernel releases it when the descriptor closes or the process dies.
 */
export function tryLockExclusive(fd: number): boolean {
  const { LOCK_EX, LOCK_NB } = nativeConstants();
  try {
    sockets().flock(fd, LOCK_EX | LOCK_NB);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return false;
    throw error;
  }
}

/** How many datagrams one readiness wake-up reads before yielding to the event loop. */
const MESSAGES_PER_WAKEUP = 64;

interface RawSocketEvents<A extends SocketAddress> {
  message: [ReceivedMessage<A>];
  error: [Error];
}

/**
 * One non-blocking socket of any family. It starts reading when the first 'message' listener
 * is added, so a send-only socket never wakes the event loop; 'error' carries receive errors
 * (ENOBUFS on netlink, for one). Close it to stop polling and release the descriptor.
 */
export class RawSocket<A extends SocketAddress = SocketAddress> extends EventEmitter<RawSocketEvents<A>> {
  readonly fd: number;
  #poll: PollHandle | undefined;
  #closed = false;

  constructor(domain: number, type: number, protocol: number) {
    super();
    this.fd = sockets().socket(domain, type, protocol);
    // 'newListener' is EventEmitter's own event, outside the typed map.
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event === 'message' && !this.#poll && !this.#closed) {
        this.#poll = sockets().pollStart(this.fd, (error) => this.#onReadable(error));
      }
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  setOption(level: number, name: number, value: number | Buffer): void {
    sockets().setsockopt(this.#openFd('setsockopt'), level, name, value);
  }

  bind(address: A): void {
    sockets().bind(this.#openFd('bind'), address);
  }

  /** A datagram socket connects at once: sends go to `address`, and ICMP errors from it become 'error' events. */
  connect(address: A): void {
    sockets().connect(this.#openFd('connect'), address);
  }

  /** Sends one datagram (to `address`, unless the socket is connected) and returns its length. */
  send(data: Buffer, address?: A, options?: SendOptions): number {
    return sockets().sendto(this.#openFd('sendto'), data, address, options);
  }

  /** Stops reading and closes the descriptor; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // libuv must stop watching the descriptor before it is closed (and perhaps reused).
    if (this.#poll) sockets().pollStop(this.#poll);
    this.#poll = undefined;
    sockets().close(this.fd);
  }

  /**
   * Hands the descriptor to a new owner (node:net, for a TCP socket set up here with options it
   * cannot set) without closing it; from then on this RawSocket is closed and the owner closes it.
   */
  release(): number {
    const fd = this.#openFd('release');
    if (this.#poll) sockets().pollStop(this.#poll);
    this.#poll = undefined;
    this.#closed = true;
    return fd;
  }

  // After close the number may already belong to another socket, so it is never used again.
  #openFd(syscall: string): number {
    if (this.#closed) {
      throw Object.assign(new Error(`${syscall} on a closed socket`), { code: 'ERR_SOCKET_CLOSED' });
    }
    return this.fd;
  }

  /**
   * libuv reports POLLERR as EBADF; the error the socket holds says what happened (an ICMP
   * error on a connected datagram socket, ENOBUFS on netlink). Reading it clears it.
   */
  #pendingError(): Error | undefined {
    try {
      const message = sockets().recvmsg(this.fd);
      if (message) this.emit('message', message as ReceivedMessage<A>);
      return undefined;
    } catch (receiveError) {
      return receiveError as Error;
    }
  }

  #onReadable(error: Error | null): void {
    if (error) {
      if (this.#poll) sockets().pollStop(this.#poll);
      this.#poll = undefined;
      this.emit('error', this.#pendingError() ?? error);
      return;
    }
    for (let i = 0; i < MESSAGES_PER_WAKEUP && !this.#closed; i++) {
      let message: ReceivedMessage | null;
      try {
        message = sockets().recvmsg(this.fd);
      } catch (receiveError) {
        this.emit('error', receiveError as Error);
        return;
      }
      if (!message) return;
      this.emit('message', message as ReceivedMessage<A>);
    }
  }
}
