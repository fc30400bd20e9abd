/**
 * TCP stream reassembly (src/core/tcp/reassembler.ts): one direction's bytes
 * delivered once and in order, holes turned into gaps only when they are
 * known to be lost.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Reassembler, SegmentResult } from '../../src/core/tcp/reassembler.js';
import { prng } from '../helpers/bytes.js';

type Out = (number[] | { gap: number })[];

/** A consumer that records deliveries (copied) and gaps, merging adjacent deliveries. */
function make(maxBuffered = 1 << 20): { r: Reassembler; out: Out; stream: () => (number | 'gap')[] } {
  const out: Out = [];
  const r = new Reassembler(
    {
      data(buf, off, len) {
        assert.ok(len > 0, 'no empty deliveries');
        out.push(Array.from(buf.subarray(off, off + len)));
      },
      gap(len) {
        assert.ok(len > 0, 'no empty gaps');
        out.push({ gap: len });
      },
    },
    maxBuffered,
  );
  /** The stream as bytes, with one 'gap' marker per missing byte. */
  const stream = () => {
    const s: (number | 'gap')[] = [];
    for (const x of out) {
      if (Array.isArray(x)) s.push(...x);
      else for (let i = 0; i < x.gap; i++) s.push('gap');
    }
    return s;
  };
  return { r, out, stream };
}

/** Bytes 0..n-1 of a test stream: byte i has value i & 0xff. */
const STREAM = Uint8Array.from({ length: 4096 }, (_, i) => i & 0xff);
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => (a + i) & 0xff);

/** Sends stream bytes [a, b) as a segment, the stream starting at sequence number `isn`. */
function send(r: Reassembler, isn: number, a: number, b: number, captured = b - a): SegmentResult {
  return r.segment((isn + a) >>> 0, STREAM, a, captured, b - a);
}

const ISN = 1000;

describe('Reassembler', () => {
  test('in order: delivered at once, as views of the packet (no copy)', () => {
    const seen: Uint8Array[] = [];
    const r = new Reassembler({ data: (buf) => seen.push(buf), gap: () => assert.fail('no gap') }, 1 << 20);
    r.start(ISN);
    assert.equal(send(r, ISN, 0, 10), SegmentResult.New);
    assert.equal(send(r, ISN, 10, 30), SegmentResult.New);
    assert.equal(seen.length, 2);
    assert.equal(seen[0], STREAM);
    assert.equal(r.next, 30);
  });

  test('the first segment starts the stream when start() was not called (picked up mid-stream)', () => {
    const { r, stream } = make();
    send(r, ISN, 100, 110);
    send(r, ISN, 110, 120);
    assert.deepEqual(stream(), range(100, 120));
  });

  test('out of order: held, then delivered once the hole is filled', () => {
    const { r, stream, out } = make();
    r.start(ISN);
    assert.equal(send(r, ISN, 20, 30), SegmentResult.OutOfOrder);
    assert.equal(send(r, ISN, 10, 20), SegmentResult.OutOfOrder);
    assert.equal(out.length, 0);
    assert.equal(r.heldBytes, 20);
    assert.equal(send(r, ISN, 0, 10), SegmentResult.New);
    assert.deepEqual(stream(), range(0, 30));
    assert.equal(r.heldBytes, 0);
    assert.equal(r.missed, 0);
  });

  test('every permutation of 5 segments gives the same stream', () => {
    const cuts = [0, 3, 17, 18, 40, 64];
    const perm = (xs: number[]): number[][] =>
      xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perm([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
    for (const order of perm([0, 1, 2, 3, 4])) {
      const { r, stream } = make();
      r.start(ISN);
      for (const i of order) send(r, ISN, cuts[i]!, cuts[i + 1]!);
      assert.deepEqual(stream(), range(0, 64), `order ${order}`);
    }
  });

  test('retransmission: delivered once', () => {
    const { r, stream } = make();
    r.start(ISN);
    send(r, ISN, 0, 10);
    assert.equal(send(r, ISN, 0, 10), SegmentResult.Retransmission);
    assert.equal(send(r, ISN, 5, 10), SegmentResult.Retransmission);
    send(r, ISN, 20, 30); // held
    assert.equal(send(r, ISN, 20, 30), SegmentResult.Retransmission); // held already
    send(r, ISN, 10, 20);
    assert.deepEqual(stream(), range(0, 30));
  });

  test('a keep-alive (one byte before the next expected, RFC 9293 3.8.4) is a retransmission', () => {
    const { r, stream } = make();
    r.start(ISN);
    send(r, ISN, 0, 10);
    assert.equal(r.segment((ISN + 9) >>> 0, Uint8Array.of(0xee), 0, 1, 1), SegmentResult.Retransmission);
    send(r, ISN, 10, 20);
    assert.deepEqual(stream(), range(0, 20));
  });

  test('partial overlaps: each byte delivered once', () => {
    const { r, stream } = make();
    r.start(ISN);
    send(r, ISN, 0, 10);
    assert.equal(send(r, ISN, 5, 15), SegmentResult.New); // 5 old + 5 new
    send(r, ISN, 30, 40); // held
    send(r, ISN, 25, 35); // overlaps the held segment on its left
    send(r, ISN, 38, 45); // and on its right
    send(r, ISN, 12, 28); // fills the hole, overlapping both sides
    assert.deepEqual(stream(), range(0, 45));
  });

  test('overlap keeps the bytes seen first for held data', () => {
    const { r, stream } = make();
    r.start(ISN);
    const other = STREAM.map((x) => x ^ 0xff);
    r.segment(ISN + 10, STREAM, 10, 10, 10); // held: original bytes 10..20
    r.segment(ISN + 5, other, 5, 10, 10); // held, overlapping 10..15 with other bytes
    send(r, ISN, 0, 5);
    assert.deepEqual(stream(), [...range(0, 5), ...Array.from(other.subarray(5, 10)), ...range(10, 20)]);
  });

  test('a hole the peer acknowledged becomes a gap', () => {
    const { r, out } = make();
    r.start(ISN);
    send(r, ISN, 0, 10);
    send(r, ISN, 20, 30); // held behind a 10-byte hole
    r.ack((ISN + 15) >>> 0); // the receiver has bytes up to 15: 10..15 are lost, 15..20 may still come
    assert.deepEqual(out, [range(0, 10), { gap: 5 }]);
    r.ack((ISN + 30) >>> 0); // now 15..20 are lost too
    assert.deepEqual(out, [range(0, 10), { gap: 5 }, { gap: 5 }, range(20, 30)]);
    assert.equal(r.missed, 10);
    assert.equal(r.gaps, 2);
  });

  test('an acknowledgement of bytes never seen is a gap at once (as Zeek reports it)', () => {
    const { r, out } = make();
    r.start(ISN);
    send(r, ISN, 0, 10);
    r.ack((ISN + 50) >>> 0);
    assert.deepEqual(out, [range(0, 10), { gap: 40 }]);
    // the acknowledged bytes arriving late are old news
    assert.equal(send(r, ISN, 40, 50), SegmentResult.Retransmission);
    assert.deepEqual(out, [range(0, 10), { gap: 40 }]);
  });

  test('an acknowledgement of the FIN is not a gap', () => {
    const { r, out } = make();
    r.start(ISN);
    send(r, ISN, 0, 10);
    r.fin((ISN + 10) >>> 0);
    r.ack((ISN + 11) >>> 0);
    assert.deepEqual(out, [range(0, 10)]);
  });

  test('an acknowledgement of old data changes nothing', () => {
    const { r, out } = make();
    r.start(ISN);
    send(r, ISN, 0, 10);
    send(r, ISN, 20, 30);
    r.ack((ISN + 5) >>> 0);
    r.ack((ISN - 100) >>> 0);
    assert.deepEqual(out, [range(0, 10)]);
  });

  test('buffer limit: the first hole is given up to make room', () => {
    const { r, out, stream } = make(20);
    r.start(ISN);
    send(r, ISN, 10, 25); // 15 held
    assert.equal(r.heldBytes, 15);
    send(r, ISN, 30, 40); // 10 more would exceed 20: the hole 0..10 is given up
    assert.ok(r.overflowed);
    assert.deepEqual(out, [{ gap: 10 }, range(10, 25)]);
    assert.equal(r.heldBytes, 10);
    send(r, ISN, 25, 30);
    assert.deepEqual(stream(), [...Array<'gap'>(10).fill('gap'), ...range(10, 40)]);
  });

  test('buffer limit: a segment larger than the limit alone is dropped', () => {
    const { r, out } = make(8);
    r.start(ISN);
    assert.equal(send(r, ISN, 10, 30), SegmentResult.Dropped);
    assert.equal(r.heldBytes, 0);
    send(r, ISN, 0, 10);
    assert.deepEqual(out, [range(0, 10)]);
  });

  test('snap length: bytes never captured become a gap', () => {
    const { r, out } = make();
    r.start(ISN);
    send(r, ISN, 0, 100, 40); // 100 on the wire, 40 captured
    assert.deepEqual(out, [range(0, 40), { gap: 60 }]);
    send(r, ISN, 100, 110);
    assert.deepEqual(out.at(-1), range(100, 110));
    assert.equal(r.missed, 60);
  });

  test('snap length on a held segment: only the captured part is held, the rest stays a hole', () => {
    const { r, out } = make();
    r.start(ISN);
    send(r, ISN, 10, 30, 5); // 10..15 captured, 15..30 not
    send(r, ISN, 0, 10);
    assert.deepEqual(out, [range(0, 10), range(10, 15)]);
    r.flush(30);
    assert.deepEqual(out, [range(0, 10), range(10, 15), { gap: 15 }]);
  });

  test('sequence numbers wrap around 2^32', () => {
    for (const isn of [0xffffffff, 0xfffffff0, 0x7fffffff, 0]) {
      const { r, stream } = make();
      r.start(isn);
      send(r, isn, 0, 10);
      send(r, isn, 30, 40); // held, maybe across the wrap
      send(r, isn, 10, 30);
      r.ack((isn + 70) >>> 0);
      send(r, isn, 70, 80); // after an acknowledged hole
      assert.deepEqual(stream(), [...range(0, 40), ...Array<'gap'>(30).fill('gap'), ...range(70, 80)], `isn ${isn}`);
    }
  });

  test('flush: every hole before held data becomes a gap, then up to the final position', () => {
    const { r, out } = make();
    r.start(ISN);
    send(r, ISN, 0, 5);
    send(r, ISN, 10, 15);
    send(r, ISN, 20, 25);
    r.flush(40);
    assert.deepEqual(out, [range(0, 5), { gap: 5 }, range(10, 15), { gap: 5 }, range(20, 25), { gap: 15 }]);
    assert.equal(r.heldBytes, 0);
    assert.equal(r.missed, 25);
    // flushing again, or to an earlier end, adds nothing
    r.flush(30);
    r.flush();
    assert.equal(out.length, 6);
  });

  test('random segments, duplicates and reordering reproduce the stream', () => {
    const rnd = prng(99);
    for (let round = 0; round < 50; round++) {
      const n = 200 + Math.floor(rnd() * 800);
      const segs: [number, number][] = [];
      for (let a = 0; a < n; ) {
        const b = Math.min(n, a + 1 + Math.floor(rnd() * 60));
        segs.push([a, b]);
        if (rnd() < 0.2) segs.push([Math.max(0, a - 5), Math.min(n, b + 5)]); // overlapping retransmission
        a = b;
      }
      // local shuffles only, so no hole outlives the buffer
      for (let i = 0; i < segs.length - 1; i++) {
        if (rnd() < 0.3) [segs[i], segs[i + 1]] = [segs[i + 1]!, segs[i]!];
      }
      const isn = Math.floor(rnd() * 0x100000000);
      const { r, stream } = make();
      r.start(isn);
      for (const [a, b] of segs) send(r, isn, a, b);
      r.flush(n);
      assert.deepEqual(stream(), range(0, n), `round ${round}`);
    }
  });
});
