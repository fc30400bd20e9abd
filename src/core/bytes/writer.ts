/**
 * A growable byte buffer that text formats (log rows, event lines) are
 * written into directly: decimal digits, ASCII and UTF-8 text, raw bytes.
 * Subclasses reset `pos` per record and hand out `written()`.
 */

const ZERO = 0x30;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);
/** 10^k, k = 0..16: a safe integer has at most 16 digits */
const POW10 = Array.from({ length: 17 }, (_, k) => 10 ** k);
const utf8 = new TextEncoder();

export class ByteWriter {
  protected buf: Uint8Array;
  protected pos = 0;

  constructor(initialSize: number) {
    this.buf = new Uint8Array(initialSize);
  }

  /** The bytes written since the last reset; valid until the next write. */
  protected written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A count in decimal when it is a non-negative safe integer (number or bigint); false (nothing written) otherwise. */
  protected count(v: number | bigint): boolean {
    if (typeof v === 'number') {
      if (!(v >= 0 && v <= MAX_SAFE && Number.isInteger(v))) return false;
      this.uint(v);
    } else {
      if (!(v >= 0n && v <= MAX_SAFE_BIG)) return false;
      this.uint(Number(v));
    }
    return true;
  }

  /** A non-negative safe integer in decimal. */
  protected uint(n: number): void {
    if (n < 10) {
      this.byte(ZERO + n);
      return;
    }
    let digits = 2;
    while (digits < 16 && n >= POW10[digits]!) digits++;
    this.ensure(digits);
    const b = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    // beyond int32, float division until the rest fits
    while (n > 0x7fffffff) {
      const q = Math.floor(n / 10);
      b[--p] = ZERO + (n - q * 10);
      n = q;
    }
    do {
      const q = (n / 10) | 0;
      b[--p] = ZERO + n - q * 10;
      n = q;
    } while (n > 0);
  }

  /** ASCII text (e.g. a number's text). */
  protected ascii(s: string): void {
    this.ensure(s.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any text, as UTF-8. */
  protected text(s: string): void {
    this.ensure(3 * s.length);
    this.pos += utf8.encodeInto(s, this.buf.subarray(this.pos)).written;
  }

  protected raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  protected byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** Room for `n` more bytes. */
  protected ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
}
