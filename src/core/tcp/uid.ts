/**
 * Zeek-style unique ids: a one-letter prefix ("C" for connections, "F" for
 * files) followed by the base62 text of 96 random bits. The generator is a
 * small seeded PRNG (splitmix64 over BigInt-free 32-bit halves), so `--seed`
 * makes every uid of a run reproducible; without a seed it starts from
 * crypto-quality randomness.
 */

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export class UidGenerator {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed?: number | bigint) {
    if (seed === undefined) {
      const r = new Uint32Array(4);
      globalThis.crypto.getRandomValues(r);
      this.s0 = r[0]! | 1;
      this.s1 = r[1]!;
      this.s2 = r[2]!;
      this.s3 = r[3]!;
    } else {
      let x = BigInt.asUintN(64, BigInt(seed));
      const next = (): number => {
        // splitmix64 to expand the seed into the generator state
        x = BigInt.asUintN(64, x + 0x9e3779b97f4a7c15n);
        let z = x;
        z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
        z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
        z ^= z >> 31n;
        return Number(z & 0xffffffffn);
      };
      this.s0 = next() | 1;
      this.s1 = next();
      this.s2 = next();
      this.s3 = next();
    }
  }

  /** xoshiro128** step: a uniformly distributed 32-bit value. */
  private u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A new uid with the given prefix. */
  next(prefix: string): string {
    // 96 bits as three 32-bit words, converted to base62 by long division
    const w = [this.u32(), this.u32(), this.u32()];
    const digits: number[] = [];
    while (w[0] !== 0 || w[1] !== 0 || w[2] !== 0) {
      let rem = 0;
      for (let i = 0; i < 3; i++) {
        const cur = rem * 0x100000000 + w[i]!;
        w[i] = Math.floor(cur / 62);
        rem = cur % 62;
      }
      digits.push(B62.charCodeAt(rem));
    }
    if (digits.length === 0) digits.push(0x30);
    digits.reverse();
    // one flat string (built by appending, a uid would be a rope of a dozen pieces held for the connection's life)
    return prefix + String.fromCharCode(...digits);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
