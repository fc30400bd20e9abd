/**
 * File ids: the base62 text of the 96-bit digest is computed with 16-bit
 * limbs for speed; these tests hold it to the plain definition (repeated
 * division of the whole number as a bigint).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { base62, fileIdFromHandle } from '../../src/core/files/hashid.js';

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function plainBase62(a: number, b: number, d: number): string {
  let n = (BigInt(a) << 64n) | (BigInt(b) << 32n) | BigInt(d);
  if (n === 0n) return '0';
  let out = '';
  while (n > 0n) {
    out = DIGITS[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

const word = fc.oneof(
  fc.constantFrom(0, 1, 61, 62, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff),
  fc.integer({ min: 0, max: 0xffffffff }),
);

test('base62 of 96 bits equals repeated bigint division', () => {
  for (const [a, b, d] of [
    [0, 0, 0],
    [0, 0, 1],
    [0, 0, 61],
    [0, 0, 62],
    [0xffffffff, 0xffffffff, 0xffffffff],
    [1, 0, 0],
    [0, 1, 0],
  ] as const) {
    assert.equal(base62(a, b, d), plainBase62(a, b, d), `${a}:${b}:${d}`);
  }
  fc.assert(
    fc.property(word, word, word, (a, b, d) => base62(a, b, d) === plainBase62(a, b, d)),
    { numRuns: 5000 },
  );
});

test('file ids: one id per handle and key, "F" and at most 17 base62 digits', () => {
  const h = 'SMB\u0000192.168.1.5\u0000192.168.1.10\u0000\\\\srv\\share\u0000docs\\a.txt\u0000132000000000000000';
  const id = fileIdFromHandle(h, 7);
  assert.match(id, /^F[0-9A-Za-z]{1,17}$/);
  assert.equal(fileIdFromHandle(h, 7), id);
  assert.notEqual(fileIdFromHandle(h, 8), id);
  assert.notEqual(fileIdFromHandle(`${h}1`, 7), id);
});
