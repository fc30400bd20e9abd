/**
 * One direction of a TCP byte stream, put back in order.
 *
 * Sequence numbers are mapped to positions relative to the first byte of the
 * stream (the byte after the SYN, or the first byte seen when the connection
 * was picked up mid-stream), so wrap-around is handled once here.
 *
 * - In-order bytes are delivered at once as views into the packet (no copy).
 * - Retransmitted and overlapping bytes are delivered once.
 * - Out-of-order segments are copied and held, up to `maxBuffered` bytes.
 * - A hole becomes a gap (`consumer.gap(n)`), counted in `missed`, when the
 *   peer acknowledges data past it, when the buffer limit is reached, when
 *   bytes were never captured (snap length), or when the stream ends.
 */

import { type ByteBudget, PIECE_OVERHEAD } from '../budget.js';
import { seqDiff } from './tcp.js';

export interface StreamConsumer {
  /** bytes [off, off+len) of buf, valid only during the call */
  data(buf: Uint8Array, off: number, len: number): void;
  /** `len` bytes of the stream were not seen */
  gap(len: number): void;
}

interface Held {
  start: number;
  bytes: Uint8Array;
}

/** Most out-of-order pieces held per direction (a flood of tiny segments is bounded by count too). */
export const MAX_HELD_SEGMENTS = 4096;

export enum SegmentResult {
  /** new bytes delivered or held */
  New = 0,
  /** everything in the segment had been seen already */
  Retransmission = 1,
  /** bytes held for later (a hole precedes them) */
  OutOfOrder = 2,
  /** nothing was kept: over the out-of-order limit */
  Dropped = 3,
}

export class Reassembler {
  /** stream position of the next byte to deliver */
  next = 0;
  /** sequence number of position `next` */
  private nextSeq = 0;
  started = false;
  /** bytes declared missing */
  missed = 0;
  /** number of gaps declared */
  gaps = 0;
  /** highest position the peer acknowledged */
  private acked = 0;
  /** stream position of the FIN, -1 before one is seen */
  private finPos = -1;
  private held: Held[] = [];
  heldBytes = 0;
  /** held bytes over the limit were dropped at least once */
  overflowed = false;
  /** the overflow was reported (once per stream) */
  overflowReported = false;

  constructor(
    private readonly consumer: StreamConsumer,
    private readonly maxBuffered: number,
    /** shared with every other buffer of the run */
    private readonly budget?: ByteBudget,
  ) {}

  /** Sets the sequence number of stream position 0. */
  start(seq: number): void {
    this.started = true;
    this.next = 0;
    this.nextSeq = seq >>> 0;
    this.acked = 0;
  }

  /** Stream position of a sequence number (near the delivery point). */
  position(seq: number): number {
    return this.next + seqDiff(seq, this.nextSeq);
  }

  /**
   * A segment carrying `wire` payload bytes from `seq`, of which the first
   * `cap` were captured at buf[off..].
   */
  segment(seq: number, buf: Uint8Array, off: number, cap: number, wire: number): SegmentResult {
    if (!this.started) this.start(seq);
    const s = this.position(seq);
    const e = s + wire;
    if (e <= this.next) return SegmentResult.Retransmission;
    if (s > this.next) {
      if (s <= this.acked) {
        // the receiver already acknowledged the bytes before this segment: they are lost
        this.skipTo(s);
      } else {
        return this.hold(s, buf, off, cap, wire);
      }
    }
    const skip = this.next - s;
    if (skip < cap) this.deliver(buf, off + skip, cap - skip);
    if (this.next < e) this.skipTo(e); // bytes beyond the snap length
    this.drain();
    return SegmentResult.New;
  }

  /** The peer acknowledged everything before sequence number `ack`. */
  ack(ack: number): void {
    if (!this.started) return;
    let a = this.position(ack);
    // the FIN takes a sequence number but carries no data
    if (this.finPos >= 0 && a > this.finPos) a = this.finPos;
    if (a <= this.acked) return;
    this.acked = a;
    if (a <= this.next) return;
    // the receiver has bytes the capture never showed: deliver what is held, the rest is a gap (as Zeek does)
    while (this.next < a) {
      const first = this.held[0];
      if (first && first.start <= this.next) {
        this.drain();
        continue;
      }
      this.skipTo(first ? Math.min(a, first.start) : a);
      this.drain();
    }
  }

  /** The stream's FIN at sequence number `seq` (its data ends there). */
  fin(seq: number): void {
    if (!this.started) return;
    const p = this.position(seq);
    if (this.finPos < 0 || p < this.finPos) this.finPos = p;
  }

  /** End of the stream: every hole before held data becomes a gap; `end` is the final position if known. */
  flush(end = -1): void {
    while (this.held.length > 0) {
      this.skipTo(this.held[0]!.start);
      this.drain();
    }
    if (end > this.next) this.skipTo(end);
  }

  private deliver(buf: Uint8Array, off: number, len: number): void {
    this.next += len;
    this.nextSeq = (this.nextSeq + len) >>> 0;
    this.consumer.data(buf, off, len);
  }

  private skipTo(pos: number): void {
    const n = pos - this.next;
    if (n <= 0) return;
    this.next = pos;
    this.nextSeq = (this.nextSeq + n) >>> 0;
    this.missed += n;
    this.gaps++;
    this.consumer.gap(n);
  }

  /** Delivers held segments that are now in order. */
  private drain(): void {
    const h = this.held;
    let k = 0;
    while (k < h.length && h[k]!.start <= this.next) {
      const seg = h[k++]!;
      this.release(seg);
      const end = seg.start + seg.bytes.length;
      if (end > this.next) {
        const skip = this.next - seg.start;
        this.deliver(seg.bytes, skip, seg.bytes.length - skip);
      }
    }
    if (k > 0) h.splice(0, k);
  }

  private release(seg: Held): void {
    this.heldBytes -= seg.bytes.length;
    this.budget?.give(seg.bytes.length + PIECE_OVERHEAD);
  }

  /** Index of the first held segment ending after `pos` (segments are sorted and disjoint). */
  private firstEndingAfter(pos: number): number {
    const h = this.held;
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = h[mid]!;
      if (m.start + m.bytes.length <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private hold(s: number, buf: Uint8Array, off: number, cap: number, wire: number): SegmentResult {
    // only the captured part can be held; a cut tail stays a hole
    let start = s;
    const end = s + cap;
    const h = this.held;
    let i = this.firstEndingAfter(start);
    let stored = false;
    while (start < end) {
      const nxt = h[i];
      const stop = nxt ? Math.min(end, nxt.start) : end;
      if (stop > start) {
        const len = stop - start;
        if (
          this.heldBytes + len > this.maxBuffered ||
          h.length >= MAX_HELD_SEGMENTS ||
          (this.budget && !this.budget.take(len + PIECE_OVERHEAD))
        ) {
          this.overflowed = true;
          // make room by giving up on the hole before the first held segment
          if (h.length > 0 && h[0]!.start > this.next) {
            this.skipTo(h[0]!.start);
            this.drain();
            const rest = start - s;
            return this.segment((this.nextSeq + (start - this.next)) >>> 0, buf, off + rest, end - start, wire - rest);
          }
          return stored ? SegmentResult.OutOfOrder : SegmentResult.Dropped;
        }
        h.splice(i, 0, { start, bytes: buf.slice(off + (start - s), off + (stop - s)) });
        this.heldBytes += len;
        i++;
        stored = true;
      }
      if (!nxt) break;
      start = Math.max(start, nxt.start + nxt.bytes.length);
      i++;
    }
    return stored ? SegmentResult.OutOfOrder : SegmentResult.Retransmission;
  }
}
