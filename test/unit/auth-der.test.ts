/**
 * src/core/auth/der.ts: the BER/DER reader and Zeek's ASN.1 header reading.
 * Byte strings are written as hex with spaces between elements.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type DerNode,
  decodeOid,
  decodeUnsigned,
  parseDerTree,
  readChildren,
  readOnlyChild,
  readTlv,
  readZeekAsn1Meta,
  tlvValue,
} from '../../src/core/auth/der.js';
import { isMalformed, Malformed } from '../../src/core/bytes/result.js';

/** Bytes from hex; spaces and newlines are ignored. */
function h(s: string): Uint8Array {
  const t = s.replace(/\s+/g, '');
  return Uint8Array.from(t.match(/../g) ?? [], (x) => Number.parseInt(x, 16));
}

function malformed(r: unknown, re?: RegExp): void {
  assert.ok(r instanceof Malformed, `expected Malformed, got ${JSON.stringify(r)}`);
  if (re) assert.match(r.what, re);
}

describe('readTlv', () => {
  test('short form: 04 03 "abc"', () => {
    const b = h('04 03 616263');
    const t = readTlv(b, 0, b.length);
    assert.ok(!isMalformed(t));
    assert.deepEqual(t, {
      tag: 0x04,
      cls: 0,
      constructed: false,
      tagNumber: 4,
      start: 0,
      valueStart: 2,
      length: 3,
      end: 5,
    });
    assert.deepEqual([...tlvValue(b, t)], [0x61, 0x62, 0x63]);
  });

  test('long form lengths: 81 80 (128), 82 01 00 (256)', () => {
    const b1 = new Uint8Array(3 + 128);
    b1.set([0x04, 0x81, 0x80]);
    const t1 = readTlv(b1, 0, b1.length);
    assert.ok(!isMalformed(t1));
    assert.equal(t1.length, 128);
    assert.equal(t1.valueStart, 3);
    const b2 = new Uint8Array(4 + 256);
    b2.set([0x30, 0x82, 0x01, 0x00]);
    const t2 = readTlv(b2, 0, b2.length);
    assert.ok(!isMalformed(t2));
    assert.equal(t2.length, 256);
    assert.equal(t2.constructed, true);
    assert.equal(t2.end, 260);
  });

  test('context and application classes: a3 00, 60 00', () => {
    const a3 = readTlv(h('a3 00'), 0, 2);
    assert.ok(!isMalformed(a3));
    assert.equal(a3.cls, 2);
    assert.equal(a3.tagNumber, 3);
    assert.equal(a3.constructed, true);
    const app = readTlv(h('60 00'), 0, 2);
    assert.ok(!isMalformed(app));
    assert.equal(app.cls, 1);
    assert.equal(app.tagNumber, 0);
  });

  test('high tag number form: bf 81 00 00 is [context 128] constructed, empty', () => {
    const t = readTlv(h('bf 81 00 00'), 0, 4);
    assert.ok(!isMalformed(t));
    assert.equal(t.tagNumber, 128);
    assert.equal(t.valueStart, 4);
  });

  test('high tag number longer than 4 octets is Malformed', () => {
    malformed(readTlv(h('1f 81 81 81 81 01 00'), 0, 7), /tag number/);
  });

  test('indefinite length (80) is rejected', () => {
    malformed(readTlv(h('30 80 04 00 00 00'), 0, 6), /indefinite/);
  });

  test('reserved length octet ff is rejected', () => {
    malformed(readTlv(h('04 ff'), 0, 2), /reserved/);
  });

  test('more than 4 length octets is rejected', () => {
    malformed(readTlv(h('04 85 00 00 00 00 01 00'), 0, 8), /too long/);
  });

  test('length beyond the buffer: 04 05 "ab"', () => {
    malformed(readTlv(h('04 05 6162'), 0, 4), /exceeds/);
  });

  test('length beyond `end` even though the buffer is longer', () => {
    malformed(readTlv(h('04 03 616263'), 0, 4), /exceeds/);
  });

  test('huge long-form length 84 ff ff ff ff', () => {
    malformed(readTlv(h('04 84 ffffffff 00'), 0, 7), /exceeds/);
  });

  test('missing identifier, missing length, truncated long length', () => {
    malformed(readTlv(h(''), 0, 0));
    malformed(readTlv(h('30'), 0, 1), /length/);
    malformed(readTlv(h('30 82 01'), 0, 3), /length/);
    malformed(readTlv(h('1f 81'), 0, 2), /tag number/);
  });

  test('offset at or past the end', () => {
    malformed(readTlv(h('04 00'), 2, 2));
    malformed(readTlv(h('04 00'), 5, 2));
    malformed(readTlv(h('04 00'), -1, 2));
  });
});

describe('readChildren / readOnlyChild', () => {
  test('SEQUENCE { INTEGER 5, OCTET STRING "" }', () => {
    const b = h('30 05 020105 0400');
    const seq = readTlv(b, 0, b.length);
    assert.ok(!isMalformed(seq));
    const kids = readChildren(b, seq);
    assert.ok(!isMalformed(kids));
    assert.deepEqual(
      kids.map((k) => [k.tag, k.start, k.length]),
      [
        [0x02, 2, 1],
        [0x04, 5, 0],
      ],
    );
  });

  test('a child running past its parent is Malformed', () => {
    // SEQUENCE of length 3 holding an OCTET STRING of length 2 (needs 4)
    const b = h('30 03 0402 6162');
    const seq = readTlv(b, 0, b.length);
    assert.ok(!isMalformed(seq));
    malformed(readChildren(b, seq), /exceeds/);
  });

  test('primitive parent is Malformed', () => {
    const b = h('04 02 0400');
    const t = readTlv(b, 0, b.length);
    assert.ok(!isMalformed(t));
    malformed(readChildren(b, t), /not constructed/);
  });

  test('element count limit', () => {
    const b = h('30 06 0500 0500 0500');
    const seq = readTlv(b, 0, b.length);
    assert.ok(!isMalformed(seq));
    malformed(readChildren(b, seq, 2), /more than 2/);
    assert.ok(!isMalformed(readChildren(b, seq, 3)));
  });

  test('readOnlyChild wants exactly one element', () => {
    const two = h('a0 04 0500 0500');
    const t2 = readTlv(two, 0, two.length);
    assert.ok(!isMalformed(t2));
    malformed(readOnlyChild(two, t2), /2 elements/);
    const none = h('a0 00');
    const t0 = readTlv(none, 0, none.length);
    assert.ok(!isMalformed(t0));
    malformed(readOnlyChild(none, t0), /0 elements/);
  });
});

describe('decodeOid', () => {
  const oid = (s: string): string | Malformed => {
    const b = h(s);
    return decodeOid(b, 0, b.length);
  };
  test('SPNEGO 1.3.6.1.5.5.2', () => assert.equal(oid('2b 06 01 05 05 02'), '1.3.6.1.5.5.2'));
  test('NTLMSSP 1.3.6.1.4.1.311.2.2.10 (311 = 82 37)', () =>
    assert.equal(oid('2b 06 01 04 01 82 37 02 02 0a'), '1.3.6.1.4.1.311.2.2.10'));
  test('krb5 1.2.840.113554.1.2.2', () => assert.equal(oid('2a 86 48 86 f7 12 01 02 02'), '1.2.840.113554.1.2.2'));
  test('MS krb5 1.2.840.48018.1.2.2', () => assert.equal(oid('2a 86 48 82 f7 12 01 02 02'), '1.2.840.48018.1.2.2'));
  test('first arc 2 with a large second arc: 2.999', () => assert.equal(oid('88 37'), '2.999'));
  test('arc above 2^53 is exact', () => assert.equal(oid('2a ff ff ff ff ff ff ff ff 7f'), '1.2.9223372036854775807'));
  test('empty, unterminated, leading 0x80', () => {
    malformed(oid(''), /empty/);
    malformed(oid('2b 86'), /unterminated/);
    malformed(oid('2b 80 01'), /leading/);
  });
});

test('decodeUnsigned', () => {
  assert.equal(decodeUnsigned(h('00'), 0, 1), 0n);
  assert.equal(decodeUnsigned(h('01 00'), 0, 2), 256n);
  assert.equal(decodeUnsigned(h('ff ff ff ff ff ff ff ff ff'), 0, 9), 2n ** 72n - 1n);
});

describe('parseDerTree', () => {
  test('a small tree', () => {
    // SEQUENCE { [0] { OID 1.2 }, OCTET STRING "x" }
    const b = h('30 08 a0 03 06 01 2a 04 01 78');
    const t = parseDerTree(b);
    assert.ok(!isMalformed(t));
    const shape = (n: DerNode): unknown => (n.children ? [n.tlv.tag, n.children.map(shape)] : n.tlv.tag);
    assert.deepEqual(shape(t), [0x30, [[0xa0, [0x06]], 0x04]]);
  });

  test('deep nesting stops at maxDepth without recursion trouble', () => {
    // 40 nested SEQUENCEs, innermost empty: 30 4e 30 4c ... 30 00
    const depth = 40;
    const b = new Uint8Array(2 * depth);
    for (let i = 0; i < depth; i++) {
      b[2 * i] = 0x30;
      b[2 * i + 1] = 2 * (depth - i - 1);
    }
    malformed(parseDerTree(b), /deeper than 32/);
    assert.ok(!isMalformed(parseDerTree(b, 0, b.length, { maxDepth: 40 })));
  });

  test('very deep nesting (10 000 levels, long-form lengths) is Malformed, not a stack overflow', () => {
    const depth = 10000;
    const parts: number[][] = [];
    let inner = 0;
    for (let i = 0; i < depth; i++) {
      parts.push([0x30, 0x84, (inner >>> 24) & 0xff, (inner >>> 16) & 0xff, (inner >>> 8) & 0xff, inner & 0xff]);
      inner += 6;
    }
    const b = Uint8Array.from(parts.reverse().flat());
    malformed(parseDerTree(b, 0, b.length, { maxDepth: 100 }), /deeper than 100/);
  });

  test('node budget', () => {
    const b = h('30 08 0500 0500 0500 0500');
    malformed(parseDerTree(b, 0, b.length, { maxNodes: 4 }), /too many/);
    assert.ok(!isMalformed(parseDerTree(b, 0, b.length, { maxNodes: 5 })));
  });
});

describe('readZeekAsn1Meta (Zeek binpac ASN1EncodingMeta)', () => {
  test('short form, index = tag - 0xa0', () => {
    assert.deepEqual(readZeekAsn1Meta(h('a2 05'), 0, 2, 'x'), { tag: 0xa2, len: 5, length: 5, headerLen: 2, index: 2 });
  });
  test('the index wraps as a uint8: 30 → 0x90', () => {
    const m = readZeekAsn1Meta(h('30 00'), 0, 2, 'x');
    assert.ok(!isMalformed(m));
    assert.equal(m.index, 0x90);
  });
  test('long form 82 01 00 is 256; content is not bounded here', () => {
    assert.deepEqual(readZeekAsn1Meta(h('04 82 0100'), 0, 4, 'x'), {
      tag: 4,
      len: 0x82,
      length: 256,
      headerLen: 4,
      index: 0x64,
    });
  });
  test('indefinite 80 reads as length 0 (Zeek)', () => {
    const m = readZeekAsn1Meta(h('30 80'), 0, 2, 'x');
    assert.ok(!isMalformed(m));
    assert.equal(m.length, 0);
    assert.equal(m.headerLen, 2);
  });
  test('truncated header or length octets', () => {
    malformed(readZeekAsn1Meta(h('30'), 0, 1, 'x'));
    malformed(readZeekAsn1Meta(h('30 83 0000'), 0, 4, 'x'));
  });
  test('beyond Zeek: 9+ length octets are Malformed; large lengths are returned as they are', () => {
    malformed(readZeekAsn1Meta(h('30 89 000000000000000001'), 0, 11, 'x'), /9 length octets/);
    const m = readZeekAsn1Meta(h('30 88 ffffffffffffffff'), 0, 10, 'x');
    assert.ok(!isMalformed(m));
    assert.equal(m.length, 2 ** 64);
    assert.equal(m.headerLen, 10);
  });
});

test('property: readTlv and parseDerTree never throw and stay in bounds', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(70), (b, o) => {
      const t = readTlv(b, o, b.length);
      if (!isMalformed(t)) {
        assert.ok(t.start === o && t.valueStart <= t.end && t.end <= b.length);
      }
      parseDerTree(b);
      readZeekAsn1Meta(b, o, b.length, 'x');
    }),
    { numRuns: 2000 },
  );
});
