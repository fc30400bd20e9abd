/**
 * Little- and big-endian integer reads over a Uint8Array at an absolute offset.
 *
 * Callers check bounds once per structure (a view's length is validated before
 * its fields are read), so these helpers do no checking of their own. 32-bit
 * reads return unsigned numbers; 64-bit reads return exact bigints.
 */

export function u8(b: Uint8Array, o: number): number {
  return b[o]!;
}

export function u16le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

export function u16be(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

export function u24be(b: Uint8Array, o: number): number {
  return (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
}

export function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
}

export function u32be(b: Uint8Array, o: number): number {
  return b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
}

/** Signed 32-bit little-endian. */
export function i32le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
}

/** Unsigned 64-bit little-endian, exact. */
export function u64le(b: Uint8Array, o: number): bigint {
  const hi = u32le(b, o + 4);
  const lo = u32le(b, o);
  // below 2^53 the value is an exact double: one BigInt instead of three
  if (hi < 0x200000) return BigInt(hi * 0x100000000 + lo);
  // above: one BigInt made natively instead of four by arithmetic (within the view only)
  if (o >= 0 && o + 8 <= b.length) return viewOf(b).getBigUint64(b.byteOffset + o, true);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** A DataView of the last buffer read from (most reads in a row are from the same one). */
let lastBuffer: ArrayBufferLike | undefined;
let lastView: DataView | undefined;

function viewOf(b: Uint8Array): DataView {
  if (b.buffer !== lastBuffer || !lastView) {
    lastBuffer = b.buffer;
    lastView = new DataView(b.buffer);
  }
  return lastView;
}

/** Signed 64-bit little-endian, exact. */
export function i64le(b: Uint8Array, o: number): bigint {
  return BigInt.asIntN(64, u64le(b, o));
}

/**
 * Unsigned 64-bit little-endian as a number, exact below 2^53 and rounded
 * above (for lengths and offsets, which the caller bounds anyway).
 */
export function u64leNum(b: Uint8Array, o: number): number {
  return u32le(b, o + 4) * 0x100000000 + u32le(b, o);
}

/** Lowercase hex of bytes [off, off+len). */
export function hex(b: Uint8Array, off = 0, len = b.length - off): string {
  let s = '';
  for (let i = off; i < off + len; i++) s += HEX[b[i]!];
  return s;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A copy of bytes [off, off+len) that outlives the buffer it came from. */
export function copyBytes(b: Uint8Array, off: number, len: number): Uint8Array {
  return b.slice(off, off + len);
}
