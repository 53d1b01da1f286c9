/**
 * Sends complete Ethernet frames (the gratuitous ARPs and unsolicited Neighbor Advertisements
 * that vrrp/gratuitous builds) out of one interface through an AF_PACKET socket.
 */
import { nativeConstants, type PacketSocketAddress, RawSocket, withContext } from './native.js';

const ETHERNET_HEADER_LENGTH = 14;

export class FrameSocket {
  readonly ifindex: number;
  readonly #socket: RawSocket<PacketSocketAddress>;

  constructor(ifindex: number) {
    const c = nativeConstants();
    this.ifindex = ifindex;
    try {
      // Protocol 0: the kernel delivers nothing to this socket, which only sends.
      this.#socket = new RawSocket(c.AF_PACKET, c.SOCK_RAW, 0);
    } catch (error) {
      throw withContext(`cannot open a packet socket for ifindex ${ifindex}`, error as Error);
    }
  }

  /** Sends `frame` as is: destination MAC, source MAC, ethertype, payload. */
  send(frame: Buffer): void {
    if (frame.length < ETHERNET_HEADER_LENGTH)
      throw new RangeError(`an Ethernet frame has at least ${ETHERNET_HEADER_LENGTH} bytes, not ${frame.length}`);
    const c = nativeConstants();
    // The ethertype becomes the packet's protocol inside the kernel (for taps and qdiscs);
    // the destination MAC is only informative, the frame already carries it.
    const address = {
      family: c.AF_PACKET,
      ifindex: this.ifindex,
      protocol: frame.readUInt16BE(12),
      mac: frame.subarray(0, 6),
    };
    try {
      this.#socket.send(frame, address);
    } catch (error) {
      throw withContext(`sending a frame on ifindex ${this.ifindex}`, error as Error);
    }
  }

  close(): void {
    this.#socket.close();
  }
}
