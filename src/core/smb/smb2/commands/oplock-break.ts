/**
 * SMB2 OPLOCK_BREAK (command 0x0012): oplock and lease break notifications
 * (server) and acknowledgments (client), told apart by StructureSize.
 *
 * Oplock break notification / acknowledgment / response, MS-SMB2 2.2.23.1,
 * 2.2.24.1, 2.2.25.1 (24 bytes):
 *   0  StructureSize (2) = 24   2  OplockLevel (1)   3  Reserved (1)
 *   4  Reserved2 (4)            8  FileId (16)
 * Lease break notification 2.2.23.2 (StructureSize 44) and lease break
 * acknowledgment / response 2.2.24.2 / 2.2.25.2 (StructureSize 36) carry a
 * LeaseKey instead of a FileId.
 *
 * Zeek parses every OPLOCK_BREAK as the 24-byte oplock form (so a lease
 * break's "file id" is bytes of its lease key) and raises no event.
 */

import { u8, u16le } from '../../../bytes/read.js';
import { type Malformed, tooShort } from '../../../bytes/result.js';
import { readGuid, type SMB2GUID } from '../types.js';

export const SMB2_OPLOCK_BREAK = 0x0012;

export const OPLOCK_BREAK_SIZE = 24;
export const LEASE_BREAK_NOTIFICATION_SIZE = 44;
export const LEASE_BREAK_ACK_SIZE = 36;

/**
 * Parses an OPLOCK_BREAK body at `o`: `file_id` is set for the oplock form
 * (StructureSize 24) and absent for the lease forms.
 */
export function parseOplockBreak(
  b: Uint8Array,
  o: number,
  end: number,
): { structure_size: number; oplock_level?: number; file_id?: SMB2GUID } | Malformed {
  if (end - o < OPLOCK_BREAK_SIZE) return tooShort('OPLOCK_BREAK', o, end, OPLOCK_BREAK_SIZE);
  const structure_size = u16le(b, o);
  if (structure_size !== OPLOCK_BREAK_SIZE) return { structure_size };
  return { structure_size, oplock_level: u8(b, o + 2), file_id: readGuid(b, o + 8) };
}
