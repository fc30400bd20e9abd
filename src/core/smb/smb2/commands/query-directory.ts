/**
 * SMB2 QUERY_DIRECTORY (command 0x000E): list a directory.
 *
 * Request, MS-SMB2 2.2.33 (32 bytes + buffer):
 *   0  StructureSize (2) = 33   2  FileInformationClass (1)   3  Flags (1)
 *   4  FileIndex (4)            8  FileId (16)
 *  24  FileNameOffset (2)      26  FileNameLength (2)   28  OutputBufferLength (4)
 *  32  Buffer: the UTF-16LE search pattern
 * Response, MS-SMB2 2.2.34 (8 bytes + buffer):
 *   0  StructureSize (2) = 9    2  OutputBufferOffset (2)   4  OutputBufferLength (4)
 *
 * Zeek parses both (smb2-protocol.pac, buffers at `offset - head_length`)
 * and raises no event.
 */

import { u8 } from '../../../bytes/read.js';
import { type Malformed, tooShort } from '../../../bytes/result.js';
import { readGuid, type SMB2GUID } from '../types.js';

export const SMB2_QUERY_DIRECTORY = 0x000e;

export const QUERY_DIRECTORY_REQUEST_FIXED = 32;
export const QUERY_DIRECTORY_RESPONSE_FIXED = 8;

export const SMB2_RESTART_SCANS = 0x01;
export const SMB2_RETURN_SINGLE_ENTRY = 0x02;
export const SMB2_INDEX_SPECIFIED = 0x04;
export const SMB2_REOPEN = 0x10;

/** Parses the fixed part of a QUERY_DIRECTORY request body at `o`. */
export function parseQueryDirectoryRequest(
  b: Uint8Array,
  o: number,
  end: number,
): { info_class: number; flags: number; file_id: SMB2GUID } | Malformed {
  if (end - o < QUERY_DIRECTORY_REQUEST_FIXED) {
    return tooShort('QUERY_DIRECTORY request', o, end, QUERY_DIRECTORY_REQUEST_FIXED);
  }
  return { info_class: u8(b, o + 2), flags: u8(b, o + 3), file_id: readGuid(b, o + 8) };
}
