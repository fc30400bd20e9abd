/**
 * Property tests of the authentication parsers (src/core/auth/): DER/BER
 * elements, SPNEGO/GSSAPI tokens (smbscope's parse and Zeek's reading of
 * them) and NTLMSSP messages. On arbitrary bytes and on well-formed
 * structures with mutated lengths and security buffers, no parser throws;
 * an encoded DER tree parses back to itself; and a parser's result never
 * depends on where its bytes sit in memory (a view into a larger buffer
 * gives the same result as a copy).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { type DerNode, parseDerTree, readTlv } from '../../src/core/auth/der.js';
import { parseNtlmMessage } from '../../src/core/auth/ntlm.js';
import { parseGssapiToken, routeSmbSecurityBlob, zeekGssapi } from '../../src/core/auth/spnego.js';
import { zeekUtf16ToUtf8 } from '../../src/core/auth/zeek-utf16.js';
import { Malformed } from '../../src/core/bytes/result.js';
import { concat } from '../helpers/bytes.js';
import fc from './fc.js';

/** `b` as a view in the middle of a larger buffer. */
function embedded(b: Uint8Array, pre: number, fill: number): Uint8Array {
  const big = new Uint8Array(pre + b.length + 7).fill(fill);
  big.set(b, pre);
  return big.subarray(pre, pre + b.length);
}

/** Deep comparison that treats equal bytes in different buffers as equal (Uint8Array views included). */
function same(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.stringify(a, replacer), JSON.stringify(b, replacer));
}
function replacer(_k: string, v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'bigint') return `${v}n`;
  return v;
}

// ---------------------------------------------------------------- DER trees

interface Tree {
  tag: number;
  value?: Uint8Array;
  children?: Tree[];
}

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      tag: fc.constantFrom(0x02, 0x04, 0x06, 0x0a, 0x1b, 0x80, 0x81),
      value: fc.uint8Array({ maxLength: 40 }),
    }),
    fc.record({
      tag: fc.constantFrom(0x30, 0x60, 0xa0, 0xa1, 0xa2, 0xa3),
      children: fc.array(tie('node'), { maxLength: 4 }),
    }),
  ),
})).node;

function derLength(n: number, long: boolean): Uint8Array {
  if (n < 0x80 && !long) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let x = n; x > 0 || bytes.length === 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

function encode(t: Tree, long: boolean): Uint8Array {
  const content = t.children ? concat(...t.children.map((c) => encode(c, long))) : (t.value ?? new Uint8Array(0));
  return concat(Uint8Array.of(t.tag), derLength(content.length, long), content);
}

function shape(b: Uint8Array, n: DerNode): Tree {
  if (n.children) return { tag: n.tlv.tag, children: n.children.map((c) => shape(b, c)) };
  return { tag: n.tlv.tag, value: b.slice(n.tlv.valueStart, n.tlv.end) };
}

function count(t: Tree): number {
  return 1 + (t.children ?? []).reduce((s, c) => s + count(c), 0);
}

function depth(t: Tree): number {
  return 1 + Math.max(0, ...(t.children ?? []).map(depth));
}

/** Flips, overwrites (lengths above all) and cuts. */
const damage = fc.array(
  fc.oneof(
    fc.record({
      k: fc.constant('set' as const),
      at: fc.nat(),
      v: fc.constantFrom(0, 1, 0x7f, 0x80, 0x81, 0x82, 0x84, 0x85, 0xff, 0x30, 0xa0),
    }),
    fc.record({ k: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ k: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  ),
  { minLength: 1, maxLength: 4 },
);

function applyDamage(b: Uint8Array, ds: { k: string; at: number; v?: number; bit?: number }[]): Uint8Array {
  let out: Uint8Array = b.slice();
  for (const d of ds) {
    if (out.length === 0) break;
    const at = d.at % out.length;
    if (d.k === 'set') out[at] = d.v!;
    else if (d.k === 'flip') out[at]! ^= 1 << d.bit!;
    else out = out.slice(0, at);
  }
  return out;
}

describe('DER: properties', () => {
  it('an encoded tree (short or long length forms) parses back to itself', () => {
    fc.assert(
      fc.property(tree, fc.boolean(), (t, long) => {
        const b = encode(t, long);
        const n = parseDerTree(b);
        if (count(t) > 4096 || depth(t) > 32) {
          assert.ok(n instanceof Malformed);
          return;
        }
        assert.ok(!(n instanceof Malformed), n instanceof Malformed ? n.what : '');
        assert.ok(same(shape(b, n), t), 'the parsed tree differs from the encoded one');
      }),
      { numRuns: 800 },
    );
  });

  it('damaged trees and arbitrary bytes never throw; elements lie within their bounds', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          tree.map((t) => encode(t, false)),
          fc.uint8Array({ maxLength: 64 }),
        ),
        damage,
        fc.nat(10),
        (b0, ds, pre) => {
          const b = applyDamage(b0, ds);
          const t = readTlv(b, 0, b.length);
          if (!(t instanceof Malformed)) assert.ok(t.valueStart <= t.end && t.end <= b.length);
          const n = parseDerTree(b, 0, b.length, { maxDepth: 8, maxNodes: 50 });
          const e = embedded(b, pre, 0x30);
          assert.ok(same(n, parseDerTree(e, 0, e.length, { maxDepth: 8, maxNodes: 50 })));
        },
      ),
      { numRuns: 1500 },
    );
  });
});

// ------------------------------------------------------------ SPNEGO tokens

const OID_SPNEGO = Uint8Array.of(0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02);
const OID_NTLM = Uint8Array.of(0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a);

function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const c = concat(...content);
  return concat(Uint8Array.of(tag), derLength(c.length, false), c);
}

/** A negTokenInit / negTokenResp carrying an NTLMSSP token. */
const spnego = fc
  .record({
    init: fc.boolean(),
    ntlm: fc.uint8Array({ maxLength: 80 }),
    state: fc.nat(3),
    mic: fc.option(fc.uint8Array({ maxLength: 16 })),
  })
  .map(({ init, ntlm, state, mic }) => {
    const token = concat(new TextEncoder().encode('NTLMSSP\0'), ntlm);
    const micPart = mic ? [tlv(0xa3, tlv(0x04, mic))] : [];
    if (init) {
      const body = tlv(0x30, tlv(0xa0, tlv(0x30, OID_NTLM)), tlv(0xa2, tlv(0x04, token)), ...micPart);
      return tlv(0x60, OID_SPNEGO, tlv(0xa0, body));
    }
    return tlv(
      0xa1,
      tlv(
        0x30,
        tlv(0xa0, tlv(0x0a, Uint8Array.of(state))),
        tlv(0xa1, OID_NTLM),
        tlv(0xa2, tlv(0x04, token)),
        ...micPart,
      ),
    );
  });

describe('SPNEGO/GSSAPI: properties', () => {
  it('well-formed, damaged and arbitrary tokens never throw, wherever they sit in memory', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          spnego,
          spnego.chain((b) => damage.map((d) => applyDamage(b, d))),
          fc.uint8Array({ maxLength: 100 }),
        ),
        fc.nat(9),
        (b, pre) => {
          const e = embedded(b, pre, 0xa0);
          assert.ok(same(parseGssapiToken(b), parseGssapiToken(e)), 'parseGssapiToken depends on the buffer');
          assert.ok(same(zeekGssapi(b), zeekGssapi(e)), 'zeekGssapi depends on the buffer');
          assert.ok(['ignore', 'ntlm', 'gssapi'].includes(routeSmbSecurityBlob(b)));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('an intact token hands its NTLMSSP token to NTLM', () => {
    fc.assert(
      fc.property(spnego, (b) => {
        const r = zeekGssapi(b);
        assert.equal(r.violation, undefined, r.violation?.what);
        assert.ok(r.steps.some((s) => s.step === 'ntlm'));
      }),
      { numRuns: 300 },
    );
  });
});

// ----------------------------------------------------------------- NTLMSSP

/** An NTLMSSP message of type 1-3 with random security buffers (mostly pointing into the payload). */
const ntlm = fc
  .record({
    type: fc.constantFrom(1, 2, 3, 3, 7),
    flags: fc.oneof(fc.nat(0xffffffff), fc.constant(0xe2888215)),
    bufs: fc.array(
      fc.record({
        len: fc.oneof(fc.nat(40), fc.constantFrom(0, 1, 0xffff)),
        max: fc.nat(0xffff),
        off: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.constantFrom(0, 0xffffffff, 0x7fffffff, 88)),
      }),
      { minLength: 6, maxLength: 6 },
    ),
    fixed: fc.uint8Array({ minLength: 40, maxLength: 40 }),
    payload: fc.uint8Array({ maxLength: 160 }),
  })
  .map(({ type, flags, bufs, fixed, payload }) => {
    const head = new Uint8Array(88);
    head.set(new TextEncoder().encode('NTLMSSP\0'), 0);
    const dv = new DataView(head.buffer);
    dv.setUint32(8, type, true);
    head.set(fixed, 48);
    // security buffers where each message type has them
    const at = type === 1 ? [16, 24] : type === 2 ? [12, 40] : [12, 20, 28, 36, 44, 52];
    at.forEach((o, i) => {
      const sb = bufs[i]!;
      dv.setUint16(o, sb.len, true);
      dv.setUint16(o + 2, sb.max, true);
      dv.setUint32(o + 4, sb.off, true);
    });
    dv.setUint32(type === 1 ? 12 : type === 2 ? 20 : 60, flags, true);
    return concat(head, payload);
  });

describe('NTLMSSP: properties', () => {
  it('messages with hostile security buffers, damaged and arbitrary bytes never throw, wherever they sit in memory', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          ntlm,
          ntlm.chain((b) => damage.map((d) => applyDamage(b, d))),
          fc.uint8Array({ maxLength: 120 }),
        ),
        fc.nat(9),
        (b, pre) => {
          const r = parseNtlmMessage(b);
          assert.ok(same(r, parseNtlmMessage(embedded(b, pre, 0x4e))), 'result depends on the buffer');
          if (!(r instanceof Malformed) && r.kind === 'challenge') {
            for (const p of r.avPairs) assert.ok(p.value.length <= b.length);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("Zeek's UTF-16 conversion: properties", () => {
  it('never throws; a well-formed UTF-16LE string converts to itself (up to its first NUL)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat(0xffff), fc.integer({ min: 0xd800, max: 0xdfff }), fc.nat(0x7f)), { maxLength: 30 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.nat(5),
        (units, noise, pre) => {
          const s = String.fromCharCode(...units);
          const b = new Uint8Array(s.length * 2);
          for (let i = 0; i < s.length; i++) {
            const u = s.charCodeAt(i);
            b[2 * i] = u & 0xff;
            b[2 * i + 1] = u >> 8;
          }
          const r = zeekUtf16ToUtf8(embedded(b, pre, 0xd8), 0, b.length);
          if (s.isWellFormed()) {
            assert.equal(r.failed, false);
            const nul = s.indexOf('\u0000');
            assert.equal(r.value, nul < 0 ? s : s.slice(0, nul));
          }
          zeekUtf16ToUtf8(noise, 0, noise.length);
          zeekUtf16ToUtf8(noise, 1, Math.max(0, noise.length - 1));
        },
      ),
      { numRuns: 800 },
    );
  });
});
