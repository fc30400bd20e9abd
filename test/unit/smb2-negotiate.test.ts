/**
 * NEGOTIATE (negotiate.ts): crafted messages field by field, real messages
 * from our captures checked against tshark's dissection, and messages from
 * Zeek's own btest traces checked against Zeek's baselines.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Malformed } from '../../src/core/bytes/result.js';
import {
  type NegotiateResponse,
  negotiateResponseSecurityBlob,
  parseNegotiateRequest,
  parseNegotiateResponse,
} from '../../src/core/smb/smb2/commands/negotiate.js';
import type { SMB2GUID } from '../../src/core/smb/smb2/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const u16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u32 = (v: number): number[] => [...u16(v & 0xffff), ...u16(v >>> 16)];
const u64 = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

/** A 64-byte SMB2 header (StructureSize `headLen`, command NEGOTIATE, rest zero) and the body. */
function smb2(body: readonly number[], headLen = 64): Uint8Array {
  return Uint8Array.from([0xfe, 0x53, 0x4d, 0x42, ...u16(headLen), ...zeros(58), ...body]);
}

/** tshark's GUID display (data1-data2-data3 little-endian, data4 as bytes) as Zeek's two halves. */
function tsharkGuid(s: string): SMB2GUID {
  const [a = '', b = '', c = '', d = '', e = ''] = s.split('-');
  const le = (x: string) => (x.match(/../g) ?? []).reverse().join('');
  const raw = Buffer.from(le(a) + le(b) + le(c) + d + e, 'hex');
  return { persistent: raw.readBigUInt64LE(0), volatile: raw.readBigUInt64LE(8) };
}

/**
 * tshark's FILETIME display ("Nov 24, 2026 09:07:48.388143000 UTC") as seconds since the epoch.
 * Zeek's double arithmetic (FILETIME / 1e7 - 11644473600) is only good to ~2 µs at these
 * magnitudes, so comparisons allow 5 µs.
 */
function tsharkTime(s: string): number {
  const m = /^(\w{3}) +(\d+), (\d+) (\d\d):(\d\d):(\d\d)\.(\d{9}) UTC$/.exec(s);
  assert.ok(m, s);
  const mon = 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(m[1] ?? '') / 3;
  const [y, d, hh, mm, ss] = [m[3], m[2], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  return Date.UTC(y, mon, d, hh, mm, ss) / 1000 + Number(`0.${m[7]}`);
}

function parseResp(m: Uint8Array): NegotiateResponse {
  const r = parseNegotiateResponse(m, 64, m.length, 0);
  assert.ok(!(r instanceof Malformed), r instanceof Malformed ? r.what : '');
  return r;
}

// smbclient-smb3_11.pcap frame 4, 218 bytes
const SMBCLIENT_311_REQ = hex(
  'fe534d42400000000000000000001f000000000000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000024000100010000007f000000e9efd7e1f4c89a4facba220e68752daf68000000' +
    '040000001103000001002600000000000100200001007a4affefc34617714c736af63f1359a83572e1251a4f5b2bd968' +
    '63488e9b92cb000002000a00000000000400020001000400030000000000000008000800000000000300020001000000' +
    '05001200000000003100320037002e0030002e0030002e003100',
);
// smbclient-smb3_11.pcap frame 6, 284 bytes
const SMBCLIENT_311_RESP = hex(
  'fe534d424000000000000000000001000100000000000000000000000000000000000000000000000000000000000000' +
    '000000000000000000000000000000004100010011030300736d6273636f706573727600000000000f00000000000100' +
    '0000010000000100d643ab46f37bdd01000000000000000080004a00d0000000604806062b0601050502a03e303ca00e' +
    '300c060a2b06010401823702020aa32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c65' +
    '6173655f69676e6f72650000000000000100260000000000010020000100acb5716b585230e2e898e7569323730a477e' +
    'bc213711a1163022f26fa8810432000002000400000000000100020000000000080004000000000001000200',
);
// impacket-smb3_00.pcap frame 8, 106 bytes
const IMPACKET_REQ = hex(
  'fe534d424000010000000000000000000000000000000000010000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000024000300010000004000000056505261706872556646635644454d7100000000' +
    '00000000020210020003',
);
// impacket-smb3_00.pcap frame 6, 202 bytes
const IMPACKET_WILDCARD_RESP = hex(
  'fe534d424000000000000000000001000100000000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000041000100ff020000736d6273636f706573727600000000000700000000000100' +
    '0000010000000100ac7c9548f37bdd01000000000000000080004a0000000000604806062b0601050502a03e303ca00e' +
    '300c060a2b06010401823702020aa32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c65' +
    '6173655f69676e6f7265',
);
// impacket-smb3_00.pcap frame 9, 202 bytes
const IMPACKET_300_RESP = hex(
  'fe534d424000010000000000000001000100000000000000010000000000000000000000000000000000000000000000' +
    '000000000000000000000000000000004100010000030000736d6273636f706573727600000000004700000000000100' +
    '000001000000010070db9548f37bdd01000000000000000080004a0000000000604806062b0601050502a03e303ca00e' +
    '300c060a2b06010401823702020aa32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c65' +
    '6173655f69676e6f7265',
);
// smb311.pcap frame 2, 308 bytes
const ZEEK_SMB311_RESP = hex(
  'fe534d42400000000000000000000100010000000000000000000000000000000b010000000000000000000000000000' +
    '0000000000000000000000000000000041000300110302004b29be9c63ddb6478d1f3dce81383e692700000000008000' +
    '0000800000008000f54d127914a9d40187bf26da6b6dd40180007800f8000000607606062b0601050502a06c306aa03c' +
    '303a060a2b06010401823702021e06092a864882f71201020206092a864886f712010202060a2a864886f71201020203' +
    '060a2b06010401823702020aa32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c656173' +
    '655f69676e6f7265010026000000000001002000010017a395280d0d74ec5ae50e1aef85075d55998642d0ebc808e00a' +
    'ad01709a2fb70000020004000000000001000100',
);
// SMBGhost.pcap frame 5, 514 bytes
const ZEEK_SMBGHOST_RESP = hex(
  'fe534d424000000000000000000001000100000000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000041000100110302007cce6d370bb2d441b86cf7d2a894dae22f00000000008000' +
    '00008000000080000ac8cb6eb8f7d501000000000000000080004001c00100006082013c06062b0601050502a0820130' +
    '3082012ca01a3018060a2b06010401823702021e060a2b06010401823702020aa282010c048201084e45474f45585453' +
    '010000000000000060000000700000009327b22464765404cba404c30989391570901cca57252c31d8714e01dd047960' +
    '3cf662b72efb85e3d502e7c50029b2d90000000000000000600000000100000000000000000000005c33530deaf90d4d' +
    'b2ec4ae3786ec3084e45474f45585453030000000100000040000000980000009327b22464765404cba404c309893915' +
    '5c33530deaf90d4db2ec4ae3786ec30840000000580000003056a05430523027802530233121301f0603550403131854' +
    '6f6b656e205369676e696e67205075626c6963204b65793027802530233121301f06035504031318546f6b656e205369' +
    '676e696e67205075626c6963204b65790100260000000000010020000100fb5686ebb88f1eb21fd13f2694a5a5332701' +
    '96963aca2ecca5a8d2f915d72a92000003000a000000000001000000000000000100',
);
// smb3_negotiate_context.pcap frame 10, 202 bytes
const ZEEK_NEGCTX_WILDCARD_RESP = hex(
  'fe534d424000000000000000000001000100000000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000041000100ff0200006e657773746f726167650000000000000500000000008000' +
    '00008000000080004a3c74420159d501000000000000000080004a0000000000604806062b0601050502a03e303ca00e' +
    '300c060a2b06010401823702020aa32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c65' +
    '6173655f69676e6f7265',
);
// smb3_negotiate_context.pcap frame 13, 268 bytes
const ZEEK_NEGCTX_311_RESP = hex(
  'fe534d424000000000000000000001000100000000000000010000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000041000100110302006e657773746f726167650000000000000500000000008000' +
    '000080000000800048b174420159d501000000000000000080004a00d0000000604806062b0601050502a03e303ca00e' +
    '300c060a2b06010401823702020aa32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c65' +
    '6173655f69676e6f726500000000000001002600000000000100200001000d26c9caf2d8fc87a7109c04578270095438' +
    '526cede08410ca34aa8742b95a800000020004000000000001000100',
);

describe('NEGOTIATE request', () => {
  it('reads DialectCount dialects after the 36 fixed bytes', () => {
    const m = smb2([
      ...u16(36), // StructureSize
      ...u16(3), // DialectCount
      ...u16(1), // SecurityMode
      ...zeros(2), // Reserved
      ...u32(0x7f), // Capabilities
      ...zeros(16), // ClientGuid
      ...zeros(8), // NegotiateContextOffset/Count/Reserved2 (ClientStartTime), ignored by Zeek
      ...u16(0x0202),
      ...u16(0x0210),
      ...u16(0x0311), // Dialects
    ]);
    assert.deepEqual(parseNegotiateRequest(m, 64, m.length, 0), { dialects: [0x0202, 0x0210, 0x0311] });
  });

  it('fails when DialectCount is larger than the data (Zeek raises no event)', () => {
    const m = smb2([...u16(36), ...u16(3), ...zeros(32), ...u16(0x0202), ...u16(0x0210)]);
    assert.ok(parseNegotiateRequest(m, 64, m.length, 0) instanceof Malformed);
    assert.ok(parseNegotiateRequest(m, 64, 64 + 35, 0) instanceof Malformed);
  });

  // tshark -r test/fixtures/smbclient-smb3_11.pcap -o tcp.check_checksum:FALSE -Y frame.number==4 -V:
  //   Dialect count: 1, Dialect: SMB 3.1.1 (0x0311)
  it('smbclient 3.1.1 request (tshark: 1 dialect, 0x0311; its 4 contexts are not parsed)', () => {
    assert.deepEqual(parseNegotiateRequest(SMBCLIENT_311_REQ, 64, SMBCLIENT_311_REQ.length, 0), { dialects: [0x0311] });
  });

  // tshark -r test/fixtures/impacket-smb3_00.pcap ... -Y frame.number==8: dialects 0x0202, 0x0210, 0x0300
  it('impacket request (tshark: 0x0202, 0x0210, 0x0300)', () => {
    assert.deepEqual(parseNegotiateRequest(IMPACKET_REQ, 64, IMPACKET_REQ.length, 0), {
      dialects: [0x0202, 0x0210, 0x0300],
    });
  });
});

/** Fixed part of a response: dialect, context count, security blob length, context offset. */
function respFixed(dialect: number, count: number, secLen: number, secOff: number, ctxOff: number): number[] {
  return [
    ...u16(65), // StructureSize
    ...u16(1), // SecurityMode
    ...u16(dialect), // DialectRevision
    ...u16(count), // NegotiateContextCount
    ...u64(0x1122334455667788n),
    ...u64(0x99aabbccddeeff00n), // ServerGuid
    ...u32(0x2f), // Capabilities
    ...u32(0x800000),
    ...u32(0x800000),
    ...u32(0x800000), // MaxTransact/Read/WriteSize
    ...u64(132223734182189570n), // SystemTime
    ...u64(0n), // ServerStartTime
    ...u16(secOff), // SecurityBufferOffset
    ...u16(secLen), // SecurityBufferLength
    ...u32(ctxOff), // NegotiateContextOffset
  ];
}

describe('NEGOTIATE response', () => {
  it('builds the record; FILETIMEs as Zeek times; no contexts before 3.1.1', () => {
    const m = smb2([...respFixed(0x0300, 2, 4, 128, 0), 1, 2, 3, 4]);
    const r = parseResp(m);
    assert.deepEqual(r, {
      dialect_revision: 0x0300,
      security_mode: 1,
      server_guid: { persistent: 0x1122334455667788n, volatile: 0x99aabbccddeeff00n },
      system_time: 132223734182189570 / 1e7 - 11644473600,
      server_start_time: -11644473600,
      // the wire count is reported, but contexts are only parsed for 0x0311
      negotiate_context_count: 2,
      negotiate_context_values: [],
    });
  });

  it('walks 3.1.1 contexts: parsed sizes, 8-byte padding from each context start, last unpadded', () => {
    const m = smb2([
      ...respFixed(0x0311, 5, 3, 9999, 64 + 64 + 8), // SecurityBufferOffset is ignored by Zeek
      0xa1,
      0xa2,
      0xa3, // security blob, read right after the fixed part
      ...zeros(5), // up to NegotiateContextOffset (body offset 72)
      // context 1: PREAUTH, DataLength 40 (two more than its fields use)
      ...u16(1),
      ...u16(40),
      ...zeros(4),
      ...u16(1), // HashAlgorithmCount
      ...u16(2), // SaltLength
      ...u16(1), // SHA-512
      0x5a,
      0x5b, // Salt
      // its fields end 16 bytes after its start: no padding; Zeek resumes here, not 2 bytes later
      ...u16(2),
      ...u16(6),
      ...zeros(4), // context 2: ENCRYPTION, DataLength 6
      ...u16(2), // CipherCount
      ...u16(2),
      ...u16(1), // AES-128-GCM, AES-128-CCM
      ...zeros(2), // 14 bytes -> 2 bytes of padding
      ...u16(3),
      ...u16(10),
      ...zeros(4), // context 3: COMPRESSION
      ...u16(1), // CompressionAlgorithmCount
      ...zeros(2), // Padding
      ...u32(1), // Flags
      ...u16(3), // Algorithms: LZ77
      ...zeros(6), // 18 bytes -> 6 bytes of padding
      ...u16(5),
      ...u16(6),
      ...zeros(4), // context 4: NETNAME, raw bytes
      0x61,
      0,
      0x62,
      0,
      0xe9,
      0, // "a\0b\0\xe9\0"
      ...zeros(2), // 14 -> 16
      ...u16(8),
      ...u16(3),
      ...zeros(4), // context 5: SIGNING (unknown to Zeek), last: no padding
      0xee,
      0xee,
      0xee,
    ]);
    const r = parseResp(m);
    assert.deepEqual(r.negotiate_context_values, [
      {
        context_type: 1,
        data_length: 40,
        preauth_info: { hash_alg_count: 1, salt_length: 2, hash_alg: [1], salt: Uint8Array.from([0x5a, 0x5b]) },
      },
      { context_type: 2, data_length: 6, encryption_info: { cipher_count: 2, ciphers: [2, 1] } },
      { context_type: 3, data_length: 10, compression_info: { alg_count: 1, algs: [3] } },
      { context_type: 5, data_length: 6, netname: 'a\u0000b\u0000\u00e9\u0000' },
      { context_type: 8, data_length: 3 },
    ]);
    assert.deepEqual([...(negotiateResponseSecurityBlob(m, 64, m.length, 0) ?? [])], [0xa1, 0xa2, 0xa3]);
  });

  it('fails when the count is larger than the contexts present (Zeek raises no event)', () => {
    const ctx = [...u16(2), ...u16(4), ...zeros(4), ...u16(1), ...u16(1)];
    const ok = smb2([...respFixed(0x0311, 1, 0, 0, 128), ...ctx]);
    assert.equal(parseResp(ok).negotiate_context_values.length, 1);
    const m = smb2([...respFixed(0x0311, 2, 0, 0, 128), ...ctx]);
    assert.ok(parseNegotiateResponse(m, 64, m.length, 0) instanceof Malformed);
    // a context whose arrays run past the end
    const big = smb2([...respFixed(0x0311, 1, 0, 0, 128), ...u16(2), ...u16(4), ...zeros(4), ...u16(3), ...u16(1)]);
    assert.ok(parseNegotiateResponse(big, 64, big.length, 0) instanceof Malformed);
    // an unknown context whose DataLength runs past the end
    const unk = smb2([...respFixed(0x0311, 1, 0, 0, 128), ...u16(7), ...u16(9), ...zeros(4), 1, 2]);
    assert.ok(parseNegotiateResponse(unk, 64, unk.length, 0) instanceof Malformed);
  });

  it('skips to NegotiateContextOffset - head_length; never backwards', () => {
    const ctx = [...u16(2), ...u16(4), ...zeros(4), ...u16(1), ...u16(2)];
    // header StructureSize 72: offset 136 lands 64 bytes into the body
    const shifted = smb2([...respFixed(0x0311, 1, 0, 0, 136), ...ctx], 72);
    assert.deepEqual(parseResp(shifted).negotiate_context_values[0]?.encryption_info, {
      cipher_count: 1,
      ciphers: [2],
    });
    // offset 100 points into the fixed part: read right after the security blob
    const back = smb2([...respFixed(0x0311, 1, 0, 0, 100), ...ctx]);
    assert.deepEqual(parseResp(back).negotiate_context_values[0]?.encryption_info, { cipher_count: 1, ciphers: [2] });
  });

  it('an offset below head_length wraps (unsigned): fails with contexts, harmless without', () => {
    const ctx = [...u16(2), ...u16(4), ...zeros(4), ...u16(1), ...u16(2)];
    const m = smb2([...respFixed(0x0311, 1, 0, 0, 10), ...ctx]);
    assert.ok(parseNegotiateResponse(m, 64, m.length, 0) instanceof Malformed);
    const none = smb2(respFixed(0x0311, 0, 0, 0, 0));
    assert.deepEqual(parseResp(none).negotiate_context_values, []);
  });

  it('fails on a short fixed part or a security blob past the end', () => {
    const m = smb2(respFixed(0x0202, 0, 10, 128, 0));
    assert.ok(parseNegotiateResponse(m, 64, m.length, 0) instanceof Malformed);
    assert.equal(negotiateResponseSecurityBlob(m, 64, m.length, 0), undefined);
    assert.ok(parseNegotiateResponse(m, 64, 64 + 63, 0) instanceof Malformed);
  });

  // tshark -r test/fixtures/smbclient-smb3_11.pcap -o tcp.check_checksum:FALSE -Y frame.number==6 -V:
  //   Security mode: 0x01, Dialect: 0x0311, NegotiateContextCount: 3,
  //   Server Guid: 73626d73-6f63-6570-7372-760000000000,
  //   Current Time: Nov 24, 2026 09:07:48.388143000 UTC, Boot Time: 0,
  //   Blob Length: 74 (offset 0x80), NegotiateContextOffset: 0xd0,
  //   PREAUTH (len 38): 1 hash (0x0001), salt ac:b5:71:...:04:32 (32 bytes);
  //   ENCRYPTION (len 4): 1 cipher 0x0002; SIGNING (type 8, len 4): 1 algorithm 0x0002
  it('smbclient 3.1.1 response (tshark)', () => {
    const r = parseResp(SMBCLIENT_311_RESP);
    assert.equal(r.dialect_revision, 0x0311);
    assert.equal(r.security_mode, 1);
    assert.deepEqual(r.server_guid, tsharkGuid('73626d73-6f63-6570-7372-760000000000'));
    assert.ok(Math.abs(r.system_time - tsharkTime('Nov 24, 2026 09:07:48.388143000 UTC')) < 5e-6);
    assert.equal(r.server_start_time, -11644473600);
    assert.equal(r.negotiate_context_count, 3);
    assert.deepEqual(r.negotiate_context_values, [
      {
        context_type: 1,
        data_length: 38,
        preauth_info: {
          hash_alg_count: 1,
          salt_length: 32,
          hash_alg: [1],
          salt: hex('acb5716b585230e2e898e7569323730a477ebc213711a1163022f26fa8810432'),
        },
      },
      { context_type: 2, data_length: 4, encryption_info: { cipher_count: 1, ciphers: [2] } },
      { context_type: 8, data_length: 4 },
    ]);
    const blob = negotiateResponseSecurityBlob(SMBCLIENT_311_RESP, 64, SMBCLIENT_311_RESP.length, 0);
    assert.equal(blob?.length, 74);
    assert.deepEqual([...(blob ?? []).subarray(0, 4)], [0x60, 0x48, 0x06, 0x06]);
  });

  // tshark -r test/fixtures/impacket-smb3_00.pcap ... -Y 'frame.number==6 || frame.number==9':
  //   frame 6: Dialect 0x02ff, count 0, Current Time Nov 24, 2026 09:07:51.600862000 UTC
  //   frame 9: Dialect 0x0300, count 0, Current Time Nov 24, 2026 09:07:51.603288000 UTC
  it('impacket 2.??? and 3.0 responses (tshark)', () => {
    const w = parseResp(IMPACKET_WILDCARD_RESP);
    assert.equal(w.dialect_revision, 0x02ff);
    assert.ok(Math.abs(w.system_time - tsharkTime('Nov 24, 2026 09:07:51.600862000 UTC')) < 5e-6);
    assert.deepEqual(w.negotiate_context_values, []);
    const r = parseResp(IMPACKET_300_RESP);
    assert.equal(r.dialect_revision, 0x0300);
    assert.ok(Math.abs(r.system_time - tsharkTime('Nov 24, 2026 09:07:51.603288000 UTC')) < 5e-6);
    assert.deepEqual(r.server_guid, tsharkGuid('73626d73-6f63-6570-7372-760000000000'));
  });

  // Zeek baseline scripts.base.protocols.smb.smb311 (/work/shared/zeek-smb/cases/smb311/.stdout):
  //   [dialect_revision=785, security_mode=3, server_guid=[persistent=5167561042355431755,
  //   volatile=7583560952700542861], system_time=XXX, server_start_time=1540586308.948774,
  //   negotiate_context_count=2, negotiate_context_values=[[context_type=1, data_length=38,
  //   preauth_info=[hash_alg_count=1, salt_length=32, hash_alg=[1], salt=\x17\xa3\x95(...]],
  //   [context_type=2, data_length=4, encryption_info=[cipher_count=1, ciphers=[1]]]]]
  it("Zeek's smb311 trace: the values of Zeek's baseline", () => {
    const r = parseResp(ZEEK_SMB311_RESP);
    assert.equal(r.dialect_revision, 785);
    assert.equal(r.security_mode, 3);
    assert.deepEqual(r.server_guid, { persistent: 5167561042355431755n, volatile: 7583560952700542861n });
    assert.equal(r.server_start_time.toFixed(6), '1540586308.948774');
    assert.equal(r.negotiate_context_count, 2);
    assert.deepEqual(r.negotiate_context_values, [
      {
        context_type: 1,
        data_length: 38,
        preauth_info: {
          hash_alg_count: 1,
          salt_length: 32,
          hash_alg: [1],
          salt: hex('17a395280d0d74ec5ae50e1aef85075d55998642d0ebc808e00aad01709a2fb7'),
        },
      },
      { context_type: 2, data_length: 4, encryption_info: { cipher_count: 1, ciphers: [1] } },
    ]);
  });

  // Zeek baseline scripts.base.protocols.smb.compression-cap (cases/compression-cap/out):
  //   context value type 1, length 38 / [hash_alg_count=1, salt_length=32, hash_alg=[1], salt=\xfbV\x86...]
  //   context value type 3, length 10 / [alg_count=1, algs=[1]]
  it("Zeek's SMBGhost trace: compression capabilities as in Zeek's baseline", () => {
    const r = parseResp(ZEEK_SMBGHOST_RESP);
    assert.deepEqual(r.negotiate_context_values, [
      {
        context_type: 1,
        data_length: 38,
        preauth_info: {
          hash_alg_count: 1,
          salt_length: 32,
          hash_alg: [1],
          salt: hex('fb5686ebb88f1eb21fd13f2694a5a533270196963aca2ecca5a8d2f915d72a92'),
        },
      },
      { context_type: 3, data_length: 10, compression_info: { alg_count: 1, algs: [1] } },
    ]);
  });

  // Zeek baseline scripts.base.protocols.smb.smb3-negotiate-context (cases/smb3-negotiate-context/.stdout):
  //   [dialect_revision=767, security_mode=1, server_guid=[persistent=7021797314968118638, volatile=25959],
  //    system_time=XXX, server_start_time=-1.16444736e+10, negotiate_context_count=0, negotiate_context_values=[]]
  //   [dialect_revision=785, ..., negotiate_context_count=2, negotiate_context_values=[[context_type=1,
  //    data_length=38, preauth_info=[..., salt=\x0d&\xc9\xca...]], [context_type=2, data_length=4,
  //    encryption_info=[cipher_count=1, ciphers=[1]]]]]
  it("Zeek's smb3-negotiate-context trace: both responses as in Zeek's baseline", () => {
    const w = parseResp(ZEEK_NEGCTX_WILDCARD_RESP);
    assert.equal(w.dialect_revision, 767);
    assert.equal(w.security_mode, 1);
    assert.deepEqual(w.server_guid, { persistent: 7021797314968118638n, volatile: 25959n });
    assert.equal(w.server_start_time, -1.16444736e10);
    assert.equal(w.negotiate_context_count, 0);
    assert.deepEqual(w.negotiate_context_values, []);
    const r = parseResp(ZEEK_NEGCTX_311_RESP);
    assert.equal(r.dialect_revision, 785);
    assert.equal(r.negotiate_context_count, 2);
    assert.deepEqual(
      r.negotiate_context_values[0]?.preauth_info?.salt,
      hex('0d26c9caf2d8fc87a7109c04578270095438526cede08410ca34aa8742b95a80'),
    );
    assert.deepEqual(r.negotiate_context_values[1], {
      context_type: 2,
      data_length: 4,
      encryption_info: { cipher_count: 1, ciphers: [1] },
    });
  });
});
