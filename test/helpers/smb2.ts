/**
 * Crafted SMB2 messages (MS-SMB2) and their transport framing (RFC 1002
 * session messages, as reused by direct TCP on port 445).
 */

import { ByteWriter, concat } from './bytes.js';

export interface Smb2HeaderFields {
  creditCharge?: number;
  /** Status in responses, ChannelSequence/Reserved in requests */
  status?: number;
  command: number;
  credits?: number;
  flags?: number;
  nextCommand?: number;
  messageId?: bigint;
  /** sync header: Reserved (process id); async header: low half of AsyncId */
  processId?: number;
  /** sync header: TreeId; async header: high half of AsyncId */
  treeId?: number;
  sessionId?: bigint;
  /** 16 bytes */
  signature?: Uint8Array;
  /** overrides StructureSize */
  structureSize?: number;
}

export const SMB2_FLAGS_SERVER_TO_REDIR = 0x1;
export const SMB2_FLAGS_ASYNC_COMMAND = 0x2;
export const SMB2_FLAGS_RELATED_OPERATIONS = 0x4;
export const SMB2_FLAGS_SIGNED = 0x8;

export const SMB2_CREATE = 5;
export const SMB2_CLOSE = 6;
export const SMB2_FLUSH = 7;
export const SMB2_READ = 8;
export const SMB2_WRITE = 9;
export const SMB2_ECHO = 13;

/** The 64-byte SMB2 header, MS-SMB2 2.2.1. */
export function smb2Header(h: Smb2HeaderFields): Uint8Array {
  return new ByteWriter()
    .bytes([0xfe, 0x53, 0x4d, 0x42]) // ProtocolId \xfeSMB
    .u16le(h.structureSize ?? 64) // StructureSize
    .u16le(h.creditCharge ?? 1) // CreditCharge
    .u32le(h.status ?? 0) // Status / ChannelSequence+Reserved
    .u16le(h.command) // Command
    .u16le(h.credits ?? 1) // CreditRequest / CreditResponse
    .u32le(h.flags ?? 0) // Flags
    .u32le(h.nextCommand ?? 0) // NextCommand
    .u64le(h.messageId ?? 0n) // MessageId
    .u32le(h.processId ?? 0xfeff) // Reserved (ProcessId) / AsyncId low
    .u32le(h.treeId ?? 0) // TreeId / AsyncId high
    .u64le(h.sessionId ?? 0n) // SessionId
    .bytes(h.signature ?? new Uint8Array(16)) // Signature
    .done();
}

/** CLOSE request body, MS-SMB2 2.2.15 (24 bytes). */
export function closeRequestBody(persistent: bigint, volatile: bigint, flags = 0): Uint8Array {
  return new ByteWriter()
    .u16le(24) // StructureSize
    .u16le(flags) // Flags (POSTQUERY_ATTRIB = 1)
    .u32le(0) // Reserved
    .u64le(persistent) // FileId.Persistent
    .u64le(volatile) // FileId.Volatile
    .done();
}

export interface CloseResponseFields {
  flags?: number;
  creation?: bigint;
  lastAccess?: bigint;
  lastWrite?: bigint;
  change?: bigint;
  allocationSize?: bigint;
  endOfFile?: bigint;
  attributes?: number;
}

/** CLOSE response body, MS-SMB2 2.2.16 (60 bytes). */
export function closeResponseBody(f: CloseResponseFields = {}): Uint8Array {
  return new ByteWriter()
    .u16le(60) // StructureSize
    .u16le(f.flags ?? 0) // Flags
    .u32le(0) // Reserved
    .u64le(f.creation ?? 0n) // CreationTime
    .u64le(f.lastAccess ?? 0n) // LastAccessTime
    .u64le(f.lastWrite ?? 0n) // LastWriteTime
    .u64le(f.change ?? 0n) // ChangeTime
    .u64le(f.allocationSize ?? 0n) // AllocationSize
    .u64le(f.endOfFile ?? 0n) // EndofFile
    .u32le(f.attributes ?? 0) // FileAttributes
    .done();
}

/** ERROR response body, MS-SMB2 2.2.2: 8 fixed bytes and a one-byte ErrorData (9 bytes). */
export function errorBody(): Uint8Array {
  return new ByteWriter()
    .u16le(9) // StructureSize
    .u8(0) // ErrorContextCount
    .u8(0) // Reserved
    .u32le(0) // ByteCount
    .u8(0) // ErrorData (one byte when ByteCount is 0)
    .done();
}

/** ECHO request/response body, MS-SMB2 2.2.28/2.2.29 (4 bytes). */
export function echoBody(): Uint8Array {
  return new ByteWriter().u16le(4).u16le(0).done();
}

/** A session message: type (1), 24-bit length (RFC 1002 4.3.1, direct TCP MS-SMB2 2.1). */
export function nbss(payload: Uint8Array, type = 0): Uint8Array {
  return concat(new ByteWriter().u8(type).u24be(payload.length).done(), payload);
}

export interface ChainMember {
  hdr: Smb2HeaderFields;
  body: Uint8Array;
}

/**
 * A compound chain (MS-SMB2 3.2.4.1.4): every member but the last is padded to
 * 8 bytes and its NextCommand is the offset of the next header (unless the
 * member's header sets NextCommand itself).
 */
export function compound(members: readonly ChainMember[]): Uint8Array {
  const parts: Uint8Array[] = [];
  members.forEach((m, i) => {
    const last = i === members.length - 1;
    const len = 64 + m.body.length;
    const padded = last ? len : (len + 7) & ~7;
    const next = m.hdr.nextCommand ?? (last ? 0 : padded);
    const msg = new Uint8Array(padded);
    msg.set(smb2Header({ ...m.hdr, nextCommand: next }), 0);
    msg.set(m.body, 64);
    parts.push(msg);
  });
  return concat(...parts);
}

/** SMB2 TRANSFORM_HEADER, MS-SMB2 2.2.41 (52 bytes), followed by `encrypted`. */
export function transformMessage(
  f: { signature: Uint8Array; nonce: Uint8Array; flags: number; sessionId: bigint },
  encrypted: Uint8Array,
): Uint8Array {
  return new ByteWriter()
    .bytes([0xfd, 0x53, 0x4d, 0x42]) // ProtocolId \xfdSMB
    .bytes(f.signature) // Signature (16)
    .bytes(f.nonce) // Nonce (16)
    .u32le(encrypted.length) // OriginalMessageSize
    .u16le(0) // Reserved
    .u16le(f.flags) // Flags / EncryptionAlgorithm
    .u64le(f.sessionId) // SessionId
    .bytes(encrypted)
    .done();
}

/** SMB2::FileAttrs fields in Zeek's order, with their FILE_ATTRIBUTE_* bit (MS-FSCC 2.6). */
export const ATTR_BITS: readonly (readonly [string, number])[] = [
  ['read_only', 0x1],
  ['hidden', 0x2],
  ['system', 0x4],
  ['directory', 0x10],
  ['archive', 0x20],
  ['normal', 0x80],
  ['temporary', 0x100],
  ['sparse_file', 0x200],
  ['reparse_point', 0x400],
  ['compressed', 0x800],
  ['offline', 0x1000],
  ['not_content_indexed', 0x2000],
  ['encrypted', 0x4000],
  ['integrity_stream', 0x8000],
  ['no_scrub_data', 0x20000],
];

/** FILETIME to Zeek time, as CONTRACT.md defines it: Number(t) / 1e7 - 11644473600. */
export function filetimeSeconds(t: bigint): number {
  return Number(t) / 1e7 - 11644473600;
}
