/**
 * Incremental reader for pcap and pcapng captures.
 *
 * Bytes are pushed in chunks of any size (a file read, a pipe, a browser
 * Blob stream); every complete packet record is handed to the sink at once.
 * The `buf` passed to the sink is only valid during the call: it is either a
 * view into the pushed chunk (no copy, the common case) or into an internal
 * stitch buffer holding a record that straddled two chunks.
 *
 * Formats: pcap in both byte orders with microsecond or nanosecond
 * timestamps; pcapng with several sections in either byte order, interface
 * descriptions (per-interface link type, if_tsresol, if_tsoffset), enhanced,
 * simple and obsolete packet blocks. Other pcapng blocks are skipped.
 *
 * Timestamps follow libpcap's microsecond view (what Zeek reads): seconds
 * plus whole microseconds, as a double `sec + usec / 1e6`.
 */

import { u16be, u16le, u32be, u32le } from '../bytes/read.js';

/** One captured packet. `buf` is only valid during the call. */
export interface PacketSink {
  packet(linktype: number, ts: number, buf: Uint8Array, off: number, caplen: number, wirelen: number): void;
  /** a capture-file anomaly that does not stop reading (skipped block...), in input order */
  notice?(n: CaptureNotice): void;
}

export type CaptureErrorKind =
  /** no bytes at all */
  | 'empty'
  /** the first bytes are not a pcap or pcapng magic */
  | 'not-a-capture'
  /** the input ends inside the file header or the first section header */
  | 'truncated-header'
  /** the input ends inside a packet record or block */
  | 'truncated'
  /** a record or block length is impossible */
  | 'corrupt';

export interface CaptureError {
  kind: CaptureErrorKind;
  message: string;
  /** byte offset in the input where the problem starts */
  offset: number;
}

export interface CaptureNotice {
  kind: 'unknown-block' | 'bad-interface' | 'snaplen-cut';
  message: string;
  offset: number;
}

/** Largest record or block accepted; larger means a corrupt length field. */
export const MAX_RECORD = 16 * 1024 * 1024;

const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

interface Interface {
  linktype: number;
  snaplen: number;
  /** ticks per second when `pow10` is true (10^n), else 2^n */
  tsDivisor: number;
  tsPow10: boolean;
  tsDigits: number;
  tsOffset: number;
}

enum State {
  Magic,
  PcapHeader,
  PcapRecordHeader,
  PcapRecordBody,
  NgShbLenMagic,
  NgBlockHeader,
  NgShbMagic,
  NgBlockBody,
  Failed,
}

export class CaptureReader {
  format: 'pcap' | 'pcapng' | undefined;
  error: CaptureError | undefined;
  readonly notices: CaptureNotice[] = [];
  packets = 0;
  /** bytes consumed so far (offset of the next unread byte) */
  offset = 0;

  private state = State.Magic;
  private readonly sink: PacketSink;

  // stitching of structures that straddle chunk boundaries
  private stash = new Uint8Array(64 * 1024);
  private stashLen = 0;
  private need = 4;
  // current chunk
  private chunk: Uint8Array = new Uint8Array(0);
  private pos = 0;
  // the contiguous bytes of the structure just taken
  private rb: Uint8Array = new Uint8Array(0);
  private ro = 0;

  // pcap
  private le = true;
  private nanos = false;
  private linktype = 0;
  private snaplen = 0;
  private recTsSec = 0;
  private recTsFrac = 0;
  private recCaplen = 0;
  private recWirelen = 0;

  // pcapng
  private blockType = 0;
  private blockLen = 0;
  private interfaces: Interface[] = [];
  /** more interfaces than MAX_INTERFACES were declared in this section (reported once) */
  private interfacesCapped = false;
  private sawSection = false;
  private unknownBlocksReported = new Set<number>();

  constructor(sink: PacketSink) {
    this.sink = sink;
  }

  /** Feeds the next chunk. Stops at the first fatal problem (see `error`). */
  push(chunk: Uint8Array): void {
    if (this.state === State.Failed || chunk.length === 0) return;
    this.chunk = chunk;
    this.pos = 0;
    while (!this.isFailed() && this.take(this.need)) this.step();
    // keep the unconsumed tail of the chunk in the stash
    const rest = chunk.length - this.pos;
    if (rest > 0 && !this.isFailed()) {
      this.ensureStash(this.stashLen + rest);
      this.stash.set(chunk.subarray(this.pos), this.stashLen);
      this.stashLen += rest;
      this.pos = chunk.length;
    }
    this.chunk = EMPTY;
  }

  /** Signals the end of input; reports a structure cut short. */
  end(): void {
    if (this.state === State.Failed) return;
    const have = this.stashLen;
    if (this.state === State.Magic && this.offset === 0 && have === 0) {
      this.fail('empty', 'the capture is empty', 0);
    } else if (this.state === State.Magic || this.state === State.PcapHeader || !this.headerDone()) {
      if (this.state === State.Magic && have > 0 && !looksLikeMagicPrefix(this.stash, have)) {
        this.fail('not-a-capture', 'not a pcap or pcapng capture (unknown file magic)', 0);
      } else {
        this.fail('truncated-header', 'the capture ends inside its file header', this.offset);
      }
    } else if (
      have > 0 ||
      this.state === State.PcapRecordBody ||
      this.state === State.NgBlockBody ||
      this.state === State.NgShbMagic
    ) {
      const what = this.format === 'pcap' ? 'packet record' : 'block';
      this.fail('truncated', `the capture is cut short inside a ${what} at byte ${this.offset}`, this.offset);
    }
  }

  private isFailed(): boolean {
    return this.state === State.Failed;
  }

  private headerDone(): boolean {
    return this.format === 'pcap' ? this.state !== State.PcapHeader : this.sawSection;
  }

  /**
   * Makes `n` contiguous bytes available at rb/ro, from the chunk directly or
   * by completing the stash. Returns false when the chunk is exhausted first.
   */
  private take(n: number): boolean {
    if (this.stashLen === 0) {
      if (this.chunk.length - this.pos >= n) {
        this.rb = this.chunk;
        this.ro = this.pos;
        this.pos += n;
        this.offset += n;
        return true;
      }
      return false;
    }
    const missing = n - this.stashLen;
    const avail = this.chunk.length - this.pos;
    if (avail < missing) return false;
    this.ensureStash(n);
    this.stash.set(this.chunk.subarray(this.pos, this.pos + missing), this.stashLen);
    this.pos += missing;
    this.stashLen = 0;
    this.rb = this.stash;
    this.ro = 0;
    this.offset += n;
    return true;
  }

  private ensureStash(n: number): void {
    if (n <= this.stash.length) return;
    let size = this.stash.length;
    while (size < n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.stash.subarray(0, this.stashLen));
    this.stash = next;
  }

  private fail(kind: CaptureErrorKind, message: string, offset: number): void {
    this.error = { kind, message, offset };
    this.state = State.Failed;
  }

  private u32(b: Uint8Array, o: number): number {
    return this.le ? u32le(b, o) : u32be(b, o);
  }

  private u16(b: Uint8Array, o: number): number {
    return this.le ? u16le(b, o) : u16be(b, o);
  }

  private step(): void {
    const b = this.rb;
    const o = this.ro;
    switch (this.state) {
      case State.Magic: {
        const m = u32le(b, o);
        const mb = u32be(b, o);
        if (m === PCAP_US || m === PCAP_NS) {
          this.le = true;
          this.nanos = m === PCAP_NS;
        } else if (mb === PCAP_US || mb === PCAP_NS) {
          this.le = false;
          this.nanos = mb === PCAP_NS;
        } else if (m === PCAPNG_SHB) {
          this.format = 'pcapng';
          this.state = State.NgShbLenMagic;
          this.need = 8;
          return;
        } else {
          this.fail('not-a-capture', 'not a pcap or pcapng capture (unknown file magic)', 0);
          return;
        }
        this.format = 'pcap';
        this.state = State.PcapHeader;
        this.need = 20;
        return;
      }
      case State.PcapHeader: {
        this.snaplen = this.u32(b, o + 12);
        this.linktype = this.u32(b, o + 16) & 0x03ffffff;
        this.state = State.PcapRecordHeader;
        this.need = 16;
        return;
      }
      case State.PcapRecordHeader: {
        this.recTsSec = this.u32(b, o);
        this.recTsFrac = this.u32(b, o + 4);
        this.recCaplen = this.u32(b, o + 8);
        this.recWirelen = this.u32(b, o + 12);
        if (this.recCaplen > MAX_RECORD) {
          this.fail(
            'corrupt',
            `impossible packet length ${this.recCaplen} at byte ${this.offset - 16}`,
            this.offset - 16,
          );
          return;
        }
        this.state = State.PcapRecordBody;
        this.need = this.recCaplen;
        return;
      }
      case State.PcapRecordBody: {
        const usec = this.nanos ? Math.floor(this.recTsFrac / 1000) : this.recTsFrac;
        this.packets++;
        this.sink.packet(this.linktype, this.recTsSec + usec / 1e6, b, o, this.recCaplen, this.recWirelen);
        this.state = State.PcapRecordHeader;
        this.need = 16;
        return;
      }
      case State.NgShbLenMagic: {
        // first section header: [length][byte-order magic]; the type was the file magic
        this.shbLenLe = u32le(b, o);
        this.shbLenBe = u32be(b, o);
        this.sectionByteOrder(b, o + 4);
        return;
      }
      case State.NgBlockHeader: {
        this.blockType = this.u32(b, o);
        if (this.blockType === PCAPNG_SHB) {
          // a new section: its byte order, and so its length, is known only after the magic
          this.shbLenLe = u32le(b, o + 4);
          this.shbLenBe = u32be(b, o + 4);
          this.state = State.NgShbMagic;
          this.need = 4;
          return;
        }
        this.blockLen = this.u32(b, o + 4);
        if (!this.checkBlockLen(12)) return;
        this.state = State.NgBlockBody;
        this.need = this.blockLen - 8;
        return;
      }
      case State.NgShbMagic: {
        this.sectionByteOrder(b, o);
        return;
      }
      case State.NgBlockBody: {
        this.block(b, o, this.need);
        if (this.isFailed()) return;
        this.state = State.NgBlockHeader;
        this.need = 8;
        return;
      }
      default:
        return;
    }
  }

  private shbLenLe = 0;
  private shbLenBe = 0;

  /** Reads a section header's byte-order magic at `o` and sets up its body. */
  private sectionByteOrder(b: Uint8Array, o: number): void {
    if (u32le(b, o) === BYTE_ORDER_MAGIC) this.le = true;
    else if (u32be(b, o) === BYTE_ORDER_MAGIC) this.le = false;
    else {
      const first = !this.sawSection;
      this.fail(
        first ? 'not-a-capture' : 'corrupt',
        'pcapng section header with a bad byte-order magic',
        this.offset - 12,
      );
      return;
    }
    this.blockType = PCAPNG_SHB;
    this.blockLen = this.le ? this.shbLenLe : this.shbLenBe;
    if (!this.checkBlockLen(28)) return;
    this.state = State.NgBlockBody;
    this.need = this.blockLen - 12; // type, length and byte-order magic are read
  }

  private checkBlockLen(min: number): boolean {
    const len = this.blockLen;
    if (len < min || len % 4 !== 0 || len > MAX_RECORD) {
      this.fail('corrupt', `impossible pcapng block length ${len} at byte ${this.offset - 8}`, this.offset - 8);
      return false;
    }
    return true;
  }

  /**
   * A whole pcapng block body, `n` bytes including the trailing length: after
   * type and length, or for a section header after its byte-order magic.
   */
  private block(b: Uint8Array, o: number, n: number): void {
    const trailer = this.u32(b, o + n - 4);
    const start = this.offset - this.blockLen;
    if (trailer !== this.blockLen) {
      this.fail('corrupt', `pcapng block at byte ${start}: trailing length ${trailer} != ${this.blockLen}`, start);
      return;
    }
    const bodyEnd = o + n - 4;
    switch (this.blockType) {
      case PCAPNG_SHB: {
        // body after the byte-order magic: major(2) minor(2) section length(8) options
        this.sawSection = true;
        this.interfaces = [];
        this.interfacesCapped = false;
        return;
      }
      case 1: {
        // Interface Description Block
        if (bodyEnd - o < 8) {
          this.fail('corrupt', `pcapng interface block too short at byte ${start}`, start);
          return;
        }
        const itf: Interface = {
          linktype: this.u16(b, o),
          snaplen: this.u32(b, o + 4),
          tsDivisor: 1e6,
          tsPow10: true,
          tsDigits: 6,
          tsOffset: 0,
        };
        this.options(b, o + 8, bodyEnd, (code, vo, vl) => {
          if (code === 9 && vl >= 1) {
            const r = b[vo]!;
            if (r & 0x80) {
              itf.tsPow10 = false;
              itf.tsDigits = r & 0x7f;
              itf.tsDivisor = 2 ** (r & 0x7f);
            } else {
              itf.tsPow10 = true;
              itf.tsDigits = r;
              itf.tsDivisor = 10 ** r;
            }
          } else if (code === 14 && vl >= 8) {
            const lo = this.u32(b, this.le ? vo : vo + 4);
            const hi = this.u32(b, this.le ? vo + 4 : vo);
            itf.tsOffset = (hi | 0) * 0x100000000 + lo;
          }
        });
        if (this.interfaces.length >= MAX_INTERFACES) {
          // packets naming the interfaces beyond are reported as naming undeclared ones
          if (!this.interfacesCapped) {
            this.interfacesCapped = true;
            this.notice(
              'bad-interface',
              `more than ${MAX_INTERFACES} interfaces in a section; the rest are ignored`,
              start,
            );
          }
          return;
        }
        this.interfaces.push(itf);
        return;
      }
      case 6:
        // Enhanced Packet Block: a 32-bit interface id
        if (bodyEnd - o >= 20) this.packetBlock(b, o, bodyEnd, start, this.u32(b, o));
        else this.fail('corrupt', `pcapng packet block too short at byte ${start}`, start);
        return;
      case 3: {
        // Simple Packet Block: interface 0, no timestamp
        const itf = this.interfaces[0];
        if (bodyEnd - o < 4 || !itf) {
          this.notice('bad-interface', `simple packet block at byte ${start} without an interface`, start);
          return;
        }
        const wirelen = this.u32(b, o);
        let caplen = Math.min(wirelen, bodyEnd - (o + 4));
        if (itf.snaplen > 0) caplen = Math.min(caplen, itf.snaplen);
        this.packets++;
        // no timestamp of its own: libpcap gives it time 0 of the interface, i.e. if_tsoffset
        this.sink.packet(itf.linktype, itf.tsOffset, b, o + 4, caplen, wirelen);
        return;
      }
      case 2:
        // Obsolete Packet Block: a 16-bit interface id (then a 16-bit drop count), else as the EPB
        if (bodyEnd - o >= 20) this.packetBlock(b, o, bodyEnd, start, this.u16(b, o));
        else this.fail('corrupt', `pcapng packet block too short at byte ${start}`, start);
        return;
      default:
        if (!this.unknownBlocksReported.has(this.blockType) && this.unknownBlocksReported.size <= MAX_UNKNOWN_TYPES) {
          // each type once; a capture made of random block types is reported for its first few hundred
          this.unknownBlocksReported.add(this.blockType);
          this.notice(
            'unknown-block',
            this.unknownBlocksReported.size > MAX_UNKNOWN_TYPES
              ? `more than ${MAX_UNKNOWN_TYPES} unknown pcapng block types; no longer reported`
              : `skipped pcapng block type 0x${this.blockType.toString(16)}`,
            start,
          );
        }
        return;
    }
  }

  /** The body of an Enhanced or Obsolete Packet Block at `o` (at least 20 bytes): timestamp, lengths, data. */
  private packetBlock(b: Uint8Array, o: number, bodyEnd: number, start: number, itfId: number): void {
    const itf = this.interfaces[itfId];
    const caplen = this.u32(b, o + 12);
    const wirelen = this.u32(b, o + 16);
    if (caplen > bodyEnd - (o + 20)) {
      this.fail('corrupt', `pcapng packet block at byte ${start}: captured length ${caplen} exceeds the block`, start);
      return;
    }
    if (!itf) {
      this.notice('bad-interface', `packet block at byte ${start} names an undeclared interface`, start);
      return;
    }
    this.emit(itf, this.u32(b, o + 4), this.u32(b, o + 8), b, o + 20, caplen, wirelen);
  }

  private emit(
    itf: Interface,
    hi: number,
    lo: number,
    b: Uint8Array,
    off: number,
    caplen: number,
    wirelen: number,
  ): void {
    let sec: number;
    let usec: number;
    if (itf.tsPow10 && itf.tsDigits <= 6) {
      const ticks = hi * 0x100000000 + lo; // < 2^53 for any realistic date at <= 1 us
      const d = itf.tsDivisor;
      sec = Math.floor(ticks / d);
      usec = (ticks - sec * d) * (1e6 / d);
    } else {
      const ticks = (BigInt(hi) << 32n) | BigInt(lo);
      const d = itf.tsPow10 ? 10n ** BigInt(itf.tsDigits) : 1n << BigInt(itf.tsDigits);
      sec = Number(ticks / d);
      usec = Number(((ticks % d) * 1000000n) / d);
    }
    this.packets++;
    this.sink.packet(itf.linktype, sec + itf.tsOffset + usec / 1e6, b, off, caplen, wirelen);
  }

  private options(b: Uint8Array, o: number, end: number, fn: (code: number, vo: number, vl: number) => void): void {
    while (o + 4 <= end) {
      const code = this.u16(b, o);
      const len = this.u16(b, o + 2);
      if (code === 0) return;
      if (o + 4 + len > end) return;
      fn(code, o + 4, len);
      o += 4 + ((len + 3) & ~3);
    }
  }

  private notice(kind: CaptureNotice['kind'], message: string, offset: number): void {
    const n = { kind, message, offset };
    if (this.notices.length < 100) this.notices.push(n);
    this.sink.notice?.(n);
  }
}

const EMPTY = new Uint8Array(0);
/** Interfaces kept per pcapng section (the Obsolete Packet Block's interface field is 16 bits). */
const MAX_INTERFACES = 65536;
/** Distinct unknown block types reported. */
const MAX_UNKNOWN_TYPES = 256;

function looksLikeMagicPrefix(b: Uint8Array, n: number): boolean {
  const magics = [
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0x4d, 0x3c, 0xb2, 0xa1],
    [0xa1, 0xb2, 0x3c, 0x4d],
    [0x0a, 0x0d, 0x0d, 0x0a],
  ];
  return magics.some((m) => m.slice(0, Math.min(n, 4)).every((x, i) => b[i] === x));
}
