/**
 * Crafted network packets for tests: Ethernet (with VLAN tags), IPv4, IPv6
 * and TCP, with checksums computed here, independently of smbscope's own
 * checksum code (RFC 1071: ones'-complement sum of big-endian 16-bit words,
 * odd byte padded with zero, carries folded, result complemented).
 */

import { ByteWriter, concat } from './bytes.js';

/** RFC 1071 Internet checksum of the concatenated parts (the value to store). */
export function internetChecksum(...parts: readonly Uint8Array[]): number {
  const all = concat(...parts);
  let sum = 0;
  for (let i = 0; i < all.length; i += 2) {
    const hi = all[i] ?? 0;
    const lo = all[i + 1] ?? 0; // odd length: padded with a zero byte
    sum += (hi << 8) | lo;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function parseIpv4(s: string): Uint8Array {
  const parts = s.split('.').map((x) => Number.parseInt(x, 10));
  if (parts.length !== 4) throw new Error(`bad IPv4 address ${s}`);
  return Uint8Array.from(parts);
}

export function parseIpv6(s: string): Uint8Array {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) throw new Error(`bad IPv6 address ${s}`);
  const w = new ByteWriter();
  for (const g of groups) w.u16be(Number.parseInt(g, 16));
  return w.done();
}

export function parseAddr(s: string): Uint8Array {
  return s.includes(':') ? parseIpv6(s) : parseIpv4(s);
}

export interface VlanTag {
  /** 0x8100 (802.1Q) or 0x88a8 (802.1ad outer tag) */
  tpid: number;
  /** priority (3 bits), DEI (1), VLAN id (12) */
  tci: number;
}

/** An Ethernet II frame: dst MAC, src MAC, optional VLAN tags, EtherType, payload. */
export function ethernet(payload: Uint8Array, type = 0x0800, vlans: readonly VlanTag[] = []): Uint8Array {
  const w = new ByteWriter();
  w.bytes([0x02, 0, 0, 0, 0, 0x02]); // destination MAC (locally administered)
  w.bytes([0x02, 0, 0, 0, 0, 0x01]); // source MAC
  for (const v of vlans) w.u16be(v.tpid).u16be(v.tci);
  w.u16be(type); // EtherType
  w.bytes(payload);
  return w.done();
}

export interface Ipv4Options {
  src: string;
  dst: string;
  proto?: number;
  id?: number;
  /** DF flag */
  dontFragment?: boolean;
  /** MF flag */
  moreFragments?: boolean;
  /** fragment offset in bytes (a multiple of 8) */
  fragOffset?: number;
  ttl?: number;
  /** IP options (padded to 4 bytes here) */
  options?: Uint8Array;
  /** overrides the Total Length field */
  totalLength?: number;
  /** overrides the IHL field (in 32-bit words) */
  ihl?: number;
  /** overrides the header checksum */
  checksum?: number;
  /** overrides the version nibble */
  version?: number;
}

/** An IPv4 datagram (RFC 791) with a correct header checksum unless overridden. */
export function ipv4(payload: Uint8Array, o: Ipv4Options): Uint8Array {
  const opts = o.options ?? new Uint8Array(0);
  const optLen = (opts.length + 3) & ~3;
  const hlen = 20 + optLen;
  const w = new ByteWriter();
  w.u8(((o.version ?? 4) << 4) | (o.ihl ?? hlen / 4)); // version, IHL
  w.u8(0); // DSCP/ECN
  w.u16be(o.totalLength ?? hlen + payload.length); // Total Length
  w.u16be(o.id ?? 0x1234); // Identification
  const flags = (o.dontFragment ? 0x4000 : 0) | (o.moreFragments ? 0x2000 : 0);
  w.u16be(flags | ((o.fragOffset ?? 0) / 8)); // flags, fragment offset (8-byte units)
  w.u8(o.ttl ?? 64); // TTL
  w.u8(o.proto ?? 6); // protocol
  w.u16be(0); // header checksum, filled below
  w.bytes(parseIpv4(o.src));
  w.bytes(parseIpv4(o.dst));
  w.bytes(opts);
  w.zeros(optLen - opts.length);
  const hdr = w.done();
  const sum = o.checksum ?? internetChecksum(hdr);
  hdr[10] = sum >>> 8;
  hdr[11] = sum & 0xff;
  return concat(hdr, payload);
}

export interface Ipv6Options {
  src: string;
  dst: string;
  /** Next Header of the fixed header (the first extension header's type, or the upper layer) */
  next?: number;
  hopLimit?: number;
  /** extension headers, already encoded, placed before the payload */
  ext?: Uint8Array;
  /** overrides the Payload Length field */
  payloadLength?: number;
}

/** An IPv6 packet (RFC 8200). */
export function ipv6(payload: Uint8Array, o: Ipv6Options): Uint8Array {
  const ext = o.ext ?? new Uint8Array(0);
  const w = new ByteWriter();
  w.u32be(0x60000000); // version 6, traffic class 0, flow label 0
  w.u16be(o.payloadLength ?? ext.length + payload.length); // Payload Length
  w.u8(o.next ?? 6); // Next Header
  w.u8(o.hopLimit ?? 64); // Hop Limit
  w.bytes(parseIpv6(o.src));
  w.bytes(parseIpv6(o.dst));
  w.bytes(ext);
  w.bytes(payload);
  return w.done();
}

/**
 * An IPv6 extension header of the 8-octet-unit kind (hop-by-hop 0, routing 43,
 * destination options 60): Next Header, Hdr Ext Len (units beyond the first 8
 * octets), then `body` padded with zeros (Pad1/PadN option bytes) to the length.
 */
export function ipv6OptionsHeader(next: number, body: Uint8Array = new Uint8Array(6)): Uint8Array {
  const total = (2 + body.length + 7) & ~7;
  const w = new ByteWriter();
  w.u8(next).u8(total / 8 - 1);
  w.bytes(body);
  w.zeros(total - 2 - body.length);
  return w.done();
}

/** An IPv6 Fragment header (RFC 8200 4.5): Next Header, reserved, offset|M, identification. */
export function ipv6FragmentHeader(next: number, offsetBytes: number, more: boolean, id: number): Uint8Array {
  return new ByteWriter()
    .u8(next)
    .u8(0)
    .u16be(offsetBytes | (more ? 1 : 0)) // 13-bit offset in 8-octet units << 3, 2 reserved bits, M
    .u32be(id)
    .done();
}

/** An Authentication Header (RFC 4302): Payload Len is the length in 4-octet units minus 2. */
export function authHeader(next: number, icvBytes = 4): Uint8Array {
  const total = 12 + icvBytes;
  return new ByteWriter()
    .u8(next)
    .u8(total / 4 - 2)
    .u16be(0) // reserved
    .u32be(0x100) // SPI
    .u32be(1) // sequence number
    .zeros(icvBytes) // ICV
    .done();
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface TcpOptions {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags?: number;
  win?: number;
  /** TCP options (padded to 4 bytes here) */
  options?: Uint8Array;
  /** overrides the data offset (in 32-bit words) */
  dataOffset?: number;
  /** overrides the checksum */
  checksum?: number;
}

/** A TCP segment (RFC 9293) with the checksum over the IPv4 or IPv6 pseudo-header. */
export function tcp(payload: Uint8Array, o: TcpOptions): Uint8Array {
  const opts = o.options ?? new Uint8Array(0);
  const optLen = (opts.length + 3) & ~3;
  const hlen = 20 + optLen;
  const w = new ByteWriter();
  w.u16be(o.sport).u16be(o.dport);
  w.u32be(o.seq >>> 0);
  w.u32be((o.ack ?? 0) >>> 0);
  w.u8((o.dataOffset ?? hlen / 4) << 4); // data offset, reserved
  w.u8(o.flags ?? TCP_ACK);
  w.u16be(o.win ?? 65535);
  w.u16be(0); // checksum, filled below
  w.u16be(0); // urgent pointer
  w.bytes(opts);
  w.zeros(optLen - opts.length);
  w.bytes(payload);
  const seg = w.done();
  const sum = o.checksum ?? internetChecksum(pseudoHeader(o.src, o.dst, 6, seg.length), seg);
  seg[16] = sum >>> 8;
  seg[17] = sum & 0xff;
  return seg;
}

/** The pseudo-header of RFC 9293 3.1 (IPv4) or RFC 8200 8.1 (IPv6). */
export function pseudoHeader(src: string, dst: string, proto: number, len: number): Uint8Array {
  const w = new ByteWriter();
  if (src.includes(':')) {
    w.bytes(parseIpv6(src)).bytes(parseIpv6(dst));
    w.u32be(len); // upper-layer packet length (32 bits)
    w.zeros(3).u8(proto); // zero, next header
  } else {
    w.bytes(parseIpv4(src)).bytes(parseIpv4(dst));
    w.u8(0).u8(proto).u16be(len); // zero, protocol, TCP length
  }
  return w.done();
}

/** Ethernet + IPv4 or IPv6 + TCP in one call. */
export function tcpFrame(payload: Uint8Array, o: TcpOptions & { ipId?: number }): Uint8Array {
  const seg = tcp(payload, o);
  if (o.src.includes(':')) return ethernet(ipv6(seg, { src: o.src, dst: o.dst }), 0x86dd);
  return ethernet(ipv4(seg, { src: o.src, dst: o.dst, id: o.ipId ?? 0 }));
}
