/**
 * SMB2 TREE_DISCONNECT (command 0x0004): the end of a tree connect.
 *
 * Request, MS-SMB2 2.2.11, and response, 2.2.12 (4 bytes each):
 *   0  StructureSize (2) = 4   2  Reserved (2)
 *
 * Zeek (smb2-com-tree-disconnect.pac) needs the 4 bytes and reads nothing
 * else; the request also makes it forget that the header's tree id is a
 * pipe tree.
 *
 * Events: smb2_tree_disconnect_request(c, hdr),
 * smb2_tree_disconnect_response(c, hdr).
 */

import { type Malformed, tooShort } from '../../../bytes/result.js';

export const SMB2_TREE_DISCONNECT = 0x0004;

export const TREE_DISCONNECT_SIZE = 4;

/** Checks a TREE_DISCONNECT request or response body at `o`. */
export function parseTreeDisconnect(_b: Uint8Array, o: number, end: number): true | Malformed {
  if (end - o < TREE_DISCONNECT_SIZE) return tooShort('TREE_DISCONNECT', o, end, TREE_DISCONNECT_SIZE);
  return true;
}
