/**
 * SMB2 QUERY_INFO (command 0x0010): read file, file-system, security or
 * quota information.
 *
 * Request, MS-SMB2 2.2.37 (40 bytes + buffer):
 *   0  StructureSize (2) = 41   2  InfoType (1)   3  FileInfoClass (1)
 *   4  OutputBufferLength (4)   8  InputBufferOffset (2)  10  Reserved (2)
 *  12  InputBufferLength (4)   16  AdditionalInformation (4)  20  Flags (4)
 *  24  FileId (16)             40  Buffer
 * Response, MS-SMB2 2.2.38 (8 bytes + buffer):
 *   0  StructureSize (2) = 9    2  OutputBufferOffset (2)   4  OutputBufferLength (4)
 *
 * Zeek parses both (smb2-protocol.pac; the response also for
 * STATUS_BUFFER_OVERFLOW) and raises no event.
 */

import { u8 } from '../../../bytes/read.js';
import { type Malformed, tooShort } from '../../../bytes/result.js';
import { readGuid, type SMB2GUID } from '../types.js';

export const SMB2_QUERY_INFO = 0x0010;

export const QUERY_INFO_REQUEST_FIXED = 40;
export const QUERY_INFO_RESPONSE_FIXED = 8;

/** Parses the fixed part of a QUERY_INFO request body at `o`. */
export function parseQueryInfoRequest(
  b: Uint8Array,
  o: number,
  end: number,
): { info_type: number; info_class: number; file_id: SMB2GUID } | Malformed {
  if (end - o < QUERY_INFO_REQUEST_FIXED) return tooShort('QUERY_INFO request', o, end, QUERY_INFO_REQUEST_FIXED);
  return { info_type: u8(b, o + 2), info_class: u8(b, o + 3), file_id: readGuid(b, o + 24) };
}
