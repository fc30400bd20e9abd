/**
 * SMB1 NEGOTIATE request (MS-CIFS 2.2.4.52.1): WordCount (1) = 0,
 * ByteCount (2), then dialects, each a BufferFormat byte 0x02 and a
 * NUL-terminated OEM string. SMB2 clients (Windows, impacket) open with it,
 * offering "SMB 2.002" and "SMB 2.???"; the server answers with an SMB2
 * NEGOTIATE response.
 *
 * Event: smb1_negotiate_request(c, hdr, dialects: string_vec).
 */

import { u16le } from '../../bytes/read.js';
import { Malformed, tooShort } from '../../bytes/result.js';
import { bytesToLatin1 } from '../../bytes/text.js';

/** The dialect names offered by a NEGOTIATE request body at `o`. */
export function parseSmb1NegotiateRequest(b: Uint8Array, o: number, end: number): { dialects: string[] } | Malformed {
  if (end - o < 3) return tooShort('SMB1 NEGOTIATE request', o, end, 3);
  const wordCount = b[o]!;
  const p0 = o + 1 + 2 * wordCount;
  if (p0 + 2 > end) return new Malformed('SMB1 NEGOTIATE request: parameters run past the end', o);
  const byteCount = u16le(b, p0);
  const stop = p0 + 2 + byteCount;
  if (stop > end) return new Malformed('SMB1 NEGOTIATE request: dialects run past the end', p0);
  const dialects: string[] = [];
  let p = p0 + 2;
  while (p < stop) {
    p++; // BufferFormat (0x02)
    let q = p;
    while (q < stop && b[q] !== 0) q++;
    dialects.push(bytesToLatin1(b, p, q - p));
    p = q + 1;
  }
  return { dialects };
}
