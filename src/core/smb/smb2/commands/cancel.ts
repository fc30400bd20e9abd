/**
 * SMB2 CANCEL (command 0x000C): cancel a pending request (identified by the
 * header's MessageId, or AsyncId when async). There is no response.
 *
 * Request, MS-SMB2 2.2.30 (4 bytes):
 *   0  StructureSize (2) = 4   2  Reserved (2)
 *
 * Zeek parses the request (smb2-protocol.pac), has no response parser, and
 * raises no event.
 */

import { type Malformed, tooShort } from '../../../bytes/result.js';

export const SMB2_CANCEL = 0x000c;

export const CANCEL_REQUEST_SIZE = 4;

/** Checks a CANCEL request body at `o`. */
export function parseCancelRequest(_b: Uint8Array, o: number, end: number): true | Malformed {
  if (end - o < CANCEL_REQUEST_SIZE) return tooShort('CANCEL request', o, end, CANCEL_REQUEST_SIZE);
  return true;
}
