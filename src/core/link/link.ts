/**
 * Link layers: finds the network-layer header inside a captured frame.
 * Dispatch is by the capture's link type (LINKTYPE_* values of pcap/pcapng).
 */

import { u16be, u32be, u32le } from '../bytes/read.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;

/** Result of a link decode: the network protocol and where its header starts. */
export interface LinkResult {
  /** ETHERTYPE_IPV4, ETHERTYPE_IPV6, or another ethertype (not analyzed) */
  ethertype: number;
  /** offset of the network-layer header in the frame buffer */
  off: number;
}

/** Outcome codes of decodeLink. */
export enum LinkStatus {
  Ok = 0,
  /** the frame is shorter than its link header */
  Truncated = 1,
  /** the link type is not one smbscope decodes */
  UnknownLinkType = 2,
  /** a valid frame that carries something other than IP */
  NotIp = 3,
}

/** Most VLAN tags followed before a frame is given up on. */
const MAX_VLAN_TAGS = 8;

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

/** Link types understood by decodeLink (for messages). */
export const SUPPORTED_LINKTYPES: ReadonlyMap<number, string> = new Map([
  [LINKTYPE_NULL, 'BSD loopback (NULL)'],
  [LINKTYPE_ETHERNET, 'Ethernet'],
  [12, 'raw IP'],
  [14, 'raw IP'],
  [LINKTYPE_RAW, 'raw IP'],
  [LINKTYPE_LOOP, 'OpenBSD loopback (LOOP)'],
  [LINKTYPE_LINUX_SLL, 'Linux cooked (SLL)'],
  [LINKTYPE_IPV4, 'raw IPv4'],
  [LINKTYPE_IPV6, 'raw IPv6'],
  [LINKTYPE_LINUX_SLL2, 'Linux cooked v2 (SLL2)'],
]);

/**
 * Decodes the link header of a frame [off, end) of `buf` into `out`.
 * Pure: reads only its arguments, writes only `out`.
 */
export function decodeLink(linktype: number, buf: Uint8Array, off: number, end: number, out: LinkResult): LinkStatus {
  switch (linktype) {
    case LINKTYPE_ETHERNET:
      return ethernet(buf, off, end, out);
    case LINKTYPE_LINUX_SLL:
      if (end - off < 16) return LinkStatus.Truncated;
      return ethertype(u16be(buf, off + 14), off + 16, out);
    case LINKTYPE_LINUX_SLL2:
      if (end - off < 20) return LinkStatus.Truncated;
      return ethertype(u16be(buf, off), off + 20, out);
    case LINKTYPE_NULL:
      if (end - off < 4) return LinkStatus.Truncated;
      // address family in the byte order of the machine that wrote the file
      return family(buf[off] === 0 && buf[off + 1] === 0 ? u32be(buf, off) : u32le(buf, off), off + 4, out);
    case LINKTYPE_LOOP:
      if (end - off < 4) return LinkStatus.Truncated;
      return family(u32be(buf, off), off + 4, out);
    case 12:
    case 14:
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      if (end - off < 1) return LinkStatus.Truncated;
      return rawIp(buf, off, out);
    default:
      return LinkStatus.UnknownLinkType;
  }
}

function ethernet(buf: Uint8Array, off: number, end: number, out: LinkResult): LinkStatus {
  if (end - off < 14) return LinkStatus.Truncated;
  let type = u16be(buf, off + 12);
  let p = off + 14;
  for (let tags = 0; type === 0x8100 || type === 0x88a8 || type === 0x9100; tags++) {
    if (tags === MAX_VLAN_TAGS) return LinkStatus.NotIp;
    if (end - p < 4) return LinkStatus.Truncated;
    type = u16be(buf, p + 2);
    p += 4;
  }
  return ethertype(type, p, out);
}

function ethertype(type: number, off: number, out: LinkResult): LinkStatus {
  out.ethertype = type;
  out.off = off;
  return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6 ? LinkStatus.Ok : LinkStatus.NotIp;
}

function family(af: number, off: number, out: LinkResult): LinkStatus {
  out.off = off;
  if (af === 2) {
    out.ethertype = ETHERTYPE_IPV4;
    return LinkStatus.Ok;
  }
  // AF_INET6 differs between systems: Linux 10, BSDs 24, FreeBSD 28, macOS 30
  if (af === 10 || af === 24 || af === 28 || af === 30) {
    out.ethertype = ETHERTYPE_IPV6;
    return LinkStatus.Ok;
  }
  out.ethertype = 0;
  return LinkStatus.NotIp;
}

function rawIp(buf: Uint8Array, off: number, out: LinkResult): LinkStatus {
  const v = buf[off]! >> 4;
  out.off = off;
  if (v === 4) out.ethertype = ETHERTYPE_IPV4;
  else if (v === 6) out.ethertype = ETHERTYPE_IPV6;
  else {
    out.ethertype = 0;
    return LinkStatus.NotIp;
  }
  return LinkStatus.Ok;
}
