/**
 * NTLMSSP messages (MS-NLMP 2.2.1.1 NEGOTIATE, 2.2.1.2 CHALLENGE,
 * 2.2.1.3 AUTHENTICATE, 2.2.2.1 AV_PAIR), parsed the way Zeek's NTLM analyzer
 * parses them (src/analyzer/protocol/ntlm/ntlm-protocol.pac and
 * ntlm-analyzer.pac), so that the result holds exactly the NTLM::Negotiate,
 * NTLM::Challenge and NTLM::Authenticate records Zeek passes to its
 * `ntlm_negotiate`, `ntlm_challenge` and `ntlm_authenticate` events.
 *
 * parseNtlmMessage returns Malformed exactly where Zeek's binpac parser throws
 * (the NTLM analyzer then reports a violation, raises no event and does not
 * confirm). Otherwise Zeek raises the event (types 1-3; for any other type no
 * event) and confirms the analyzer.
 *
 * Layout (all integers little-endian; a "security buffer" is Length (2),
 * MaximumLength (2), BufferOffset (4), the offset counted from the start of
 * the message):
 *
 *   0  Signature "NTLMSSP\0" (8)    8  MessageType (4)
 *   NEGOTIATE (1)     12 NegotiateFlags (4)  16 DomainNameFields  24 WorkstationFields
 *                     32 payload (Version (8) first when present)
 *   CHALLENGE (2)     12 TargetNameFields  20 NegotiateFlags (4)  24 ServerChallenge (8)
 *                     32 Reserved (8)  40 TargetInfoFields  48 payload
 *   AUTHENTICATE (3)  12 LmChallengeResponseFields  20 NtChallengeResponseFields
 *                     28 DomainNameFields  36 UserNameFields  44 WorkstationFields
 *                     52 EncryptedRandomSessionKeyFields  60 NegotiateFlags (4)
 *                     64 payload (Version (8) and MIC (16) first when present)
 *
 * Zeek facts reproduced here (each checked against the .pac files):
 * - Only the first 7 bytes "NTLMSSP" are checked, by whoever forwards the blob
 *   (the SMB analyzer or the GSSAPI analyzer); the 8th byte is not.
 * - Every name (domain, user, workstation, target name, AV names) is decoded
 *   with utf16_to_utf8_val, i.e. as UTF-16LE even when NEGOTIATE_UNICODE is
 *   clear (OEM strings come out garbled in Zeek too); see zeek-utf16.ts.
 * - NEGOTIATE: domain_name only if NEGOTIATE_OEM_DOMAIN_SUPPLIED,
 *   workstation only if NEGOTIATE_OEM_WORKSTATION_SUPPLIED (then even when the
 *   length is 0, giving ""). CHALLENGE: target_name only if REQUEST_TARGET,
 *   target_info only if NEGOTIATE_TARGET_INFO. AUTHENTICATE: each of
 *   response (NT response bytes), domain_name, user_name, workstation,
 *   session_key only if its Length is non-zero. The LM response is never read.
 * - version only if NEGOTIATE_VERSION is set and the payload start (32, 48,
 *   64) is below the smallest BufferOffset among the buffers Zeek considers
 *   (negotiate: domain, workstation; challenge: target name, target info;
 *   authenticate: domain, user, workstation, session key; zero-length ones
 *   included); it is read at the payload start.
 * - A buffer Zeek reads must lie in [payload start, end of message]; an offset
 *   below the payload start or past the end throws.
 * - The target info AV pairs are read from TargetInfoOffset (as a uint16
 *   distance from the payload start) to the end of the message, not bounded
 *   by TargetInfoLen, until MsvAvEOL. A pair's value takes the bytes its type
 *   has in Zeek's grammar: MsvAvFlags 4, MsvAvTimestamp 8, MsvAvSingleHost 16
 *   or 20, MsvAvChannelBindings 2, names AvLen, EOL 0, whatever AvLen says.
 *   Ids above 10 throw. Pairs that reach the end of the message without EOL
 *   (or start past it) are not an error: the event is raised, and when
 *   TargetInfoLen is non-zero Zeek also reports the violation "NTLM AV Pair
 *   loop underflow" (`avUnderflow`).
 */

import { u16le, u32le, u64le } from '../bytes/read.js';
import { Malformed, tooShort } from '../bytes/result.js';
import { filetimeToTime } from '../bytes/time.js';
import { zeekUtf16ToUtf8 } from './zeek-utf16.js';

export const NTLMSSP_SIGNATURE = 'NTLMSSP\0';

export const NTLMSSP_NEGOTIATE = 1;
export const NTLMSSP_CHALLENGE = 2;
export const NTLMSSP_AUTH = 3;

/** NegotiateFlags (MS-NLMP 2.2.2.5). */
export const NTLMSSP_NEGOTIATE_UNICODE = 0x00000001;
export const NTLM_NEGOTIATE_OEM = 0x00000002;
export const NTLMSSP_REQUEST_TARGET = 0x00000004;
export const NTLMSSP_NEGOTIATE_SIGN = 0x00000010;
export const NTLMSSP_NEGOTIATE_SEAL = 0x00000020;
export const NTLMSSP_NEGOTIATE_DATAGRAM = 0x00000040;
export const NTLMSSP_NEGOTIATE_LM_KEY = 0x00000080;
export const NTLMSSP_NEGOTIATE_NTLM = 0x00000200;
export const NTLMSSP_NEGOTIATE_ANONYMOUS = 0x00000800;
export const NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED = 0x00001000;
export const NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED = 0x00002000;
export const NTLMSSP_NEGOTIATE_ALWAYS_SIGN = 0x00008000;
export const NTLMSSP_TARGET_TYPE_DOMAIN = 0x00010000;
export const NTLMSSP_TARGET_TYPE_SERVER = 0x00020000;
export const NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY = 0x00080000;
export const NTLMSSP_NEGOTIATE_IDENTIFY = 0x00100000;
export const NTLMSSP_REQUEST_NON_NT_SESSION_KEY = 0x00400000;
export const NTLMSSP_NEGOTIATE_TARGET_INFO = 0x00800000;
export const NTLMSSP_NEGOTIATE_VERSION = 0x02000000;
export const NTLMSSP_NEGOTIATE_128 = 0x20000000;
export const NTLMSSP_NEGOTIATE_KEY_EXCH = 0x40000000;
export const NTLMSSP_NEGOTIATE_56 = 0x80000000;

/** AV_PAIR AvId values (MS-NLMP 2.2.2.1). */
export const MSV_AV_EOL = 0;
export const MSV_AV_NB_COMPUTER_NAME = 1;
export const MSV_AV_NB_DOMAIN_NAME = 2;
export const MSV_AV_DNS_COMPUTER_NAME = 3;
export const MSV_AV_DNS_DOMAIN_NAME = 4;
export const MSV_AV_DNS_TREE_NAME = 5;
export const MSV_AV_FLAGS = 6;
export const MSV_AV_TIMESTAMP = 7;
export const MSV_AV_SINGLE_HOST = 8;
export const MSV_AV_TARGET_NAME = 9;
export const MSV_AV_CHANNEL_BINDINGS = 10;

/** Where each message's payload starts: Zeek's `absolute_offset`. */
export const NTLM_NEGOTIATE_PAYLOAD = 32;
export const NTLM_CHALLENGE_PAYLOAD = 48;
export const NTLM_AUTHENTICATE_PAYLOAD = 64;

/** NTLM::NegotiateFlags (Zeek's field names and meaning). */
export interface NTLMNegotiateFlags {
  negotiate_56: boolean;
  negotiate_key_exch: boolean;
  negotiate_128: boolean;
  negotiate_version: boolean;
  negotiate_target_info: boolean;
  request_non_nt_session_key: boolean;
  negotiate_identify: boolean;
  negotiate_extended_sessionsecurity: boolean;
  target_type_server: boolean;
  target_type_domain: boolean;
  negotiate_always_sign: boolean;
  negotiate_oem_workstation_supplied: boolean;
  negotiate_oem_domain_supplied: boolean;
  negotiate_anonymous_connection: boolean;
  negotiate_ntlm: boolean;
  negotiate_lm_key: boolean;
  negotiate_datagram: boolean;
  negotiate_seal: boolean;
  negotiate_sign: boolean;
  request_target: boolean;
  negotiate_oem: boolean;
  negotiate_unicode: boolean;
}

/** NTLM::Version. */
export interface NTLMVersion {
  major: number;
  minor: number;
  build: number;
  /** NTLMRevisionCurrent (15 = NTLMSSP_REVISION_W2K3) */
  ntlmssp: number;
}

/**
 * NTLM::AVs. Zeek declares nb_computer_name and nb_domain_name without
 * &optional but leaves them unset when the pairs are missing; they are
 * optional here.
 */
export interface NTLMAVs {
  nb_computer_name?: string;
  nb_domain_name?: string;
  dns_computer_name?: string;
  dns_domain_name?: string;
  dns_tree_name?: string;
  /** MsvAvFlags bit 0x1 */
  constrained_auth?: boolean;
  /** MsvAvTimestamp as Zeek time: FILETIME / 10^7 - 11644473600 */
  timestamp?: number;
  /** MsvAvSingleHost MachineID as Zeek reads it (see the module comment) */
  single_host_id?: number;
  target_name?: string;
}

/** NTLM::Negotiate. */
export interface NTLMNegotiate {
  flags: NTLMNegotiateFlags;
  domain_name?: string;
  workstation?: string;
  version?: NTLMVersion;
}

/** NTLM::Challenge. */
export interface NTLMChallenge {
  flags: NTLMNegotiateFlags;
  /** ServerChallenge as a little-endian uint64 (Zeek's count) */
  challenge: bigint;
  target_name?: string;
  version?: NTLMVersion;
  target_info?: NTLMAVs;
}

/** NTLM::Authenticate. */
export interface NTLMAuthenticate {
  flags: NTLMNegotiateFlags;
  domain_name?: string;
  user_name?: string;
  workstation?: string;
  /** EncryptedRandomSessionKey, raw bytes */
  session_key?: Uint8Array;
  version?: NTLMVersion;
  /** NtChallengeResponse, raw bytes (for NTLMv2 its first 16 bytes are the NTProofStr) */
  response?: Uint8Array;
}

/** A security buffer descriptor (Length, MaximumLength, BufferOffset). */
export interface NtlmSecurityBuffer {
  length: number;
  maxLength: number;
  offset: number;
}

/** One AV_PAIR as Zeek's grammar consumed it. */
export interface NtlmAvPair {
  id: number;
  /** AvLen as on the wire */
  length: number;
  /** the value bytes Zeek consumed (see the module comment; a view into the message) */
  value: Uint8Array;
}

export interface NtlmCommon {
  /** MessageType */
  msgType: number;
  /**
   * The NTLM::* record fields whose UTF-16 conversion failed, in the order
   * Zeek converts them; Zeek raises weird utf16_conversion_failed for each.
   */
  utf16Failures: string[];
}

export interface NtlmNegotiateMessage extends NtlmCommon {
  kind: 'negotiate';
  /** raw NegotiateFlags */
  flags: number;
  negotiate: NTLMNegotiate;
  domainNameFields: NtlmSecurityBuffer;
  workstationFields: NtlmSecurityBuffer;
}

export interface NtlmChallengeMessage extends NtlmCommon {
  kind: 'challenge';
  flags: number;
  challenge: NTLMChallenge;
  /** the 8 ServerChallenge bytes in wire order (a view) */
  serverChallenge: Uint8Array;
  targetNameFields: NtlmSecurityBuffer;
  targetInfoFields: NtlmSecurityBuffer;
  /** the pairs Zeek read (EOL included when reached); empty without NEGOTIATE_TARGET_INFO */
  avPairs: NtlmAvPair[];
  /** Zeek reports the violation "NTLM AV Pair loop underflow" (the event is raised anyway) */
  avUnderflow: boolean;
}

export interface NtlmAuthenticateMessage extends NtlmCommon {
  kind: 'authenticate';
  flags: number;
  authenticate: NTLMAuthenticate;
  lmChallengeResponseFields: NtlmSecurityBuffer;
  ntChallengeResponseFields: NtlmSecurityBuffer;
  domainNameFields: NtlmSecurityBuffer;
  userNameFields: NtlmSecurityBuffer;
  workstationFields: NtlmSecurityBuffer;
  encryptedRandomSessionKeyFields: NtlmSecurityBuffer;
}

/** A MessageType other than 1-3: Zeek skips the rest, raises nothing, and confirms. */
export interface NtlmUnknownMessage extends NtlmCommon {
  kind: 'unknown';
}

export type NtlmMessage = NtlmNegotiateMessage | NtlmChallengeMessage | NtlmAuthenticateMessage | NtlmUnknownMessage;

/** True when `b` starts with the 7 bytes "NTLMSSP" (the test Zeek's forwarders apply). */
export function hasNtlmsspPrefix(b: Uint8Array, o = 0): boolean {
  if (b.length - o < 7) return false;
  for (let i = 0; i < 7; i++) if (b[o + i] !== NTLMSSP_SIGNATURE.charCodeAt(i)) return false;
  return true;
}

/** Zeek's NTLM::NegotiateFlags record of raw NegotiateFlags. */
export function ntlmNegotiateFlags(f: number): NTLMNegotiateFlags {
  const on = (bit: number): boolean => (f & bit) !== 0;
  return {
    negotiate_56: on(NTLMSSP_NEGOTIATE_56),
    negotiate_key_exch: on(NTLMSSP_NEGOTIATE_KEY_EXCH),
    negotiate_128: on(NTLMSSP_NEGOTIATE_128),
    negotiate_version: on(NTLMSSP_NEGOTIATE_VERSION),
    negotiate_target_info: on(NTLMSSP_NEGOTIATE_TARGET_INFO),
    request_non_nt_session_key: on(NTLMSSP_REQUEST_NON_NT_SESSION_KEY),
    negotiate_identify: on(NTLMSSP_NEGOTIATE_IDENTIFY),
    negotiate_extended_sessionsecurity: on(NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY),
    target_type_server: on(NTLMSSP_TARGET_TYPE_SERVER),
    target_type_domain: on(NTLMSSP_TARGET_TYPE_DOMAIN),
    negotiate_always_sign: on(NTLMSSP_NEGOTIATE_ALWAYS_SIGN),
    negotiate_oem_workstation_supplied: on(NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED),
    negotiate_oem_domain_supplied: on(NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED),
    negotiate_anonymous_connection: on(NTLMSSP_NEGOTIATE_ANONYMOUS),
    negotiate_ntlm: on(NTLMSSP_NEGOTIATE_NTLM),
    negotiate_lm_key: on(NTLMSSP_NEGOTIATE_LM_KEY),
    negotiate_datagram: on(NTLMSSP_NEGOTIATE_DATAGRAM),
    negotiate_seal: on(NTLMSSP_NEGOTIATE_SEAL),
    negotiate_sign: on(NTLMSSP_NEGOTIATE_SIGN),
    request_target: on(NTLMSSP_REQUEST_TARGET),
    negotiate_oem: on(NTLM_NEGOTIATE_OEM),
    negotiate_unicode: on(NTLMSSP_NEGOTIATE_UNICODE),
  };
}

/**
 * Parses one NTLMSSP message (the whole of `b`, as Zeek receives it: an
 * SMB security blob starting with "NTLMSSP", or a SPNEGO mechToken /
 * responseToken). Never throws.
 */
export function parseNtlmMessage(b: Uint8Array): NtlmMessage | Malformed {
  if (b.length < 12) return tooShort('NTLMSSP message', 0, b.length, 12);
  if (!hasNtlmsspPrefix(b)) return new Malformed('NTLMSSP message: no "NTLMSSP" signature', 0);
  const msgType = u32le(b, 8);
  switch (msgType) {
    case NTLMSSP_NEGOTIATE:
      return parseNegotiate(b);
    case NTLMSSP_CHALLENGE:
      return parseChallenge(b);
    case NTLMSSP_AUTH:
      return parseAuthenticate(b);
    default:
      return { kind: 'unknown', msgType, utf16Failures: [] };
  }
}

function parseNegotiate(b: Uint8Array): NtlmNegotiateMessage | Malformed {
  const P = NTLM_NEGOTIATE_PAYLOAD;
  if (b.length < P) return tooShort('NTLMSSP NEGOTIATE', 0, b.length, P);
  const flags = u32le(b, 12);
  const domainNameFields = secBuf(b, 16);
  const workstationFields = secBuf(b, 24);
  const version = readVersion(b, flags, P, [domainNameFields, workstationFields], 'NTLMSSP NEGOTIATE');
  if (version instanceof Malformed) return version;
  const fails: string[] = [];
  const negotiate: NTLMNegotiate = { flags: ntlmNegotiateFlags(flags) };
  let dom: Uint8Array | undefined;
  let ws: Uint8Array | undefined;
  if (flags & NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED) {
    const r = payloadBytes(b, domainNameFields, P, 'NTLMSSP NEGOTIATE DomainName');
    if (r instanceof Malformed) return r;
    dom = r;
  }
  if (flags & NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED) {
    const r = payloadBytes(b, workstationFields, P, 'NTLMSSP NEGOTIATE Workstation');
    if (r instanceof Malformed) return r;
    ws = r;
  }
  if (dom) negotiate.domain_name = text(dom, 'domain_name', fails);
  if (ws) negotiate.workstation = text(ws, 'workstation', fails);
  if (version) negotiate.version = version;
  return {
    kind: 'negotiate',
    msgType: NTLMSSP_NEGOTIATE,
    flags,
    negotiate,
    domainNameFields,
    workstationFields,
    utf16Failures: fails,
  };
}

function parseChallenge(b: Uint8Array): NtlmChallengeMessage | Malformed {
  const P = NTLM_CHALLENGE_PAYLOAD;
  if (b.length < P) return tooShort('NTLMSSP CHALLENGE', 0, b.length, P);
  const targetNameFields = secBuf(b, 12);
  const flags = u32le(b, 20);
  const targetInfoFields = secBuf(b, 40);
  const version = readVersion(b, flags, P, [targetNameFields, targetInfoFields], 'NTLMSSP CHALLENGE');
  if (version instanceof Malformed) return version;
  let targetName: Uint8Array | undefined;
  if (flags & NTLMSSP_REQUEST_TARGET) {
    const r = payloadBytes(b, targetNameFields, P, 'NTLMSSP CHALLENGE TargetName');
    if (r instanceof Malformed) return r;
    targetName = r;
  }
  let avPairs: NtlmAvPair[] = [];
  let avUnderflow = false;
  const hasTargetInfo = (flags & NTLMSSP_NEGOTIATE_TARGET_INFO) !== 0;
  if (hasTargetInfo) {
    // Zeek passes (TargetInfoOffset - 48) as a uint16 and pads to it from the payload start.
    const start = P + ((targetInfoFields.offset - P) & 0xffff);
    const r = readAvPairs(b, start);
    if (r instanceof Malformed) return r;
    avPairs = r.pairs;
    avUnderflow = !r.eol && targetInfoFields.length !== 0;
  }
  const fails: string[] = [];
  const challenge: NTLMChallenge = { flags: ntlmNegotiateFlags(flags), challenge: u64le(b, 24) };
  if (targetName) challenge.target_name = text(targetName, 'target_name', fails);
  if (version) challenge.version = version;
  if (hasTargetInfo) challenge.target_info = buildAvs(avPairs, fails);
  return {
    kind: 'challenge',
    msgType: NTLMSSP_CHALLENGE,
    flags,
    challenge,
    serverChallenge: b.subarray(24, 32),
    targetNameFields,
    targetInfoFields,
    avPairs,
    avUnderflow,
    utf16Failures: fails,
  };
}

function parseAuthenticate(b: Uint8Array): NtlmAuthenticateMessage | Malformed {
  const P = NTLM_AUTHENTICATE_PAYLOAD;
  if (b.length < P) return tooShort('NTLMSSP AUTHENTICATE', 0, b.length, P);
  const lm = secBuf(b, 12);
  const nt = secBuf(b, 20);
  const dom = secBuf(b, 28);
  const user = secBuf(b, 36);
  const ws = secBuf(b, 44);
  const key = secBuf(b, 52);
  const flags = u32le(b, 60);
  const version = readVersion(b, flags, P, [dom, user, ws, key], 'NTLMSSP AUTHENTICATE');
  if (version instanceof Malformed) return version;
  // Zeek's order of evaluation: response, domain, user, workstation, session key.
  const parts: [NtlmSecurityBuffer, string][] = [
    [nt, 'NtChallengeResponse'],
    [dom, 'DomainName'],
    [user, 'UserName'],
    [ws, 'Workstation'],
    [key, 'EncryptedRandomSessionKey'],
  ];
  const got: (Uint8Array | undefined)[] = [];
  for (const [sb, name] of parts) {
    if (sb.length === 0) {
      got.push(undefined);
      continue;
    }
    const r = payloadBytes(b, sb, P, `NTLMSSP AUTHENTICATE ${name}`);
    if (r instanceof Malformed) return r;
    got.push(r);
  }
  const [response, domain, userName, workstation, sessionKey] = got;
  const fails: string[] = [];
  const authenticate: NTLMAuthenticate = { flags: ntlmNegotiateFlags(flags) };
  if (domain) authenticate.domain_name = text(domain, 'domain_name', fails);
  if (userName) authenticate.user_name = text(userName, 'user_name', fails);
  if (workstation) authenticate.workstation = text(workstation, 'workstation', fails);
  if (sessionKey) authenticate.session_key = sessionKey;
  if (version) authenticate.version = version;
  if (response) authenticate.response = response;
  return {
    kind: 'authenticate',
    msgType: NTLMSSP_AUTH,
    flags,
    authenticate,
    lmChallengeResponseFields: lm,
    ntChallengeResponseFields: nt,
    domainNameFields: dom,
    userNameFields: user,
    workstationFields: ws,
    encryptedRandomSessionKeyFields: key,
    utf16Failures: fails,
  };
}

function secBuf(b: Uint8Array, o: number): NtlmSecurityBuffer {
  return { length: u16le(b, o), maxLength: u16le(b, o + 2), offset: u32le(b, o + 4) };
}

/**
 * The bytes of a buffer Zeek reads (NTLM_String): Zeek pads from the payload
 * start by (BufferOffset - payload start) as a uint32, so an offset below the
 * payload start lands gigabytes past the end; then Length bytes must fit.
 */
function payloadBytes(b: Uint8Array, sb: NtlmSecurityBuffer, payload: number, what: string): Uint8Array | Malformed {
  if (sb.offset < payload) {
    return new Malformed(`${what}: offset ${sb.offset} is inside the ${payload}-byte header`, payload);
  }
  if (sb.offset > b.length || sb.length > b.length - sb.offset) {
    return new Malformed(
      `${what}: ${sb.length} bytes at offset ${sb.offset} exceed the ${b.length}-byte message`,
      Math.min(sb.offset, b.length),
    );
  }
  return b.subarray(sb.offset, sb.offset + sb.length);
}

function readVersion(
  b: Uint8Array,
  flags: number,
  payload: number,
  bufs: NtlmSecurityBuffer[],
  what: string,
): NTLMVersion | undefined | Malformed {
  if (!(flags & NTLMSSP_NEGOTIATE_VERSION)) return undefined;
  if (!(payload < Math.min(...bufs.map((x) => x.offset)))) return undefined;
  if (b.length < payload + 8) return tooShort(`${what} Version`, payload, b.length, 8);
  return { major: b[payload]!, minor: b[payload + 1]!, build: u16le(b, payload + 2), ntlmssp: b[payload + 7]! };
}

function text(bytes: Uint8Array, field: string, fails: string[]): string {
  const r = zeekUtf16ToUtf8(bytes, 0, bytes.length);
  if (r.failed) fails.push(field);
  return r.value;
}

/** Bytes a pair's value takes in Zeek's grammar, or Malformed. */
function avValueSize(b: Uint8Array, id: number, len: number, v: number, end: number): number | Malformed {
  const need = (n: number): number | Malformed =>
    end - v < n ? tooShort(`NTLMSSP AV_PAIR ${id} value`, v, end, n) : n;
  switch (id) {
    case MSV_AV_EOL:
      return 0;
    case MSV_AV_NB_COMPUTER_NAME:
    case MSV_AV_NB_DOMAIN_NAME:
    case MSV_AV_DNS_COMPUTER_NAME:
    case MSV_AV_DNS_DOMAIN_NAME:
    case MSV_AV_DNS_TREE_NAME:
    case MSV_AV_TARGET_NAME:
      return need(len);
    case MSV_AV_FLAGS:
      return need(4);
    case MSV_AV_TIMESTAMP:
      return need(8);
    case MSV_AV_SINGLE_HOST: {
      // Zeek's NTLM_Single_Host: size (4), pad (4), data_present (4),
      // custom data (4) if data_present & 1, machine_id (4).
      const head = need(12);
      if (head instanceof Malformed) return head;
      return need(u32le(b, v + 8) & 1 ? 20 : 16);
    }
    case MSV_AV_CHANNEL_BINDINGS:
      return need(2);
    default:
      return new Malformed(`NTLMSSP AV_PAIR: id ${id} is not in Zeek's grammar`, v - 4);
  }
}

function readAvPairs(b: Uint8Array, start: number): { pairs: NtlmAvPair[]; eol: boolean } | Malformed {
  const end = b.length;
  const pairs: NtlmAvPair[] = [];
  let p = start;
  while (p < end) {
    if (end - p < 4) return tooShort('NTLMSSP AV_PAIR', p, end, 4);
    const id = u16le(b, p);
    const length = u16le(b, p + 2);
    const size = avValueSize(b, id, length, p + 4, end);
    if (size instanceof Malformed) return size;
    pairs.push({ id, length, value: b.subarray(p + 4, p + 4 + size) });
    p += 4 + size;
    if (id === MSV_AV_EOL) return { pairs, eol: true };
  }
  return { pairs, eol: false };
}

/** Zeek's build_av_record: pairs up to EOL, later duplicates win. */
function buildAvs(pairs: NtlmAvPair[], fails: string[]): NTLMAVs {
  const avs: NTLMAVs = {};
  for (const { id, value: v } of pairs) {
    switch (id) {
      case MSV_AV_EOL:
        return avs;
      case MSV_AV_NB_COMPUTER_NAME:
        avs.nb_computer_name = text(v, 'target_info.nb_computer_name', fails);
        break;
      case MSV_AV_NB_DOMAIN_NAME:
        avs.nb_domain_name = text(v, 'target_info.nb_domain_name', fails);
        break;
      case MSV_AV_DNS_COMPUTER_NAME:
        avs.dns_computer_name = text(v, 'target_info.dns_computer_name', fails);
        break;
      case MSV_AV_DNS_DOMAIN_NAME:
        avs.dns_domain_name = text(v, 'target_info.dns_domain_name', fails);
        break;
      case MSV_AV_DNS_TREE_NAME:
        avs.dns_tree_name = text(v, 'target_info.dns_tree_name', fails);
        break;
      case MSV_AV_FLAGS:
        avs.constrained_auth = (u32le(v, 0) & 1) !== 0;
        break;
      case MSV_AV_TIMESTAMP:
        avs.timestamp = filetimeToTime(u64le(v, 0));
        break;
      case MSV_AV_SINGLE_HOST:
        avs.single_host_id = u32le(v, v.length - 4);
        break;
      case MSV_AV_TARGET_NAME:
        avs.target_name = text(v, 'target_info.target_name', fails);
        break;
    }
  }
  return avs;
}
