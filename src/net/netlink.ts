/**
 * A netlink socket speaking to the kernel: requests answered by sequence number, dumps gathered
 * until NLMSG_DONE, and the multicast notifications of the groups it joined. Requests go out
 * one at a time, because the kernel runs at most one dump per socket and answers everything
 * else before sendmsg returns, so queueing costs nothing.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { RawSocket, nativeConstants, withContext, type NetlinkSocketAddress, type ReceivedMessage } from './native.js';
import {
  decodeAck,
  decodeDoneStatus,
  decodeMessages,
  encodeMessage,
  NetlinkError,
  NetlinkFormatError,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  type NetlinkMessage,
} from './netlink-codec.js';

/** How often a dump is restarted when the kernel flags it as interrupted by concurrent changes. */
const DUMP_ATTEMPTS = 5;

interface PendingRequest {
  operation: string;
  type: number;
  flags: number;
  payload: Buffer;
  seq: number;
  replies: NetlinkMessage[];
  interrupted: boolean;
  attemptsLeft: number;
  resolve(replies: NetlinkMessage[]): void;
  reject(error: Error): void;
}

export interface NetlinkSocketEvents {
  /** A message the kernel multicast to a joined group. */
  notification: [NetlinkMessage];
  /** The receive queue overflowed and notifications were lost: dump the table again to catch up. */
  overrun: [];
  /** A receive failure with no request to blame it on. */
  error: [Error];
}

const socketClosed = (): Error => Object.assign(new Error('netlink socket closed'), { code: 'ERR_SOCKET_CLOSED' });

export class NetlinkSocket extends EventEmitter<NetlinkSocketEvents> {
  readonly #socket: RawSocket<NetlinkSocketAddress>;
  readonly #queue: PendingRequest[] = [];
  #active: PendingRequest | undefined;
  #lastSeq = 0;

  /** `protocol`: NETLINK_ROUTE, NETLINK_GENERIC, ...; `groups`: multicast group numbers to join. */
  constructor(protocol: number, groups: readonly number[] = []) {
    super();
    const c = nativeConstants();
    this.#socket = new RawSocket<NetlinkSocketAddress>(c.AF_NETLINK, c.SOCK_RAW, protocol);
    try {
      // Refusals then carry the kernel's reason in words, and acks do not echo requests back.
      this.#socket.setOption(c.SOL_NETLINK, c.NETLINK_EXT_ACK, 1);
      this.#socket.setOption(c.SOL_NETLINK, c.NETLINK_CAP_ACK, 1);
      this.#socket.bind({ family: c.AF_NETLINK, pid: 0, groups: 0 });
      for (const group of groups) this.#socket.setOption(c.SOL_NETLINK, c.NETLINK_ADD_MEMBERSHIP, group);
    } catch (error) {
      this.#socket.close();
      throw error;
    }
    this.#socket.on('message', (message) => this.#onDatagram(message));
    this.#socket.on('error', (error) => this.#onReceiveError(error));
  }

  /**
   * Sends one request with NLM_F_ACK and resolves with the replies that came before the kernel's
   * acknowledgement (none for NEW/DEL). A refusal rejects with a NetlinkError that starts with
   * `operation`, e.g. "add 198.51.100.10/24 to ifindex 3: EEXIST: file already exists".
   */
  request(operation: string, type: number, flags: number, payload: Buffer): Promise<NetlinkMessage[]> {
    return this.#enqueue(operation, type, NLM_F_REQUEST | NLM_F_ACK | flags, payload, 1);
  }

  /** Dumps a table: resolves with every part once NLMSG_DONE arrives. */
  dump(operation: string, type: number, payload: Buffer): Promise<NetlinkMessage[]> {
    return this.#enqueue(operation, type, NLM_F_REQUEST | NLM_F_DUMP, payload, DUMP_ATTEMPTS);
  }

  /** Closes the socket; requests still waiting reject with ERR_SOCKET_CLOSED. */
  close(): void {
    if (this.#socket.closed) return;
    this.#socket.close();
    const waiting = [...(this.#active ? [this.#active] : []), ...this.#queue.splice(0)];
    this.#active = undefined;
    for (const request of waiting) request.reject(withContext(request.operation, socketClosed()));
  }

  #enqueue(operation: string, type: number, flags: number, payload: Buffer, attempts: number): Promise<NetlinkMessage[]> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ operation, type, flags, payload, seq: 0, replies: [], interrupted: false, attemptsLeft: attempts, resolve, reject });
      this.#sendNext();
    });
  }

  #sendNext(): void {
    if (this.#active) return;
    const next = this.#queue.shift();
    if (!next) return;
    if (this.#socket.closed) {
      next.reject(withContext(next.operation, socketClosed()));
      this.#sendNext();
      return;
    }
    this.#active = next;
    this.#transmit(next);
  }

  #transmit(request: PendingRequest): void {
    request.seq = this.#lastSeq = (this.#lastSeq + 1) >>> 0 || 1;
    request.replies = [];
    request.interrupted = false;
    request.attemptsLeft--;
    const { type, flags, payload, seq } = request;
    try {
      this.#socket.send(encodeMessage({ type, flags, seq, pid: 0, payload }), { family: nativeConstants().AF_NETLINK, pid: 0 });
    } catch (error) {
      this.#settle(request, withContext(request.operation, error as Error));
    }
  }

  #settle(request: PendingRequest, error: Error | undefined): void {
    if (this.#active !== request) return;
    this.#active = undefined;
    if (error) request.reject(error);
    else request.resolve(request.replies);
    this.#sendNext();
  }

  #onDatagram({ data, address, truncated }: ReceivedMessage<NetlinkSocketAddress>): void {
    // Only the kernel (port 0) is listened to; another process could otherwise forge answers.
    if (address.pid !== 0) return;
    let messages: NetlinkMessage[];
    try {
      if (truncated) throw new NetlinkFormatError(`netlink: a ${data.length}-byte datagram was cut short`);
      messages = decodeMessages(data);
      if (address.groups) {
        for (const message of messages) this.emit('notification', message);
        return;
      }
      for (const message of messages) this.#onReply(message);
    } catch (error) {
      this.#onReceiveError(error as Error);
    }
  }

  #onReply(message: NetlinkMessage): void {
    const request = this.#active;
    // Anything else is late output of a request that already failed.
    if (!request || message.seq !== request.seq) return;
    switch (message.type) {
      case NLMSG_NOOP:
        return;
      case NLMSG_ERROR: {
        const ack = decodeAck(message);
        this.#settle(request, ack.error === 0 ? undefined : new NetlinkError(request.operation, ack.error, ack.reason));
        return;
      }
      case NLMSG_DONE: {
        const status = decodeDoneStatus(message);
        if (status < 0) this.#settle(request, new NetlinkError(request.operation, status));
        else if (!request.interrupted) this.#settle(request, undefined);
        else if (request.attemptsLeft > 0) this.#transmit(request);
        else this.#settle(request, new NetlinkError(`${request.operation} (the table kept changing while it was read)`, -os.constants.errno.EINTR));
        return;
      }
      case NLMSG_OVERRUN:
        this.#settle(request, new NetlinkError(request.operation, -os.constants.errno.ENOBUFS));
        return;
      default:
        if (message.flags & NLM_F_DUMP_INTR) request.interrupted = true;
        request.replies.push(message);
    }
  }

  #onReceiveError(error: Error): void {
    const request = this.#active;
    if (request) this.#settle(request, withContext(request.operation, error));
    if ((error as NodeJS.ErrnoException).code === 'ENOBUFS') this.emit('overrun');
    else if (!request) this.emit('error', error);
  }
}
