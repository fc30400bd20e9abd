/**
 * Text decoding for wire strings. UTF-16LE names (SMB2) decode with unpaired
 * surrogates replaced by U+FFFD; an odd trailing byte is dropped.
 */

const utf16 = new TextDecoder('utf-16le', { fatal: false });

export function utf16le(b: Uint8Array, off: number, len: number): string {
  if (len <= 0) return '';
  const even = len & ~1;
  return utf16.decode(b.subarray(off, off + even));
}

/** Bytes as a string of code points 0-255, one per byte (ISO-8859-1, exact). */
export function bytesToLatin1(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len; i++) s += String.fromCharCode(b[i]!);
  return s;
}
