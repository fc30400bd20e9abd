/**
 * A minimal, safe reader for ASN.1 BER/DER encodings (X.690), enough for the
 * GSSAPI/SPNEGO tokens of SMB session setup.
 *
 * Every function checks its bounds against an explicit `end` and returns
 * Malformed instead of reading past it or throwing. Accepted: low and high
 * tag numbers (up to 4 tag octets), short and long definite lengths (up to 4
 * length octets). Rejected: the indefinite length form (0x80, BER only; no
 * SPNEGO implementation sends it), the reserved length octet 0xff, lengths
 * that do not fit in what is left of the buffer. Minimal-encoding rules of
 * DER are not enforced (a BER reader is what interoperability needs).
 *
 * Also here: `readZeekAsn1Meta`, the header as Zeek's binpac ASN.1 grammar
 * (src/analyzer/protocol/asn1/asn1.pac, ASN1EncodingMeta) reads it, for code
 * that has to reproduce Zeek's behaviour rather than X.690's.
 */

import { Malformed, tooShort } from '../bytes/result.js';

/** Tag classes (bits 8-7 of the identifier octet). */
export const ASN1_CLASS_UNIVERSAL = 0;
export const ASN1_CLASS_APPLICATION = 1;
export const ASN1_CLASS_CONTEXT = 2;
export const ASN1_CLASS_PRIVATE = 3;

/** Universal tags used by GSSAPI/SPNEGO (identifier octets as on the wire). */
export const ASN1_BOOLEAN = 0x01;
export const ASN1_INTEGER = 0x02;
export const ASN1_BIT_STRING = 0x03;
export const ASN1_OCTET_STRING = 0x04;
export const ASN1_NULL = 0x05;
export const ASN1_OID = 0x06;
export const ASN1_ENUMERATED = 0x0a;
export const ASN1_GENERAL_STRING = 0x1b;
export const ASN1_SEQUENCE = 0x30;

/** Default limits of parseDerTree. */
export const DER_MAX_DEPTH = 32;
export const DER_MAX_NODES = 4096;

/** One tag-length-value header, with absolute offsets into the buffer. */
export interface Tlv {
  /** the first identifier octet as on the wire (0x30, 0xa0, 0x60, ...) */
  tag: number;
  /** tag class, ASN1_CLASS_* */
  cls: number;
  /** constructed (bit 6 of the first identifier octet) */
  constructed: boolean;
  /** the tag number (bits 5-1, or the high-tag-number octets) */
  tagNumber: number;
  /** offset of the first identifier octet */
  start: number;
  /** offset of the first content octet */
  valueStart: number;
  /** number of content octets */
  length: number;
  /** offset one past the last content octet (valueStart + length) */
  end: number;
}

/**
 * Reads the TLV header at `o`; the element must end at or before `end`.
 * `what` names the structure in Malformed messages.
 */
export function readTlv(b: Uint8Array, o: number, end: number, what = 'ASN.1 element'): Tlv | Malformed {
  end = Math.min(end, b.length);
  if (o < 0 || o >= end) return tooShort(`${what}: identifier`, o, end, 1);
  const first = b[o]!;
  const cls = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tagNumber = first & 0x1f;
  let p = o + 1;
  if (tagNumber === 0x1f) {
    // high tag number form: base-128, most significant first, bit 8 = more
    tagNumber = 0;
    for (let i = 0; ; i++) {
      if (p >= end) return tooShort(`${what}: tag number`, p, end, 1);
      if (i === 4) return new Malformed(`${what}: tag number longer than 4 octets`, o);
      const c = b[p++]!;
      tagNumber = tagNumber * 128 + (c & 0x7f);
      if ((c & 0x80) === 0) break;
    }
  }
  if (p >= end) return tooShort(`${what}: length`, p, end, 1);
  const l0 = b[p++]!;
  let length: number;
  if (l0 < 0x80) {
    length = l0;
  } else if (l0 === 0x80) {
    return new Malformed(`${what}: indefinite length is not supported`, p - 1);
  } else if (l0 === 0xff) {
    return new Malformed(`${what}: reserved length octet 0xff`, p - 1);
  } else {
    const n = l0 & 0x7f;
    if (n > 4) return new Malformed(`${what}: length of ${n} octets is too long`, p - 1);
    if (end - p < n) return tooShort(`${what}: length`, p, end, n);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + b[p++]!;
  }
  if (length > end - p) return new Malformed(`${what}: length ${length} exceeds the ${end - p} bytes left`, o);
  return { tag: first, cls, constructed, tagNumber, start: o, valueStart: p, length, end: p + length };
}

/** The content octets of `t` (a view, not a copy). */
export function tlvValue(b: Uint8Array, t: Tlv): Uint8Array {
  return b.subarray(t.valueStart, t.end);
}

/**
 * The elements contained in the constructed `parent`, which must fill its
 * content exactly. At most `maxCount` elements.
 */
export function readChildren(
  b: Uint8Array,
  parent: Tlv,
  maxCount = DER_MAX_NODES,
  what = 'ASN.1 element',
): Tlv[] | Malformed {
  if (!parent.constructed) return new Malformed(`${what}: tag 0x${hex2(parent.tag)} is not constructed`, parent.start);
  const out: Tlv[] = [];
  let p = parent.valueStart;
  while (p < parent.end) {
    if (out.length >= maxCount) return new Malformed(`${what}: more than ${maxCount} elements`, p);
    const t = readTlv(b, p, parent.end, what);
    if (t instanceof Malformed) return t;
    out.push(t);
    p = t.end;
  }
  return out;
}

/** The only element inside the constructed `parent` (an explicit tag's content). */
export function readOnlyChild(b: Uint8Array, parent: Tlv, what = 'ASN.1 element'): Tlv | Malformed {
  const kids = readChildren(b, parent, 2, what);
  if (kids instanceof Malformed) return kids;
  if (kids.length !== 1) return new Malformed(`${what}: ${kids.length} elements inside, expected 1`, parent.start);
  return kids[0]!;
}

/**
 * An OBJECT IDENTIFIER's content octets in dotted form ("1.3.6.1.5.5.2").
 * Arcs may be any size (computed with bigint when they exceed 2^53).
 */
export function decodeOid(b: Uint8Array, o: number, len: number): string | Malformed {
  if (len <= 0) return new Malformed('OID: empty', o);
  if (o + len > b.length) return tooShort('OID', o, b.length, len);
  const arcs: bigint[] = [];
  let v = 0n;
  let inArc = false;
  for (let i = o; i < o + len; i++) {
    const c = b[i]!;
    if (!inArc && c === 0x80) return new Malformed('OID: arc with a leading 0x80 octet', i);
    v = (v << 7n) | BigInt(c & 0x7f);
    inArc = (c & 0x80) !== 0;
    if (!inArc) {
      arcs.push(v);
      v = 0n;
    }
  }
  if (inArc) return new Malformed('OID: last arc is unterminated', o + len - 1);
  const first = arcs[0]!;
  const head = first < 40n ? `0.${first}` : first < 80n ? `1.${first - 40n}` : `2.${first - 80n}`;
  return [head, ...arcs.slice(1).map(String)].join('.');
}

/** Big-endian unsigned value of `len` octets at `o` (the caller bounds `len`). */
export function decodeUnsigned(b: Uint8Array, o: number, len: number): bigint {
  let v = 0n;
  for (let i = o; i < o + len; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/** A parsed element and, when it is constructed, its children. */
export interface DerNode {
  tlv: Tlv;
  children?: DerNode[];
}

/**
 * The whole element tree of the element at `o` (constructed elements are
 * descended into). Fails on a nesting deeper than `maxDepth` or more than
 * `maxNodes` elements in all. For inspection and tests; the SPNEGO parser
 * walks its fixed grammar with readTlv/readChildren instead.
 */
export function parseDerTree(
  b: Uint8Array,
  o = 0,
  end = b.length,
  limits: { maxDepth?: number; maxNodes?: number } = {},
): DerNode | Malformed {
  const maxDepth = limits.maxDepth ?? DER_MAX_DEPTH;
  const budget = { left: limits.maxNodes ?? DER_MAX_NODES };
  const t = readTlv(b, o, end);
  if (t instanceof Malformed) return t;
  return treeOf(b, t, 1, maxDepth, budget);
}

function treeOf(b: Uint8Array, t: Tlv, depth: number, maxDepth: number, budget: { left: number }): DerNode | Malformed {
  if (depth > maxDepth) return new Malformed(`ASN.1: nesting deeper than ${maxDepth}`, t.start);
  if (--budget.left < 0) return new Malformed('ASN.1: too many elements', t.start);
  if (!t.constructed) return { tlv: t };
  const kids = readChildren(b, t);
  if (kids instanceof Malformed) return kids;
  const children: DerNode[] = [];
  for (const k of kids) {
    const n = treeOf(b, k, depth + 1, maxDepth, budget);
    if (n instanceof Malformed) return n;
    children.push(n);
  }
  return { tlv: t, children };
}

/**
 * An ASN.1 header as Zeek's binpac grammar reads it (asn1.pac,
 * ASN1EncodingMeta): one identifier octet (no high-tag-number form), one
 * length octet, and when that has bit 8 set, `len & 0x7f` more octets whose
 * big-endian value is the length. So 0x80 (indefinite) reads as length 0.
 * The content is not bounded here: Zeek's grammar bounds some contents and
 * not others.
 */
export interface ZeekAsn1Meta {
  /** the identifier octet */
  tag: number;
  /** the first length octet */
  len: number;
  /** the decoded length */
  length: number;
  /** 2 + the number of extra length octets */
  headerLen: number;
  /** Zeek's `index`: tag - 0xa0 as a uint8 (the context tag number for 0xa0..0xbf) */
  index: number;
}

/**
 * Reads a ZeekAsn1Meta at `o` (before `end`). Malformed where binpac throws
 * (header past `end`), and beyond Zeek for more than 8 extra length octets
 * (undefined behaviour in Zeek's binary_to_int64). The length is exact up to
 * 2^53; callers that bound content by it treat anything longer than what is
 * left as out of bounds (Zeek truncates lengths of 2^31 and more to int in
 * places, which smbscope does not reproduce).
 */
export function readZeekAsn1Meta(b: Uint8Array, o: number, end: number, what: string): ZeekAsn1Meta | Malformed {
  end = Math.min(end, b.length);
  if (end - o < 2) return tooShort(`${what}: ASN.1 header`, o, end, 2);
  const tag = b[o]!;
  const len = b[o + 1]!;
  let length = len;
  let headerLen = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (end - o - 2 < n) return tooShort(`${what}: ASN.1 length`, o + 2, end, n);
    if (n > 8) return new Malformed(`${what}: ${n} length octets`, o + 1);
    length = Number(decodeUnsigned(b, o + 2, n));
    headerLen += n;
  }
  return { tag, len, length, headerLen, index: (tag - 0xa0) & 0xff };
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
