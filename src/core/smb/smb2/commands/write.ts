/**
 * SMB2 WRITE (command 0x0009).
 *
 * Request, MS-SMB2 2.2.21 (48 bytes + data):
 *   0  StructureSize (2) = 49   2  DataOffset (2)   4  Length (4)
 *   8  Offset (8)              16  FileId (16)     32  Channel (4)
 *  36  RemainingBytes (4)      40  WriteChannelInfoOffset (2)
 *  42  WriteChannelInfoLength (2)  44  Flags (4)  48  Buffer (the data at DataOffset)
 *
 * Response, MS-SMB2 2.2.22 (16 bytes):
 *   0  StructureSize (2) = 17   2  Reserved (2)   4  Count (4)
 *   8  Remaining (4)           12  WriteChannelInfoOffset (2)  14  WriteChannelInfoLength (2)
 *
 * Zeek behaviour reproduced (smb2-com-write.pac):
 *  - the data is Length bytes at DataOffset - head_length from the body
 *    start, or right after the 48 fixed bytes when that points backwards
 *    (common.ts); the channel info fields are ignored;
 *  - in Zeek the event and the file data come only once the whole message,
 *    data included, has been parsed: data running past the end of the
 *    message fails it. parseWriteRequest does NOT check that (a streamed
 *    message is still arriving); the caller must;
 *  - the response needs all 16 bytes; length = Count.
 *
 * Events: smb2_write_request(c, hdr, file_id, offset, length),
 * smb2_write_response(c, hdr, length).
 */

import { u16le, u32le, u64le } from '../../../bytes/read.js';
import { type Malformed, tooShort } from '../../../bytes/result.js';
import { readGuid, type SMB2GUID } from '../types.js';
import { headLength, skipTo } from './common.js';

export const SMB2_WRITE = 0x0009;

export const WRITE_REQUEST_FIXED = 48;
export const WRITE_RESPONSE_SIZE = 16;

export interface WriteRequest {
  file_id: SMB2GUID;
  offset: bigint;
  length: number;
  /** where the data starts, relative to the SMB2 header (after Zeek's skip rule) */
  dataOffset: number;
}

/**
 * Parses a WRITE request body at `o` (header at `hdrOff`). Only the fixed
 * part must be present: the data may extend past `end`.
 */
export function parseWriteRequest(b: Uint8Array, o: number, end: number, hdrOff: number): WriteRequest | Malformed {
  if (end - o < WRITE_REQUEST_FIXED) return tooShort('WRITE request', o, end, WRITE_REQUEST_FIXED);
  const p = skipTo(o, o + WRITE_REQUEST_FIXED, u16le(b, o + 2), headLength(b, hdrOff));
  return { file_id: readGuid(b, o + 16), offset: u64le(b, o + 8), length: u32le(b, o + 4), dataOffset: p - hdrOff };
}

/** Parses a WRITE response body at `o`. */
export function parseWriteResponse(b: Uint8Array, o: number, end: number): { count: number } | Malformed {
  if (end - o < WRITE_RESPONSE_SIZE) return tooShort('WRITE response', o, end, WRITE_RESPONSE_SIZE);
  return { count: u32le(b, o + 4) };
}
