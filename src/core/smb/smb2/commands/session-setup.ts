/**
 * SMB2 SESSION_SETUP (command 0x0001): authentication (GSSAPI/SPNEGO blobs).
 *
 * Request, MS-SMB2 2.2.5 (24 bytes + buffer):
 *   0  StructureSize (2) = 25   2  Flags (1)   3  SecurityMode (1)
 *   4  Capabilities (4)         8  Channel (4)
 *  12  SecurityBufferOffset (2) 14  SecurityBufferLength (2)
 *  16  PreviousSessionId (8)    24  Buffer
 *
 * Response, MS-SMB2 2.2.6 (8 bytes + buffer):
 *   0  StructureSize (2) = 9    2  SessionFlags (2)  GUEST 0x1, NULL 0x2, ENCRYPT_DATA 0x4
 *   4  SecurityBufferOffset (2) 6  SecurityBufferLength (2)   8  Buffer
 *
 * Zeek behaviour reproduced (smb2-com-session-setup.pac):
 *  - the request's fixed part is 16 bytes; PreviousSessionId is never read
 *    (the skip to SecurityBufferOffset passes over it). security_mode is the
 *    byte at 3;
 *  - the buffer is at SecurityBufferOffset - head_length from the body start,
 *    or right after the fixed part when that points backwards (common.ts);
 *    a buffer running past the end of the message fails the message (no
 *    event, nothing forwarded to GSSAPI);
 *  - response flags: guest = bit 0x1, anonymous = bit 0x2, encrypt = 0x4.
 *    The response is parsed for status 0 and MORE_PROCESSING_REQUIRED.
 *
 * Events: smb2_session_setup_request(c, hdr, request),
 * smb2_session_setup_response(c, hdr, response). The blob is forwarded to
 * GSSAPI after the event (Zeek's gssapi_proc follows proc).
 */

import { u8, u16le } from '../../../bytes/read.js';
import { Malformed, tooShort } from '../../../bytes/result.js';
import { fits, headLength, skipTo } from './common.js';

export const SMB2_SESSION_SETUP = 0x0001;

/** What Zeek parses of the request before the buffer. */
export const SESSION_SETUP_REQUEST_FIXED = 16;
export const SESSION_SETUP_RESPONSE_FIXED = 8;

export const SMB2_SESSION_FLAG_IS_GUEST = 0x0001;
export const SMB2_SESSION_FLAG_IS_NULL = 0x0002;
export const SMB2_SESSION_FLAG_ENCRYPT_DATA = 0x0004;

/** SMB2::SessionSetupRequest. */
export interface SessionSetupRequest {
  security_mode: number;
}

/** SMB2::SessionSetupFlags. */
export interface SessionSetupFlags {
  guest: boolean;
  anonymous: boolean;
  encrypt: boolean;
}

/** SMB2::SessionSetupResponse. */
export interface SessionSetupResponse {
  flags: SessionSetupFlags;
}

function blob(
  what: string,
  b: Uint8Array,
  o: number,
  end: number,
  hdrOff: number,
  fixed: number,
  offAt: number,
): Uint8Array | Malformed {
  const len = u16le(b, offAt + 2);
  const p = skipTo(o, o + fixed, u16le(b, offAt), headLength(b, hdrOff));
  if (!fits(p, len, end)) return new Malformed(`${what}: security buffer runs past the end`, offAt);
  return b.subarray(p, p + len);
}

/** Parses a SESSION_SETUP request body at `o`; securityBlob is a view into `b`. */
export function parseSessionSetupRequest(
  b: Uint8Array,
  o: number,
  end: number,
  hdrOff: number,
): { request: SessionSetupRequest; securityBlob: Uint8Array } | Malformed {
  const what = 'SESSION_SETUP request';
  if (end - o < SESSION_SETUP_REQUEST_FIXED) return tooShort(what, o, end, SESSION_SETUP_REQUEST_FIXED);
  const securityBlob = blob(what, b, o, end, hdrOff, SESSION_SETUP_REQUEST_FIXED, o + 12);
  if (securityBlob instanceof Malformed) return securityBlob;
  return { request: { security_mode: u8(b, o + 3) }, securityBlob };
}

/** Parses a SESSION_SETUP response body at `o`; securityBlob is a view into `b`. */
export function parseSessionSetupResponse(
  b: Uint8Array,
  o: number,
  end: number,
  hdrOff: number,
): { response: SessionSetupResponse; securityBlob: Uint8Array } | Malformed {
  const what = 'SESSION_SETUP response';
  if (end - o < SESSION_SETUP_RESPONSE_FIXED) return tooShort(what, o, end, SESSION_SETUP_RESPONSE_FIXED);
  const securityBlob = blob(what, b, o, end, hdrOff, SESSION_SETUP_RESPONSE_FIXED, o + 4);
  if (securityBlob instanceof Malformed) return securityBlob;
  const f = u16le(b, o + 2);
  return {
    response: {
      flags: {
        guest: (f & SMB2_SESSION_FLAG_IS_GUEST) !== 0,
        anonymous: (f & SMB2_SESSION_FLAG_IS_NULL) !== 0,
        encrypt: (f & SMB2_SESSION_FLAG_ENCRYPT_DATA) !== 0,
      },
    },
    securityBlob,
  };
}
