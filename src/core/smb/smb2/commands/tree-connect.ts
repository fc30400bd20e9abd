/**
 * SMB2 TREE_CONNECT (command 0x0003): access to a share.
 *
 * Request, MS-SMB2 2.2.9 (8 bytes + buffer):
 *   0  StructureSize (2) = 9   2  Flags/Reserved (2)   4  PathOffset (2)
 *   6  PathLength (2)          8  Buffer: the UTF-16LE path "\\server\share"
 * With SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT (3.1.1, 2.2.9.1) the buffer
 * starts with a TREE_CONNECT Request Extension (TreeConnectContextOffset (4),
 * TreeConnectContextCount (2), Reserved (10), PathName, contexts); PathOffset
 * and PathLength still locate the path.
 *
 * Response, MS-SMB2 2.2.10 (16 bytes):
 *   0  StructureSize (2) = 16  2  ShareType (1)  1 disk, 2 pipe, 3 print
 *   3  Reserved (1)            4  ShareFlags (4)  8  Capabilities (4)
 *  12  MaximalAccess (4)
 *
 * Zeek behaviour reproduced (smb2-com-tree-connect.pac):
 *  - Flags are ignored, the extension is never parsed: the path is always
 *    the PathLength bytes at PathOffset - head_length from the body start
 *    (or right after the 8 fixed bytes when that points backwards);
 *  - the path goes through Zeek's UTF-16 conversion (strings.ts: odd
 *    trailing byte kept as a character, cut at the first NUL, lone
 *    surrogates kept, a final high surrogate fails the conversion);
 *  - a path running past the end of the message fails the message;
 *  - the response needs all 16 bytes; only share_type is reported. A pipe
 *    share (2) makes Zeek mark the tree id as a pipe tree.
 *
 * Events: smb2_tree_connect_request(c, hdr, path),
 * smb2_tree_connect_response(c, hdr, response).
 */

import { u8, u16le } from '../../../bytes/read.js';
import { Malformed, tooShort } from '../../../bytes/result.js';
import { fits, headLength, skipTo } from './common.js';
import { zeekUtf16 } from './strings.js';

export const SMB2_TREE_CONNECT = 0x0003;

export const TREE_CONNECT_REQUEST_FIXED = 8;
export const TREE_CONNECT_RESPONSE_SIZE = 16;

export const SMB2_TREE_CONNECT_FLAG_CLUSTER_RECONNECT = 0x0001;
export const SMB2_TREE_CONNECT_FLAG_REDIRECT_TO_OWNER = 0x0002;
export const SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT = 0x0004;

export const SMB2_SHARE_TYPE_DISK = 0x01;
export const SMB2_SHARE_TYPE_PIPE = 0x02;
export const SMB2_SHARE_TYPE_PRINT = 0x03;

/** SMB2::TreeConnectResponse. */
export interface TreeConnectResponse {
  share_type: number;
}

/** Parses a TREE_CONNECT request body at `o` (header at `hdrOff`). */
export function parseTreeConnectRequest(
  b: Uint8Array,
  o: number,
  end: number,
  hdrOff: number,
): { path: string } | Malformed {
  if (end - o < TREE_CONNECT_REQUEST_FIXED) return tooShort('TREE_CONNECT request', o, end, TREE_CONNECT_REQUEST_FIXED);
  const len = u16le(b, o + 6);
  const p = skipTo(o, o + TREE_CONNECT_REQUEST_FIXED, u16le(b, o + 4), headLength(b, hdrOff));
  if (!fits(p, len, end)) return new Malformed('TREE_CONNECT request: path runs past the end', o + 4);
  return { path: zeekUtf16(b, p, len) };
}

/** Parses a TREE_CONNECT response body at `o`. */
export function parseTreeConnectResponse(
  b: Uint8Array,
  o: number,
  end: number,
  _hdrOff: number,
): TreeConnectResponse | Malformed {
  if (end - o < TREE_CONNECT_RESPONSE_SIZE)
    return tooShort('TREE_CONNECT response', o, end, TREE_CONNECT_RESPONSE_SIZE);
  return { share_type: u8(b, o + 2) };
}
