/**
 * TCP header view and checksum (RFC 9293). `decodeTcp` validates the header
 * length once and fills a reusable `TcpInfo`.
 */

import { u16be, u32be } from '../bytes/read.js';
import { sum16 } from '../ip/checksum.js';
import type { IpInfo } from '../ip/ip.js';

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;

export interface TcpInfo {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  win: number;
  /** offset of the payload in the buffer */
  dataOff: number;
  /** captured payload bytes */
  dataLen: number;
  /** payload bytes on the wire (from the IP length) */
  dataWire: number;
}

export function newTcpInfo(): TcpInfo {
  return { sport: 0, dport: 0, seq: 0, ack: 0, flags: 0, win: 0, dataOff: 0, dataLen: 0, dataWire: 0 };
}

export enum TcpStatus {
  Ok = 0,
  Truncated = 1,
  BadHeaderLength = 2,
}

/** Decodes the TCP header at ip.payOff (captured bytes end at ip.payEnd). */
export function decodeTcp(buf: Uint8Array, ip: IpInfo, out: TcpInfo): TcpStatus {
  const off = ip.payOff;
  const avail = ip.payEnd - off;
  if (avail < 20) return TcpStatus.Truncated;
  const hl = (buf[off + 12]! >> 4) * 4;
  if (hl < 20 || hl > ip.payWire) return TcpStatus.BadHeaderLength;
  if (avail < hl) return TcpStatus.Truncated;
  out.sport = u16be(buf, off);
  out.dport = u16be(buf, off + 2);
  out.seq = u32be(buf, off + 4);
  out.ack = u32be(buf, off + 8);
  out.flags = buf[off + 13]!;
  out.win = u16be(buf, off + 14);
  out.dataOff = off + hl;
  out.dataLen = avail - hl;
  out.dataWire = ip.payWire - hl;
  return TcpStatus.Ok;
}

/**
 * Verifies the TCP checksum over the pseudo-header and the whole segment.
 * Only possible when the segment was captured whole (`ip.payEnd - ip.payOff
 * === ip.payWire`); callers skip the check otherwise, as Zeek does.
 */
export function tcpChecksumOk(buf: Uint8Array, ip: IpInfo): boolean {
  const len = ip.payWire;
  // pseudo-header: addresses, protocol 6, TCP length (16 bits in IPv4, 32 in IPv6;
  // a length below 2^16 sums the same either way)
  let sum = 6 + (len & 0xffff) + Math.floor(len / 0x10000);
  sum += (ip.s3 >>> 16) + (ip.s3 & 0xffff) + (ip.d3 >>> 16) + (ip.d3 & 0xffff);
  if (ip.version === 6) {
    sum += (ip.s0 >>> 16) + (ip.s0 & 0xffff) + (ip.s1 >>> 16) + (ip.s1 & 0xffff) + (ip.s2 >>> 16) + (ip.s2 & 0xffff);
    sum += (ip.d0 >>> 16) + (ip.d0 & 0xffff) + (ip.d1 >>> 16) + (ip.d1 & 0xffff) + (ip.d2 >>> 16) + (ip.d2 & 0xffff);
  }
  return sum16(buf, ip.payOff, len, sum) === 0xffff;
}

/** Signed distance from sequence number a to b, modulo 2^32. */
export function seqDiff(b: number, a: number): number {
  return (b - a) | 0;
}
