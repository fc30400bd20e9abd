/**
 * The SMB2 packet header (MS-SMB2 2.2.1), 64 bytes, in its sync and async
 * forms. Zeek reads the words at offsets 32 and 36 as process_id and tree_id
 * whatever the form, so for an ASYNC message (flag 0x2) they hold the two
 * halves of the AsyncId; smbscope does the same.
 */

import { u16le, u32le, u64le } from '../../bytes/read.js';
import type { SMB2Header } from './types.js';

export const SMB2_HEADER_SIZE = 64;

export const SMB2_FLAGS_SERVER_TO_REDIR = 0x1;
export const SMB2_FLAGS_ASYNC_COMMAND = 0x2;
export const SMB2_FLAGS_RELATED_OPERATIONS = 0x4;
export const SMB2_FLAGS_SIGNED = 0x8;

export const STATUS_SUCCESS = 0;
export const STATUS_PENDING = 0x103;
export const STATUS_BUFFER_OVERFLOW = 0x80000005;
export const STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016;

/** True when buf[o..o+4) is the SMB2 protocol id \xfeSMB. */
export function isSmb2ProtocolId(b: Uint8Array, o: number): boolean {
  return b[o] === 0xfe && b[o + 1] === 0x53 && b[o + 2] === 0x4d && b[o + 3] === 0x42;
}

/** Parses the header at `o`; the caller guarantees 64 bytes are there. */
export function parseSmb2Header(b: Uint8Array, o: number): SMB2Header {
  return {
    credit_charge: u16le(b, o + 6),
    status: u32le(b, o + 8),
    command: u16le(b, o + 12),
    credits: u16le(b, o + 14),
    flags: u32le(b, o + 16),
    message_id: u64le(b, o + 24),
    process_id: u32le(b, o + 32),
    tree_id: u32le(b, o + 36),
    session_id: u64le(b, o + 40),
    signature: signatureOf(b, o + 48),
  };
}

/** NextCommand: offset of the next header of a compound chain, 0 for the last. */
export function nextCommand(b: Uint8Array, o: number): number {
  return u32le(b, o + 20);
}

/** StructureSize of the header (64 for a valid header). */
export function headerStructureSize(b: Uint8Array, o: number): number {
  return u16le(b, o + 4);
}

export const STATUS_INVALID_PARAMETER = 0xc000000d;
export const STATUS_NOTIFY_ENUM_DIR = 0x0000010c;

/**
 * Whether Zeek parses a message's body as its command's structure. Requests
 * always; a response for status 0, and for a few warning/error statuses of
 * particular commands (BUFFER_OVERFLOW for IOCTL, QUERY_INFO and READ;
 * INVALID_PARAMETER for IOCTL; MORE_PROCESSING_REQUIRED for SESSION_SETUP;
 * NOTIFY_ENUM_DIR for CHANGE_NOTIFY). Any other response is an error
 * response (MS-SMB2 2.2.2): no command event.
 */
export function statusHasBody(status: number, command: number, isOrig: boolean): boolean {
  if (isOrig || status === STATUS_SUCCESS) return true;
  switch (status) {
    case STATUS_BUFFER_OVERFLOW:
      return command === 11 || command === 16 || command === 8;
    case STATUS_INVALID_PARAMETER:
      return command === 11;
    case STATUS_MORE_PROCESSING_REQUIRED:
      return command === 1;
    case STATUS_NOTIFY_ENUM_DIR:
      return command === 15;
    default:
      return false;
  }
}

/** Shared by every unsigned message (all 16 bytes zero); never written to. */
const NO_SIGNATURE = new Uint8Array(16);

/** The 16-byte signature at b[o..]: a copy, or the shared zero signature when unsigned. */
function signatureOf(b: Uint8Array, o: number): Uint8Array {
  for (let i = 0; i < 16; i++) if (b[o + i] !== 0) return b.slice(o, o + 16);
  return NO_SIGNATURE;
}
