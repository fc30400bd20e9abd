/**
 * SMB2 CLOSE (command 0x0006): the end of an open file handle.
 *
 * Request, MS-SMB2 2.2.15 (24 bytes):
 *   0  StructureSize (2) = 24
 *   2  Flags (2)          SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB = 0x0001
 *   4  Reserved (4)
 *   8  FileId (16)        persistent (8), volatile (8)
 *
 * Response, MS-SMB2 2.2.16 (60 bytes):
 *   0  StructureSize (2) = 60
 *   2  Flags (2)          POSTQUERY_ATTRIB echoed when the attributes below are valid
 *   4  Reserved (4)
 *   8  CreationTime (8)   16 LastAccessTime (8)   24 LastWriteTime (8)   32 ChangeTime (8)
 *  40  AllocationSize (8) 48 EndofFile (8)        56 FileAttributes (4)
 *
 * Without POSTQUERY_ATTRIB the server sets every attribute field to zero;
 * Zeek still reports them (a zero FILETIME is time -11644473600).
 *
 * Events: smb2_close_request(c, hdr, file_id), smb2_close_response(c, hdr, response).
 */

import { u16le, u64le } from '../../../bytes/read.js';
import { type Malformed, tooShort } from '../../../bytes/result.js';
import { type FileAttrs, type MACTimes, readFileAttrs, readGuid, readMacTimes, type SMB2GUID } from '../types.js';

export const SMB2_CLOSE = 0x0006;
export const SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB = 0x0001;

export const CLOSE_REQUEST_SIZE = 24;
export const CLOSE_RESPONSE_SIZE = 60;

/** SMB2::CloseResponse. */
export interface CloseResponse {
  alloc_size: bigint;
  eof: bigint;
  times: MACTimes;
  attrs: FileAttrs;
}

export interface CloseRequest {
  flags: number;
  file_id: SMB2GUID;
}

/** Parses a CLOSE request body at `o` (the message ends at `end`). */
export function parseCloseRequest(b: Uint8Array, o: number, end: number): CloseRequest | Malformed {
  if (end - o < CLOSE_REQUEST_SIZE) return tooShort('CLOSE request', o, end, CLOSE_REQUEST_SIZE);
  return { flags: u16le(b, o + 2), file_id: readGuid(b, o + 8) };
}

/** Parses a CLOSE response body at `o` (the message ends at `end`). */
export function parseCloseResponse(b: Uint8Array, o: number, end: number): CloseResponse | Malformed {
  if (end - o < CLOSE_RESPONSE_SIZE) return tooShort('CLOSE response', o, end, CLOSE_RESPONSE_SIZE);
  return {
    alloc_size: u64le(b, o + 40),
    eof: u64le(b, o + 48),
    times: readMacTimes(b, o + 8),
    attrs: readFileAttrs(b, o + 56),
  };
}

/** The Flags field of a CLOSE response (the POSTQUERY_ATTRIB echo). */
export function closeResponseFlags(b: Uint8Array, o: number): number {
  return u16le(b, o + 2);
}
