/**
 * Wire-value reads (src/core/bytes/read.ts), FILETIME conversion
 * (time.ts), UTF-16LE text (text.ts) and parse results (result.ts).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  copyBytes,
  hex,
  i32le,
  i64le,
  u8,
  u16be,
  u16le,
  u24be,
  u32be,
  u32le,
  u64le,
  u64leNum,
} from '../../src/core/bytes/read.js';
import { isMalformed, Malformed, tooShort } from '../../src/core/bytes/result.js';
import { bytesToLatin1, utf16le } from '../../src/core/bytes/text.js';
import { filetimeToTime } from '../../src/core/bytes/time.js';

const B = Uint8Array.of(
  0x00,
  0x01,
  0x02,
  0x03,
  0x04,
  0x05,
  0x06,
  0x07,
  0x08,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
  0xff,
);

test('integer reads in both byte orders, unsigned unless named signed', () => {
  assert.equal(u8(B, 9), 255);
  assert.equal(u16le(B, 1), 0x0201);
  assert.equal(u16be(B, 1), 0x0102);
  assert.equal(u24be(B, 1), 0x010203);
  assert.equal(u32le(B, 1), 0x04030201);
  assert.equal(u32be(B, 1), 0x01020304);
  assert.equal(u32le(B, 9), 0xffffffff); // not -1
  assert.equal(u32be(B, 9), 0xffffffff);
  assert.equal(i32le(B, 9), -1);
  assert.equal(u32le(Uint8Array.of(0, 0, 0, 0x80), 0), 0x80000000);
});

test('64-bit reads are exact bigints', () => {
  assert.equal(u64le(B, 1), 0x0807060504030201n);
  assert.equal(u64le(B, 9), 0xffffffffffffffffn);
  assert.equal(i64le(B, 9), -1n);
  assert.equal(u64le(Uint8Array.of(1, 0, 0, 0, 0, 0, 0x20, 0), 0), 2n ** 53n + 1n); // above 2^53
  assert.equal(u64leNum(B, 1), Number(0x0807060504030201n)); // rounded above 2^53, as documented
  assert.equal(u64leNum(Uint8Array.of(0, 0, 1, 0, 0, 0, 0, 0), 0), 65536);
});

test('64-bit reads are exact from views into larger buffers, whatever buffer was read before', () => {
  const whole = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 200) & 0xff);
  const other = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 | i);
  const byHand = (b: Uint8Array, o: number) => {
    let v = 0n;
    for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(b[o + k]!);
    return v;
  };
  for (let start = 0; start < 16; start++) {
    const view = whole.subarray(start, start + 40);
    for (let o = 0; o + 8 <= view.length; o++) {
      assert.equal(u64le(view, o), byHand(view, o));
      assert.equal(u64le(other, 3), byHand(other, 3));
    }
  }
});

test('hex and copies', () => {
  assert.equal(hex(B, 7, 4), '0708ffff');
  assert.equal(hex(Uint8Array.of(0xab, 0x0c)), 'ab0c');
  const c = copyBytes(B, 2, 3);
  assert.deepEqual([...c], [2, 3, 4]);
  c[0] = 99;
  assert.equal(B[2], 2, 'a copy, not a view');
});

test('FILETIME to Zeek time: Number(t) / 1e7 - 11644473600', () => {
  assert.equal(filetimeToTime(0n), -11644473600);
  assert.equal(filetimeToTime(116444736000000000n), 0); // 1970-01-01
  assert.equal(filetimeToTime(134399848758098868n), Number(134399848758098868n) / 1e7 - 11644473600);
});

test('UTF-16LE: surrogate pairs, unpaired surrogates become U+FFFD, an odd byte is dropped', () => {
  const s = Uint8Array.of(0x41, 0x00, 0x3d, 0xd8, 0x00, 0xde, 0x42, 0x00); // "A" U+1F600 "B"
  assert.equal(utf16le(s, 0, s.length), 'A\u{1f600}B');
  assert.equal(utf16le(Uint8Array.of(0x3d, 0xd8, 0x41, 0x00), 0, 4), '\ufffdA');
  assert.equal(utf16le(Uint8Array.of(0x41, 0x00, 0x42), 0, 3), 'A');
  assert.equal(utf16le(s, 0, 0), '');
  assert.equal(bytesToLatin1(Uint8Array.of(0x41, 0xe9, 0xff), 0, 3), 'A\u00e9\u00ff');
});

test('Malformed results', () => {
  const m = tooShort('CLOSE request', 70, 80, 24);
  assert.ok(isMalformed(m));
  assert.ok(m instanceof Malformed);
  assert.equal(m.offset, 70);
  assert.match(m.what, /10 bytes, needs 24/);
  assert.ok(!isMalformed({ flags: 0 }));
});
