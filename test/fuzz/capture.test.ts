/**
 * Property tests of the pcap/pcapng reader (src/core/source/capture.ts):
 * arbitrary bytes and structured-but-mutated files never make it throw,
 * every packet it hands out lies inside the buffer it hands out, a
 * well-formed file gives back exactly the packets written, a file cut short
 * gives a prefix of them, and the chunking of the input never changes what
 * it reads.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaptureReader } from '../../src/core/source/capture.js';
import { concat, splitAt } from '../helpers/bytes.js';
import { customBlock, epb, idb, ngBlock, opb, type PcapRecord, pcap, shb, spb, tsresol } from '../helpers/capture.js';
import fc from './fc.js';

interface Pkt {
  lt: number;
  ts: number;
  data: string;
  wire: number;
}

interface Read {
  packets: Pkt[];
  error: string | undefined;
  errorOffset: number | undefined;
  notices: string[];
  format: string | undefined;
}

/** Reads `chunks`, checking every packet's bounds; the packets as comparable values. */
function read(chunks: readonly Uint8Array[]): Read {
  const packets: Pkt[] = [];
  const r = new CaptureReader({
    packet(lt, ts, buf, off, caplen, wirelen) {
      assert.ok(Number.isInteger(off) && off >= 0, `packet offset ${off}`);
      assert.ok(Number.isInteger(caplen) && caplen >= 0 && off + caplen <= buf.length, `caplen ${caplen} at ${off}`);
      assert.ok(Number.isFinite(ts) || Number.isNaN(ts), 'timestamp is a number');
      packets.push({ lt, ts, data: Buffer.from(buf.subarray(off, off + caplen)).toString('hex'), wire: wirelen });
    },
  });
  for (const c of chunks) r.push(c);
  r.end();
  return {
    packets,
    error: r.error?.kind,
    errorOffset: r.error?.offset,
    notices: r.notices.map((n) => `${n.kind}@${n.offset}`),
    format: r.format,
  };
}

const KINDS = new Set(['empty', 'not-a-capture', 'truncated-header', 'truncated', 'corrupt']);

const cuts = (max: number) =>
  fc.array(fc.nat(max), { maxLength: 12 }).map((a) => [...new Set(a)].sort((x, y) => x - y));

const records = fc.array(
  fc.record({
    sec: fc.nat(0x7fffffff),
    frac: fc.nat(999_999),
    data: fc.uint8Array({ maxLength: 80 }),
    wirelen: fc.option(fc.nat(2000), { nil: undefined }),
  }),
  { maxLength: 12 },
);

const pcapFile = fc
  .record({
    le: fc.boolean(),
    nanos: fc.boolean(),
    linktype: fc.constantFrom(0, 1, 101, 113, 228, 229, 276, 147, 0xffff),
    recs: records,
  })
  .map(({ le, nanos, linktype, recs }) => ({
    bytes: pcap(recs as PcapRecord[], { le, nanos, linktype }),
    recs: recs as PcapRecord[],
    nanos,
    linktype,
  }));

/** A pcapng made of random valid blocks (both byte orders, several sections, unknown blocks). */
const pcapngFile = fc
  .array(
    fc.oneof(
      fc.record({ k: fc.constant('shb' as const), le: fc.boolean() }),
      fc.record({ k: fc.constant('idb' as const), lt: fc.constantFrom(1, 101, 113, 0, 999), res: fc.nat(255) }),
      fc.record({
        k: fc.constant('epb' as const),
        itf: fc.nat(3),
        ts: fc.bigInt(0n, 1n << 62n),
        data: fc.uint8Array({ maxLength: 60 }),
      }),
      fc.record({ k: fc.constant('spb' as const), data: fc.uint8Array({ maxLength: 60 }) }),
      fc.record({
        k: fc.constant('opb' as const),
        itf: fc.nat(3),
        ts: fc.bigInt(0n, 1n << 62n),
        data: fc.uint8Array({ maxLength: 60 }),
      }),
      fc.record({
        k: fc.constant('other' as const),
        type: fc.constantFrom(0xbad, 5, 0x80000001, 7),
        body: fc.uint8Array({ maxLength: 40 }),
      }),
    ),
    { maxLength: 14 },
  )
  .chain((blocks) => fc.boolean().map((le0) => ({ blocks, le0 })))
  .map(({ blocks, le0 }) => {
    let le = le0;
    const parts = [shb(le)];
    for (const b of blocks) {
      switch (b.k) {
        case 'shb':
          le = b.le;
          parts.push(shb(le));
          break;
        case 'idb':
          parts.push(idb(le, b.lt, 0, b.res % 3 === 0 ? [tsresol(b.res)] : []));
          break;
        case 'epb':
          parts.push(epb(le, b.itf, b.ts, b.data));
          break;
        case 'spb':
          parts.push(spb(le, b.data));
          break;
        case 'opb':
          parts.push(opb(le, b.itf, b.ts, b.data));
          break;
        case 'other':
          parts.push(b.type === 0xbad ? customBlock(le, b.body) : ngBlock(b.type, b.body, le));
          break;
      }
    }
    return concat(...parts);
  });

/** Mutations of a file: a flipped bit, an overwritten 32-bit field, a cut, inserted or deleted bytes. */
const mutation = fc.oneof(
  fc.record({ k: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({
    k: fc.constant('u32' as const),
    at: fc.nat(),
    v: fc.constantFrom(0, 1, 4, 8, 12, 16, 0x7fffffff, 0xffffffff, 0x1000000, 0x1000001, 28, 27),
  }),
  fc.record({ k: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }) }),
  fc.record({ k: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 9 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(b: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let out: Uint8Array = b.slice();
  for (const m of ms) {
    if (out.length === 0) break;
    const at = m.at % (out.length + 1);
    switch (m.k) {
      case 'flip':
        if (at < out.length) out[at]! ^= 1 << m.bit;
        break;
      case 'u32':
        if (at + 4 <= out.length) new DataView(out.buffer, out.byteOffset).setUint32(at, m.v, true);
        break;
      case 'cut':
        out = out.slice(0, at);
        break;
      case 'insert':
        out = concat(out.subarray(0, at), m.bytes, out.subarray(at));
        break;
      case 'delete':
        out = concat(out.subarray(0, at), out.subarray(Math.min(out.length, at + m.n)));
        break;
    }
  }
  return out;
}

function checkInvariants(r: Read): void {
  if (r.error !== undefined) assert.ok(KINDS.has(r.error), `error kind ${r.error}`);
  assert.ok(r.notices.length <= 100, 'notices are bounded');
}

describe('capture reader: properties', () => {
  it('arbitrary bytes never throw; packets lie inside their buffers', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          // a real magic followed by noise
          fc
            .tuple(
              fc.constantFrom(
                [0xd4, 0xc3, 0xb2, 0xa1],
                [0xa1, 0xb2, 0xc3, 0xd4],
                [0x4d, 0x3c, 0xb2, 0xa1],
                [0x0a, 0x0d, 0x0d, 0x0a],
              ),
              fc.uint8Array({ maxLength: 300 }),
            )
            .map(([m, rest]) => Uint8Array.from([...m, ...rest])),
        ),
        (b) => checkInvariants(read([b])),
      ),
      { numRuns: 1500 },
    );
  });

  it('a pcap gives back exactly the records written (both byte orders, us and ns)', () => {
    fc.assert(
      fc.property(pcapFile, ({ bytes, recs, nanos, linktype }) => {
        const r = read([bytes]);
        assert.equal(r.error, undefined);
        assert.equal(r.format, 'pcap');
        assert.equal(r.packets.length, recs.length);
        recs.forEach((rec, i) => {
          const p = r.packets[i]!;
          assert.equal(p.lt, linktype);
          assert.equal(p.data, Buffer.from(rec.data).toString('hex'));
          assert.equal(p.wire, rec.wirelen ?? rec.data.length);
          const usec = nanos ? Math.floor(rec.frac / 1000) : rec.frac;
          assert.equal(p.ts, rec.sec + usec / 1e6);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('a pcap cut anywhere gives a prefix of its records, and an error unless cut at a record boundary', () => {
    fc.assert(
      fc.property(pcapFile, fc.nat(), ({ bytes, recs }, at) => {
        const cut = at % (bytes.length + 1);
        const whole = read([bytes]);
        const r = read([bytes.subarray(0, cut)]);
        checkInvariants(r);
        assert.deepEqual(r.packets, whole.packets.slice(0, r.packets.length), 'a prefix of the packets');
        // record boundaries
        const bounds = new Set<number>();
        let o = 24;
        bounds.add(o);
        for (const rec of recs) {
          o += 16 + rec.data.length;
          bounds.add(o);
        }
        if (cut === 0) assert.equal(r.error, 'empty');
        else if (cut < 24) assert.equal(r.error, 'truncated-header');
        else if (bounds.has(cut)) assert.equal(r.error, undefined);
        else assert.equal(r.error, 'truncated');
      }),
      { numRuns: 400 },
    );
  });

  it('mutated pcap and pcapng files never throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          pcapFile.map((f) => f.bytes),
          pcapngFile,
        ),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (b, ms) => checkInvariants(read([mutate(b, ms)])),
      ),
      { numRuns: 1500 },
    );
  });

  it('well-formed pcapng files are read to their end', () => {
    fc.assert(
      fc.property(pcapngFile, (b) => {
        const r = read([b]);
        assert.equal(r.error, undefined, `error at ${r.errorOffset}`);
        assert.equal(r.format, 'pcapng');
      }),
      { numRuns: 400 },
    );
  });

  it('chunking never changes what is read (valid, mutated and arbitrary input)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          pcapFile.map((f) => f.bytes),
          pcapngFile,
          fc
            .tuple(
              fc.oneof(
                pcapFile.map((f) => f.bytes),
                pcapngFile,
              ),
              fc.array(mutation, { maxLength: 3 }),
            )
            .map(([b, ms]) => mutate(b, ms)),
          fc.uint8Array({ maxLength: 100 }),
        ),
        cuts(2000),
        (b, cs) => {
          const whole = read([b]);
          const split = read(
            splitAt(
              b,
              cs.map((c) => c % (b.length + 1)),
            ),
          );
          assert.deepEqual(split, whole);
          // one byte at a time, the hardest chunking
          if (b.length < 400) assert.deepEqual(read(Array.from(b, (x) => Uint8Array.of(x))), whole);
        },
      ),
      { numRuns: 500 },
    );
  });
});
