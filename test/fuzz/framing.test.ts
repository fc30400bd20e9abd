/**
 * Property tests of SMB transport framing (src/core/smb/framing.ts): a
 * stream of NetBIOS session messages (small ones handed over whole, large
 * ones streamed after a prefix the handler asks for, control messages) is
 * reconstructed exactly whatever the chunking of the stream; arbitrary bytes
 * with gaps never throw, every buffer handed out is in bounds, and every
 * streamed message accounts for exactly its length in data and gaps.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FrameHandler, SmbFramer } from '../../src/core/smb/framing.js';
import { concat, splitAt } from '../helpers/bytes.js';
import fc from './fc.js';

/** Records what the framer hands out, as comparable strings, checking bounds and stream accounting. */
class Recorder implements FrameHandler {
  out: string[] = [];
  weirds: string[] = [];
  /** longest message handed over whole */
  maxWhole = 0;
  private cur: { parts: Uint8Array[]; total: number; got: number } | undefined;
  constructor(private readonly planFor: (total: number) => number) {}
  private inBounds(buf: Uint8Array, off: number, len: number): void {
    assert.ok(off >= 0 && len >= 0 && off + len <= buf.length, `buffer [${off}, ${off + len}) of ${buf.length}`);
  }
  message(_o: boolean, buf: Uint8Array, off: number, len: number): void {
    this.inBounds(buf, off, len);
    assert.equal(this.cur, undefined, 'no whole message inside a streamed one');
    this.maxWhole = Math.max(this.maxWhole, len);
    this.out.push(`m:${Buffer.from(buf.subarray(off, off + len)).toString('hex')}`);
  }
  plan(_o: boolean, buf: Uint8Array, off: number, have: number, total: number): number {
    this.inBounds(buf, off, have);
    assert.ok(have <= total);
    return this.planFor(total);
  }
  streamStart(_o: boolean, buf: Uint8Array, off: number, len: number, total: number): void {
    this.inBounds(buf, off, len);
    assert.equal(this.cur, undefined, 'streams do not nest');
    this.cur = { parts: [buf.slice(off, off + len)], total, got: len };
  }
  streamData(_o: boolean, buf: Uint8Array, off: number, len: number): void {
    this.inBounds(buf, off, len);
    assert.ok(this.cur, 'stream data belongs to a stream');
    this.cur.parts.push(buf.slice(off, off + len));
    this.cur.got += len;
    assert.ok(this.cur.got <= this.cur.total, 'no more data than the message length');
  }
  streamGap(_o: boolean, len: number): void {
    assert.ok(this.cur, 'a stream gap belongs to a stream');
    this.cur.parts.push(new Uint8Array(0));
    this.cur.got += len;
    assert.ok(this.cur.got <= this.cur.total, 'no more gap than the message length');
  }
  streamEnd(): void {
    assert.ok(this.cur, 'stream end belongs to a stream');
    assert.equal(this.cur.got, this.cur.total, 'a streamed message ends after exactly its length');
    this.out.push(`m:${Buffer.from(concat(...this.cur.parts)).toString('hex')}`);
    this.cur = undefined;
  }
  nbss(_o: boolean, type: number, buf: Uint8Array, off: number, len: number): void {
    this.inBounds(buf, off, len);
    this.out.push(`c${type}:${Buffer.from(buf.subarray(off, off + len)).toString('hex')}`);
  }
  weird(name: string): void {
    this.weirds.push(name);
  }
}

function nbss(type: number, body: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(type, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff), body);
}

const message = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => ({ type: 0, body: b })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.integer({ min: 4097, max: 20000 }), fc.nat(255))
      .map(([n, fill]) => ({ type: 0, body: new Uint8Array(n).map((_, i) => (i * 7 + fill) & 0xff) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(0x81, 0x82, 0x83, 0x84, 0x85), fc.uint8Array({ maxLength: 40 }))
      .map(([type, body]) => ({ type, body })),
  },
);

const cutsOf = fc.array(fc.nat(200_000), { maxLength: 25 });

/** What a framer with this plan hands out for the stream whole, and for the stream cut at `cuts`. */
function frameWholeAndSplit(
  stream: Uint8Array,
  cuts: readonly number[],
  planFor: (total: number) => number,
  maxMessage: number,
): { whole: Recorder; split: Recorder } {
  const run = (chunks: readonly Uint8Array[]) => {
    const h = new Recorder(planFor);
    const f = new SmbFramer(true, h, { maxMessage });
    for (const c of chunks) f.data(c, 0, c.length);
    return h;
  };
  const sorted = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  return { whole: run([stream]), split: run(splitAt(stream, sorted)) };
}

describe('SMB framing: properties', () => {
  it('reconstructs every message exactly, whatever the chunking and the prefix the handler asks for', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 12 }), cutsOf, fc.nat(300), (msgs, cuts, k) => {
        const stream = concat(...msgs.map((m) => nbss(m.type, m.body)));
        const expected = msgs.map((m) => `${m.type === 0 ? 'm' : `c${m.type}`}:${Buffer.from(m.body).toString('hex')}`);
        const planFor = (total: number) => (k === 0 ? total : Math.min(total, 64 + k));
        const { whole, split } = frameWholeAndSplit(stream, cuts, planFor, 16 * 1024 * 1024);
        assert.deepEqual(whole.out, expected);
        assert.deepEqual(whole.weirds, []);
        assert.deepEqual(split.out, expected);
      }),
      { numRuns: 300 },
    );
  });

  it('when only the leading bytes matter (plan -k), large messages come as those bytes, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 12 }),
        cutsOf,
        fc.integer({ min: 1, max: 128 }),
        (msgs, cuts, k) => {
          const stream = concat(...msgs.map((m) => nbss(m.type, m.body)));
          // messages up to 4096 bytes are buffered whole before any plan is asked for
          const expected = msgs.map(
            (m) =>
              `${m.type === 0 ? 'm' : `c${m.type}`}:${Buffer.from(m.type === 0 && m.body.length > 4096 ? m.body.subarray(0, k) : m.body).toString('hex')}`,
          );
          const { whole, split } = frameWholeAndSplit(stream, cuts, () => -k, 5000);
          assert.deepEqual(whole.out, expected);
          assert.deepEqual(whole.weirds, []);
          assert.deepEqual(split.out, expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes, gaps and small limits never throw; streams account for their length', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 200 }).map((b) => ({ data: b })),
            fc.array(message, { maxLength: 3 }).map((ms) => ({ data: concat(...ms.map((m) => nbss(m.type, m.body))) })),
            fc.nat(10_000).map((n) => ({ gap: n })),
            fc.tuple(fc.nat(0xffffff), fc.uint8Array({ maxLength: 64 })).map(([n, b]) => ({
              data: concat(
                nbss(0, new Uint8Array(0)).subarray(0, 1),
                Uint8Array.of(n >> 16, (n >> 8) & 0xff, n & 0xff, 0xfe, 0x53, 0x4d, 0x42),
                b,
              ),
            })),
          ),
          { maxLength: 20 },
        ),
        fc.boolean(),
        fc.nat(300),
        fc.integer({ min: 0, max: 10_000 }),
        fc.boolean(),
        (events, midstream, k, maxMessage, headOnly) => {
          const h = new Recorder((total) => (headOnly ? -Math.min(total, k, 128) : Math.min(total, k)));
          const f = new SmbFramer(false, h, { maxMessage }, midstream);
          for (const e of events) {
            if ('gap' in e) f.gap(e.gap);
            else {
              const pad = concat(Uint8Array.of(9, 9), e.data, Uint8Array.of(9));
              f.data(pad, 2, e.data.length);
            }
          }
          // only messages within the limit (or small enough to always be buffered) are buffered whole
          assert.ok(h.maxWhole <= Math.max(maxMessage, 4096), `buffered a message of ${h.maxWhole} bytes`);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
