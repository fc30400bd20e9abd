/**
 * IP header views (IPv4 and IPv6 with extension headers).
 *
 * `decodeIp` validates lengths once and fills an `IpInfo` that later layers
 * read: addresses as four 32-bit words (IPv4 in the last word), the
 * upper-layer protocol and where its bytes are. Fragments are reported, not
 * reassembled here (see fragments.ts).
 */

import { u16be, u32be } from '../bytes/read.js';
import { checksumOk, sum16 } from './checksum.js';

export interface IpInfo {
  version: 4 | 6;
  /** source and destination addresses as 32-bit words; IPv4 uses only s3/d3 */
  s0: number;
  s1: number;
  s2: number;
  s3: number;
  d0: number;
  d1: number;
  d2: number;
  d3: number;
  /** upper-layer protocol (after IPv6 extension headers) */
  proto: number;
  /** offset of the IP header */
  hdrOff: number;
  /** IP datagram length as the header gives it (header included) */
  totalLen: number;
  /** offset of the upper-layer header */
  payOff: number;
  /** end of the captured upper-layer bytes (ignores link padding) */
  payEnd: number;
  /** upper-layer length as the header gives it */
  payWire: number;
  /** true when the datagram is a fragment */
  fragment: boolean;
  fragOffset: number;
  moreFragments: boolean;
  fragId: number;
  ttl: number;
}

export function newIpInfo(): IpInfo {
  return {
    version: 4,
    s0: 0,
    s1: 0,
    s2: 0,
    s3: 0,
    d0: 0,
    d1: 0,
    d2: 0,
    d3: 0,
    proto: 0,
    hdrOff: 0,
    totalLen: 0,
    payOff: 0,
    payEnd: 0,
    payWire: 0,
    fragment: false,
    fragOffset: 0,
    moreFragments: false,
    fragId: 0,
    ttl: 0,
  };
}

/** Outcomes of decodeIp; the non-Ok ones carry Zeek's weird names in ipWeird. */
export enum IpStatus {
  Ok = 0,
  TruncatedHeader = 1,
  BadHeaderLength = 2,
  BadChecksum = 3,
  BadVersion = 4,
  /** captured bytes end before the datagram does (snap length) */
  Truncated = 5,
  BadExtensionHeader = 6,
}

export const IP_WEIRD: Record<number, string> = {
  [IpStatus.TruncatedHeader]: 'truncated_IP',
  [IpStatus.BadHeaderLength]: 'bad_IP_header_len',
  [IpStatus.BadChecksum]: 'bad_IP_checksum',
  [IpStatus.BadVersion]: 'unknown_IP_version',
  [IpStatus.Truncated]: 'truncated_IP',
  [IpStatus.BadExtensionHeader]: 'bad_IPv6_extension_header',
};

/**
 * Decodes the IPv4 or IPv6 header at `off` (captured bytes end at `end`).
 * With `verify`, an IPv4 header checksum mismatch is reported.
 * A datagram cut by the snap length is still decoded (status Truncated,
 * payEnd = end); callers decide what to do with the part they have.
 */
export function decodeIp(buf: Uint8Array, off: number, end: number, verify: boolean, out: IpInfo): IpStatus {
  if (end - off < 1) return IpStatus.TruncatedHeader;
  const v = buf[off]! >> 4;
  if (v === 4) return ipv4(buf, off, end, verify, out);
  if (v === 6) return ipv6(buf, off, end, out);
  return IpStatus.BadVersion;
}

function ipv4(buf: Uint8Array, off: number, end: number, verify: boolean, out: IpInfo): IpStatus {
  if (end - off < 20) return IpStatus.TruncatedHeader;
  const hl = (buf[off]! & 0x0f) * 4;
  const total = u16be(buf, off + 2);
  if (hl < 20 || total < hl) return IpStatus.BadHeaderLength;
  if (end - off < hl) return IpStatus.TruncatedHeader;
  if (verify && !checksumOk(sum16(buf, off, hl))) return IpStatus.BadChecksum;
  const fl = u16be(buf, off + 6);
  out.version = 4;
  out.s0 = out.s1 = out.s2 = out.d0 = out.d1 = out.d2 = 0;
  out.s3 = u32be(buf, off + 12);
  out.d3 = u32be(buf, off + 16);
  out.proto = buf[off + 9]!;
  out.ttl = buf[off + 8]!;
  out.hdrOff = off;
  out.totalLen = total;
  out.payOff = off + hl;
  out.payWire = total - hl;
  out.fragOffset = (fl & 0x1fff) * 8;
  out.moreFragments = (fl & 0x2000) !== 0;
  out.fragment = out.moreFragments || out.fragOffset !== 0;
  out.fragId = u16be(buf, off + 4);
  const datagramEnd = off + total;
  if (datagramEnd > end) {
    out.payEnd = end;
    return IpStatus.Truncated;
  }
  out.payEnd = datagramEnd;
  return IpStatus.Ok;
}

/** Most extension headers followed before a datagram is given up on. */
const MAX_EXTENSION_HEADERS = 16;

function ipv6(buf: Uint8Array, off: number, end: number, out: IpInfo): IpStatus {
  if (end - off < 40) return IpStatus.TruncatedHeader;
  const payLen = u16be(buf, off + 4);
  out.version = 6;
  out.s0 = u32be(buf, off + 8);
  out.s1 = u32be(buf, off + 12);
  out.s2 = u32be(buf, off + 16);
  out.s3 = u32be(buf, off + 20);
  out.d0 = u32be(buf, off + 24);
  out.d1 = u32be(buf, off + 28);
  out.d2 = u32be(buf, off + 32);
  out.d3 = u32be(buf, off + 36);
  out.ttl = buf[off + 7]!;
  out.hdrOff = off;
  out.totalLen = 40 + payLen;
  out.fragment = false;
  out.fragOffset = 0;
  out.moreFragments = false;
  out.fragId = 0;
  const datagramEnd = off + 40 + payLen;
  const capEnd = Math.min(end, datagramEnd);
  let next = buf[off + 6]!;
  let p = off + 40;
  for (let n = 0; ; n++) {
    if (n > MAX_EXTENSION_HEADERS) return IpStatus.BadExtensionHeader;
    if (next === 0 || next === 43 || next === 60) {
      // hop-by-hop, routing, destination options: length in 8-octet units beyond the first 8
      if (capEnd - p < 8) return capEnd < datagramEnd ? IpStatus.TruncatedHeader : IpStatus.BadExtensionHeader;
      const len = (buf[p + 1]! + 1) * 8;
      next = buf[p]!;
      p += len;
      if (p > datagramEnd) return IpStatus.BadExtensionHeader;
      if (p > capEnd) return IpStatus.TruncatedHeader; // the header itself was cut by the snap length
    } else if (next === 44) {
      if (capEnd - p < 8) return capEnd < datagramEnd ? IpStatus.TruncatedHeader : IpStatus.BadExtensionHeader;
      const fo = u16be(buf, p + 2);
      out.fragOffset = fo & 0xfff8;
      out.moreFragments = (fo & 1) !== 0;
      out.fragId = u32be(buf, p + 4);
      out.fragment = out.moreFragments || out.fragOffset !== 0;
      next = buf[p]!;
      p += 8;
      // a real fragment: what follows is the fragmentable part (offsets count from here), and
      // after the first fragment it is data, not headers; see ipv6UpperLayer for the reassembled part
      if (out.fragment) break;
    } else if (next === 51) {
      // authentication header: length in 4-octet units minus 2
      if (capEnd - p < 8) return capEnd < datagramEnd ? IpStatus.TruncatedHeader : IpStatus.BadExtensionHeader;
      const len = (buf[p + 1]! + 2) * 4;
      next = buf[p]!;
      p += len;
      if (p > datagramEnd) return IpStatus.BadExtensionHeader;
      if (p > capEnd) return IpStatus.TruncatedHeader;
    } else {
      break;
    }
  }
  out.proto = next;
  out.payOff = p;
  out.payWire = datagramEnd - p;
  if (datagramEnd > end) {
    out.payEnd = Math.max(p, end);
    return IpStatus.Truncated;
  }
  out.payEnd = datagramEnd;
  return IpStatus.Ok;
}

/**
 * Walks the IPv6 extension headers that start with header type `next` at
 * `off` (for instance those at the start of a reassembled fragmentable part,
 * RFC 8200 4.5) up to `end`: the upper-layer protocol and where it starts, or
 * undefined when a header does not fit.
 */
export function ipv6UpperLayer(
  buf: Uint8Array,
  off: number,
  end: number,
  next: number,
): { proto: number; off: number } | undefined {
  let p = off;
  for (let n = 0; n <= MAX_EXTENSION_HEADERS; n++) {
    if (next !== 0 && next !== 43 && next !== 60 && next !== 51) return { proto: next, off: p };
    if (end - p < 8) return undefined;
    const len = next === 51 ? (buf[p + 1]! + 2) * 4 : (buf[p + 1]! + 1) * 8;
    next = buf[p]!;
    p += len;
    if (p > end) return undefined;
  }
  return undefined;
}

/** Text form of an address held as four words (IPv4 when `version` is 4). */
export function addrToString(version: 4 | 6, a0: number, a1: number, a2: number, a3: number): string {
  // joined rather than concatenated: a flat string (a concatenation of 13 or more characters is a rope)
  if (version === 4) return [a3 >>> 24, (a3 >>> 16) & 0xff, (a3 >>> 8) & 0xff, a3 & 0xff].join('.');
  return ipv6ToString([a0, a1, a2, a3]);
}

/** RFC 5952 text of an IPv6 address given as four 32-bit words. */
export function ipv6ToString(w: number[]): string {
  const g: number[] = [];
  for (const x of w) g.push((x >>> 16) & 0xffff, x & 0xffff);
  // IPv4-mapped: ::ffff:a.b.c.d (as Zeek prints it)
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    const v4 = w[3]!;
    return `::ffff:${v4 >>> 24}.${(v4 >>> 16) & 0xff}.${(v4 >>> 8) & 0xff}.${v4 & 0xff}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexs = g.map((x) => x.toString(16));
  if (bestStart < 0) return hexs.join(':');
  const head = hexs.slice(0, bestStart).join(':');
  const tail = hexs.slice(bestStart + bestLen).join(':');
  return [head, tail].join('::');
}
