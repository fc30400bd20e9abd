/**
 * SMB2 LOGOFF (command 0x0002): the end of a session.
 *
 * Request, MS-SMB2 2.2.7, and response, 2.2.8 (4 bytes each):
 *   0  StructureSize (2) = 4   2  Reserved (2)
 *
 * Zeek parses both (smb2-protocol.pac) and raises no event.
 */

import { type Malformed, tooShort } from '../../../bytes/result.js';

export const SMB2_LOGOFF = 0x0002;

export const LOGOFF_SIZE = 4;

/** Checks a LOGOFF request or response body at `o`. */
export function parseLogoff(_b: Uint8Array, o: number, end: number): true | Malformed {
  if (end - o < LOGOFF_SIZE) return tooShort('LOGOFF', o, end, LOGOFF_SIZE);
  return true;
}
