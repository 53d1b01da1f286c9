// Hand-built netlink attributes (host byte order, as on the little-endian machines the byte-exact
// tests run on), for decoding tests that play the kernel's side.

/** One attribute: header, payload (a Buffer, or hex with any spacing), padding to 4 bytes. */
export function tlv(type: number, data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data.replace(/\s+/g, ''), 'hex') : data;
  const header = Buffer.alloc(4);
  header.writeUInt16LE(4 + bytes.length, 0);
  header.writeUInt16LE(type, 2);
  return Buffer.concat([header, bytes, Buffer.alloc((4 - (bytes.length % 4)) % 4)]);
}
export const nest = (type: number, ...children: Buffer[]): Buffer => tlv(type, Buffer.concat(children));
export const cString = (text: string): Buffer => Buffer.from(`${text}\0`);
export const u16 = (value: number): Buffer => Buffer.from([value & 0xff, value >> 8]);
export const u32 = (value: number): Buffer => {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(value);
  return data;
};
