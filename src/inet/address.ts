/** IP address parsing and canonical formatting (IPv6 per RFC 5952: lowercase, `::` compressed). */

export type Family = 4 | 6;

export interface IpAddress {
  /** Canonical text form. */
  address: string;
  family: Family;
  bytes: Uint8Array;
}

function parseIpv4Bytes(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    // Leading zeros are refused: inet_aton would read them as octal, a classic surprise.
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return bytes;
}

function parseIpv6Bytes(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  const words: number[] = [];
  const pushGroups = (groups: string[], allowV4Last: boolean): boolean => {
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4Last && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIpv4Bytes(g);
        if (!v4) return false;
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      words.push(parseInt(g, 16));
    }
    return true;
  };
  if (!pushGroups(head, halves.length === 1)) return undefined;
  const headWords = words.length;
  if (!pushGroups(tail, true)) return undefined;
  const tailWords = words.splice(headWords);
  if (halves.length === 2) {
    const missing = 8 - headWords - tailWords.length;
    if (missing < 1) return undefined;
    words.push(...new Array<number>(missing).fill(0));
  }
  words.push(...tailWords);
  if (words.length !== 8) return undefined;
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  // IPv4-mapped addresses keep their dotted tail (RFC 5952 section 5).
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${[...bytes.slice(12)].join('.')}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4Bytes(text);
  const raw = v4 ?? (text.includes(':') ? parseIpv6Bytes(text) : undefined);
  if (!raw) return undefined;
  const bytes = Uint8Array.from(raw);
  return { address: formatIp(bytes), family: v4 ? 4 : 6, bytes };
}

/** 224.0.0.0/4 or ff00::/8. */
export function isMulticast(ip: IpAddress): boolean {
  return ip.family === 4 ? ip.bytes[0]! >= 224 && ip.bytes[0]! <= 239 : ip.bytes[0] === 0xff;
}

/** The same of an address's text; false for what is no address. */
export function isMulticastAddress(text: string): boolean {
  const ip = parseIp(text);
  return ip !== undefined && isMulticast(ip);
}

export const maxPrefix = (family: Family): number => (family === 4 ? 32 : 128);

function ipToBigInt(ip: IpAddress): bigint {
  return ip.bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

function bigIntToIp(value: bigint, family: Family): IpAddress {
  const length = family === 4 ? 4 : 16;
  const bytes = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return { address: formatIp(bytes), family, bytes };
}

/** The first and last address of `ip/prefix`. */
export function prefixRange(ip: IpAddress, prefix: number): { first: IpAddress; last: IpAddress } {
  const bits = BigInt(maxPrefix(ip.family));
  const hostMask = (1n << (bits - BigInt(prefix))) - 1n;
  const value = ipToBigInt(ip);
  return { first: bigIntToIp(value & ~hostMask, ip.family), last: bigIntToIp(value | hostMask, ip.family) };
}

/** The prefix length of a contiguous IPv4 netmask such as 255.255.255.0, else undefined. */
export function netmaskPrefix(ip: IpAddress): number | undefined {
  if (ip.family !== 4) return undefined;
  const value = Number(ipToBigInt(ip));
  const bits = value.toString(2).padStart(32, '0');
  if (!/^1*0*$/.test(bits)) return undefined;
  return bits.replace(/0+$/, '').length;
}
