/**
 * File ids from file handles. Zeek derives a file's id from a keyed hash of
 * its handle, so the same handle always yields the same "F..." id within a
 * run (and across runs with the same seed). This is a 128-bit
 * multiply-xorshift hash over the handle's UTF-16 code units, keyed by the
 * run's seed; the first 96 bits are written in base62.
 */

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function fileIdFromHandle(handle: string, key: number): string {
  // four independent 32-bit lanes
  let h0 = 0x9e3779b9 ^ key;
  let h1 = 0x85ebca6b ^ Math.imul(key, 0x27d4eb2f);
  let h2 = 0xc2b2ae35 ^ (key >>> 7);
  let h3 = 0x165667b1 ^ Math.imul(key ^ 0x5bd1e995, 0x1b873593);
  for (let i = 0; i < handle.length; i++) {
    const c = handle.charCodeAt(i);
    h0 = Math.imul(h0 ^ c, 0x01000193);
    h1 = Math.imul(h1 ^ c, 0x5bd1e995) ^ (h1 >>> 15);
    h2 = Math.imul(h2 + c, 0x27d4eb2d) ^ (h2 >>> 13);
    h3 = Math.imul(h3 ^ (c << 8), 0x85ebca77) ^ (h3 >>> 16);
  }
  return `F${base62(fmix(h0 ^ h3), fmix(h1 ^ h0), fmix(h2 ^ h1))}`;
}

/**
 * The 96-bit number a:b:d (three unsigned 32-bit words, most significant
 * first) in base62, most significant digit first; "0" for zero.
 */
export function base62(a: number, b: number, d: number): string {
  // long division by 62 over six 16-bit limbs, so that every step is int32 arithmetic (a 32-bit limb
  // would need float division and fmod)
  const limbs = LIMBS;
  limbs[0] = a >>> 16;
  limbs[1] = a & 0xffff;
  limbs[2] = b >>> 16;
  limbs[3] = b & 0xffff;
  limbs[4] = d >>> 16;
  limbs[5] = d & 0xffff;
  let out = '';
  let top = 0; // the first limb that is not zero yet
  for (;;) {
    while (top < 6 && limbs[top] === 0) top++;
    if (top === 6) break;
    let r = 0;
    for (let i = top; i < 6; i++) {
      const cur = (r << 16) | limbs[i]!;
      const q = (cur / 62) | 0;
      r = cur - q * 62;
      limbs[i] = q;
    }
    out = B62[r] + out;
  }
  return out || '0';
}

const LIMBS = new Int32Array(6);

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
