/**
 * SMB2 NEGOTIATE (command 0x0000): dialect and capability negotiation.
 *
 * Request, MS-SMB2 2.2.3 (36 bytes + dialects):
 *   0  StructureSize (2) = 36     2  DialectCount (2)   4  SecurityMode (2)
 *   6  Reserved (2)               8  Capabilities (4)  12  ClientGuid (16)
 *  28  NegotiateContextOffset (4) / ClientStartTime (8, before 3.1.1)
 *  36  Dialects (2 * DialectCount), then (3.1.1) padding and contexts
 *
 * Response, MS-SMB2 2.2.4 (64 bytes + buffers):
 *   0  StructureSize (2) = 65     2  SecurityMode (2)   4  DialectRevision (2)
 *   6  NegotiateContextCount (2)  8  ServerGuid (16)   24  Capabilities (4)
 *  28  MaxTransactSize (4)       32  MaxReadSize (4)   36  MaxWriteSize (4)
 *  40  SystemTime (8)            48  ServerStartTime (8)
 *  56  SecurityBufferOffset (2)  58  SecurityBufferLength (2)
 *  60  NegotiateContextOffset (4)
 *  64  security buffer, then (3.1.1) contexts at NegotiateContextOffset
 *
 * Negotiate context, MS-SMB2 2.2.4.1: ContextType (2), DataLength (2),
 * Reserved (4), Data; contexts are 8-byte aligned.
 *  1 PREAUTH_INTEGRITY (2.2.4.1.1): HashAlgorithmCount (2), SaltLength (2),
 *    HashAlgorithms (2 each), Salt
 *  2 ENCRYPTION (2.2.4.1.2): CipherCount (2), Ciphers (2 each)
 *  3 COMPRESSION (2.2.4.1.3): CompressionAlgorithmCount (2), Padding (2),
 *    Flags (4), CompressionAlgorithms (2 each)
 *  5 NETNAME_NEGOTIATE_CONTEXT_ID (2.2.3.1.4): NetName (DataLength bytes)
 *
 * Zeek behaviour reproduced (smb2-com-negotiate.pac, smb2-protocol.pac
 * BuildSMB2ContextVal; binpac bounds rules in common.ts):
 *  - request: the 8 bytes at 28 are read as a start time and ignored; the
 *    request's contexts are not parsed. DialectCount larger than the data
 *    fails the whole message (no event);
 *  - response: the security blob is read right after the 64 fixed bytes,
 *    SecurityBufferOffset is ignored;
 *  - contexts are parsed only when DialectRevision is 0x0311 and the count
 *    is non-zero; the skip to NegotiateContextOffset is done only for
 *    0x0311 (an offset below head_length fails the message when contexts
 *    follow, see common.ts);
 *  - a context is as long as its parsed fields, not DataLength: for types
 *    1, 2 and 3 DataLength is reported but not used to move on; types 5 and
 *    unknown types consume DataLength bytes;
 *  - every context but the last is followed by padding to a multiple of 8
 *    counted from the start of that context; the last one is not padded;
 *  - a count larger than the contexts present fails the whole message (no
 *    event), as does any context running past the end;
 *  - NetName is the raw bytes (UTF-16LE, not decoded): given here one
 *    character per byte;
 *  - unknown context types carry only context_type and data_length.
 *  - system_time and server_start_time are FILETIMEs as Zeek `time`.
 *
 * Events: smb2_negotiate_request(c, hdr, dialects),
 * smb2_negotiate_response(c, hdr, response). The response's security blob
 * goes to the GSSAPI analyzer after the whole body parsed.
 */

import { u16le, u32le, u64le } from '../../../bytes/read.js';
import { Malformed, tooShort } from '../../../bytes/result.js';
import { bytesToLatin1 } from '../../../bytes/text.js';
import { filetimeToTime } from '../../../bytes/time.js';
import { readGuid, type SMB2GUID } from '../types.js';
import { fits, headLength, skipTo32 } from './common.js';

export const SMB2_NEGOTIATE = 0x0000;

export const NEGOTIATE_REQUEST_FIXED = 36;
export const NEGOTIATE_RESPONSE_FIXED = 64;

/** The dialect whose responses carry negotiate contexts (as Zeek checks it). */
export const SMB2_DIALECT_311 = 0x0311;

export const SMB2_PREAUTH_INTEGRITY_CAPABILITIES = 0x0001;
export const SMB2_ENCRYPTION_CAPABILITIES = 0x0002;
export const SMB2_COMPRESSION_CAPABILITIES = 0x0003;
export const SMB2_NETNAME_NEGOTIATE_CONTEXT_ID = 0x0005;

/** SMB2::PreAuthIntegrityCapabilities. */
export interface PreAuthIntegrityCapabilities {
  hash_alg_count: number;
  salt_length: number;
  hash_alg: number[];
  salt: Uint8Array;
}

/** SMB2::EncryptionCapabilities. */
export interface EncryptionCapabilities {
  cipher_count: number;
  ciphers: number[];
}

/** SMB2::CompressionCapabilities. */
export interface CompressionCapabilities {
  alg_count: number;
  algs: number[];
}

/** SMB2::NegotiateContextValue: one of the optional fields is set, by context_type. */
export interface NegotiateContextValue {
  context_type: number;
  data_length: number;
  preauth_info?: PreAuthIntegrityCapabilities;
  encryption_info?: EncryptionCapabilities;
  compression_info?: CompressionCapabilities;
  /** raw NetName bytes, one character per byte */
  netname?: string;
}

/** SMB2::NegotiateResponse. */
export interface NegotiateResponse {
  dialect_revision: number;
  security_mode: number;
  server_guid: SMB2GUID;
  system_time: number;
  server_start_time: number;
  negotiate_context_count: number;
  negotiate_context_values: NegotiateContextValue[];
}

function u16s(b: Uint8Array, o: number, n: number): number[] {
  const v: number[] = new Array(n);
  for (let i = 0; i < n; i++) v[i] = u16le(b, o + 2 * i);
  return v;
}

/** Parses a NEGOTIATE request body at `o`. */
export function parseNegotiateRequest(
  b: Uint8Array,
  o: number,
  end: number,
  _hdrOff: number,
): { dialects: number[] } | Malformed {
  if (end - o < NEGOTIATE_REQUEST_FIXED) return tooShort('NEGOTIATE request', o, end, NEGOTIATE_REQUEST_FIXED);
  const count = u16le(b, o + 2);
  const at = o + NEGOTIATE_REQUEST_FIXED;
  if (!fits(at, 2 * count, end)) return new Malformed(`NEGOTIATE request: ${count} dialects do not fit`, at);
  return { dialects: u16s(b, at, count) };
}

/** One context at `p`; returns it and the position after its fields. */
function parseContext(b: Uint8Array, p: number, end: number): [NegotiateContextValue, number] | Malformed {
  if (!fits(p, 8, end)) return tooShort('negotiate context', p, end, 8);
  const v: NegotiateContextValue = { context_type: u16le(b, p), data_length: u16le(b, p + 2) };
  let q = p + 8;
  switch (v.context_type) {
    case SMB2_PREAUTH_INTEGRITY_CAPABILITIES: {
      if (!fits(q, 4, end)) return tooShort('preauth integrity context', q, end, 4);
      const n = u16le(b, q);
      const saltLen = u16le(b, q + 2);
      q += 4;
      if (!fits(q, 2 * n + saltLen, end)) return new Malformed('preauth integrity context: runs past the end', q);
      v.preauth_info = {
        hash_alg_count: n,
        salt_length: saltLen,
        hash_alg: u16s(b, q, n),
        salt: b.slice(q + 2 * n, q + 2 * n + saltLen),
      };
      q += 2 * n + saltLen;
      break;
    }
    case SMB2_ENCRYPTION_CAPABILITIES: {
      if (!fits(q, 2, end)) return tooShort('encryption context', q, end, 2);
      const n = u16le(b, q);
      q += 2;
      if (!fits(q, 2 * n, end)) return new Malformed('encryption context: runs past the end', q);
      v.encryption_info = { cipher_count: n, ciphers: u16s(b, q, n) };
      q += 2 * n;
      break;
    }
    case SMB2_COMPRESSION_CAPABILITIES: {
      if (!fits(q, 8, end)) return tooShort('compression context', q, end, 8);
      const n = u16le(b, q);
      q += 8;
      if (!fits(q, 2 * n, end)) return new Malformed('compression context: runs past the end', q);
      v.compression_info = { alg_count: n, algs: u16s(b, q, n) };
      q += 2 * n;
      break;
    }
    default: {
      if (!fits(q, v.data_length, end)) return new Malformed('negotiate context: data runs past the end', q);
      if (v.context_type === SMB2_NETNAME_NEGOTIATE_CONTEXT_ID) v.netname = bytesToLatin1(b, q, v.data_length);
      q += v.data_length;
    }
  }
  return [v, q];
}

/** Parses a NEGOTIATE response body at `o` (header at `hdrOff`). */
export function parseNegotiateResponse(
  b: Uint8Array,
  o: number,
  end: number,
  hdrOff: number,
): NegotiateResponse | Malformed {
  if (end - o < NEGOTIATE_RESPONSE_FIXED) return tooShort('NEGOTIATE response', o, end, NEGOTIATE_RESPONSE_FIXED);
  const secLen = u16le(b, o + 58);
  let p = o + NEGOTIATE_RESPONSE_FIXED;
  if (!fits(p, secLen, end)) return new Malformed('NEGOTIATE response: security buffer runs past the end', p);
  p += secLen;
  const r: NegotiateResponse = {
    dialect_revision: u16le(b, o + 4),
    security_mode: u16le(b, o + 2),
    server_guid: readGuid(b, o + 8),
    system_time: filetimeToTime(u64le(b, o + 40)),
    server_start_time: filetimeToTime(u64le(b, o + 48)),
    negotiate_context_count: u16le(b, o + 6),
    negotiate_context_values: [],
  };
  const count = r.negotiate_context_count;
  if (r.dialect_revision !== SMB2_DIALECT_311 || count === 0) return r;
  p = skipTo32(o, p, u32le(b, o + 60), headLength(b, hdrOff));
  // binpac's quantity check of the count-1 padded contexts
  if (!fits(p, count - 1, end)) return new Malformed('NEGOTIATE response: contexts start past the end', o + 60);
  for (let i = 0; i < count; i++) {
    const start = p;
    const c = parseContext(b, p, end);
    if (c instanceof Malformed) return c;
    r.negotiate_context_values.push(c[0]);
    p = c[1];
    if (i < count - 1) {
      p += (8 - ((p - start) % 8)) % 8;
      if (p > end) return new Malformed('NEGOTIATE response: context padding runs past the end', start);
    }
  }
  return r;
}

/**
 * The response's security blob (a view): SecurityBufferLength bytes right
 * after the fixed part, as Zeek reads them. Zeek forwards it to GSSAPI only
 * when the whole response parsed (parseNegotiateResponse did not fail).
 */
export function negotiateResponseSecurityBlob(
  b: Uint8Array,
  o: number,
  end: number,
  _hdrOff: number,
): Uint8Array | undefined {
  if (end - o < NEGOTIATE_RESPONSE_FIXED) return undefined;
  const len = u16le(b, o + 58);
  const p = o + NEGOTIATE_RESPONSE_FIXED;
  return fits(p, len, end) ? b.subarray(p, p + len) : undefined;
}
