/**
 * How Zeek's SMB2 grammar (binpac, src/analyzer/protocol/smb/smb2-*.pac)
 * places the variable parts of a body, shared by the command parsers.
 *
 * Every "offset from the beginning of the SMB2 header" field (NameOffset,
 * BufferOffset, DataOffset, ...) is used by Zeek as `padding to
 * Offset - header.head_length`, counted from the start of the body:
 *  - head_length is the header's StructureSize field (bytes 4..5), not the
 *    constant 64: a header claiming another size shifts every buffer;
 *  - a target before the current position skips nothing (no error): the
 *    buffer is then read right after the fields parsed so far;
 *  - for a 32-bit offset field (CreateContextsOffset,
 *    NegotiateContextOffset) the subtraction is unsigned: an offset smaller
 *    than head_length wraps to a target far past the message, so any later
 *    read (even of zero bytes) fails;
 *  - a buffer that does not fit before the end of the message is an
 *    out-of-bound error: Zeek raises no event for that message.
 */

import { u16le } from '../../../bytes/read.js';

/** Zeek's `header.head_length`: the header's StructureSize (64 on a sane header). */
export function headLength(b: Uint8Array, hdrOff: number): number {
  return u16le(b, hdrOff + 4);
}

/**
 * Position after `padding to off - head_length` for an 8- or 16-bit offset
 * field: `o` is the start of the body, `cur` the position after the fields
 * parsed so far.
 */
export function skipTo(o: number, cur: number, off: number, headLen: number): number {
  const t = o + off - headLen;
  return Math.max(t, cur);
}

/** The same for a 32-bit offset field (unsigned subtraction, see above). */
export function skipTo32(o: number, cur: number, off: number, headLen: number): number {
  if (off < headLen) return Number.POSITIVE_INFINITY;
  return skipTo(o, cur, off, headLen);
}

/** True when `len` bytes at `pos` lie within the message (pos may be past it). */
export function fits(pos: number, len: number, end: number): boolean {
  return pos + len <= end;
}
