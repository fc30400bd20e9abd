/**
 * Byte building for crafted test inputs: a growable writer with explicit
 * byte order per field, so every crafted structure reads as a field list.
 */

export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16le(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }

  u16be(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }

  u24be(v: number): this {
    return this.u8(v >>> 16)
      .u8(v >>> 8)
      .u8(v);
  }

  u32le(v: number): this {
    return this.u8(v)
      .u8(v >>> 8)
      .u8(v >>> 16)
      .u8(v >>> 24);
  }

  u32be(v: number): this {
    return this.u8(v >>> 24)
      .u8(v >>> 16)
      .u8(v >>> 8)
      .u8(v);
  }

  u32(v: number, le: boolean): this {
    return le ? this.u32le(v) : this.u32be(v);
  }

  u16(v: number, le: boolean): this {
    return le ? this.u16le(v) : this.u16be(v);
  }

  u64le(v: bigint): this {
    const x = BigInt.asUintN(64, v);
    return this.u32le(Number(x & 0xffffffffn)).u32le(Number(x >> 32n));
  }

  u64(v: bigint, le: boolean): this {
    const x = BigInt.asUintN(64, v);
    const lo = Number(x & 0xffffffffn);
    const hi = Number(x >> 32n);
    return le ? this.u32le(lo).u32le(hi) : this.u32be(hi).u32be(lo);
  }

  bytes(b: Uint8Array | readonly number[]): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }

  /** Pads with zero bytes to a multiple of `n`. */
  pad(n: number): this {
    return this.zeros((n - (this.length % n)) % n);
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function fromHex(h: string): Uint8Array {
  const s = h.replace(/\s+/g, '');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

/** Splits `b` into pieces at the given sorted cut points. */
export function splitAt(b: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of cuts) {
    if (c <= prev || c >= b.length) continue;
    out.push(b.subarray(prev, c));
    prev = c;
  }
  out.push(b.subarray(prev));
  return out;
}

/** Splits `b` into pieces of `n` bytes (the last may be shorter). */
export function chunksOf(b: Uint8Array, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < b.length; o += n) out.push(b.subarray(o, Math.min(b.length, o + n)));
  return out;
}

/** A small seeded PRNG (mulberry32) for reproducible random splits. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** XORs byte `i` of `b` with `mask` (in place) and returns `b`. */
export function flip(b: Uint8Array, i: number, mask = 0x01): Uint8Array {
  b[i] = (b[i] ?? 0) ^ mask;
  return b;
}

/** The four big-endian 32-bit words of a 16-byte address. */
export function words(b: Uint8Array): [number, number, number, number] {
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  return [dv.getUint32(0), dv.getUint32(4), dv.getUint32(8), dv.getUint32(12)];
}
