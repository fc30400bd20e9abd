/**
 * SMB2 CREATE (command 0x0005): open or create a file, directory or pipe.
 *
 * Request, MS-SMB2 2.2.13 (56 bytes + buffer):
 *   0  StructureSize (2) = 57      2  SecurityFlags (1)   3  RequestedOplockLevel (1)
 *   4  ImpersonationLevel (4)      8  SmbCreateFlags (8)  16  Reserved (8)
 *  24  DesiredAccess (4)          28  FileAttributes (4)  32  ShareAccess (4)
 *  36  CreateDisposition (4)      40  CreateOptions (4)
 *  44  NameOffset (2)             46  NameLength (2)
 *  48  CreateContextsOffset (4)   52  CreateContextsLength (4)
 *  56  Buffer: UTF-16LE name, create contexts (2.2.13.2)
 *
 * Response, MS-SMB2 2.2.14 (88 bytes + buffer):
 *   0  StructureSize (2) = 89   2  OplockLevel (1)   3  Flags (1)
 *   4  CreateAction (4)         8  CreationTime (8)  16  LastAccessTime (8)
 *  24  LastWriteTime (8)       32  ChangeTime (8)    40  AllocationSize (8)
 *  48  EndofFile (8)           56  FileAttributes (4) 60  Reserved2 (4)
 *  64  FileId (16)             80  CreateContextsOffset (4)
 *  84  CreateContextsLength (4) 88  Buffer (create contexts)
 *
 * Zeek behaviour reproduced (smb2-com-create.pac, smb2-main.zeek):
 *  - the name is NameLength bytes at NameOffset - head_length from the body
 *    start (or right after the fixed part when that points backwards),
 *    through Zeek's UTF-16 conversion (strings.ts: odd byte kept, cut at the
 *    first NUL, lone surrogates kept);
 *  - the create contexts are not decoded, but they must lie within the
 *    message: when CreateContextsOffset is non-zero Zeek skips to it (an
 *    offset below head_length wraps and fails, common.ts), then takes
 *    CreateContextsLength bytes; if they run past the end, or the name
 *    does, the message fails and no event is raised. Same for the
 *    response's contexts;
 *  - the base script (priority 5) replaces an empty filename, after the
 *    conversion (so also a name that starts with a NUL), by the literal
 *    `<share_root>` inside the event's record; every other handler and log
 *    sees that. parseCreateRequest returns the record as handlers see it.
 *    Zeek's pipe heuristic (name in SMB::pipe_filenames, before the
 *    event) compares the converted name before that replacement;
 *  - response: size = EndofFile (not AllocationSize); times are built as
 *    modified = LastWriteTime, accessed = LastAccessTime, created =
 *    CreationTime, changed = ChangeTime.
 *
 * Events: smb2_create_request(c, hdr, request),
 * smb2_create_response(c, hdr, response).
 */

import { u8, u16le, u32le, u64le } from '../../../bytes/read.js';
import { Malformed, tooShort } from '../../../bytes/result.js';
import { type FileAttrs, type MACTimes, readFileAttrs, readGuid, readMacTimes, type SMB2GUID } from '../types.js';
import { fits, headLength, skipTo, skipTo32 } from './common.js';
import { zeekUtf16 } from './strings.js';

export const SMB2_CREATE = 0x0005;

export const CREATE_REQUEST_FIXED = 56;
export const CREATE_RESPONSE_FIXED = 88;

/** What smb2-main.zeek puts in place of an empty file name. */
export const SHARE_ROOT_NAME = '<share_root>';

// CreateDisposition (2.2.13)
export const FILE_SUPERSEDE = 0;
export const FILE_OPEN = 1;
export const FILE_CREATE = 2;
export const FILE_OPEN_IF = 3;
export const FILE_OVERWRITE = 4;
export const FILE_OVERWRITE_IF = 5;

// CreateOptions bits used by the scripts (2.2.13)
export const FILE_DIRECTORY_FILE = 0x00000001;
export const FILE_NON_DIRECTORY_FILE = 0x00000040;
export const FILE_DELETE_ON_CLOSE = 0x00001000;

// CreateAction (2.2.14)
export const FILE_SUPERSEDED = 0;
export const FILE_OPENED = 1;
export const FILE_CREATED = 2;
export const FILE_OVERWRITTEN = 3;

/** SMB2::CreateRequest. */
export interface CreateRequest {
  filename: string;
  disposition: number;
  create_options: number;
}

/** SMB2::CreateResponse. */
export interface CreateResponse {
  file_id: SMB2GUID;
  /** EndofFile */
  size: bigint;
  times: MACTimes;
  attrs: FileAttrs;
  create_action: number;
}

/** Request fields Zeek does not report (for smbscope's own use). */
export interface CreateRequestWire {
  security_flags: number;
  requested_oplock_level: number;
  impersonation_level: number;
  desired_access: number;
  file_attributes: number;
  share_access: number;
  name_offset: number;
  name_length: number;
  create_contexts_offset: number;
  create_contexts_length: number;
}

/** Checks that the create contexts at `ctxOffAt` (offset, length) fit after `p`. */
function contextsFit(b: Uint8Array, o: number, p: number, end: number, hdrOff: number, ctxOffAt: number): boolean {
  const ctxOff = u32le(b, ctxOffAt);
  const ctxLen = u32le(b, ctxOffAt + 4);
  const at = ctxOff === 0 ? p : skipTo32(o, p, ctxOff, headLength(b, hdrOff));
  return fits(at, ctxLen, end);
}

/** Parses a CREATE request body at `o` (header at `hdrOff`). */
export function parseCreateRequest(b: Uint8Array, o: number, end: number, hdrOff: number): CreateRequest | Malformed {
  if (end - o < CREATE_REQUEST_FIXED) return tooShort('CREATE request', o, end, CREATE_REQUEST_FIXED);
  const len = u16le(b, o + 46);
  const p = skipTo(o, o + CREATE_REQUEST_FIXED, u16le(b, o + 44), headLength(b, hdrOff));
  if (!fits(p, len, end)) return new Malformed('CREATE request: name runs past the end', o + 44);
  if (!contextsFit(b, o, p + len, end, hdrOff, o + 48)) {
    return new Malformed('CREATE request: create contexts run past the end', o + 48);
  }
  const name = zeekUtf16(b, p, len);
  return {
    filename: name === '' ? SHARE_ROOT_NAME : name,
    disposition: u32le(b, o + 36),
    create_options: u32le(b, o + 40),
  };
}

/** The request's other fixed fields (no check of the buffers). */
export function parseCreateRequestWire(b: Uint8Array, o: number, end: number): CreateRequestWire | Malformed {
  if (end - o < CREATE_REQUEST_FIXED) return tooShort('CREATE request', o, end, CREATE_REQUEST_FIXED);
  return {
    security_flags: u8(b, o + 2),
    requested_oplock_level: u8(b, o + 3),
    impersonation_level: u32le(b, o + 4),
    desired_access: u32le(b, o + 24),
    file_attributes: u32le(b, o + 28),
    share_access: u32le(b, o + 32),
    name_offset: u16le(b, o + 44),
    name_length: u16le(b, o + 46),
    create_contexts_offset: u32le(b, o + 48),
    create_contexts_length: u32le(b, o + 52),
  };
}

/** Parses a CREATE response body at `o` (header at `hdrOff`). */
export function parseCreateResponse(b: Uint8Array, o: number, end: number, hdrOff: number): CreateResponse | Malformed {
  if (end - o < CREATE_RESPONSE_FIXED) return tooShort('CREATE response', o, end, CREATE_RESPONSE_FIXED);
  if (!contextsFit(b, o, o + CREATE_RESPONSE_FIXED, end, hdrOff, o + 80)) {
    return new Malformed('CREATE response: create contexts run past the end', o + 80);
  }
  return {
    file_id: readGuid(b, o + 64),
    size: u64le(b, o + 48),
    times: readMacTimes(b, o + 8),
    attrs: readFileAttrs(b, o + 56),
    create_action: u32le(b, o + 4),
  };
}

/** The response's AllocationSize (Zeek does not report it). */
export function createResponseAllocationSize(b: Uint8Array, o: number): bigint {
  return u64le(b, o + 40);
}
