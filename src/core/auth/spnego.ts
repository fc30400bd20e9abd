/**
 * GSSAPI tokens in SMB security blobs: the RFC 2743 InitialContextToken
 * (0x60, thisMech OID, inner token), SPNEGO's NegotiationToken (RFC 4178,
 * with the MS-SPNG NegTokenInit2 that servers send in the NEGOTIATE
 * response), raw NTLMSSP and Kerberos tokens.
 *
 * Two views of one blob:
 *
 * - parseGssapiToken: what the blob is (a strict BER parse into a
 *   discriminated union). For inspection, tests and anything that wants the
 *   SPNEGO fields.
 * - zeekGssapi: what Zeek's GSSAPI analyzer does with the blob
 *   (src/analyzer/protocol/gssapi/gssapi-protocol.pac, gssapi-analyzer.pac),
 *   step by step: which mech tokens it forwards to its NTLM or KRB analyzer,
 *   which `gssapi_neg_result` events it raises, and whether its parse throws
 *   (violation) or succeeds (confirmation). Zeek's grammar is looser than
 *   BER in places and stricter in others, so this is not derived from the
 *   strict parse.
 *
 * routeSmbSecurityBlob says where the SMB analyzer sends a blob in the first
 * place (smb-gssapi.pac).
 */

import { Malformed } from '../bytes/result.js';
import {
  ASN1_BIT_STRING,
  ASN1_CLASS_CONTEXT,
  ASN1_ENUMERATED,
  ASN1_GENERAL_STRING,
  ASN1_OCTET_STRING,
  ASN1_OID,
  ASN1_SEQUENCE,
  decodeOid,
  decodeUnsigned,
  readChildren,
  readOnlyChild,
  readTlv,
  readZeekAsn1Meta,
  type Tlv,
  tlvValue,
} from './der.js';
import { hasNtlmsspPrefix } from './ntlm.js';

export const SPNEGO_OID = '1.3.6.1.5.5.2';
export const NTLMSSP_OID = '1.3.6.1.4.1.311.2.2.10';
export const KRB5_OID = '1.2.840.113554.1.2.2';
/** The Kerberos OID with the truncated arc that Windows also offers. */
export const MS_KRB5_OID = '1.2.840.48018.1.2.2';
export const KRB5_USER_TO_USER_OID = '1.2.840.113554.1.2.2.3';
export const NEGOEX_OID = '1.3.6.1.4.1.311.2.2.30';

/** negState values (RFC 4178 4.2.2). */
export const NEG_STATE_ACCEPT_COMPLETED = 0;
export const NEG_STATE_ACCEPT_INCOMPLETE = 1;
export const NEG_STATE_REJECT = 2;
export const NEG_STATE_REQUEST_MIC = 3;

/** What MS-SPNG servers put in negHints.hintName. */
export const SPNEGO_HINT_NAME_IGNORE = 'not_defined_in_RFC4178@please_ignore';

/** negTokenInit / NegTokenInit2 ([0] in an InitialContextToken, or bare). */
export interface SpnegoInitToken {
  kind: 'init';
  /** thisMech of the InitialContextToken (SPNEGO_OID); unset for a bare [0] token */
  oid?: string;
  /** [0] MechTypeList, dotted OIDs in preference order */
  mechTypes?: string[];
  /** [1] ContextFlags BIT STRING content (unused-bits octet first) */
  reqFlags?: Uint8Array;
  /** [2] mechToken (a view) */
  mechToken?: Uint8Array;
  /** NegTokenInit2 [3] negHints (a SEQUENCE where RFC 4178 has the mechListMIC OCTET STRING) */
  negHints?: { hintName?: string; hintAddress?: Uint8Array };
  /** RFC 4178 [3] or NegTokenInit2 [4] mechListMIC (a view) */
  mechListMIC?: Uint8Array;
}

/** negTokenResp ([1]). */
export interface SpnegoRespToken {
  kind: 'resp';
  /** [0] negState, NEG_STATE_* */
  negState?: number;
  /** [1] supportedMech, dotted */
  supportedMech?: string;
  /** [2] responseToken (a view) */
  responseToken?: Uint8Array;
  /** [3] mechListMIC (a view) */
  mechListMIC?: Uint8Array;
}

/** A bare NTLMSSP message ("NTLMSSP\0" prefix), not wrapped in SPNEGO. */
export interface RawNtlmsspToken {
  kind: 'ntlmssp';
  /** the whole blob (parse it with parseNtlmMessage) */
  token: Uint8Array;
}

/** Recognised but not decoded. */
export interface OtherGssapiToken {
  kind: 'other';
  /**
   * - 'krb5': an InitialContextToken for a Kerberos mech (KRB5_OID,
   *   MS_KRB5_OID, KRB5_USER_TO_USER_OID), or a bare Kerberos message
   *   (APPLICATION 14 AP-REQ, 15 AP-REP, 30 KRB-ERROR);
   * - 'mech': an InitialContextToken for another mech (see `oid`);
   * - 'unknown': anything else that is at least one well-formed element.
   */
  label: 'krb5' | 'mech' | 'unknown';
  /** thisMech of an InitialContextToken */
  oid?: string;
  /** krb5 InitialContextToken: TOK_ID, big-endian (0x0100 AP-REQ, 0x0200 AP-REP, 0x0300 KRB-ERROR) */
  tokenId?: number;
  /** krb5: the Kerberos message (after TOK_ID, or the bare message); mech: the inner token (a view) */
  innerToken?: Uint8Array;
  /** the first identifier octet of the blob */
  tag: number;
}

export type GssapiToken = SpnegoInitToken | SpnegoRespToken | RawNtlmsspToken | OtherGssapiToken;

const KRB5_OIDS = new Set([KRB5_OID, MS_KRB5_OID, KRB5_USER_TO_USER_OID]);

/**
 * Parses an SMB security blob into a GssapiToken. Strict BER (see der.ts);
 * bytes after the first element are ignored. Malformed on any structural
 * error in the recognised forms. Never throws.
 */
export function parseGssapiToken(b: Uint8Array): GssapiToken | Malformed {
  if (b.length >= 8 && hasNtlmsspPrefix(b) && b[7] === 0) return { kind: 'ntlmssp', token: b };
  const top = readTlv(b, 0, b.length, 'GSSAPI token');
  if (top instanceof Malformed) return top;
  switch (top.tag) {
    case 0x60:
      return parseInitialContextToken(b, top);
    case 0xa0:
      return parseNegTokenInit(b, top);
    case 0xa1:
      return parseNegTokenResp(b, top);
    case 0x6e:
    case 0x6f:
    case 0x7e:
      return { kind: 'other', label: 'krb5', innerToken: b.subarray(top.start, top.end), tag: top.tag };
    default:
      return { kind: 'other', label: 'unknown', tag: top.tag };
  }
}

function parseInitialContextToken(b: Uint8Array, top: Tlv): GssapiToken | Malformed {
  const oidTlv = readTlv(b, top.valueStart, top.end, 'InitialContextToken thisMech');
  if (oidTlv instanceof Malformed) return oidTlv;
  if (oidTlv.tag !== ASN1_OID) return wrongTag('InitialContextToken thisMech', oidTlv, ASN1_OID);
  const oid = decodeOid(b, oidTlv.valueStart, oidTlv.length);
  if (oid instanceof Malformed) return oid;
  const inner = b.subarray(oidTlv.end, top.end);
  if (oid === SPNEGO_OID) {
    const init = readTlv(b, oidTlv.end, top.end, 'SPNEGO innerContextToken');
    if (init instanceof Malformed) return init;
    if (init.tag !== 0xa0) return wrongTag('SPNEGO innerContextToken', init, 0xa0);
    const r = parseNegTokenInit(b, init);
    if (r instanceof Malformed) return r;
    r.oid = oid;
    return r;
  }
  if (KRB5_OIDS.has(oid)) {
    if (inner.length < 2) return new Malformed('krb5 token: no TOK_ID', oidTlv.end);
    return {
      kind: 'other',
      label: 'krb5',
      oid,
      tokenId: (inner[0]! << 8) | inner[1]!,
      innerToken: inner.subarray(2),
      tag: 0x60,
    };
  }
  return { kind: 'other', label: 'mech', oid, innerToken: inner, tag: 0x60 };
}

/** negTokenInit [0] { SEQUENCE { [0] mechTypes, [1] reqFlags, [2] mechToken, [3] mic | negHints, [4] mic } } */
function parseNegTokenInit(b: Uint8Array, wrapper: Tlv): SpnegoInitToken | Malformed {
  const seq = readOnlyChild(b, wrapper, 'negTokenInit');
  if (seq instanceof Malformed) return seq;
  if (seq.tag !== ASN1_SEQUENCE) return wrongTag('negTokenInit', seq, ASN1_SEQUENCE);
  const fields = readChildren(b, seq, 16, 'negTokenInit');
  if (fields instanceof Malformed) return fields;
  const out: SpnegoInitToken = { kind: 'init' };
  for (const f of fields) {
    if (f.cls !== ASN1_CLASS_CONTEXT || !f.constructed) continue; // not an explicit context tag: ignore (extensions)
    const v = readOnlyChild(b, f, `negTokenInit [${f.tagNumber}]`);
    if (v instanceof Malformed) return v;
    switch (f.tagNumber) {
      case 0: {
        const m = readMechTypes(b, v);
        if (m instanceof Malformed) return m;
        out.mechTypes ??= m;
        break;
      }
      case 1:
        if (v.tag !== ASN1_BIT_STRING) return wrongTag('negTokenInit reqFlags', v, ASN1_BIT_STRING);
        out.reqFlags ??= tlvValue(b, v);
        break;
      case 2:
        if (v.tag !== ASN1_OCTET_STRING) return wrongTag('negTokenInit mechToken', v, ASN1_OCTET_STRING);
        out.mechToken ??= tlvValue(b, v);
        break;
      case 3:
        if (v.tag === ASN1_OCTET_STRING) {
          out.mechListMIC ??= tlvValue(b, v);
        } else if (v.tag === ASN1_SEQUENCE) {
          const h = readNegHints(b, v);
          if (h instanceof Malformed) return h;
          out.negHints ??= h;
        } else {
          return wrongTag('negTokenInit [3]', v, ASN1_OCTET_STRING);
        }
        break;
      case 4:
        if (v.tag !== ASN1_OCTET_STRING) return wrongTag('negTokenInit mechListMIC', v, ASN1_OCTET_STRING);
        out.mechListMIC ??= tlvValue(b, v);
        break;
    }
  }
  return out;
}

function readMechTypes(b: Uint8Array, seq: Tlv): string[] | Malformed {
  if (seq.tag !== ASN1_SEQUENCE) return wrongTag('negTokenInit mechTypes', seq, ASN1_SEQUENCE);
  const kids = readChildren(b, seq, 64, 'negTokenInit mechTypes');
  if (kids instanceof Malformed) return kids;
  const oids: string[] = [];
  for (const k of kids) {
    if (k.tag !== ASN1_OID) return wrongTag('negTokenInit mechTypes', k, ASN1_OID);
    const o = decodeOid(b, k.valueStart, k.length);
    if (o instanceof Malformed) return o;
    oids.push(o);
  }
  return oids;
}

/** NegHints ::= SEQUENCE { hintName [0] GeneralString OPTIONAL, hintAddress [1] OCTET STRING OPTIONAL } */
function readNegHints(b: Uint8Array, seq: Tlv): { hintName?: string; hintAddress?: Uint8Array } | Malformed {
  const kids = readChildren(b, seq, 8, 'negHints');
  if (kids instanceof Malformed) return kids;
  const h: { hintName?: string; hintAddress?: Uint8Array } = {};
  for (const k of kids) {
    if (k.cls !== ASN1_CLASS_CONTEXT || !k.constructed) continue;
    const v = readOnlyChild(b, k, `negHints [${k.tagNumber}]`);
    if (v instanceof Malformed) return v;
    if (k.tagNumber === 0) {
      if (v.tag !== ASN1_GENERAL_STRING) return wrongTag('negHints hintName', v, ASN1_GENERAL_STRING);
      h.hintName = latin1(tlvValue(b, v));
    } else if (k.tagNumber === 1) {
      if (v.tag !== ASN1_OCTET_STRING) return wrongTag('negHints hintAddress', v, ASN1_OCTET_STRING);
      h.hintAddress = tlvValue(b, v);
    }
  }
  return h;
}

/** negTokenResp [1] { SEQUENCE { [0] negState, [1] supportedMech, [2] responseToken, [3] mechListMIC } } */
function parseNegTokenResp(b: Uint8Array, wrapper: Tlv): SpnegoRespToken | Malformed {
  const seq = readOnlyChild(b, wrapper, 'negTokenResp');
  if (seq instanceof Malformed) return seq;
  if (seq.tag !== ASN1_SEQUENCE) return wrongTag('negTokenResp', seq, ASN1_SEQUENCE);
  const fields = readChildren(b, seq, 16, 'negTokenResp');
  if (fields instanceof Malformed) return fields;
  const out: SpnegoRespToken = { kind: 'resp' };
  for (const f of fields) {
    if (f.cls !== ASN1_CLASS_CONTEXT || !f.constructed) continue;
    const v = readOnlyChild(b, f, `negTokenResp [${f.tagNumber}]`);
    if (v instanceof Malformed) return v;
    switch (f.tagNumber) {
      case 0:
        if (v.tag !== ASN1_ENUMERATED) return wrongTag('negTokenResp negState', v, ASN1_ENUMERATED);
        if (v.length < 1 || v.length > 4) return new Malformed(`negTokenResp negState: ${v.length} octets`, v.start);
        out.negState ??= Number(decodeUnsigned(b, v.valueStart, v.length));
        break;
      case 1: {
        if (v.tag !== ASN1_OID) return wrongTag('negTokenResp supportedMech', v, ASN1_OID);
        const o = decodeOid(b, v.valueStart, v.length);
        if (o instanceof Malformed) return o;
        out.supportedMech ??= o;
        break;
      }
      case 2:
        if (v.tag !== ASN1_OCTET_STRING) return wrongTag('negTokenResp responseToken', v, ASN1_OCTET_STRING);
        out.responseToken ??= tlvValue(b, v);
        break;
      case 3:
        if (v.tag !== ASN1_OCTET_STRING) return wrongTag('negTokenResp mechListMIC', v, ASN1_OCTET_STRING);
        out.mechListMIC ??= tlvValue(b, v);
        break;
    }
  }
  return out;
}

function wrongTag(what: string, t: Tlv, want: number): Malformed {
  return new Malformed(`${what}: tag 0x${hex2(t.tag)}, expected 0x${hex2(want)}`, t.start);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function latin1(v: Uint8Array): string {
  let s = '';
  for (const c of v) s += String.fromCharCode(c);
  return s;
}

// ---------------------------------------------------------------------------
// Zeek's SMB → GSSAPI routing and Zeek's GSSAPI analyzer

/**
 * Where Zeek's SMB analyzer sends a session-setup (request or response) or
 * negotiate-response security blob (smb-gssapi.pac, forward_gssapi):
 * shorter than 8 bytes: nowhere; starting with "NTLMSSP" (7 bytes): straight
 * to the NTLM analyzer the SMB analyzer owns; otherwise: to the GSSAPI
 * analyzer the SMB analyzer owns (see zeekGssapi).
 */
export function routeSmbSecurityBlob(b: Uint8Array): 'ignore' | 'ntlm' | 'gssapi' {
  if (b.length < 8) return 'ignore';
  return hasNtlmsspPrefix(b) ? 'ntlm' : 'gssapi';
}

/** One thing Zeek's GSSAPI analyzer does while parsing a blob. */
export type ZeekGssapiStep =
  /** a mechToken/responseToken starting with "NTLMSSP": delivered (DeliverStream) to the GSSAPI analyzer's own NTLM analyzer */
  | { step: 'ntlm'; token: Uint8Array }
  /** a mechToken/responseToken starting with 0x60: the bytes after its OID and TOK_ID delivered (DeliverPacket) to its own KRB analyzer */
  | { step: 'krb'; blob: Uint8Array }
  /** a negTokenResp [0]: event gssapi_neg_result(c, state) */
  | { step: 'neg_result'; state: number };

export interface ZeekGssapiResult {
  /** in the order Zeek performs them */
  steps: ZeekGssapiStep[];
  /**
   * Where Zeek's binpac parse throws, after the steps above have happened:
   * the GSSAPI analyzer then reports a violation ("Binpac exception: ...")
   * instead of confirming. Unset: the analyzer confirms (once per analyzer
   * instance; service "gssapi").
   */
  violation?: Malformed;
}

/**
 * What Zeek's GSSAPI analyzer does with one delivered blob. Zeek's grammar
 * (GSSAPI_SELECT): an ASN.1 header (Zeek's reading, readZeekAsn1Meta); if its
 * tag and first length octet are 04 04 (MIC token) or 05 04 (wrap token),
 * nothing more. If the tag is 0x60: an ASN.1 element (the OID, not checked),
 * a header (the [0], not checked), a header (the SEQUENCE, not checked),
 * then arguments until the end of the blob. Otherwise: a header (the
 * SEQUENCE), then arguments until the end of the blob. The outer lengths are
 * never checked. Each argument is a header whose tag - 0xa0 selects the
 * field and whose length bounds it: init [0] mechTypes, [1] reqFlags (any
 * element), [2] mechToken (header + token), [3] mechListMIC (any element);
 * resp [0] negState (any element; its content as a big-endian integer),
 * [1] supportedMech (any element), [2] responseToken, [3] mechListMIC.
 * Any other index throws, so a NegTokenInit2 with [4] mechListMIC is a
 * violation. A token starting with "N" is forwarded to NTLM if it starts with
 * "NTLMSSP"; one starting with 0x60 is read as header, element, 2-byte
 * TOK_ID, rest (throwing if too short) and the rest goes to KRB.
 * Never throws.
 */
export function zeekGssapi(b: Uint8Array): ZeekGssapiResult {
  const steps: ZeekGssapiStep[] = [];
  const fail = (m: Malformed): ZeekGssapiResult => ({ steps, violation: m });
  const end = b.length;
  const wrapper = readZeekAsn1Meta(b, 0, end, 'GSSAPI token');
  if (wrapper instanceof Malformed) return fail(wrapper);
  const tokId = (wrapper.tag << 8) | wrapper.len;
  if (tokId === 0x0404 || tokId === 0x0504) return { steps };
  const isInit = wrapper.tag === 0x60;
  let p = wrapper.headerLen;
  if (isInit) {
    const oid = readZeekAsn1Meta(b, p, end, 'GSSAPI thisMech');
    if (oid instanceof Malformed) return fail(oid);
    if (oid.length > end - p - oid.headerLen) return fail(outOfBound('GSSAPI thisMech', p, end, oid));
    p += oid.headerLen + oid.length;
    const init = readZeekAsn1Meta(b, p, end, 'GSSAPI negTokenInit');
    if (init instanceof Malformed) return fail(init);
    p += init.headerLen;
  }
  const seq = readZeekAsn1Meta(b, p, end, isInit ? 'GSSAPI negTokenInit sequence' : 'GSSAPI negTokenResp sequence');
  if (seq instanceof Malformed) return fail(seq);
  p += seq.headerLen;
  while (p < end) {
    const what = isInit ? 'GSSAPI negTokenInit argument' : 'GSSAPI negTokenResp argument';
    const arg = readZeekAsn1Meta(b, p, end, what);
    if (arg instanceof Malformed) return fail(arg);
    const v = p + arg.headerLen;
    if (arg.length > end - v) return fail(outOfBound(what, p, end, arg));
    const argEnd = v + arg.length;
    if (arg.index > 3) return fail(new Malformed(`${what}: invalid index for case: ${arg.index}`, p));
    const r = zeekArg(b, v, argEnd, arg.index, isInit, steps);
    if (r instanceof Malformed) return fail(r);
    p = argEnd;
  }
  return { steps };
}

/** One argument's content [v, end) with Zeek's index semantics. */
function zeekArg(
  b: Uint8Array,
  v: number,
  end: number,
  index: number,
  isInit: boolean,
  steps: ZeekGssapiStep[],
): undefined | Malformed {
  if (index === 2) return zeekMechToken(b, v, end, steps);
  // Everything else is an ASN1Encoding: header + content, bounded by the argument.
  const what = `GSSAPI ${isInit ? 'negTokenInit' : 'negTokenResp'} [${index}]`;
  const m = readZeekAsn1Meta(b, v, end, what);
  if (m instanceof Malformed) return m;
  const c = v + m.headerLen;
  if (m.length > end - c) return outOfBound(what, v, end, m);
  if (!isInit && index === 0) {
    // binary_to_int64 of the content; only 0..3 matter (beyond 8 octets Zeek's shift is undefined)
    const n = Math.min(m.length, 8);
    const state = decodeUnsigned(b, c + m.length - n, n);
    steps.push({ step: 'neg_result', state: Number(state) });
  }
  return undefined;
}

function zeekMechToken(b: Uint8Array, v: number, end: number, steps: ZeekGssapiStep[]): undefined | Malformed {
  const m = readZeekAsn1Meta(b, v, end, 'GSSAPI mechToken');
  if (m instanceof Malformed) return m;
  const t = v + m.headerLen;
  if (m.length > end - t) return outOfBound('GSSAPI mechToken', v, end, m);
  const token = b.subarray(t, t + m.length);
  if (token.length > 0 && token[0] === 0x4e) {
    if (hasNtlmsspPrefix(token)) steps.push({ step: 'ntlm', token });
    return undefined;
  }
  if (token.length > 0 && token[0] === 0x60) {
    // KRB_BLOB: header, OID element, TOK_ID (2), rest
    const h = readZeekAsn1Meta(token, 0, token.length, 'GSSAPI krb5 token');
    if (h instanceof Malformed) return h;
    let q = h.headerLen;
    const oid = readZeekAsn1Meta(token, q, token.length, 'GSSAPI krb5 token OID');
    if (oid instanceof Malformed) return oid;
    if (oid.length > token.length - q - oid.headerLen) return outOfBound('GSSAPI krb5 token OID', q, token.length, oid);
    q += oid.headerLen + oid.length;
    if (token.length - q < 2) return new Malformed('GSSAPI krb5 token: no TOK_ID', t + q);
    steps.push({ step: 'krb', blob: token.subarray(q + 2) });
  }
  return undefined;
}

function outOfBound(what: string, o: number, end: number, m: { headerLen: number; length: number }): Malformed {
  return new Malformed(`${what}: length ${m.length} exceeds the ${Math.max(0, end - o - m.headerLen)} bytes left`, o);
}
