/**
 * A minimal, independent reader for the test fixtures (little-endian
 * microsecond pcap, Ethernet, IPv4, TCP), used to rewrite captures: split
 * every TCP payload into smaller segments that keep the packet's time.
 */

import { type PcapRecord, pcap } from './capture.js';
import { tcpFrame } from './inet.js';

export function readPcapLe(b: Uint8Array): PcapRecord[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getUint32(0, true) !== 0xa1b2c3d4) throw new Error('not a little-endian microsecond pcap');
  const out: PcapRecord[] = [];
  for (let o = 24; o + 16 <= b.length; ) {
    const caplen = dv.getUint32(o + 8, true);
    out.push({
      sec: dv.getUint32(o, true),
      frac: dv.getUint32(o + 4, true),
      wirelen: dv.getUint32(o + 12, true),
      data: b.slice(o + 16, o + 16 + caplen),
    });
    o += 16 + caplen;
  }
  return out;
}

export interface TcpPacket {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  payload: Uint8Array;
}

/** Ethernet + IPv4 + TCP, or undefined for anything else. */
export function decodeTcpFrame(f: Uint8Array): TcpPacket | undefined {
  const dv = new DataView(f.buffer, f.byteOffset, f.byteLength);
  if (f.length < 14 + 20 || dv.getUint16(12) !== 0x0800) return undefined;
  const ip = 14;
  const ihl = (f[ip]! & 0x0f) * 4;
  const total = dv.getUint16(ip + 2);
  if (f[ip + 9] !== 6) return undefined;
  const t = ip + ihl;
  const thl = (f[t + 12]! >> 4) * 4;
  const addr = (o: number) => `${f[o]}.${f[o + 1]}.${f[o + 2]}.${f[o + 3]}`;
  return {
    src: addr(ip + 12),
    dst: addr(ip + 16),
    sport: dv.getUint16(t),
    dport: dv.getUint16(t + 2),
    seq: dv.getUint32(t + 4),
    ack: dv.getUint32(t + 8),
    flags: f[t + 13]!,
    payload: f.slice(t + thl, ip + total),
  };
}

/**
 * The capture with every TCP payload cut into packets of at most `size`
 * bytes (consecutive sequence numbers, same timestamp, flags other than
 * FIN/PSH on every piece, FIN/PSH on the last one only).
 */
export function resegment(capture: Uint8Array, size: number): Uint8Array {
  const out: PcapRecord[] = [];
  for (const r of readPcapLe(capture)) {
    const p = decodeTcpFrame(r.data);
    if (!p || p.payload.length <= size) {
      out.push({ sec: r.sec, frac: r.frac, data: r.data });
      continue;
    }
    for (let o = 0; o < p.payload.length; o += size) {
      const last = o + size >= p.payload.length;
      const data = tcpFrame(p.payload.subarray(o, Math.min(p.payload.length, o + size)), {
        src: p.src,
        dst: p.dst,
        sport: p.sport,
        dport: p.dport,
        seq: (p.seq + o) >>> 0,
        ack: p.ack,
        flags: last ? p.flags : p.flags & ~0x09,
      });
      out.push({ sec: r.sec, frac: r.frac, data });
    }
  }
  return pcap(out);
}
