/**
 * SMB2 LOCK (command 0x000A): byte-range locks.
 *
 * Request, MS-SMB2 2.2.26 (24 bytes + locks):
 *   0  StructureSize (2) = 48   2  LockCount (2)   4  LockSequenceNumber/Index (4)
 *   8  FileId (16)             24  Locks: LockCount SMB2_LOCK_ELEMENTs (2.2.26.1):
 *      Offset (8), Length (8), Flags (4), Reserved (4)
 * Response, MS-SMB2 2.2.27 (4 bytes): StructureSize (2) = 4, Reserved (2).
 *
 * Zeek (smb2-com-lock.pac) raises no event. Quirk: its lock element has no
 * Reserved field (20 bytes instead of 24), so it reads the locks after the
 * first one misaligned and needs only 20 * LockCount bytes.
 */

import { u16le } from '../../../bytes/read.js';
import { type Malformed, tooShort } from '../../../bytes/result.js';
import { readGuid, type SMB2GUID } from '../types.js';

export const SMB2_LOCK = 0x000a;

export const LOCK_REQUEST_FIXED = 24;
export const LOCK_ELEMENT_SIZE = 24;
export const LOCK_RESPONSE_SIZE = 4;

export const SMB2_LOCKFLAG_SHARED_LOCK = 0x01;
export const SMB2_LOCKFLAG_EXCLUSIVE_LOCK = 0x02;
export const SMB2_LOCKFLAG_UNLOCK = 0x04;
export const SMB2_LOCKFLAG_FAIL_IMMEDIATELY = 0x10;

/** Parses the fixed part of a LOCK request body at `o`. */
export function parseLockRequest(
  b: Uint8Array,
  o: number,
  end: number,
): { lock_count: number; file_id: SMB2GUID } | Malformed {
  if (end - o < LOCK_REQUEST_FIXED) return tooShort('LOCK request', o, end, LOCK_REQUEST_FIXED);
  return { lock_count: u16le(b, o + 2), file_id: readGuid(b, o + 8) };
}
