/**
 * SMB2 READ (command 0x0008).
 *
 * Request, MS-SMB2 2.2.19 (48 bytes + buffer):
 *   0  StructureSize (2) = 49   2  Padding (1)   3  Flags (1)   4  Length (4)
 *   8  Offset (8)              16  FileId (16)  32  MinimumCount (4)
 *  36  Channel (4)             40  RemainingBytes (4)
 *  44  ReadChannelInfoOffset (2)  46  ReadChannelInfoLength (2)  48  Buffer
 *
 * Response, MS-SMB2 2.2.20 (16 bytes + data):
 *   0  StructureSize (2) = 17   2  DataOffset (1)   3  Reserved (1)
 *   4  DataLength (4)           8  DataRemaining (4)  12  Reserved2/Flags (4)
 *  16  Buffer (the data at DataOffset)
 *
 * Zeek behaviour reproduced (smb2-com-read.pac):
 *  - request: the channel info (ReadChannelInfoLength bytes at
 *    ReadChannelInfoOffset - head_length, common.ts) is not used but must
 *    lie within the message, or the message fails (no event). The 49th
 *    byte (Buffer) is not required;
 *  - response: DataOffset is the single byte at 2 (Zeek PR #4744, 2025;
 *    older Zeek read 16 bits including the Reserved byte); the data is
 *    DataLength bytes at DataOffset - head_length from the body start, or
 *    right after the 16 fixed bytes when that points backwards; data that
 *    does not fit fails the message (nothing goes to file analysis).
 *    There is no read-response event.
 *
 * Event: smb2_read_request(c, hdr, file_id, offset, length).
 */

import { u8, u16le, u32le, u64le } from '../../../bytes/read.js';
import { Malformed, tooShort } from '../../../bytes/result.js';
import { readGuid, type SMB2GUID } from '../types.js';
import { fits, headLength, skipTo } from './common.js';

export const SMB2_READ = 0x0008;

export const READ_REQUEST_FIXED = 48;
export const READ_RESPONSE_FIXED = 16;

export interface ReadRequest {
  file_id: SMB2GUID;
  offset: bigint;
  length: number;
}

export interface ReadResponse {
  /** where the data starts, relative to the SMB2 header (after Zeek's skip rule) */
  dataOffset: number;
  dataLength: number;
}

/** Parses a READ request body at `o` (header at `hdrOff`). */
export function parseReadRequest(b: Uint8Array, o: number, end: number, hdrOff: number): ReadRequest | Malformed {
  if (end - o < READ_REQUEST_FIXED) return tooShort('READ request', o, end, READ_REQUEST_FIXED);
  const len = u16le(b, o + 46);
  const p = skipTo(o, o + READ_REQUEST_FIXED, u16le(b, o + 44), headLength(b, hdrOff));
  if (!fits(p, len, end)) return new Malformed('READ request: channel info runs past the end', o + 44);
  return { file_id: readGuid(b, o + 16), offset: u64le(b, o + 8), length: u32le(b, o + 4) };
}

/** The DataOffset byte of a READ response whose header is at `hdrOff`. */
export function readResponseDataOffset(b: Uint8Array, hdrOff: number): number {
  return u8(b, hdrOff + 64 + 2);
}

/**
 * Where the data of a READ response starts, relative to the header, by
 * Zeek's rule (needs only the header and the 16 fixed bytes).
 */
export function readResponseDataStart(b: Uint8Array, hdrOff: number): number {
  const o = hdrOff + 64;
  return skipTo(o, o + READ_RESPONSE_FIXED, u8(b, o + 2), headLength(b, hdrOff)) - hdrOff;
}

/** Parses a READ response body at `o`; the data must lie within `end`. */
export function parseReadResponse(b: Uint8Array, o: number, end: number, hdrOff: number): ReadResponse | Malformed {
  if (end - o < READ_RESPONSE_FIXED) return tooShort('READ response', o, end, READ_RESPONSE_FIXED);
  const len = u32le(b, o + 4);
  const p = skipTo(o, o + READ_RESPONSE_FIXED, u8(b, o + 2), headLength(b, hdrOff));
  if (!fits(p, len, end)) return new Malformed('READ response: data runs past the end', o + 2);
  return { dataOffset: p - hdrOff, dataLength: len };
}
