// The kernel's process events (the proc connector, cn_proc): fork, exec, comm and exit of every
// process, as keepalived follows them. It lives only in the initial network namespace: elsewhere
// the kernel refuses the subscription (ECONNREFUSED), and the caller polls /proc instead.
import { type NetlinkSocketAddress, nativeConstants, RawSocket } from '../net/native.js';

/** NETLINK_CONNECTOR; the addon's constants stop at the protocols vigil had used before. */
const NETLINK_CONNECTOR = 11;
const CN_IDX_PROC = 1;
const CN_VAL_PROC = 1;
const PROC_CN_MCAST_LISTEN = 1;
const NLMSG_DONE = 3;

const NLMSG_HEADER = 16;
/** struct cn_msg: id (idx, val), seq, ack, len, flags. */
const CN_MSG = 20;
/** struct proc_event: what, cpu, timestamp_ns, then the event's data. */
const EVENT_DATA = NLMSG_HEADER + CN_MSG + 16;

const PROC_EVENT = { FORK: 0x1, EXEC: 0x2, COMM: 0x200, EXIT: 0x80000000 } as const;

export type ProcEvent =
  | { kind: 'fork'; parent: number; child: number }
  | { kind: 'exec'; pid: number }
  | { kind: 'comm'; pid: number; comm: string }
  | { kind: 'exit'; pid: number };

/** One datagram's event, or undefined for what tracking ignores (threads, uid changes, acks). */
export function decodeProcEvent(data: Buffer): ProcEvent | undefined {
  if (data.length < EVENT_DATA + 8) return undefined;
  if (data.readUInt32LE(NLMSG_HEADER) !== CN_IDX_PROC || data.readUInt32LE(NLMSG_HEADER + 4) !== CN_VAL_PROC)
    return undefined;
  const what = data.readUInt32LE(NLMSG_HEADER + CN_MSG);
  const pid = data.readInt32LE(EVENT_DATA);
  const tgid = data.readInt32LE(EVENT_DATA + 4);
  switch (what) {
    case PROC_EVENT.FORK: {
      // A new thread has child pid != child tgid; only new processes count.
      const childPid = data.readInt32LE(EVENT_DATA + 8);
      const childTgid = data.readInt32LE(EVENT_DATA + 12);
      return childPid === childTgid ? { kind: 'fork', parent: tgid, child: childTgid } : undefined;
    }
    case PROC_EVENT.EXEC:
      return pid === tgid ? { kind: 'exec', pid: tgid } : undefined;
    case PROC_EVENT.COMM: {
      if (pid !== tgid) return undefined;
      const raw = data.subarray(EVENT_DATA + 8, EVENT_DATA + 24);
      const end = raw.indexOf(0);
      return { kind: 'comm', pid: tgid, comm: raw.subarray(0, end < 0 ? raw.length : end).toString('utf8') };
    }
    case PROC_EVENT.EXIT:
      return pid === tgid ? { kind: 'exit', pid: tgid } : undefined;
    default:
      return undefined;
  }
}

function listenRequest(): Buffer {
  const message = Buffer.alloc(NLMSG_HEADER + CN_MSG + 4);
  message.writeUInt32LE(message.length, 0);
  message.writeUInt16LE(NLMSG_DONE, 4);
  message.writeUInt32LE(process.pid, 12);
  message.writeUInt32LE(CN_IDX_PROC, NLMSG_HEADER);
  message.writeUInt32LE(CN_VAL_PROC, NLMSG_HEADER + 4);
  message.writeUInt16LE(4, NLMSG_HEADER + 16);
  message.writeUInt32LE(PROC_CN_MCAST_LISTEN, NLMSG_HEADER + CN_MSG);
  return message;
}

export interface ProcConnection {
  close(): void;
}

/**
 * Subscribes to process events. Throws when the kernel will not deliver them (no
 * CONFIG_PROC_EVENTS, not in the initial network namespace, no CAP_NET_ADMIN). `lost` is
 * called when events were dropped (ENOBUFS): what is counted must then be read afresh.
 */
export function connectProcEvents(onEvent: (event: ProcEvent) => void, lost: (err: Error) => void): ProcConnection {
  const c = nativeConstants();
  const socket = new RawSocket<NetlinkSocketAddress>(c.AF_NETLINK, c.SOCK_DGRAM, NETLINK_CONNECTOR);
  try {
    socket.bind({ family: c.AF_NETLINK, pid: 0, groups: CN_IDX_PROC });
    socket.send(listenRequest(), { family: c.AF_NETLINK, pid: 0 });
  } catch (err) {
    socket.close();
    throw err;
  }
  socket.on('message', ({ data, address }) => {
    // Only the kernel's events count; another process could send forged ones.
    if (address.pid !== 0) return;
    const event = decodeProcEvent(data);
    if (event) onEvent(event);
  });
  socket.on('error', lost);
  return { close: () => socket.close() };
}
