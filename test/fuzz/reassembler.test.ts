/**
 * Property tests of TCP stream reassembly (src/core/tcp/reassembler.ts):
 * segments in any order, duplicated and overlapping, across the 2^32
 * sequence wrap, are delivered once each, in order, byte for byte; bytes
 * that never arrive become gaps whose lengths account exactly for them;
 * limits on held bytes and acknowledgements of unseen bytes only turn data
 * into gaps, never deliver a wrong byte or a byte twice.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Reassembler } from '../../src/core/tcp/reassembler.js';
import fc from './fc.js';

/** A consumer that checks every delivered byte against the stream at its position. */
class Checker {
  pos = 0;
  delivered = 0;
  gapBytes = 0;
  gaps = 0;
  constructor(private readonly stream: Uint8Array) {}
  data(buf: Uint8Array, off: number, len: number): void {
    assert.ok(len > 0, 'no empty deliveries');
    assert.ok(off >= 0 && off + len <= buf.length, 'delivery inside its buffer');
    assert.ok(this.pos + len <= this.stream.length, `delivery past the end of the stream at ${this.pos}+${len}`);
    for (let i = 0; i < len; i++) {
      if (buf[off + i] !== this.stream[this.pos + i]) assert.fail(`wrong byte at stream position ${this.pos + i}`);
    }
    this.pos += len;
    this.delivered += len;
  }
  gap(len: number): void {
    assert.ok(len > 0, 'no empty gaps');
    this.pos += len;
    this.gapBytes += len;
    this.gaps++;
  }
}

const scenario = fc.record({
  stream: fc.uint8Array({ minLength: 1, maxLength: 3000 }),
  isn: fc.oneof(fc.nat(0xffffffff), fc.integer({ min: 0xffffffff - 3000, max: 0xffffffff })),
  cuts: fc.array(fc.nat(3000), { maxLength: 30 }),
  extra: fc.array(fc.tuple(fc.nat(3000), fc.nat(600)), { maxLength: 15 }),
  order: fc.array(fc.nat(), { maxLength: 60 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The segments of a scenario: pieces covering the stream plus duplicates/overlaps, shuffled. */
function segments(sc: Scenario): [number, number][] {
  const len = sc.stream.length;
  const points = [...new Set(sc.cuts.map((c) => c % len))].filter((c) => c > 0).sort((a, b) => a - b);
  const segs: [number, number][] = [];
  let prev = 0;
  for (const p of [...points, len]) {
    segs.push([prev, p]);
    prev = p;
  }
  for (const [a, n] of sc.extra) {
    const s = a % len;
    segs.push([s, Math.min(len, s + 1 + n)]);
  }
  for (let i = segs.length - 1; i > 0; i--) {
    const j = (sc.order[i % Math.max(1, sc.order.length)] ?? 0) % (i + 1);
    [segs[i], segs[j]] = [segs[j]!, segs[i]!];
  }
  return segs;
}

function feed(r: Reassembler, sc: Scenario, segs: readonly [number, number][]): void {
  for (const [a, b] of segs) r.segment((sc.isn + a) >>> 0, sc.stream, a, b - a, b - a);
}

describe('TCP reassembly: properties', () => {
  it('all segments, any order, duplicates and overlaps: the stream is delivered once, in order, without gaps', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const c = new Checker(sc.stream);
        const r = new Reassembler(c, 1 << 30);
        r.start(sc.isn);
        feed(r, sc, segments(sc));
        r.flush();
        assert.equal(c.delivered, sc.stream.length);
        assert.equal(c.gaps, 0);
        assert.equal(r.missed, 0);
        assert.equal(r.heldBytes, 0, 'nothing is left held');
      }),
      { numRuns: 800 },
    );
  });

  it('missing segments become gaps that account for exactly the bytes not delivered', () => {
    fc.assert(
      fc.property(scenario, fc.array(fc.boolean(), { minLength: 1, maxLength: 50 }), (sc, keep) => {
        const segs = segments(sc).filter((_, i) => keep[i % keep.length]);
        const c = new Checker(sc.stream);
        const r = new Reassembler(c, 1 << 30);
        r.start(sc.isn);
        feed(r, sc, segs);
        r.flush(sc.stream.length);
        assert.equal(c.delivered + c.gapBytes, sc.stream.length, 'every byte is delivered or a gap');
        assert.equal(r.missed, c.gapBytes);
        assert.equal(r.gaps, c.gaps);
      }),
      { numRuns: 800 },
    );
  });

  it('a small out-of-order limit and acknowledgements of unseen bytes never deliver a wrong or repeated byte', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.nat(2000),
        fc.array(fc.option(fc.nat(3200), { freq: 3 }), { maxLength: 60 }),
        (sc, limit, acks) => {
          const segs = segments(sc);
          const c = new Checker(sc.stream);
          const r = new Reassembler(c, limit);
          r.start(sc.isn);
          for (let i = 0; i < segs.length; i++) {
            const [a, b] = segs[i]!;
            r.segment((sc.isn + a) >>> 0, sc.stream, a, b - a, b - a);
            const k = acks[i];
            if (k !== undefined && k !== null) r.ack((sc.isn + Math.min(k, sc.stream.length)) >>> 0);
            assert.ok(r.heldBytes <= limit, `held ${r.heldBytes} > limit ${limit}`);
          }
          r.flush(sc.stream.length);
          assert.equal(c.delivered + c.gapBytes, sc.stream.length);
        },
      ),
      { numRuns: 800 },
    );
  });

  it('retransmissions with different content never change bytes already delivered', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.array(fc.tuple(fc.nat(3000), fc.nat(600), fc.uint8Array({ minLength: 1, maxLength: 1 })), { maxLength: 20 }),
        (sc, rex) => {
          const c = new Checker(sc.stream);
          const r = new Reassembler(c, 1 << 30);
          r.start(sc.isn);
          const len = sc.stream.length;
          // in order, then garbage over ranges already delivered
          let o = 0;
          const pieces = segments(sc)
            .map(([a]) => a)
            .sort((x, y) => x - y);
          for (const p of [...new Set([...pieces, len])]) {
            if (p > o) r.segment((sc.isn + o) >>> 0, sc.stream, o, p - o, p - o);
            o = p;
          }
          for (const [a, n, fill] of rex) {
            const s = a % len;
            const e = Math.min(len, s + 1 + n);
            const junk = new Uint8Array(e - s).fill(fill[0]!);
            r.segment((sc.isn + s) >>> 0, junk, 0, e - s, e - s);
          }
          r.flush();
          assert.equal(c.delivered, len);
          assert.equal(c.gaps, 0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('segments cut by the snap length turn their missing tails into gaps', () => {
    fc.assert(
      fc.property(scenario, fc.array(fc.nat(100), { maxLength: 30 }), (sc, caps) => {
        const len = sc.stream.length;
        const c = new Checker(sc.stream);
        const r = new Reassembler(c, 1 << 30);
        r.start(sc.isn);
        let o = 0;
        let i = 0;
        while (o < len) {
          const n = Math.min(len - o, 1 + (caps[i % Math.max(1, caps.length)] ?? 50) * 7);
          const cap = Math.min(n, caps[(i + 1) % Math.max(1, caps.length)] ?? n);
          r.segment((sc.isn + o) >>> 0, sc.stream, o, cap, n);
          o += n;
          i++;
        }
        r.flush(len);
        assert.equal(c.delivered + c.gapBytes, len);
      }),
      { numRuns: 500 },
    );
  });
});
