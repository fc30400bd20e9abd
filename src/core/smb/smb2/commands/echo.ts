/**
 * SMB2 ECHO (command 0x000D): keep-alive.
 *
 * Request, MS-SMB2 2.2.28, and response, 2.2.29 (4 bytes each):
 *   0  StructureSize (2) = 4   2  Reserved (2)
 *
 * Zeek parses both (smb2-protocol.pac) and raises no event.
 */

import { type Malformed, tooShort } from '../../../bytes/result.js';

export const SMB2_ECHO = 0x000d;

export const ECHO_SIZE = 4;

/** Checks an ECHO request or response body at `o`. */
export function parseEcho(_b: Uint8Array, o: number, end: number): true | Malformed {
  if (end - o < ECHO_SIZE) return tooShort('ECHO', o, end, ECHO_SIZE);
  return true;
}
