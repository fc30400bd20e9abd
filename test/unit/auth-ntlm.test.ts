/**
 * src/core/auth/ntlm.ts on crafted NTLMSSP messages, built field by field
 * (each part carries its MS-NLMP field name), including the Zeek quirks the
 * parser reproduces and malformed messages that must come back as Malformed
 * without throwing.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  MSV_AV_CHANNEL_BINDINGS,
  MSV_AV_EOL,
  NTLMSSP_NEGOTIATE_VERSION,
  type NtlmAuthenticateMessage,
  type NtlmChallengeMessage,
  type NtlmMessage,
  type NtlmNegotiateMessage,
  ntlmNegotiateFlags,
  parseNtlmMessage,
} from '../../src/core/auth/ntlm.js';
import { zeekUtf16ToUtf8 } from '../../src/core/auth/zeek-utf16.js';
import { isMalformed, type Malformed } from '../../src/core/bytes/result.js';

// ---- byte builders --------------------------------------------------------

const le16 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff];
const le32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const le64 = (n: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const utf16 = (s: string): number[] => [...s].flatMap((c) => le16(c.charCodeAt(0)));
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
/** A security buffer: Length, MaximumLength (= Length), BufferOffset. */
const sb = (len: number, off: number): number[] => [...le16(len), ...le16(len), ...le32(off)];
const SIG = ascii('NTLMSSP\0');
/** Concatenates [comment, bytes] parts (the comments document the layout). */
const msg = (...parts: [string, number[]][]): Uint8Array => Uint8Array.from(parts.flatMap(([, b]) => b));
const hex = (b: Uint8Array | undefined): string | undefined => (b ? Buffer.from(b).toString('hex') : undefined);

function ok<T extends NtlmMessage['kind']>(r: NtlmMessage | Malformed, kind: T): Extract<NtlmMessage, { kind: T }> {
  assert.ok(!isMalformed(r), `unexpected Malformed: ${isMalformed(r) ? r.what : ''}`);
  assert.equal(r.kind, kind);
  return r as Extract<NtlmMessage, { kind: T }>;
}

function bad(r: NtlmMessage | Malformed, re?: RegExp, label = ''): Malformed {
  assert.ok(isMalformed(r), `${label} expected Malformed, got kind ${isMalformed(r) ? '' : r.kind}`);
  if (re) assert.match(r.what, re);
  return r;
}

// ---- NEGOTIATE ------------------------------------------------------------

// Flags: UNICODE 0x1 | OEM 0x2 | REQUEST_TARGET 0x4 | NTLM 0x200 | OEM_DOMAIN_SUPPLIED 0x1000
//        | OEM_WORKSTATION_SUPPLIED 0x2000 | VERSION 0x02000000
const NEG_FLAGS = 0x02003207;
const NEGOTIATE = msg(
  ['Signature', SIG],
  ['MessageType', le32(1)],
  ['NegotiateFlags', le32(NEG_FLAGS)],
  ['DomainNameFields: 6 bytes at 40', sb(6, 40)],
  ['WorkstationFields: 8 bytes at 46', sb(8, 46)],
  ['Version: 10.0 build 17763, reserved, NTLMRevisionCurrent 15', [10, 0, ...le16(17763), 0, 0, 0, 15]],
  ['DomainName "DOM"', utf16('DOM')],
  ['Workstation "WS01"', utf16('WS01')],
);

describe('NEGOTIATE', () => {
  test('all fields', () => {
    const m = ok(parseNtlmMessage(NEGOTIATE), 'negotiate');
    assert.equal(m.msgType, 1);
    assert.equal(m.flags, NEG_FLAGS);
    assert.deepEqual(m.negotiate, {
      flags: ntlmNegotiateFlags(NEG_FLAGS),
      domain_name: 'DOM',
      workstation: 'WS01',
      version: { major: 10, minor: 0, build: 17763, ntlmssp: 15 },
    });
    assert.deepEqual(m.domainNameFields, { length: 6, maxLength: 6, offset: 40 });
    assert.deepEqual(m.workstationFields, { length: 8, maxLength: 8, offset: 46 });
    assert.deepEqual(m.utf16Failures, []);
  });

  test('the flags record has Zeek’s 22 names and values', () => {
    const f = ntlmNegotiateFlags(NEG_FLAGS);
    assert.equal(Object.keys(f).length, 22);
    assert.deepEqual(
      Object.entries(f)
        .filter(([, v]) => v)
        .map(([k]) => k)
        .sort(),
      [
        'negotiate_ntlm',
        'negotiate_oem',
        'negotiate_oem_domain_supplied',
        'negotiate_oem_workstation_supplied',
        'negotiate_unicode',
        'negotiate_version',
        'request_target',
      ],
    );
    assert.equal(ntlmNegotiateFlags(0x80000000).negotiate_56, true);
  });

  test('names only with OEM_*_SUPPLIED; the buffers are then not even checked', () => {
    const b = NEGOTIATE.slice();
    b.set(le32(NEG_FLAGS & ~0x3000), 12);
    b.set(sb(6, 9999), 16); // would be outside, but is not read
    const m = ok(parseNtlmMessage(b), 'negotiate');
    assert.equal(m.negotiate.domain_name, undefined);
    assert.equal(m.negotiate.workstation, undefined);
  });

  test('version only when the payload start (32) is below both buffer offsets', () => {
    // Same message, but DomainNameFields point at 32: Zeek then skips the
    // version although NEGOTIATE_VERSION is set (and reads the domain there).
    const b = NEGOTIATE.slice();
    b.set(sb(6, 32), 16);
    const m = ok(parseNtlmMessage(b), 'negotiate');
    assert.equal(m.negotiate.version, undefined);
    // the 6 bytes at 32 are the version bytes 0a 00 63 45 00 00
    assert.equal(m.negotiate.domain_name, '\u000a\u4563');
  });

  test('OEM strings are still decoded as UTF-16LE (Zeek)', () => {
    // UNICODE clear, OEM set: "DOMAIN" as 6 OEM bytes reads as 3 UTF-16 units.
    const b = msg(
      ['Signature', SIG],
      ['MessageType', le32(1)],
      ['NegotiateFlags: OEM | OEM_DOMAIN_SUPPLIED', le32(0x1002)],
      ['DomainNameFields: 6 at 32', sb(6, 32)],
      ['WorkstationFields: empty at 38', sb(0, 38)],
      ['DomainName "DOMAIN" (OEM)', ascii('DOMAIN')],
    );
    const m = ok(parseNtlmMessage(b), 'negotiate');
    assert.equal(m.negotiate.domain_name, '\u4f44\u414d\u4e49');
    assert.equal(m.negotiate.flags.negotiate_unicode, false);
  });

  test('OEM_DOMAIN_SUPPLIED with an empty buffer at the end of the message gives ""', () => {
    const b = msg(
      ['Signature', SIG],
      ['MessageType', le32(1)],
      ['NegotiateFlags: UNICODE | OEM_DOMAIN_SUPPLIED', le32(0x1001)],
      ['DomainNameFields: 0 bytes at 32 (the end)', sb(0, 32)],
      ['WorkstationFields', sb(0, 0)],
    );
    assert.equal(ok(parseNtlmMessage(b), 'negotiate').negotiate.domain_name, '');
  });

  test('OEM_DOMAIN_SUPPLIED with an all-zero buffer (offset 0) throws in Zeek', () => {
    const b = msg(
      ['Signature', SIG],
      ['MessageType', le32(1)],
      ['NegotiateFlags: UNICODE | OEM_DOMAIN_SUPPLIED', le32(0x1001)],
      ['DomainNameFields: all zero', sb(0, 0)],
      ['WorkstationFields', sb(0, 0)],
    );
    bad(parseNtlmMessage(b), /inside the 32-byte header/);
  });

  test('minimal 32-byte NEGOTIATE without flags', () => {
    const b = msg(
      ['Signature', SIG],
      ['MessageType', le32(1)],
      ['flags', le32(0)],
      ['dom', sb(0, 0)],
      ['ws', sb(0, 0)],
    );
    const m = ok(parseNtlmMessage(b), 'negotiate');
    assert.deepEqual(m.negotiate, { flags: ntlmNegotiateFlags(0) });
  });

  test('VERSION flag, version due, but the payload is shorter than 8 bytes', () => {
    const b = msg(
      ['Signature', SIG],
      ['MessageType', le32(1)],
      ['NegotiateFlags: VERSION', le32(NTLMSSP_NEGOTIATE_VERSION)],
      ['DomainNameFields: 0 at 40', sb(0, 40)],
      ['WorkstationFields: 0 at 40', sb(0, 40)],
      ['4 of the 8 Version bytes', [6, 1, 0, 0]],
    );
    bad(parseNtlmMessage(b), /Version/);
  });
});

// ---- CHALLENGE ------------------------------------------------------------

// Flags: UNICODE | REQUEST_TARGET | NTLM 0x200 | TARGET_TYPE_DOMAIN 0x10000 | TARGET_INFO 0x800000 | VERSION
const CHAL_FLAGS = 0x02810205;
const FILETIME = 133000000000000000n; // 2022-06-18T04:26:40Z → Zeek time 1655526400
const AV = [
  ['MsvAvNbDomainName "DOM"', [...le16(2), ...le16(6), ...utf16('DOM')]],
  ['MsvAvNbComputerName "SRV"', [...le16(1), ...le16(6), ...utf16('SRV')]],
  ['MsvAvDnsDomainName "dom.lan"', [...le16(4), ...le16(14), ...utf16('dom.lan')]],
  ['MsvAvDnsComputerName "srv.dom.lan"', [...le16(3), ...le16(22), ...utf16('srv.dom.lan')]],
  ['MsvAvDnsTreeName "dom.lan"', [...le16(5), ...le16(14), ...utf16('dom.lan')]],
  ['MsvAvFlags: 0x1 constrained', [...le16(6), ...le16(4), ...le32(1)]],
  ['MsvAvTimestamp', [...le16(7), ...le16(8), ...le64(FILETIME)]],
  ['MsvAvEOL', [...le16(0), ...le16(0)]],
] as [string, number[]][];
const AV_LEN = AV.reduce((n, [, b]) => n + b.length, 0); // 106

function challenge(av: [string, number[]][] = AV, tiLen = AV_LEN, tiOffset = 62, flags = CHAL_FLAGS): Uint8Array {
  return msg(
    ['Signature', SIG],
    ['MessageType', le32(2)],
    ['TargetNameFields: 6 at 56', sb(6, 56)],
    ['NegotiateFlags', le32(flags)],
    ['ServerChallenge', [1, 2, 3, 4, 5, 6, 7, 8]],
    ['Reserved', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['TargetInfoFields', sb(tiLen, tiOffset)],
    ['Version: 6.1 build 7601 rev 15', [6, 1, ...le16(7601), 0, 0, 0, 15]],
    ['TargetName "DOM"', utf16('DOM')],
    ...av,
  );
}

describe('CHALLENGE', () => {
  test('all fields, NTLM::Challenge as Zeek builds it', () => {
    const m = ok(parseNtlmMessage(challenge()), 'challenge');
    assert.equal(m.flags, CHAL_FLAGS);
    assert.equal(hex(m.serverChallenge), '0102030405060708');
    assert.deepEqual(m.challenge, {
      flags: ntlmNegotiateFlags(CHAL_FLAGS),
      challenge: 0x0807060504030201n,
      target_name: 'DOM',
      version: { major: 6, minor: 1, build: 7601, ntlmssp: 15 },
      target_info: {
        nb_domain_name: 'DOM',
        nb_computer_name: 'SRV',
        dns_domain_name: 'dom.lan',
        dns_computer_name: 'srv.dom.lan',
        dns_tree_name: 'dom.lan',
        constrained_auth: true,
        timestamp: 1655526400,
      },
    });
    assert.deepEqual(
      m.avPairs.map((p) => [p.id, p.length, p.value.length]),
      [
        [2, 6, 6],
        [1, 6, 6],
        [4, 14, 14],
        [3, 22, 22],
        [5, 14, 14],
        [6, 4, 4],
        [7, 8, 8],
        [0, 0, 0],
      ],
    );
    assert.equal(m.avUnderflow, false);
    assert.deepEqual(m.targetInfoFields, { length: 106, maxLength: 106, offset: 62 });
  });

  test('no target_name without REQUEST_TARGET, no target_info without NEGOTIATE_TARGET_INFO', () => {
    const m = ok(parseNtlmMessage(challenge(AV, AV_LEN, 62, CHAL_FLAGS & ~0x800004)), 'challenge');
    assert.equal(m.challenge.target_name, undefined);
    assert.equal(m.challenge.target_info, undefined);
    assert.deepEqual(m.avPairs, []);
  });

  test('AV pairs run to EOL, not to TargetInfoLen: a too-small length changes nothing', () => {
    const m = ok(parseNtlmMessage(challenge(AV, 4)), 'challenge');
    assert.equal(m.challenge.target_info?.dns_tree_name, 'dom.lan');
    assert.equal(m.avPairs.length, 8);
  });

  test('pairs after EOL are not read', () => {
    const extra: [string, number[]] = ['MsvAvNbComputerName after EOL', [...le16(1), ...le16(4), ...utf16('XX')]];
    const m = ok(parseNtlmMessage(challenge([...AV, extra])), 'challenge');
    assert.equal(m.challenge.target_info?.nb_computer_name, 'SRV');
  });

  test('a later duplicate wins', () => {
    const dup: [string, number[]] = ['MsvAvNbComputerName again', [...le16(1), ...le16(4), ...utf16('S2')]];
    // dup first, the original "SRV" later: "SRV" wins
    const m = ok(parseNtlmMessage(challenge([dup, ...AV])), 'challenge');
    assert.equal(m.challenge.target_info?.nb_computer_name, 'SRV');
    // dup last before EOL: "S2" wins
    const m2 = ok(parseNtlmMessage(challenge([...AV.slice(0, -1), dup, AV.at(-1)!])), 'challenge');
    assert.equal(m2.challenge.target_info?.nb_computer_name, 'S2');
  });

  test('no EOL before the end of the message: event anyway, "loop underflow" violation', () => {
    const m = ok(parseNtlmMessage(challenge(AV.slice(0, -1))), 'challenge');
    assert.equal(m.avUnderflow, true);
    assert.equal(m.challenge.target_info?.dns_computer_name, 'srv.dom.lan');
  });

  test('target info offset below the payload start wraps (uint16) past the end: empty AVs', () => {
    // offset 40 → (40 - 48) & 0xffff = 65528 bytes after the payload start
    const m = ok(parseNtlmMessage(challenge(AV, AV_LEN, 40)), 'challenge');
    assert.deepEqual(m.challenge.target_info, {});
    assert.deepEqual(m.avPairs, []);
    assert.equal(m.avUnderflow, true);
  });

  test('target info offset past the end: empty AVs; with TargetInfoLen 0 no underflow', () => {
    const m = ok(parseNtlmMessage(challenge(AV, AV_LEN, 5000)), 'challenge');
    assert.deepEqual(m.challenge.target_info, {});
    assert.equal(m.avUnderflow, true);
    const m0 = ok(parseNtlmMessage(challenge([], 0, 62)), 'challenge');
    assert.deepEqual(m0.challenge.target_info, {});
    assert.equal(m0.avUnderflow, false);
  });

  test('an AvId outside Zeek’s grammar (11) throws', () => {
    const b = challenge([['AvId 11', [...le16(11), ...le16(0)]], ...AV]);
    bad(parseNtlmMessage(b), /id 11/);
  });

  test('MsvAvChannelBindings takes 2 bytes in Zeek: the rest of the hash is read as pairs', () => {
    // 16 zero bytes of hash: after 2 of them Zeek reads 00 00 00 00 as EOL.
    const b = challenge([
      ['MsvAvChannelBindings, 16 zero bytes', [...le16(10), ...le16(16), ...new Array(16).fill(0)]],
      ...AV,
    ]);
    const m = ok(parseNtlmMessage(b), 'challenge');
    assert.deepEqual(
      m.avPairs.map((p) => [p.id, p.value.length]),
      [
        [MSV_AV_CHANNEL_BINDINGS, 2],
        [MSV_AV_EOL, 0],
      ],
    );
    assert.deepEqual(m.challenge.target_info, {});
  });

  test('MsvAvSingleHost as Zeek reads it: machine_id after 12 (or 16) bytes', () => {
    // MS-NLMP: Size 48, Z4, CustomData (8), MachineID (32). Zeek: size, pad,
    // data_present (= CustomData[0..4] = 1), custom_data (4), machine_id.
    const single = [...le32(48), ...le32(0), ...le32(1), ...le32(0), 0xaa, 0xbb, 0xcc, 0xdd, ...new Array(28).fill(0)];
    const b = challenge([['MsvAvSingleHost', [...le16(8), ...le16(48), ...single]]]);
    const m = ok(parseNtlmMessage(b), 'challenge');
    assert.equal(m.challenge.target_info?.single_host_id, 0xddccbbaa);
    // the next "pair" starts 20 bytes in, on zero bytes: EOL
    assert.deepEqual(
      m.avPairs.map((p) => [p.id, p.value.length]),
      [
        [8, 20],
        [0, 0],
      ],
    );
  });

  test('MsvAvFlags and MsvAvTimestamp ignore AvLen', () => {
    const b = challenge([
      ['MsvAvFlags with AvLen 0, value 0', [...le16(6), ...le16(0), ...le32(0)]],
      ['EOL', [0, 0, 0, 0]],
    ]);
    const m = ok(parseNtlmMessage(b), 'challenge');
    assert.equal(m.challenge.target_info?.constrained_auth, false);
  });

  test('a truncated pair is Malformed', () => {
    bad(parseNtlmMessage(challenge([['MsvAvNbDomainName, 3 of 6 bytes', [...le16(2), ...le16(6), 0x44, 0, 0x4f]]])));
    bad(parseNtlmMessage(challenge([['half a pair header', [2, 0]]])), /AV_PAIR/);
    bad(parseNtlmMessage(challenge([['MsvAvTimestamp, 4 of 8 bytes', [...le16(7), ...le16(8), 1, 2, 3, 4]]])));
  });

  test('target name outside the message is Malformed', () => {
    const b = challenge();
    b.set(sb(6, 300), 12);
    bad(parseNtlmMessage(b), /TargetName/);
    b.set(sb(6, 20), 12);
    bad(parseNtlmMessage(b), /header/);
  });
});

// ---- AUTHENTICATE ---------------------------------------------------------

// Flags: UNICODE | REQUEST_TARGET | NTLM | ALWAYS_SIGN | EXTENDED_SESSIONSECURITY | VERSION | 128 | KEY_EXCH | 56
const AUTH_FLAGS = 0xe2088205;
const NT_PROOF = Array.from({ length: 16 }, (_, i) => 0xa0 + i);
function authenticate(flags = AUTH_FLAGS, user = utf16('alice')): Uint8Array {
  const nt = [...NT_PROOF, 1, 1, 0, 0, 0, 0, 0, 0, ...le64(FILETIME), ...new Array(16).fill(0x11)]; // 48
  const userOff = 166;
  const wsOff = userOff + user.length;
  const keyOff = wsOff + 8;
  return msg(
    ['Signature', SIG],
    ['MessageType', le32(3)],
    ['LmChallengeResponseFields: 24 at 88', sb(24, 88)],
    ['NtChallengeResponseFields: 48 at 112', sb(48, 112)],
    ['DomainNameFields: 6 at 160', sb(6, 160)],
    ['UserNameFields', sb(user.length, userOff)],
    ['WorkstationFields: 8', sb(8, wsOff)],
    ['EncryptedRandomSessionKeyFields: 16', sb(16, keyOff)],
    ['NegotiateFlags', le32(flags)],
    ['Version: 10.0 build 19041 rev 15', [10, 0, ...le16(19041), 0, 0, 0, 15]],
    ['MIC', new Array(16).fill(0xcc)],
    ['LmChallengeResponse (24 zero bytes, as with NTLMv2 + MsvAvTimestamp)', new Array(24).fill(0)],
    ['NtChallengeResponse: NTProofStr, NTLMv2_CLIENT_CHALLENGE head', nt],
    ['DomainName "DOM"', utf16('DOM')],
    ['UserName', user],
    ['Workstation "WS01"', utf16('WS01')],
    ['EncryptedRandomSessionKey', new Array(16).fill(0x5e)],
  );
}
const AUTH = authenticate();
/** Offsets of the six security buffers in an AUTHENTICATE message. */
const BUFS = { lm: 12, nt: 20, domain: 28, user: 36, workstation: 44, key: 52 } as const;

describe('AUTHENTICATE', () => {
  test('all fields', () => {
    const m = ok(parseNtlmMessage(AUTH), 'authenticate');
    assert.equal(AUTH.length, 200);
    assert.equal(m.flags, AUTH_FLAGS);
    const a = m.authenticate;
    assert.deepEqual(a.flags, ntlmNegotiateFlags(AUTH_FLAGS));
    assert.equal(a.domain_name, 'DOM');
    assert.equal(a.user_name, 'alice');
    assert.equal(a.workstation, 'WS01');
    assert.equal(hex(a.session_key), '5e'.repeat(16));
    assert.deepEqual(a.version, { major: 10, minor: 0, build: 19041, ntlmssp: 15 });
    assert.equal(a.response?.length, 48);
    assert.equal(hex(a.response?.subarray(0, 16)), hex(Uint8Array.from(NT_PROOF)));
    assert.deepEqual(m.lmChallengeResponseFields, { length: 24, maxLength: 24, offset: 88 });
    assert.deepEqual(m.ntChallengeResponseFields, { length: 48, maxLength: 48, offset: 112 });
    assert.deepEqual(m.encryptedRandomSessionKeyFields, { length: 16, maxLength: 16, offset: 184 });
    assert.deepEqual(Object.keys(a).sort(), [
      'domain_name',
      'flags',
      'response',
      'session_key',
      'user_name',
      'version',
      'workstation',
    ]);
  });

  test('every length field zero: nothing but flags (and no version: the key offset 0 is below 64)', () => {
    const b = AUTH.slice();
    for (const o of Object.values(BUFS)) b.set(sb(0, 0), o);
    const m = ok(parseNtlmMessage(b), 'authenticate');
    assert.deepEqual(m.authenticate, { flags: ntlmNegotiateFlags(AUTH_FLAGS) });
  });

  test('each buffer with length 0 leaves its field unset (offsets untouched)', () => {
    const field = {
      nt: 'response',
      domain: 'domain_name',
      user: 'user_name',
      workstation: 'workstation',
      key: 'session_key',
    };
    for (const [name, key] of Object.entries(field)) {
      const b = AUTH.slice();
      const o = BUFS[name as keyof typeof BUFS];
      b.set(le16(0), o); // Length 0, MaximumLength and offset kept
      const m = ok(parseNtlmMessage(b), 'authenticate');
      assert.equal(m.authenticate[key as keyof typeof m.authenticate], undefined, name);
      assert.ok(m.authenticate.version, name);
    }
  });

  test('a buffer Zeek reads, outside the message or too long, is Malformed', () => {
    for (const name of ['nt', 'domain', 'user', 'workstation', 'key'] as const) {
      const o = BUFS[name];
      const len = AUTH[o]!;
      const cases: [string, number[]][] = [
        ['offset past the end', sb(len, 201)],
        ['offset at the end, length > 0', sb(len, 200)],
        ['offset inside the 64-byte header', sb(len, 40)],
        ['offset 0', sb(len, 0)],
        ['length one past the end', sb(200 - 184 + 1, 184)],
        ['length 0xffff', sb(0xffff, 88)],
        ['offset 0xffffffff', sb(len, 0xffffffff)],
      ];
      for (const [what, bytes] of cases) {
        const b = AUTH.slice();
        b.set(bytes, o);
        bad(parseNtlmMessage(b), undefined, `${name}: ${what}:`);
      }
    }
  });

  test('the LM response buffer is never read, so it may point anywhere', () => {
    const b = AUTH.slice();
    b.set(sb(0xffff, 0xfffffff0), BUFS.lm);
    const m = ok(parseNtlmMessage(b), 'authenticate');
    assert.deepEqual(m.lmChallengeResponseFields, { length: 0xffff, maxLength: 0xffff, offset: 0xfffffff0 });
  });

  test('version needs every considered offset above 64 (a zero-length key at 0 disables it)', () => {
    const b = AUTH.slice();
    b.set(sb(0, 0), BUFS.key);
    assert.equal(ok(parseNtlmMessage(b), 'authenticate').authenticate.version, undefined);
    const c = AUTH.slice();
    c.set(sb(0, 0), BUFS.lm); // the LM offset does not count
    assert.ok(ok(parseNtlmMessage(c), 'authenticate').authenticate.version);
  });

  test('without NEGOTIATE_VERSION no version', () => {
    const b = authenticate(AUTH_FLAGS & ~NTLMSSP_NEGOTIATE_VERSION);
    assert.equal(ok(parseNtlmMessage(b), 'authenticate').authenticate.version, undefined);
  });

  test('UNICODE clear: the OEM user name is still decoded as UTF-16LE (Zeek)', () => {
    const b = authenticate(AUTH_FLAGS & ~1, ascii('alice'));
    const m = ok(parseNtlmMessage(b), 'authenticate');
    // "al" "ic" "e" → U+6C61 U+6369 U+0065
    assert.equal(m.authenticate.user_name, '\u6c61\u6369e');
  });

  test('UTF-16 quirks: NUL cut, odd byte, lone surrogate, trailing high surrogate', () => {
    const cases: [number[], string, boolean][] = [
      [[...utf16('a'), 0, 0, ...utf16('b')], 'a', false],
      [[...utf16('abc'), 0x64], 'abcd', false],
      [[0x00, 0xd8, ...utf16('A')], '\ud800A', false],
      [[0x00, 0xdc], '\udc00', false],
      [[0x3d, 0xd8, 0x00, 0xde], '\u{1f600}', false],
      [[...utf16('A'), 0x00, 0xd8], 'A\u0000\u0000\u00d8', true],
    ];
    for (const [user, want, failed] of cases) {
      const m = ok(parseNtlmMessage(authenticate(AUTH_FLAGS, user)), 'authenticate');
      assert.equal(m.authenticate.user_name, want);
      assert.deepEqual(m.utf16Failures, failed ? ['user_name'] : []);
    }
  });

  test('every prefix of the message: never throws, Malformed (the session key ends the message)', () => {
    for (let n = 0; n < AUTH.length; n++) bad(parseNtlmMessage(AUTH.subarray(0, n)));
  });
});

describe('any message', () => {
  test('too short for Signature + MessageType', () => {
    for (let n = 0; n < 12; n++) bad(parseNtlmMessage(Uint8Array.from([...SIG, 1, 0, 0, 0]).subarray(0, n)), /needs/);
  });

  test('wrong signature', () => {
    bad(parseNtlmMessage(Uint8Array.from([...ascii('NTLMSSQ\0'), ...le32(1), ...new Array(20).fill(0)])), /signature/);
  });

  test('the 8th signature byte is not checked (Zeek)', () => {
    const b = NEGOTIATE.slice();
    b[7] = 0x21;
    ok(parseNtlmMessage(b), 'negotiate');
  });

  test('MessageType 4 and 0: no event, not an error', () => {
    for (const t of [0, 4, 0xffffffff]) {
      const m = ok(parseNtlmMessage(Uint8Array.from([...SIG, ...le32(t)])), 'unknown');
      assert.equal(m.msgType, t);
    }
  });

  test('fixed parts shorter than the message type needs', () => {
    bad(parseNtlmMessage(NEGOTIATE.subarray(0, 31)), /NEGOTIATE: 31 bytes, needs 32/);
    bad(parseNtlmMessage(challenge().subarray(0, 47)), /CHALLENGE: 47 bytes, needs 48/);
    bad(parseNtlmMessage(AUTH.subarray(0, 63)), /AUTHENTICATE: 63 bytes, needs 64/);
  });

  test('CHALLENGE prefixes: Malformed, except those ending on a pair boundary (underflow)', () => {
    const full = challenge();
    const boundaries = new Set<number>();
    let p = 62;
    for (const [, b] of AV.slice(0, -1)) {
      p += b.length;
      boundaries.add(p);
    }
    for (let n = 0; n < full.length; n++) {
      const r = parseNtlmMessage(full.subarray(0, n));
      if (boundaries.has(n) || n === 62) {
        const m = ok(r, 'challenge');
        assert.equal(m.avUnderflow, true);
      } else {
        bad(r);
      }
    }
  });

  test('property: random bytes after the signature never throw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.uint8Array({ maxLength: 300 }), (t, rest) => {
        const b = Uint8Array.from([...SIG, ...le32(t), ...rest]);
        const r = parseNtlmMessage(b);
        if (!isMalformed(r)) assert.equal(r.msgType, t);
      }),
      { numRuns: 3000 },
    );
  });

  test('property: random corruption of valid messages never throws', () => {
    const bases = [NEGOTIATE, challenge(), AUTH];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        (i, edits) => {
          const b = bases[i]!.slice();
          for (const [pos, v] of edits) b[pos % b.length] = v;
          parseNtlmMessage(b);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

test('zeekUtf16ToUtf8 on its own', () => {
  const u = (a: number[]): [string, boolean] => {
    const r = zeekUtf16ToUtf8(Uint8Array.from(a), 0, a.length);
    return [r.value, r.failed];
  };
  assert.deepEqual(u([]), ['', false]);
  assert.deepEqual(u([0x41]), ['A', false]);
  assert.deepEqual(u([0x00, 0xd8, 0x00, 0xd8, 0x00, 0xdc]), ['\ud800\ud800\udc00', false]);
  assert.deepEqual(u([0x00, 0x00, 0x41, 0x00]), ['', false]);
  assert.deepEqual(u([0x00, 0xd8]), ['\u0000\u00d8', true]);
  // offset/length within a larger buffer
  const r = zeekUtf16ToUtf8(Uint8Array.from([0xff, 0x41, 0x00, 0x42, 0x00, 0xff]), 1, 4);
  assert.deepEqual(r, { value: 'AB', failed: false });
});

// Type-level check that the exported message types are usable as documented.
const _types: [NtlmNegotiateMessage['kind'], NtlmChallengeMessage['kind'], NtlmAuthenticateMessage['kind']] = [
  'negotiate',
  'challenge',
  'authenticate',
];
void _types;
