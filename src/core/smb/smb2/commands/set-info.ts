/**
 * SMB2 SET_INFO (command 0x0011): set file or file-system information.
 *
 * Request, MS-SMB2 2.2.39 (32 bytes + buffer):
 *   0  StructureSize (2) = 33   2  InfoType (1)   3  FileInfoClass (1)
 *   4  BufferLength (4)         8  BufferOffset (2)  10  Reserved (2)
 *  12  AdditionalInformation (4)  16  FileId (16)  32  Buffer
 * Response, MS-SMB2 2.2.40: StructureSize (2) = 2.
 *
 * Buffers Zeek decodes (InfoType 1 = FILE, MS-FSCC 2.4; InfoType 2 =
 * FILESYSTEM, MS-FSCC 2.5), each as Zeek reads it:
 *  1/0x04 FileBasicInformation: CreationTime, LastAccessTime, LastWriteTime,
 *         ChangeTime (8 each), FileAttributes (4)        -> smb2_file_sattr
 *  1/0x0a FileRenameInformation: ReplaceIfExists (1), Reserved (7),
 *         RootDirectory (8), FileNameLength (4), FileName -> smb2_file_rename
 *  1/0x0b FileLinkInformation: same layout               -> smb2_file_link
 *  1/0x0d FileDispositionInformation: DeletePending (1)  -> smb2_file_delete
 *  1/0x0e FilePositionInformation: int64                 -> smb2_file_position
 *  1/0x0f FileFullEaInformation: entries of NextEntryOffset (4), Flags (1),
 *         EaNameLength (1), EaValueLength (2), EaName, EaValue -> smb2_file_fullea
 *  1/0x10 FileModeInformation: uint32                    -> smb2_file_mode
 *  1/0x13 FileAllocationInformation: int64               -> smb2_file_allocation
 *  1/0x14 FileEndOfFileInformation: int64                -> smb2_file_endoffile
 *  1/0x18 FilePipeInformation: ReadMode (4), CompletionMode (4) -> smb2_file_pipe
 *  1/0x27 FileValidDataLengthInformation: int64          -> smb2_file_validdatalength
 *  1/0x28 FileShortNameInformation: FileNameLength (4), FileName -> smb2_file_shortname
 *  2/0x06 FileFsControlInformation: FreeSpaceStartFiltering, FreeSpaceThreshold,
 *         FreeSpaceStopFiltering (int64), DefaultQuotaThreshold,
 *         DefaultQuotaLimit (uint64), FileSystemControlFlags (4), Padding (4)
 *                                                        -> smb2_file_fscontrol
 *  2/0x08 FileFsObjectIdInformation: ObjectId (16), ExtendedInfo (48)
 *                                                        -> smb2_file_fsobjectid
 * Any other InfoType/class: nothing decoded, no event (kind 'other').
 *
 * Zeek behaviour reproduced (smb2-com-set-info.pac, smb2_com_set_info.bif):
 *  - the buffer is at BufferOffset - head_length from the body start, or
 *    right after the 32 fixed bytes when that points backwards (VERIFIED by
 *    Zeek's smb2-fscontrol case: BufferOffset 0, head_length 319);
 *    BufferLength is never used: each structure reads its own size and is
 *    bounded only by the end of the message. A structure that does not fit
 *    fails the message (no event);
 *  - delete_pending is DeletePending != 0 (the whole byte);
 *  - alloc_size, end_of_file, current_byte_offset and valid_data_length are
 *    signed 64-bit (Zeek `int`); root_directory is unsigned (`count`);
 *  - fscontrol: the three int64 values are cut to their low 32 bits as a
 *    signed int (C++ static_cast<int>); the quota values are uint64;
 *  - file names (rename, link, short name) go through Zeek's UTF-16
 *    conversion (strings.ts), FileNameLength bytes, no alignment;
 *  - EAs: Zeek does not skip the NUL that follows EaName on the wire, so the
 *    value is the EaValueLength bytes right after the name (starting with
 *    that NUL); both name and value go through the UTF-16 conversion
 *    (ea_value here holds the bytes of Zeek's converted string). The next
 *    entry is at NextEntryOffset from the entry start (right after the value
 *    when smaller); the list ends after an entry with NextEntryOffset 0 or
 *    when the message ends exactly at an entry boundary; an entry, or its
 *    skip to the next one, running past the end fails the message;
 *  - fsobjectid: extended_info is exactly 48 bytes through the UTF-16
 *    conversion (so cut at the first NUL), here as the converted bytes.
 *
 * Events (after hdr and file_id): see the SetInfo variants below.
 */

import { i64le, u8, u16le, u32le, u64le } from '../../../bytes/read.js';
import { Malformed, tooShort } from '../../../bytes/result.js';
import { type FileAttrs, type MACTimes, readFileAttrs, readGuid, readMacTimes, type SMB2GUID } from '../types.js';
import { fits, headLength, skipTo } from './common.js';
import { zeekUtf16, zeekUtf16Bytes } from './strings.js';

export const SMB2_SET_INFO = 0x0011;

export const SET_INFO_REQUEST_FIXED = 32;
export const SET_INFO_RESPONSE_SIZE = 2;

export const SMB2_0_INFO_FILE = 0x01;
export const SMB2_0_INFO_FILESYSTEM = 0x02;
export const SMB2_0_INFO_SECURITY = 0x03;
export const SMB2_0_INFO_QUOTA = 0x04;

// MS-FSCC 2.4 file information classes
export const FILE_BASIC_INFORMATION = 0x04;
export const FILE_RENAME_INFORMATION = 0x0a;
export const FILE_LINK_INFORMATION = 0x0b;
export const FILE_DISPOSITION_INFORMATION = 0x0d;
export const FILE_POSITION_INFORMATION = 0x0e;
export const FILE_FULL_EA_INFORMATION = 0x0f;
export const FILE_MODE_INFORMATION = 0x10;
export const FILE_ALLOCATION_INFORMATION = 0x13;
export const FILE_END_OF_FILE_INFORMATION = 0x14;
export const FILE_PIPE_INFORMATION = 0x18;
export const FILE_VALID_DATA_LENGTH_INFORMATION = 0x27;
export const FILE_SHORT_NAME_INFORMATION = 0x28;
// MS-FSCC 2.5 file system information classes
export const FILE_FS_CONTROL_INFORMATION = 0x06;
export const FILE_FS_OBJECT_ID_INFORMATION = 0x08;

/** SMB2::FileEA. */
export interface FileEA {
  ea_name: string;
  /** the bytes of Zeek's UTF-16-converted value string */
  ea_value: Uint8Array;
}

/** SMB2::Fscontrol. */
export interface Fscontrol {
  free_space_start_filtering: number;
  free_space_threshold: number;
  free_space_stop_filtering: number;
  delete_quota_threshold: bigint;
  default_quota_limit: bigint;
  fs_control_flags: number;
}

/** One variant per Zeek event, with that event's parameters after file_id. */
export type SetInfo =
  | { kind: 'sattr'; times: MACTimes; attrs: FileAttrs }
  | { kind: 'rename'; dst_filename: string }
  | { kind: 'delete'; delete_pending: boolean }
  | { kind: 'allocation'; alloc_size: bigint }
  | { kind: 'endoffile'; end_of_file: bigint }
  | { kind: 'fullea'; file_eas: FileEA[] }
  | { kind: 'link'; root_directory: bigint; file_name: string }
  | { kind: 'mode'; mode: number }
  | { kind: 'pipe'; read_mode: number; completion_mode: number }
  | { kind: 'position'; current_byte_offset: bigint }
  | { kind: 'shortname'; file_name: string }
  | { kind: 'validdatalength'; valid_data_length: bigint }
  | { kind: 'fscontrol'; fs_control: Fscontrol }
  | { kind: 'fsobjectid'; object_id: SMB2GUID; extended_info: Uint8Array }
  | { kind: 'other' };

export interface SetInfoRequest {
  /** InfoType */
  infoType: number;
  /** FileInfoClass */
  infoClass: number;
  file_id: SMB2GUID;
  info: SetInfo;
}

/** Name preceded by fixed fields: the uint32 length at `lenAt`, the name right after it. */
function name(b: Uint8Array, lenAt: number, end: number, what: string): string | Malformed {
  if (!fits(lenAt, 4, end)) return tooShort(what, Math.min(lenAt, end), end, 4);
  const len = u32le(b, lenAt);
  if (!fits(lenAt + 4, len, end)) return new Malformed(`${what}: name runs past the end`, lenAt);
  return zeekUtf16(b, lenAt + 4, len);
}

function fullEa(b: Uint8Array, p: number, end: number): FileEA[] | Malformed {
  const eas: FileEA[] = [];
  let q = p;
  while (q < end) {
    if (!fits(q, 8, end)) return tooShort('FileFullEaInformation entry', q, end, 8);
    const next = u32le(b, q);
    const nameLen = u8(b, q + 5);
    const valueLen = u16le(b, q + 6);
    const after = q + 8 + nameLen + valueLen;
    if (after > end) return new Malformed('FileFullEaInformation entry: runs past the end', q);
    const skip = q + next;
    const entryEnd = Math.max(skip, after);
    if (entryEnd > end) return new Malformed('FileFullEaInformation entry: NextEntryOffset past the end', q);
    eas.push({ ea_name: zeekUtf16(b, q + 8, nameLen), ea_value: zeekUtf16Bytes(b, q + 8 + nameLen, valueLen) });
    q = entryEnd;
    if (next === 0) break;
  }
  return eas;
}

/** undefined when `n` bytes are there at `p`; a Malformed (offset within the message) otherwise. */
function need(p: number, n: number, end: number, what: string): Malformed | undefined {
  return fits(p, n, end) ? undefined : tooShort(what, Math.min(p, end), end, n);
}

function fileInfo(b: Uint8Array, cls: number, p: number, end: number): SetInfo | Malformed {
  switch (cls) {
    case FILE_BASIC_INFORMATION:
      return (
        need(p, 36, end, 'FileBasicInformation') ?? {
          kind: 'sattr',
          times: readMacTimes(b, p),
          attrs: readFileAttrs(b, p + 32),
        }
      );
    case FILE_RENAME_INFORMATION: {
      const m = need(p, 16, end, 'FileRenameInformation') ?? name(b, p + 16, end, 'FileRenameInformation');
      return typeof m === 'string' ? { kind: 'rename', dst_filename: m } : m;
    }
    case FILE_LINK_INFORMATION: {
      const m = need(p, 16, end, 'FileLinkInformation') ?? name(b, p + 16, end, 'FileLinkInformation');
      return typeof m === 'string' ? { kind: 'link', root_directory: u64le(b, p + 8), file_name: m } : m;
    }
    case FILE_DISPOSITION_INFORMATION:
      return need(p, 1, end, 'FileDispositionInformation') ?? { kind: 'delete', delete_pending: u8(b, p) > 0 };
    case FILE_POSITION_INFORMATION:
      return need(p, 8, end, 'FilePositionInformation') ?? { kind: 'position', current_byte_offset: i64le(b, p) };
    case FILE_FULL_EA_INFORMATION: {
      const eas = fullEa(b, p, end);
      return eas instanceof Malformed ? eas : { kind: 'fullea', file_eas: eas };
    }
    case FILE_MODE_INFORMATION:
      return need(p, 4, end, 'FileModeInformation') ?? { kind: 'mode', mode: u32le(b, p) };
    case FILE_ALLOCATION_INFORMATION:
      return need(p, 8, end, 'FileAllocationInformation') ?? { kind: 'allocation', alloc_size: i64le(b, p) };
    case FILE_END_OF_FILE_INFORMATION:
      return need(p, 8, end, 'FileEndOfFileInformation') ?? { kind: 'endoffile', end_of_file: i64le(b, p) };
    case FILE_PIPE_INFORMATION:
      return (
        need(p, 8, end, 'FilePipeInformation') ?? {
          kind: 'pipe',
          read_mode: u32le(b, p),
          completion_mode: u32le(b, p + 4),
        }
      );
    case FILE_VALID_DATA_LENGTH_INFORMATION:
      return (
        need(p, 8, end, 'FileValidDataLengthInformation') ?? { kind: 'validdatalength', valid_data_length: i64le(b, p) }
      );
    case FILE_SHORT_NAME_INFORMATION: {
      const m = name(b, p, end, 'FileShortNameInformation');
      return typeof m === 'string' ? { kind: 'shortname', file_name: m } : m;
    }
    default:
      return { kind: 'other' };
  }
}

function int32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

function fsInfo(b: Uint8Array, cls: number, p: number, end: number): SetInfo | Malformed {
  switch (cls) {
    case FILE_FS_CONTROL_INFORMATION:
      return (
        need(p, 48, end, 'FileFsControlInformation') ?? {
          kind: 'fscontrol',
          fs_control: {
            free_space_start_filtering: int32(u64le(b, p)),
            free_space_threshold: int32(u64le(b, p + 8)),
            free_space_stop_filtering: int32(u64le(b, p + 16)),
            delete_quota_threshold: u64le(b, p + 24),
            default_quota_limit: u64le(b, p + 32),
            fs_control_flags: u32le(b, p + 40),
          },
        }
      );
    case FILE_FS_OBJECT_ID_INFORMATION:
      return (
        need(p, 64, end, 'FileFsObjectIdInformation') ?? {
          kind: 'fsobjectid',
          object_id: readGuid(b, p),
          extended_info: zeekUtf16Bytes(b, p + 16, 48),
        }
      );
    default:
      return { kind: 'other' };
  }
}

/** Parses a SET_INFO request body at `o` (header at `hdrOff`). */
export function parseSetInfoRequest(b: Uint8Array, o: number, end: number, hdrOff: number): SetInfoRequest | Malformed {
  if (end - o < SET_INFO_REQUEST_FIXED) return tooShort('SET_INFO request', o, end, SET_INFO_REQUEST_FIXED);
  const infoType = u8(b, o + 2);
  const infoClass = u8(b, o + 3);
  const p = skipTo(o, o + SET_INFO_REQUEST_FIXED, u16le(b, o + 8), headLength(b, hdrOff));
  let info: SetInfo | Malformed;
  if (infoType === SMB2_0_INFO_FILE) info = fileInfo(b, infoClass, p, end);
  else if (infoType === SMB2_0_INFO_FILESYSTEM) info = fsInfo(b, infoClass, p, end);
  else info = { kind: 'other' };
  if (info instanceof Malformed) return info;
  return { infoType, infoClass, file_id: readGuid(b, o + 16), info };
}

/** Checks a SET_INFO response body at `o` (StructureSize only). */
export function parseSetInfoResponse(_b: Uint8Array, o: number, end: number): true | Malformed {
  if (end - o < SET_INFO_RESPONSE_SIZE) return tooShort('SET_INFO response', o, end, SET_INFO_RESPONSE_SIZE);
  return true;
}
