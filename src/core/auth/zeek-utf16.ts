/**
 * Zeek's `utf16_to_utf8_val` (src/binpac_zeek.pac), which turns every NTLM
 * name into a Zeek string, whatever the NEGOTIATE_UNICODE flag says:
 *
 * - the bytes are read as UTF-16LE units; an odd trailing byte `b` is the unit
 *   0x00bb (Zeek copies into a zeroed buffer);
 * - conversion is "lenient": surrogate pairs combine, an unpaired surrogate
 *   (a lone low one, or a high one followed by a non-low unit) is kept as
 *   itself (Zeek writes it as a 3-byte WTF-8 sequence);
 * - a high surrogate as the last unit fails the conversion: Zeek raises weird
 *   `utf16_conversion_failed` (addl `utf16 conversion failed in
 *   utf16_to_utf8_val`) and the value is the raw bytes, unconverted;
 * - the converted text is cut at its first NUL (Zeek builds the string with
 *   c_str()).
 *
 * The result is a JS string: on success the decoded text, with unpaired
 * surrogates kept as lone UTF-16 code units (encode the string as WTF-8 to
 * get Zeek's bytes); on failure the raw bytes, one char (U+0000-U+00FF) per
 * byte, and `failed` set.
 */

export interface ZeekUtf16Result {
  value: string;
  /** the conversion failed (weird utf16_conversion_failed); value holds the raw bytes */
  failed: boolean;
}

export function zeekUtf16ToUtf8(b: Uint8Array, off: number, len: number): ZeekUtf16Result {
  const n = (len + 1) >> 1;
  const unit = (i: number): number => {
    const lo = b[off + 2 * i]!;
    return 2 * i + 1 < len ? lo | (b[off + 2 * i + 1]! << 8) : lo;
  };
  let out = '';
  for (let i = 0; i < n; i++) {
    const u = unit(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      if (i + 1 >= n) {
        let raw = '';
        for (let j = off; j < off + len; j++) raw += String.fromCharCode(b[j]!);
        return { value: raw, failed: true };
      }
      const u2 = unit(i + 1);
      if (u2 >= 0xdc00 && u2 <= 0xdfff) {
        out += String.fromCharCode(u, u2);
        i++;
        continue;
      }
    }
    out += String.fromCharCode(u);
  }
  const nul = out.indexOf('\u0000');
  return { value: nul < 0 ? out : out.slice(0, nul), failed: false };
}
