/**
 * A netlink socket speaking to the kernel: requests answered by sequence number, dumps gathered
 * until NLMSG_DONE, and the multicast notifications of the groups it joined. The kernel handles
 * a request inside sendmsg and queues its ack, and handles a socket's messages in order; so
 * requests are sent back to back, up to REQUEST_WINDOW awaiting their acks (a burst of IPVS
 * changes costs one wake-up of the event loop per batch, not one per change), in the order they
 * were made. A dump goes out alone: the kernel runs one per socket, fed by our reads.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { type NetlinkSocketAddress, nativeConstants, RawSocket, type ReceivedMessage, withContext } from './native.js';
import {
  decodeAck,
  decodeDoneStatus,
  decodeMessages,
  encodeMessage,
  NetlinkError,
  NetlinkFormatError,
  type NetlinkMessage,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
} from './netlink-codec.js';

/** How often a dump is restarted when the kernel flags it as interrupted by concurrent changes. */
const DUMP_ATTEMPTS = 5;
/**
 * Requests awaiting their acks at once. Each ack holds roughly a kilobyte of the receive buffer
 * (about 200 KiB by default) until read: this many stay well inside it.
 */
const REQUEST_WINDOW = 64;

interface PendingRequest {
  operation: string;
  dump: boolean;
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
  /** Sent and not yet answered, by sequence number: requests, or one dump alone. */
  readonly #sent = new Map<number, PendingRequest>();
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
    return this.#enqueue(operation, false, type, NLM_F_REQUEST | NLM_F_ACK | flags, payload, 1);
  }

  /** Dumps a table: resolves with every part once NLMSG_DONE arrives. */
  dump(operation: string, type: number, payload: Buffer): Promise<NetlinkMessage[]> {
    return this.#enqueue(operation, true, type, NLM_F_REQUEST | NLM_F_DUMP, payload, DUMP_ATTEMPTS);
  }

  /** Closes the socket; requests still waiting reject with ERR_SOCKET_CLOSED. */
  close(): void {
    if (this.#socket.closed) return;
    this.#socket.close();
    const waiting = [...this.#sent.values(), ...this.#queue.splice(0)];
    this.#sent.clear();
    for (const request of waiting) request.reject(withContext(request.operation, socketClosed()));
  }

  #enqueue(
    operation: string,
    dump: boolean,
    type: number,
    flags: number,
    payload: Buffer,
    attempts: number,
  ): Promise<NetlinkMessage[]> {
    return new Promise((resolve, reject) => {
      this.#queue.push({
        operation,
        dump,
        type,
        flags,
        payload,
        seq: 0,
        replies: [],
        interrupted: false,
        attemptsLeft: attempts,
        resolve,
        reject,
      });
      this.#sendNext();
    });
  }

  /** Sends what may go now: requests up to the window, or a dump once nothing else is out. */
  #sendNext(): void {
    for (;;) {
      const next = this.#queue[0];
      if (!next) return;
      if (this.#socket.closed) {
        this.#queue.shift();
        next.reject(withContext(next.operation, socketClosed()));
        continue;
      }
      const dumping = [...this.#sent.values()].some((r) => r.dump);
      if (dumping || (next.dump && this.#sent.size > 0) || this.#sent.size >= REQUEST_WINDOW) return;
      this.#queue.shift();
      this.#transmit(next);
    }
  }

  #transmit(request: PendingRequest): void {
    this.#sent.delete(request.seq);
    request.seq = this.#lastSeq = (this.#lastSeq + 1) >>> 0 || 1;
    this.#sent.set(request.seq, request);
    request.replies = [];
    request.interrupted = false;
    request.attemptsLeft--;
    const { type, flags, payload, seq } = request;
    try {
      this.#socket.send(encodeMessage({ type, flags, seq, pid: 0, payload }), {
        family: nativeConstants().AF_NETLINK,
        pid: 0,
      });
    } catch (error) {
      this.#settle(request, withContext(request.operation, error as Error));
    }
  }

  #settle(request: PendingRequest, error: Error | undefined): void {
    if (this.#sent.get(request.seq) !== request) return;
    this.#sent.delete(request.seq);
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
    const request = this.#sent.get(message.seq);
    // Anything else is late output of a request that already failed.
    if (!request) return;
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
        else
          this.#settle(
            request,
            new NetlinkError(
              `${request.operation} (the table kept changing while it was read)`,
              -os.constants.errno.EINTR,
            ),
          );
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

  /**
   * A receive failure may have lost any answer still to come (ENOBUFS drops them), so every
   * request out now fails with it: its outcome is unknown, and the caller reads the table again.
   */
  #onReceiveError(error: Error): void {
    const waiting = [...this.#sent.values()];
    for (const request of waiting) this.#settle(request, withContext(request.operation, error));
    if ((error as NodeJS.ErrnoException).code === 'ENOBUFS') this.emit('overrun');
    else if (waiting.length === 0) this.emit('error', error);
  }
}
