// A small seeded PRNG (sfc32) with the helpers the mutators use.
// Every generated input records the 32-bit seed it was made from, so an input
// can be regenerated from (parent, seed) without keeping it.

export class Rng {
  constructor(seed) {
    let s = BigInt.asUintN(64, BigInt(seed));
    // splitmix64 to fill the four words
    const next = () => {
      s = BigInt.asUintN(64, s + 0x9e3779b97f4a7c15n);
      let z = s;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
      return Number(BigInt.asUintN(32, z ^ (z >> 31n)));
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Uniform 32-bit unsigned integer. */
  u32() {
    let { a, b, c, d } = this;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    return t >>> 0;
  }

  /** Uniform integer in [0, n). */
  int(n) {
    if (n <= 1) return 0;
    const r = n <= 0x100000000 ? this.u32() / 0x100000000 : (this.u32() * 0x100000000 + this.u32()) / 2 ** 64;
    return Math.floor(r * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p) {
    return this.u32() / 0x100000000 < p;
  }

  pick(arr) {
    return arr[this.int(arr.length)];
  }

  /** Picks from [[weight, value], ...]. */
  weighted(pairs) {
    let total = 0;
    for (const [w] of pairs) total += w;
    let r = (this.u32() / 0x100000000) * total;
    for (const [w, v] of pairs) {
      r -= w;
      if (r < 0) return v;
    }
    return pairs[pairs.length - 1][1];
  }

  /** Small counts: 1 most of the time, sometimes a few more. */
  small(max = 8) {
    let n = 1;
    while (n < max && this.chance(0.35)) n++;
    return n;
  }

  bytes(n) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
}
