/**
 * TSV records encoded straight to UTF-8 bytes, without building the line as
 * a string first: the bytes are exactly those of `tsvLine` (format.ts), which
 * stays the definition (test/unit/tsv-bytes.test.ts checks the two agree on
 * arbitrary records). Plain ASCII text, counts and times, which make up
 * nearly every field of every SMB log, are written digit by digit and byte
 * by byte; anything else (escapes, non-ASCII text, sets, doubles, negative or
 * huge numbers, times at an exact rounding tie) goes through the string
 * formatter and is UTF-8 encoded in place.
 */

import { ByteWriter } from '../bytes/writer.js';
import { type LogSchema, type LogValue, tsvValue, type ZeekType } from './format.js';

const TAB = 0x09;
const NEWLINE = 0x0a;
const DASH = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const BACKSLASH = 0x5c;
const TRUE = 0x54;
const FALSE = 0x46;
/** times are written by integer arithmetic below this (microseconds stay exact integers) */
const MAX_FAST_TIME = 2 ** 32;

export class TsvEncoder extends ByteWriter {
  constructor() {
    super(16 * 1024);
  }

  /** One record as bytes, newline included; the view is valid until the next call. */
  line(schema: LogSchema, values: readonly LogValue[]): Uint8Array {
    this.pos = 0;
    const types = schema.types;
    for (let i = 0; i < types.length; i++) {
      if (i > 0) this.byte(TAB);
      this.field(types[i]!, values[i]);
    }
    this.byte(NEWLINE);
    return this.written();
  }

  private field(type: ZeekType, v: LogValue): void {
    if (v === undefined) {
      this.byte(DASH);
      return;
    }
    switch (type) {
      case 'time':
      case 'interval':
        if (typeof v === 'number' && this.time(v)) return;
        break;
      case 'bool':
        this.byte(v ? TRUE : FALSE);
        return;
      case 'count':
      case 'int':
      case 'port':
        if ((typeof v === 'number' || typeof v === 'bigint') && this.count(v)) return;
        break;
      case 'string':
      case 'enum':
      case 'addr':
      case 'subnet':
        if (typeof v === 'string' && this.plain(v)) return;
        break;
      default:
        break;
    }
    this.text(tsvValue(type, v));
  }

  /**
   * Printable ASCII text as it is, backslashes doubled; false (nothing
   * written) when the text needs the formatter: empty, "-", "(empty)",
   * control characters, non-ASCII.
   */
  private plain(s: string): boolean {
    const n = s.length;
    if (n === 0 || (n === 1 && s === '-') || (n === 7 && s === '(empty)')) return false;
    this.ensure(2 * n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c >= 0x7f) return false;
      b[p++] = c;
      // a backslash is doubled (SMB paths are full of them)
      if (c === BACKSLASH) b[p++] = c;
    }
    this.pos = p;
    return true;
  }

  /**
   * %.6f of a time without a string: whole seconds, then the microseconds
   * rounded to nearest. The fraction is exact (d - floor(d)) and its product
   * with 10^6 is off by far less than 10^-6, so only a value within 10^-6 of
   * a rounding tie could round differently from the exact decimal: those,
   * and negative or huge values, are left to toFixed (false).
   */
  private time(d: number): boolean {
    if (!(d >= 0 && d < MAX_FAST_TIME)) return false;
    let whole = Math.floor(d);
    const y = (d - whole) * 1e6;
    let micros = Math.floor(y);
    const rest = y - micros;
    if (Math.abs(rest - 0.5) < 1e-6) return false;
    if (rest > 0.5) micros++;
    if (micros === 1_000_000) {
      whole++;
      micros = 0;
    }
    this.uint(whole);
    this.ensure(7);
    const b = this.buf;
    const p = this.pos;
    b[p] = DOT;
    // micros < 10^6: int32 arithmetic
    for (let k = 6; k >= 1; k--) {
      const q = (micros / 10) | 0;
      b[p + k] = ZERO + micros - q * 10;
      micros = q;
    }
    this.pos = p + 7;
    return true;
  }
}
