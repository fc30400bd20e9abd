/**
 * SMB2 CHANGE_NOTIFY (command 0x000F): wait for changes in a directory
 * (usually answered with an interim STATUS_PENDING, then asynchronously).
 *
 * Request, MS-SMB2 2.2.35 (32 bytes):
 *   0  StructureSize (2) = 32   2  Flags (2)   4  OutputBufferLength (4)
 *   8  FileId (16)             24  CompletionFilter (4)   28  Reserved (4)
 * Response, MS-SMB2 2.2.36 (8 bytes + buffer):
 *   0  StructureSize (2) = 9    2  OutputBufferOffset (2)   4  OutputBufferLength (4)
 *
 * Zeek parses both and raises no event; the response (also parsed for
 * STATUS_NOTIFY_ENUM_DIR) holds FILE_NOTIFY_INFORMATION entries, which it
 * walks, so a malformed list can fail the message.
 */

import { u16le, u32le } from '../../../bytes/read.js';
import { type Malformed, tooShort } from '../../../bytes/result.js';
import { readGuid, type SMB2GUID } from '../types.js';

export const SMB2_CHANGE_NOTIFY = 0x000f;

export const CHANGE_NOTIFY_REQUEST_SIZE = 32;
export const CHANGE_NOTIFY_RESPONSE_FIXED = 8;

export const SMB2_WATCH_TREE = 0x0001;

/** Parses a CHANGE_NOTIFY request body at `o`. */
export function parseChangeNotifyRequest(
  b: Uint8Array,
  o: number,
  end: number,
): { flags: number; completion_filter: number; file_id: SMB2GUID } | Malformed {
  if (end - o < CHANGE_NOTIFY_REQUEST_SIZE)
    return tooShort('CHANGE_NOTIFY request', o, end, CHANGE_NOTIFY_REQUEST_SIZE);
  return { flags: u16le(b, o + 2), completion_filter: u32le(b, o + 24), file_id: readGuid(b, o + 8) };
}
