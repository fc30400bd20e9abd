/**
 * SMB2 FLUSH (command 0x0007): write cached data of an open to storage.
 *
 * Request, MS-SMB2 2.2.17 (24 bytes):
 *   0  StructureSize (2) = 24   2  Reserved1 (2)   4  Reserved2 (4)   8  FileId (16)
 * Response, MS-SMB2 2.2.18 (4 bytes): StructureSize (2) = 4, Reserved (2).
 *
 * Zeek parses both (smb2-protocol.pac) but raises no event for them.
 */

import { type Malformed, tooShort } from '../../../bytes/result.js';
import { readGuid, type SMB2GUID } from '../types.js';

export const SMB2_FLUSH = 0x0007;

export const FLUSH_REQUEST_SIZE = 24;
export const FLUSH_RESPONSE_SIZE = 4;

/** Parses a FLUSH request body at `o`. */
export function parseFlushRequest(b: Uint8Array, o: number, end: number): { file_id: SMB2GUID } | Malformed {
  if (end - o < FLUSH_REQUEST_SIZE) return tooShort('FLUSH request', o, end, FLUSH_REQUEST_SIZE);
  return { file_id: readGuid(b, o + 8) };
}
