/**
 * SMB transport framing over one direction of a TCP stream: the 4-byte
 * NetBIOS session service header (RFC 1002; port 139) that direct TCP
 * transport (port 445) reuses as [0x00][24-bit length].
 *
 * Small messages are handed over whole, without copying when a message sits
 * inside one delivered segment. Large messages are probed first: the
 * handler's `plan` says how many leading bytes it needs in one piece (an SMB2
 * header plus a READ/WRITE fixed part); the rest is streamed through
 * `streamData`, so bulk file data is never copied or buffered here.
 *
 * After a gap the framer continues at the next message boundary when the gap
 * falls inside the current message (its length is known); otherwise it
 * resynchronises by scanning for a session-message header followed by an
 * SMB protocol id (\xfeSMB, \xffSMB, \xfdSMB, \xfcSMB).
 */

import type { ByteBudget } from '../budget.js';
import { u24be } from '../bytes/read.js';

export const NBSS_MESSAGE = 0x00;
export const NBSS_REQUEST = 0x81;
export const NBSS_POSITIVE = 0x82;
export const NBSS_NEGATIVE = 0x83;
export const NBSS_RETARGET = 0x84;
export const NBSS_KEEPALIVE = 0x85;

export interface FrameHandler {
  /** A whole session message [off, off+len), valid during the call. */
  message(isOrig: boolean, buf: Uint8Array, off: number, len: number): void;
  /**
   * For a message of `total` bytes whose first `have` bytes are at buf[off..]:
   * how many leading bytes must be seen in one piece. Returning `total` asks
   * for the whole message. A negative value -k (k <= have) says only the
   * first k bytes matter: the rest is counted, not kept, and once the
   * message is complete `message` gets those k bytes as the message.
   */
  plan(isOrig: boolean, buf: Uint8Array, off: number, have: number, total: number): number;
  /** The first `len` bytes of a streamed message of `total` bytes. */
  streamStart(isOrig: boolean, buf: Uint8Array, off: number, len: number, total: number): void;
  /** Following bytes of the streamed message. */
  streamData(isOrig: boolean, buf: Uint8Array, off: number, len: number): void;
  /** Bytes of the streamed message that were not seen. */
  streamGap(isOrig: boolean, len: number): void;
  /** The streamed message is complete. */
  streamEnd(isOrig: boolean): void;
  /** A NetBIOS session-service control message (request, responses, keep-alive). */
  nbss(isOrig: boolean, type: number, buf: Uint8Array, off: number, len: number): void;
  weird(name: string, addl?: string): void;
}

export interface FramingLimits {
  /** largest message buffered whole (larger ones are streamed or skipped) */
  maxMessage: number;
  /** shared bound of buffered bytes (message buffers are charged to it) */
  budget?: ByteBudget | undefined;
}

/** Messages up to this size are always buffered whole. */
const SMALL = 4096;
/** Bytes probed before deciding how to handle a large message. */
const PROBE = 128;
/** Largest NBSS control message body accepted. */
const MAX_CONTROL = 1024;

enum Mode {
  Header,
  Whole,
  Probe,
  Prefix,
  Stream,
  /** only the first bytes are kept (in acc); the rest is counted until the message ends */
  Tail,
  Skip,
  Resync,
}

export class SmbFramer {
  private mode = Mode.Header;
  /** the 4-byte session-message header, big-endian (gathered byte by byte when split) */
  private hdrWord = 0;
  private hdrHave = 0;
  /**
   * While resynchronising: the last bytes seen (at most 7), contiguous with
   * the next delivery, where a boundary split over two deliveries may begin.
   */
  private carry: Uint8Array | undefined;
  private carryLen = 0;
  private type = 0;
  /** body length of the current message */
  private total = 0;
  /** body bytes of the current message consumed so far */
  private got = 0;
  /** message bytes gathered so far (allocated when needed, given back after large messages) */
  private acc: Uint8Array = NO_BYTES;
  private accHave = 0;
  /** bytes to gather before the next decision (Whole/Probe/Prefix) */
  private accNeed = 0;
  /** the current buffered message lost bytes in a gap: drop it when complete */
  private damaged = false;
  /** messages seen (complete, streamed or control) */
  messages = 0;
  /** set by abort() during a delivery: the rest of it is dropped */
  private aborted = false;
  /** resynchronisations after gaps or garbage */
  resyncs = 0;

  constructor(
    private readonly isOrig: boolean,
    private readonly handler: FrameHandler,
    private readonly limits: FramingLimits,
    /** start by scanning for a message boundary (connection picked up mid-stream) */
    startInResync = false,
  ) {
    if (startInResync) this.mode = Mode.Resync;
  }

  data(buf: Uint8Array, off: number, len: number): void {
    const end = off + len;
    let p = off;
    this.aborted = false;
    while (p < end) {
      if (this.aborted) {
        this.aborted = false;
        return;
      }
      switch (this.mode) {
        case Mode.Resync: {
          if (this.carryLen > 0) {
            // a boundary that begins in the kept bytes and ends in this delivery
            const kept = this.carryLen;
            const n = Math.min(7, end - p);
            const joined = new Uint8Array(kept + n);
            joined.set(this.carry!.subarray(0, kept));
            joined.set(buf.subarray(p, p + n), kept);
            this.carryLen = 0;
            const q = findBoundary(joined, 0, joined.length);
            if (q >= 0 && q < kept) {
              this.mode = Mode.Header;
              this.hdrHave = 0;
              this.data(joined, q, kept - q); // the kept part of the header; the rest follows from buf[p]
              break;
            }
            if (q < 0 && n < 7) {
              // too few new bytes to tell: keep the tail for the next delivery
              this.keep(joined, 0, joined.length);
              return;
            }
          }
          const q = findBoundary(buf, p, end);
          if (q < 0) {
            this.keep(buf, p, end);
            return;
          }
          p = q;
          this.mode = Mode.Header;
          this.hdrHave = 0;
          break;
        }
        case Mode.Header: {
          if (this.hdrHave === 0 && end - p >= 4) {
            this.type = buf[p]!;
            this.total = u24be(buf, p + 1);
            // kept for a rescan if the type turns out to be invalid
            this.hdrWord = ((this.type << 24) | this.total) >>> 0;
            p += 4;
          } else {
            while (this.hdrHave < 4 && p < end) {
              this.hdrWord = ((this.hdrWord << 8) | buf[p++]!) >>> 0;
              this.hdrHave++;
            }
            if (this.hdrHave < 4) return;
            this.hdrHave = 0;
            this.type = this.hdrWord >>> 24;
            this.total = this.hdrWord & 0xffffff;
          }
          this.beginMessage();
          break;
        }
        case Mode.Whole:
        case Mode.Probe:
        case Mode.Prefix: {
          // zero-copy when the whole message is here (and the message is not to be streamed)
          if (this.mode === Mode.Whole && this.accHave === 0 && end - p >= this.total) {
            this.got = this.total;
            p += this.total;
            this.completeWhole(buf, p - this.total);
            break;
          }
          const n = Math.min(this.accNeed - this.accHave, end - p);
          // the buffer grows with the bytes that arrive, not with the length a header claims
          if (!this.ensureAcc(this.accHave + n, this.accNeed)) {
            this.handler.weird('SMB_buffer_limit', `no room to buffer a message of ${this.total} bytes`);
            this.accHave = 0;
            this.mode = Mode.Skip;
            break;
          }
          this.acc.set(buf.subarray(p, p + n), this.accHave);
          this.accHave += n;
          this.got += n;
          p += n;
          if (this.accHave < this.accNeed) return;
          this.decide();
          break;
        }
        case Mode.Stream: {
          const n = Math.min(this.total - this.got, end - p);
          this.got += n;
          this.handler.streamData(this.isOrig, buf, p, n);
          p += n;
          if (this.got === this.total) this.finishStream();
          break;
        }
        case Mode.Skip: {
          const n = Math.min(this.total - this.got, end - p);
          this.got += n;
          p += n;
          if (this.got === this.total) this.mode = Mode.Header;
          break;
        }
        case Mode.Tail: {
          const n = Math.min(this.total - this.got, end - p);
          this.got += n;
          p += n;
          if (this.got === this.total) this.completeWhole(this.acc, 0, this.accHave);
          break;
        }
      }
    }
  }

  /** Forgets any partial message: the next byte delivered starts a new message header. */
  reset(): void {
    this.mode = Mode.Header; // also ends a mid-stream scan: the caller knows where a message starts
    this.hdrHave = 0;
    this.accHave = 0;
    this.carryLen = 0;
    this.got = 0;
  }

  /** Stops processing the delivery in progress (the rest of it is dropped) and forgets partial state. */
  abort(): void {
    this.aborted = true;
    this.reset();
  }

  /** `len` bytes of the stream were not seen. */
  gap(len: number): void {
    switch (this.mode) {
      case Mode.Header:
        if (this.hdrHave === 0 && len === 0) return;
        this.resync();
        return;
      case Mode.Resync:
        this.carryLen = 0; // the bytes kept are no longer contiguous with what follows
        return;
      case Mode.Stream: {
        const inside = Math.min(len, this.total - this.got);
        this.got += inside;
        this.handler.streamGap(this.isOrig, inside);
        if (this.got === this.total) this.finishStream();
        if (len > inside) this.resync();
        return;
      }
      case Mode.Skip: {
        const inside = Math.min(len, this.total - this.got);
        this.got += inside;
        if (this.got === this.total) this.mode = Mode.Header;
        if (len > inside) this.resync();
        return;
      }
      default: {
        // a message being gathered lost bytes: skip to its end if the gap stays inside it
        const remaining = this.total - this.got;
        if (len < remaining) {
          this.handler.weird('smb_message_gap', `${len} bytes missing inside a message of ${this.total}`);
          this.got += len;
          this.mode = Mode.Skip;
          this.accHave = 0;
          return;
        }
        if (len === remaining) {
          this.accHave = 0;
          this.mode = Mode.Header;
          return;
        }
        this.resync();
      }
    }
  }

  private resync(): void {
    this.mode = Mode.Resync;
    this.hdrHave = 0;
    this.accHave = 0;
    this.carryLen = 0;
    this.resyncs++;
  }

  /** Keeps the last (up to 7) bytes of [from, to) for a boundary split over deliveries. */
  private keep(b: Uint8Array, from: number, to: number): void {
    const n = Math.min(7, to - from);
    this.carry ??= new Uint8Array(7);
    this.carry.set(b.subarray(to - n, to));
    this.carryLen = n;
  }

  private beginMessage(): void {
    this.got = 0;
    this.accHave = 0;
    this.damaged = false;
    const t = this.type;
    if (t !== NBSS_MESSAGE) {
      if (
        t === NBSS_REQUEST ||
        t === NBSS_POSITIVE ||
        t === NBSS_NEGATIVE ||
        t === NBSS_RETARGET ||
        t === NBSS_KEEPALIVE
      ) {
        if (this.total > MAX_CONTROL) {
          this.handler.weird('NetBIOS_control_message_too_long', `type 0x${t.toString(16)} length ${this.total}`);
          this.mode = Mode.Skip;
          return;
        }
        if (this.total === 0) {
          this.messages++;
          this.handler.nbss(this.isOrig, t, this.acc, 0, 0);
          this.mode = Mode.Header;
          return;
        }
        this.mode = Mode.Whole;
        this.accNeed = this.total;
        return;
      }
      // not a session-service message: the stream is out of step
      this.handler.weird('NetBIOS_bad_message_type', `type 0x${t.toString(16)}`);
      this.resync();
      // a boundary may begin inside the rejected header: rescan its last three bytes
      const w = this.hdrWord;
      this.carry ??= new Uint8Array(7);
      this.carry[0] = (w >>> 16) & 0xff;
      this.carry[1] = (w >>> 8) & 0xff;
      this.carry[2] = w & 0xff;
      this.carryLen = 3;
      return;
    }
    if (this.total === 0) {
      this.mode = Mode.Header;
      return;
    }
    if (this.total <= SMALL) {
      this.mode = Mode.Whole;
      this.accNeed = this.total;
    } else {
      this.mode = Mode.Probe;
      this.accNeed = PROBE;
    }
  }

  /** Enough bytes were gathered for the current mode. */
  private decide(): void {
    if (this.mode === Mode.Whole) {
      this.completeWhole(this.acc, 0);
      return;
    }
    if (this.mode === Mode.Probe) {
      const planned = this.handler.plan(this.isOrig, this.acc, 0, this.accHave, this.total);
      if (planned < 0 && -planned <= this.accHave) {
        // only the leading bytes matter: keep them, count the rest (a gap inside drops it, as for Whole)
        this.accHave = -planned;
        this.mode = Mode.Tail;
        if (this.got === this.total) this.completeWhole(this.acc, 0, this.accHave);
        return;
      }
      const k = Math.max(1, Math.min(this.total, planned < 0 ? this.total : planned));
      if (k >= this.total) {
        if (this.total > this.limits.maxMessage) {
          this.handler.weird('smb_message_too_large', `${this.total} bytes`);
          this.mode = Mode.Skip;
          this.accHave = 0;
          if (this.got === this.total) this.mode = Mode.Header;
          return;
        }
        this.mode = Mode.Whole;
        this.accNeed = this.total;
        if (this.accHave >= this.accNeed) this.completeWhole(this.acc, 0);
        return;
      }
      this.mode = Mode.Prefix;
      this.accNeed = k;
      if (this.accHave < k) return;
    }
    // Prefix gathered: start streaming; probed bytes beyond the prefix are the first streamed ones
    const k = this.accNeed;
    const extra = this.accHave - k;
    this.messages++;
    this.handler.streamStart(this.isOrig, this.acc, 0, k, this.total);
    this.mode = Mode.Stream;
    if (extra > 0) this.handler.streamData(this.isOrig, this.acc, k, extra);
    this.accHave = 0;
    if (this.acc.length > SMALL) this.release();
    if (this.got === this.total) this.finishStream();
  }

  /** The message is complete: hand over its `len` bytes (all of it, or the leading bytes kept in Tail mode). */
  private completeWhole(buf: Uint8Array, off: number, len = this.total): void {
    const t = this.type;
    this.accHave = 0;
    this.mode = Mode.Header;
    this.messages++;
    if (!this.damaged) {
      if (t === NBSS_MESSAGE) this.handler.message(this.isOrig, buf, off, len);
      else this.handler.nbss(this.isOrig, t, buf, off, len);
    }
    if (this.acc.length > SMALL) this.release();
  }

  /** Gives the message buffer back (after a large message, or when the connection ends). */
  release(): void {
    this.limits.budget?.give(this.acc.length);
    this.acc = NO_BYTES;
    this.accHave = 0;
  }

  private finishStream(): void {
    this.mode = Mode.Header;
    this.handler.streamEnd(this.isOrig);
  }

  /** Room for `n` bytes (of at most `cap`) in the message buffer; false when the shared budget has none left. */
  private ensureAcc(n: number, cap: number): boolean {
    if (n <= this.acc.length) return true;
    let size = Math.max(256, this.acc.length);
    while (size < n) size *= 2;
    size = Math.max(n, Math.min(size, cap));
    if (this.limits.budget && !this.limits.budget.take(size - this.acc.length)) return false;
    const next = new Uint8Array(size);
    next.set(this.acc.subarray(0, this.accHave));
    this.acc = next;
    return true;
  }
}

const NO_BYTES = new Uint8Array(0);

/**
 * Finds the next plausible message boundary in [p, end): a session-message
 * header (type 0, length >= 4) followed by an SMB protocol id. Returns -1.
 */
export function findBoundary(buf: Uint8Array, p: number, end: number): number {
  for (let i = p; i + 8 <= end; i++) {
    if (buf[i + 5] !== 0x53 || buf[i + 6] !== 0x4d || buf[i + 7] !== 0x42) continue; // "SMB"
    const id = buf[i + 4]!;
    if (id !== 0xfe && id !== 0xff && id !== 0xfd && id !== 0xfc) continue;
    if (buf[i] !== 0) continue;
    if (u24be(buf, i + 1) < 8) continue;
    return i;
  }
  return -1;
}
