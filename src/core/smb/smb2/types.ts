/**
 * Zeek's SMB2 record types shared by several commands (init-bare.zeek,
 * `SMB2::Header`, `SMB2::GUID`, `SMB::MACTimes`, `SMB2::FileAttrs`), with
 * Zeek's field names in Zeek's order. 64-bit counts are bigint; 16- and
 * 32-bit counts are numbers; opaque byte strings are Uint8Array.
 */

import { u32le, u64le } from '../../bytes/read.js';
import { filetimeToTime } from '../../bytes/time.js';

/** SMB2::Header (MS-SMB2 2.2.1). */
export interface SMB2Header {
  credit_charge: number;
  /** Status (responses) or ChannelSequence/Reserved (requests), as on the wire */
  status: number;
  command: number;
  /** CreditRequest / CreditResponse */
  credits: number;
  flags: number;
  message_id: bigint;
  /** the 32-bit words at offsets 32 and 36 (for ASYNC messages: the AsyncId halves) */
  process_id: number;
  tree_id: number;
  session_id: bigint;
  signature: Uint8Array;
}

/** SMB2::GUID: a FileId (MS-SMB2 2.2.14.1) or a GUID as two 64-bit halves. */
export interface SMB2GUID {
  persistent: bigint;
  volatile: bigint;
}

/** SMB::MACTimes: FILETIMEs as Zeek `time` plus their raw values. */
export interface MACTimes {
  modified: number;
  modified_raw: bigint;
  accessed: number;
  accessed_raw: bigint;
  created: number;
  created_raw: bigint;
  changed: number;
  changed_raw: bigint;
}

/** SMB2::FileAttrs: the FILE_ATTRIBUTE_* bits of MS-FSCC 2.6. */
export interface FileAttrs {
  read_only: boolean;
  hidden: boolean;
  system: boolean;
  directory: boolean;
  archive: boolean;
  normal: boolean;
  temporary: boolean;
  sparse_file: boolean;
  reparse_point: boolean;
  compressed: boolean;
  offline: boolean;
  not_content_indexed: boolean;
  encrypted: boolean;
  integrity_stream: boolean;
  no_scrub_data: boolean;
}

export function readGuid(b: Uint8Array, o: number): SMB2GUID {
  return { persistent: u64le(b, o), volatile: u64le(b, o + 8) };
}

/** A FileId of all ones: "the file opened earlier in this compound chain". */
export function isRelatedFileId(id: SMB2GUID): boolean {
  return id.persistent === 0xffffffffffffffffn && id.volatile === 0xffffffffffffffffn;
}

/**
 * MAC times from four consecutive FILETIMEs in the MS-SMB2 order
 * CreationTime, LastAccessTime, LastWriteTime, ChangeTime.
 */
export function readMacTimes(b: Uint8Array, o: number): MACTimes {
  const created = u64le(b, o);
  const accessed = u64le(b, o + 8);
  const modified = u64le(b, o + 16);
  const changed = u64le(b, o + 24);
  return macTimes(created, accessed, modified, changed);
}

export function macTimes(created: bigint, accessed: bigint, modified: bigint, changed: bigint): MACTimes {
  return {
    modified: filetimeToTime(modified),
    modified_raw: modified,
    accessed: filetimeToTime(accessed),
    accessed_raw: accessed,
    created: filetimeToTime(created),
    created_raw: created,
    changed: filetimeToTime(changed),
    changed_raw: changed,
  };
}

export function fileAttrs(flags: number): FileAttrs {
  return {
    read_only: (flags & 0x1) !== 0,
    hidden: (flags & 0x2) !== 0,
    system: (flags & 0x4) !== 0,
    directory: (flags & 0x10) !== 0,
    archive: (flags & 0x20) !== 0,
    normal: (flags & 0x80) !== 0,
    temporary: (flags & 0x100) !== 0,
    sparse_file: (flags & 0x200) !== 0,
    reparse_point: (flags & 0x400) !== 0,
    compressed: (flags & 0x800) !== 0,
    offline: (flags & 0x1000) !== 0,
    not_content_indexed: (flags & 0x2000) !== 0,
    encrypted: (flags & 0x4000) !== 0,
    integrity_stream: (flags & 0x8000) !== 0,
    no_scrub_data: (flags & 0x20000) !== 0,
  };
}

export function readFileAttrs(b: Uint8Array, o: number): FileAttrs {
  return fileAttrs(u32le(b, o));
}
