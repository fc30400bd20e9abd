/**
 * SMB2 IOCTL (command 0x000B): FSCTLs and named-pipe transactions.
 *
 * Request, MS-SMB2 2.2.31 (56 bytes + buffers):
 *   0  StructureSize (2) = 57   2  Reserved (2)   4  CtlCode (4)   8  FileId (16)
 *  24  InputOffset (4)         28  InputCount (4)  32  MaxInputResponse (4)
 *  36  OutputOffset (4)        40  OutputCount (4) 44  MaxOutputResponse (4)
 *  48  Flags (4)               52  Reserved2 (4)   56  Buffer
 * Response, MS-SMB2 2.2.32 (48 bytes + buffers):
 *   0  StructureSize (2) = 49   2  Reserved (2)   4  CtlCode (4)   8  FileId (16)
 *  24  InputOffset (4)         28  InputCount (4)  32  OutputOffset (4)
 *  36  OutputCount (4)         40  Flags (4)       44  Reserved2 (4)  48  Buffer
 *
 * Zeek (smb2-com-ioctl.pac) raises no IOCTL event; it forwards the input
 * (request) or output (response) buffer of FSCTL_PIPE_TRANSCEIVE to
 * DCE-RPC and keeps the request's file id per message id ("ioctl" pending
 * state). Quirk: it skips `offsetof + head_length - InputOffset` bytes before
 * the input buffer (the reverse of the usual skip), so only buffers placed
 * right after the fixed part are read where they are. Its response body is
 * also parsed for STATUS_BUFFER_OVERFLOW and STATUS_INVALID_PARAMETER.
 */

import { u32le } from '../../../bytes/read.js';
import { type Malformed, tooShort } from '../../../bytes/result.js';
import { readGuid, type SMB2GUID } from '../types.js';

export const SMB2_IOCTL = 0x000b;

export const IOCTL_REQUEST_FIXED = 56;
export const IOCTL_RESPONSE_FIXED = 48;

export const FSCTL_DFS_GET_REFERRALS = 0x00060194;
export const FSCTL_PIPE_PEEK = 0x0011400c;
export const FSCTL_PIPE_TRANSCEIVE = 0x0011c017;
export const FSCTL_VALIDATE_NEGOTIATE_INFO = 0x00140204;

/** The fields an IOCTL request and response share. */
export interface IoctlFixed {
  ctl_code: number;
  file_id: SMB2GUID;
}

/** Parses the fixed part of an IOCTL request body at `o`. */
export function parseIoctlRequest(b: Uint8Array, o: number, end: number): IoctlFixed | Malformed {
  if (end - o < IOCTL_REQUEST_FIXED) return tooShort('IOCTL request', o, end, IOCTL_REQUEST_FIXED);
  return { ctl_code: u32le(b, o + 4), file_id: readGuid(b, o + 8) };
}

/** Parses the fixed part of an IOCTL response body at `o`. */
export function parseIoctlResponse(b: Uint8Array, o: number, end: number): IoctlFixed | Malformed {
  if (end - o < IOCTL_RESPONSE_FIXED) return tooShort('IOCTL response', o, end, IOCTL_RESPONSE_FIXED);
  return { ctl_code: u32le(b, o + 4), file_id: readGuid(b, o + 8) };
}
