/**
 * SMB2 strings (commands/strings.ts) converted as Zeek's utf16_to_utf8_val
 * does: lenient UTF-16 -> UTF-8, odd trailing byte kept, cut at the first
 * NUL, a final high surrogate failing the conversion (raw bytes kept).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zeekUtf16, zeekUtf16Bytes, zeekUtf16Failed } from '../../src/core/smb/smb2/commands/strings.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));

/** [input bytes (UTF-16LE), Zeek's string as JS text, Zeek's string bytes, conversion failed] */
const CASES: [string, string, string, string, boolean][] = [
  ['plain ASCII', '61 00 62 00 63 00', 'abc', '616263', false],
  ['empty', '', '', '', false],
  ['BMP characters (é, €)', 'e9 00 ac 20', '\u00e9\u20ac', 'c3a9 e282ac', false],
  ['odd trailing byte 0x63 is the unit 0x0063', '61 00 62 00 63', 'abc', '616263', false],
  ['odd trailing byte 0xe9 is U+00E9', '61 00 e9', 'a\u00e9', '61c3a9', false],
  ['cut at the first NUL', '61 00 00 00 62 00', 'a', '61', false],
  ['a NUL terminator disappears', '61 00 62 00 00 00', 'ab', '6162', false],
  ['a leading NUL gives the empty string', '00 00 61 00', '', '', false],
  ['a surrogate pair is one 4-byte character', '3d d8 00 de', '\u{1f600}', 'f09f9880', false],
  ['a lone low surrogate is kept (3 bytes, not U+FFFD)', '00 dc 41 00', '\udc00A', 'edb080 41', false],
  ['a high surrogate before a non-low unit is kept', '00 d8 41 00', '\ud800A', 'eda080 41', false],
  ['a high surrogate before the odd byte is kept', '00 d8 41', '\ud800A', 'eda080 41', false],
  ['a final high surrogate fails: raw bytes, NULs included', '41 00 00 d8', 'A\u0000\u0000\u00d8', '410000d8', true],
];

describe("Zeek's SMB2 string conversion", () => {
  for (const [name, input, text, bytes, failed] of CASES) {
    it(name, () => {
      const b = hex(`ff ${input} ff`); // the string sits at offset 1, with bytes around it
      const len = b.length - 2;
      assert.equal(zeekUtf16(b, 1, len), text);
      assert.deepEqual(zeekUtf16Bytes(b, 1, len), hex(bytes));
      assert.equal(zeekUtf16Failed(b, 1, len), failed);
    });
  }

  it('the bytes are a copy that outlives the buffer', () => {
    const b = hex('41 00 00 d8');
    const v = zeekUtf16Bytes(b, 0, 4);
    b.fill(0);
    assert.deepEqual(v, hex('410000d8'));
  });
});
