/**
 * Crafted capture files: classic pcap (draft-ietf-opsawg-pcap) and pcapng
 * (draft-ietf-opsawg-pcapng) blocks, written field by field.
 */

import { ByteWriter, concat } from './bytes.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;

export interface PcapRecord {
  /** seconds */
  sec: number;
  /** microseconds, or nanoseconds in a nanosecond file */
  frac: number;
  data: Uint8Array;
  /** original length (defaults to data.length) */
  wirelen?: number;
  /** overrides the captured-length field (the data written stays `data`) */
  caplen?: number;
}

export interface PcapOptions {
  le?: boolean;
  nanos?: boolean;
  snaplen?: number;
  linktype?: number;
}

/** The 24-byte pcap file header. */
export function pcapHeader(o: PcapOptions = {}): Uint8Array {
  const le = o.le ?? true;
  return new ByteWriter()
    .u32(o.nanos ? PCAP_MAGIC_NS : PCAP_MAGIC_US, le) // magic
    .u16(2, le) // major version
    .u16(4, le) // minor version
    .u32(0, le) // reserved (thiszone)
    .u32(0, le) // reserved (sigfigs)
    .u32(o.snaplen ?? 262144, le) // SnapLen
    .u32(o.linktype ?? 1, le) // LinkType (and FCS bits)
    .done();
}

/** One 16-byte record header and its data. */
export function pcapRecord(r: PcapRecord, le = true): Uint8Array {
  return new ByteWriter()
    .u32(r.sec, le) // timestamp seconds
    .u32(r.frac, le) // timestamp microseconds or nanoseconds
    .u32(r.caplen ?? r.data.length, le) // captured packet length
    .u32(r.wirelen ?? r.data.length, le) // original packet length
    .bytes(r.data)
    .done();
}

export function pcap(records: readonly PcapRecord[], o: PcapOptions = {}): Uint8Array {
  const le = o.le ?? true;
  return concat(pcapHeader(o), ...records.map((r) => pcapRecord(r, le)));
}

// --- pcapng

export interface NgOption {
  code: number;
  value: Uint8Array;
}

/** Options list: code (2), length (2), value padded to 4, then opt_endofopt. */
export function ngOptions(opts: readonly NgOption[], le: boolean): Uint8Array {
  if (opts.length === 0) return new Uint8Array(0);
  const w = new ByteWriter();
  for (const o of opts) {
    w.u16(o.code, le).u16(o.value.length, le).bytes(o.value).pad(4);
  }
  w.u16(0, le).u16(0, le); // opt_endofopt
  return w.done();
}

/** A generic block: type, total length, body padded to 4, total length again. */
export function ngBlock(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  return new ByteWriter()
    .u32(type, le) // Block Type
    .u32(total, le) // Block Total Length
    .bytes(body)
    .zeros(padded - body.length)
    .u32(total, le) // Block Total Length (trailer)
    .done();
}

/** Section Header Block (type 0x0A0D0D0A). */
export function shb(le: boolean, options: readonly NgOption[] = []): Uint8Array {
  const body = new ByteWriter()
    .u32(0x1a2b3c4d, le) // Byte-Order Magic
    .u16(1, le) // Major Version
    .u16(0, le) // Minor Version
    .u64(-1n, le) // Section Length: unspecified
    .bytes(ngOptions(options, le))
    .done();
  return ngBlock(0x0a0d0d0a, body, le);
}

/** Interface Description Block (type 1). */
export function idb(le: boolean, linktype: number, snaplen = 0, options: readonly NgOption[] = []): Uint8Array {
  const body = new ByteWriter()
    .u16(linktype, le) // LinkType
    .u16(0, le) // Reserved
    .u32(snaplen, le) // SnapLen
    .bytes(ngOptions(options, le))
    .done();
  return ngBlock(1, body, le);
}

/** if_tsresol (code 9): one byte, 10^-n, or 2^-n with the high bit set. */
export function tsresol(v: number): NgOption {
  return { code: 9, value: Uint8Array.of(v) };
}

/** if_tsoffset (code 14): a signed 64-bit count of seconds added to every timestamp. */
export function tsoffset(seconds: bigint, le: boolean): NgOption {
  return { code: 14, value: new ByteWriter().u64(seconds, le).done() };
}

/** Enhanced Packet Block (type 6). `ts` is the 64-bit timestamp in interface units. */
export function epb(
  le: boolean,
  ifid: number,
  ts: bigint,
  data: Uint8Array,
  wirelen = data.length,
  caplen = data.length,
): Uint8Array {
  const body = new ByteWriter()
    .u32(ifid, le) // Interface ID
    .u32(Number(ts >> 32n), le) // Timestamp (upper 32 bits)
    .u32(Number(ts & 0xffffffffn), le) // Timestamp (lower 32 bits)
    .u32(caplen, le) // Captured Packet Length
    .u32(wirelen, le) // Original Packet Length
    .bytes(data)
    .done();
  return ngBlock(6, body, le);
}

/** Simple Packet Block (type 3): original length, then the data (interface 0, no timestamp). */
export function spb(le: boolean, data: Uint8Array, wirelen = data.length): Uint8Array {
  const body = new ByteWriter().u32(wirelen, le).bytes(data).done();
  return ngBlock(3, body, le);
}

/** Obsolete Packet Block (type 2): 16-bit interface id and drops count. */
export function opb(le: boolean, ifid: number, ts: bigint, data: Uint8Array, wirelen = data.length): Uint8Array {
  const body = new ByteWriter()
    .u16(ifid, le) // Interface ID
    .u16(0, le) // Drops Count
    .u32(Number(ts >> 32n), le) // Timestamp (upper)
    .u32(Number(ts & 0xffffffffn), le) // Timestamp (lower)
    .u32(data.length, le) // Captured Len
    .u32(wirelen, le) // Packet Len
    .bytes(data)
    .done();
  return ngBlock(2, body, le);
}

/** Custom Block (type 0x00000BAD, copyable): Private Enterprise Number, then data. */
export function customBlock(le: boolean, data: Uint8Array = Uint8Array.of(1, 2, 3)): Uint8Array {
  const body = new ByteWriter().u32(32473, le).bytes(data).done(); // PEN 32473: reserved for examples
  return ngBlock(0x00000bad, body, le);
}
