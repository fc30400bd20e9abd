/**
 * SMB2 strings exactly as Zeek turns them into `string` values
 * (smb-strings.pac `smb2_string2stringval`, which calls binpac_zeek's
 * `utf16_to_utf8_val`: ConvertUTF16toUTF8 in lenient mode, then a C string).
 *
 * Zeek quirks reproduced (differences from src/core/bytes/text.ts `utf16le`):
 *  - an odd trailing byte `b` is decoded as the unit 0x00bb (Zeek copies the
 *    bytes into a zero-filled buffer of 16-bit units), not dropped;
 *  - the result is cut at the first U+0000 (Zeek builds the string with
 *    `StringVal(c_str())`), so a trailing NUL terminator disappears and
 *    "a\0b" becomes "a";
 *  - an unpaired surrogate (a low surrogate alone, or a high surrogate
 *    followed by a non-low unit) is kept as itself: Zeek writes it as the
 *    3-byte sequence ED xx xx (not U+FFFD). The JS string keeps the lone
 *    surrogate code unit; `zeekUtf16Bytes` gives Zeek's exact bytes;
 *  - a high surrogate as the very last unit makes the conversion fail: Zeek
 *    raises the weird `utf16_conversion_failed` and the value is the raw
 *    UTF-16LE bytes, NULs included (`zeekUtf16Failed` tells the caller).
 *
 * Negotiate-context NetName is NOT converted by Zeek (raw bytes); see
 * negotiate.ts.
 */

import { bytesToLatin1 } from '../../../bytes/text.js';

/** The weird Zeek raises when the conversion fails (source empty). */
export const WEIRD_UTF16_CONVERSION_FAILED = 'utf16_conversion_failed';
/** Its addl text. */
export const WEIRD_UTF16_CONVERSION_FAILED_ADDL = 'utf16 conversion failed in utf16_to_utf8_val';

function unitAt(b: Uint8Array, off: number, len: number, i: number): number {
  const lo = b[off + 2 * i]!;
  return 2 * i + 1 < len ? lo | (b[off + 2 * i + 1]! << 8) : lo;
}

/**
 * True when Zeek's conversion of these bytes fails (the last complete
 * 16-bit unit is a high surrogate): Zeek then raises the weird
 * `utf16_conversion_failed` and keeps the raw bytes.
 */
export function zeekUtf16Failed(b: Uint8Array, off: number, len: number): boolean {
  if (len < 2 || (len & 1) !== 0) return false;
  const last = b[off + len - 2]! | (b[off + len - 1]! << 8);
  return last >= 0xd800 && last <= 0xdbff;
}

/**
 * The text Zeek's `smb2_string2stringval` yields for `len` bytes at `off`,
 * as a JS string (UTF-16 code units, lone surrogates kept). When the
 * conversion fails the value is Zeek's raw byte string, given here one
 * character per byte (exact for bytes below 0x80 only).
 */
export function zeekUtf16(b: Uint8Array, off: number, len: number): string {
  if (len <= 0) return '';
  if (zeekUtf16Failed(b, off, len)) return bytesToLatin1(b, off, len);
  const n = (len + 1) >> 1;
  let s = '';
  for (let i = 0; i < n; i++) {
    const u = unitAt(b, off, len, i);
    if (u === 0) break;
    s += String.fromCharCode(u);
  }
  return s;
}

/**
 * Zeek's exact value bytes for the same conversion: UTF-8 with unpaired
 * surrogates as 3-byte sequences, cut at the first NUL; the raw bytes
 * (a copy) when the conversion fails. Used for the string fields that the
 * event stream carries as hex (FileEA ea_value, fsobjectid extended_info).
 */
export function zeekUtf16Bytes(b: Uint8Array, off: number, len: number): Uint8Array {
  if (len <= 0) return new Uint8Array(0);
  if (zeekUtf16Failed(b, off, len)) return b.slice(off, off + len);
  const n = (len + 1) >> 1;
  const out = new Uint8Array(3 * n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    let c = unitAt(b, off, len, i);
    if (c === 0) break;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const c2 = unitAt(b, off, len, i + 1);
      if (c2 >= 0xdc00 && c2 <= 0xdfff) {
        c = ((c - 0xd800) << 10) + (c2 - 0xdc00) + 0x10000;
        i++;
      }
    }
    if (c < 0x80) {
      out[k++] = c;
    } else if (c < 0x800) {
      out[k++] = 0xc0 | (c >> 6);
      out[k++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[k++] = 0xe0 | (c >> 12);
      out[k++] = 0x80 | ((c >> 6) & 0x3f);
      out[k++] = 0x80 | (c & 0x3f);
    } else {
      out[k++] = 0xf0 | (c >> 18);
      out[k++] = 0x80 | ((c >> 12) & 0x3f);
      out[k++] = 0x80 | ((c >> 6) & 0x3f);
      out[k++] = 0x80 | (c & 0x3f);
    }
  }
  return out.slice(0, k);
}
