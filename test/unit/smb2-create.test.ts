/**
 * CREATE (create.ts): crafted messages field by field, real messages from
 * test/fixtures/smbclient-smb3_11.pcap checked against tshark, and messages
 * from Zeek's btest traces (smb2.pcap, smb2-multiple-pdus.pcap) checked
 * against Zeek's baselines.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Malformed } from '../../src/core/bytes/result.js';
import {
  type CreateResponse,
  createResponseAllocationSize,
  parseCreateRequest,
  parseCreateRequestWire,
  parseCreateResponse,
} from '../../src/core/smb/smb2/commands/create.js';
import { parseSetInfoRequest } from '../../src/core/smb/smb2/commands/set-info.js';
import { fileAttrs, macTimes, type SMB2GUID } from '../../src/core/smb/smb2/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const u16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u32 = (v: number): number[] => [...u16(v & 0xffff), ...u16(v >>> 16)];
const u64 = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const zeros = (n: number): number[] => new Array<number>(n).fill(0);
const utf16 = (s: string): number[] => [...Buffer.from(s, 'utf16le')];

/** A 64-byte SMB2 header (StructureSize `headLen`, command CREATE) and the body. */
function smb2(body: readonly number[], headLen = 64): Uint8Array {
  return Uint8Array.from([0xfe, 0x53, 0x4d, 0x42, ...u16(headLen), ...zeros(6), ...u16(5), ...zeros(50), ...body]);
}

/** tshark's GUID display (data1-data2-data3 little-endian, data4 as bytes) as Zeek's two halves. */
function tsharkGuid(s: string): SMB2GUID {
  const [a = '', b = '', c = '', d = '', e = ''] = s.split('-');
  const le = (x: string) => (x.match(/../g) ?? []).reverse().join('');
  const raw = Buffer.from(le(a) + le(b) + le(c) + d + e, 'hex');
  return { persistent: raw.readBigUInt64LE(0), volatile: raw.readBigUInt64LE(8) };
}

function ok<T>(r: T | Malformed): T {
  assert.ok(!(r instanceof Malformed), r instanceof Malformed ? r.what : '');
  return r;
}

/** Request fixed part with the name at `nameOff` (`nameLen` bytes) and contexts at `ctxOff`. */
function request(nameOff: number, nameLen: number, ctxOff: number, ctxLen: number): number[] {
  return [
    ...u16(57), // StructureSize
    0, // SecurityFlags
    0x09, // RequestedOplockLevel (batch)
    ...u32(2), // ImpersonationLevel
    ...zeros(8), // SmbCreateFlags
    ...zeros(8), // Reserved
    ...u32(0x0012019f), // DesiredAccess
    ...u32(0x80), // FileAttributes
    ...u32(7), // ShareAccess
    ...u32(3), // CreateDisposition FILE_OPEN_IF
    ...u32(0x44), // CreateOptions
    ...u16(nameOff), // NameOffset
    ...u16(nameLen), // NameLength
    ...u32(ctxOff), // CreateContextsOffset
    ...u32(ctxLen), // CreateContextsLength
  ];
}

// smbclient-smb3_11.pcap frame 28, 164 bytes
const CREATE_REQ = hex(
  'fe534d4240000100000000000500010010000000000000000b000000000000000000000092b1a48e77c538ec00000000' +
    '000000000000000000000000000000003900000002000000000000000000000000000000000000009f01120000000000' +
    '03000000050000004000000078002c0000000000000000006400690072002d0073006d00620033005f00310031005c00' +
    '7200650070006f00720074002e00740078007400',
);
// smbclient-smb3_11.pcap frame 29, 152 bytes
const CREATE_RESP = hex(
  'fe534d4240000100000000000500010011000000000000000b000000000000000000000092b1a48e77c538ec00000000' +
    '0000000000000000000000000000000059000000020000005f35ac46f37bdd015f35ac46f37bdd015f35ac46f37bdd01' +
    '5f35ac46f37bdd01000000000000000000000000000000002000000000000000bb063fe0000000003e98db6300000000' +
    '0000000000000000',
);
// smb2.pcap frame 12, 216 bytes
const ZEEK_CREATE_REQ_ROOT = hex(
  'fe534d4240000000000000000500010000000000000000000400000000000000fffe0000010000000500000000040000' +
    '000000000000000000000000000000003900000002000000000000000000000000000000000000008000100000000000' +
    '070000000100000020000000780000008000000058000000000069006600660028000000100004000000180010000000' +
    '44486e510000000000000000000000000000000000000000180000001000040000001800000000004d78416300000000' +
    '000000001000040000001800000000005146696400000000',
);
// smb2.pcap frame 13, 240 bytes
const ZEEK_CREATE_RESP_DIR = hex(
  'fe534d4240000000000000000500010001000000000000000400000000000000fffe0000010000000500000000040000' +
    '0000000000000000000000000000000059000000010000002e9da9cb84accc01498052f953b4cc01498052f953b4cc01' +
    '498052f953b4cc01002000000000000000200000000000001000000000000000450000000000000001000000ffffffff' +
    '9800000058000000200000001000040000001800080000004d7841630000000000000000ff011f000000000010000400' +
    '000018002000000051466964000000004d1f000000004500e0030085ffffffff00000000000000000000000000000000',
);
// smb2.pcap frame 32, 272 bytes
const ZEEK_CREATE_REQ_PDF = hex(
  'fe534d4240000000000000000500010000000000000000000f00000000000000fffe0000010000000500000000040000' +
    '000000000000000000000000000000003900000902000000000000000000000000000000000000009f01160020000000' +
    '000000000200000044000000780020009800000078000000570050005f0053004d00420050006c007500670069006e00' +
    '2e007000640066002800000010000400000018001000000044486e510000000000000000000000000000000000000000' +
    '20000000100004000000180008000000416c5369000000004b0617000000000018000000100004000000180000000000' +
    '4d78416300000000000000001000040000001800000000005146696400000000',
);
// smb2.pcap frame 33, 272 bytes
const ZEEK_CREATE_RESP_PDF = hex(
  'fe534d4240000000000000000500010001000000000000000f00000000000000fffe0000010000000500000000040000' +
    '0000000000000000000000000000000059000909020000009306832f54b4cc019306832f54b4cc019306832f54b4cc01' +
    '9306832f54b4cc010010170000000000000000000000000020000000000000004d0000000000000009000000ffffffff' +
    '9800000078000000200000001000040000001800080000004d7841630000000000000000ff011f002000000010000400' +
    '000018000800000044486e51000000000000000000000000000000001000040000001800200000005146696400000000' +
    '73a6000000000200e0030085ffffffff00000000000000000000000000000000',
);
// smb2-multiple-pdus.pcap frame 1 (chain member 0), 248 bytes
const ZEEK_CHAIN_REQ_CREATE = hex(
  'fe534d4240000100000000000500000100000000f80000009803000000000000fffe0000b9b6e317fb8c8dbc00000000' +
    '00000000000000000000000000000000390000ff02000000000000000000000000000000000000008000110080000000' +
    '0000000001000000000000007800180090000000680000007400650073007400660069006c0065002e00740078007400' +
    '180000001000040000000000000000004d784163000000000000000010000400000018003400000052714c7300000000' +
    'aa380037c6de80a30ba559d4e8af6dc500000000040000000000000000000000ddcaa13c97574b0189d461e272e0e4d1' +
    '0000000000000000',
);
// smb2-multiple-pdus.pcap frame 1 (chain member 1), 104 bytes
const ZEEK_CHAIN_REQ_SETINFO = hex(
  'fe534d4240000100000000001100000104000000680000009903000000000000fffe0000b9b6e317fb8c8dbc00000000' +
    '000000000000000000000000000000002100010d010000006000000000000000ffffffffffffffffffffffffffffffff' +
    '0100000000000000',
);
// smb2-multiple-pdus.pcap frame 1 (chain member 2), 88 bytes
const ZEEK_CHAIN_REQ_CLOSE = hex(
  'fe534d4240000100000000000600000104000000000000009a03000000000000fffe0000b9b6e317fb8c8dbc00000000' +
    '000000000000000000000000000000001800000000000000ffffffffffffffffffffffffffffffff',
);
// smb2-multiple-pdus.pcap frame 2 (chain member 0), 264 bytes
const ZEEK_CHAIN_RESP_CREATE = hex(
  'fe534d4240000100000000000500000001000000080100009803000000000000fffe0000b9b6e317fb8c8dbc00000000' +
    '000000000000000000000000000000005900ff0001000000f00e7cb67554da01eaef46d87854da011b187cb67554da01' +
    '1b187cb67554da0100100000000000000c000000000000002000000000000000b3ab5b6400000000bd96b75100000000' +
    '980000006c000000200000001000040000001800080000004d7841630000000000000000ff011f000000000010000400' +
    '000018003400000052714c7300000000aa380037c6de80a30ba559d4e8af6dc500000000000000000000000000000000' +
    '000000000000000000000000000000000100000000000000',
);
// smb2-multiple-pdus.pcap frame 2 (chain member 1), 72 bytes
const ZEEK_CHAIN_RESP_SETINFO = hex(
  'fe534d4240000100000000001100000005000000480000009903000000000000fffe0000b9b6e317fb8c8dbc00000000' +
    '000000000000000000000000000000000200000000000000',
);
// smb2-multiple-pdus.pcap frame 2 (chain member 2), 128 bytes
const ZEEK_CHAIN_RESP_CLOSE = hex(
  'fe534d4240000100000000000600030005000000000000009a03000000000000fffe0000b9b6e317fb8c8dbc00000000' +
    '000000000000000000000000000000003c00000000000000000000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000000000000000000000000000000000000',
);

describe('CREATE request', () => {
  it('reads the name at NameOffset; disposition and options as on the wire', () => {
    const m = smb2([...request(120, 10, 0, 0), ...utf16('a\\b.t')]);
    assert.deepEqual(ok(parseCreateRequest(m, 64, m.length, 0)), {
      filename: 'a\\b.t',
      disposition: 3,
      create_options: 0x44,
    });
    assert.deepEqual(ok(parseCreateRequestWire(m, 64, m.length)), {
      security_flags: 0,
      requested_oplock_level: 9,
      impersonation_level: 2,
      desired_access: 0x0012019f,
      file_attributes: 0x80,
      share_access: 7,
      name_offset: 120,
      name_length: 10,
      create_contexts_offset: 0,
      create_contexts_length: 0,
    });
  });

  it('an empty name (also one cut to empty at a NUL) becomes <share_root>', () => {
    const empty = smb2([...request(120, 0, 0, 0), 0]);
    assert.equal(ok(parseCreateRequest(empty, 64, empty.length, 0)).filename, '<share_root>');
    const nul = smb2([...request(120, 4, 0, 0), 0, 0, 0x61, 0]);
    assert.equal(ok(parseCreateRequest(nul, 64, nul.length, 0)).filename, '<share_root>');
    const trailing = smb2([...request(120, 4, 0, 0), 0x61, 0, 0, 0]);
    assert.equal(ok(parseCreateRequest(trailing, 64, trailing.length, 0)).filename, 'a');
  });

  it('contexts are not decoded but must lie within the message', () => {
    const name = utf16('f');
    const fits = smb2([...request(120, 2, 128, 8), ...name, ...zeros(6), ...zeros(8)]);
    assert.equal(ok(parseCreateRequest(fits, 64, fits.length, 0)).filename, 'f');
    assert.ok(parseCreateRequest(fits, 64, fits.length - 1, 0) instanceof Malformed);
    // CreateContextsOffset 0: the length is still taken right after the name
    const zero = smb2([...request(120, 2, 0, 4), ...name, 1, 2, 3, 4]);
    assert.equal(ok(parseCreateRequest(zero, 64, zero.length, 0)).filename, 'f');
    assert.ok(parseCreateRequest(zero, 64, zero.length - 1, 0) instanceof Malformed);
    // a non-zero offset below head_length wraps: fails even with no contexts
    const wrap = smb2([...request(120, 2, 8, 0), ...name]);
    assert.ok(parseCreateRequest(wrap, 64, wrap.length, 0) instanceof Malformed);
  });

  it('a name past the end fails; offsets count from head_length; backwards offsets read after the fixed part', () => {
    const past = smb2([...request(120, 4, 0, 0), 0x61, 0]);
    assert.ok(parseCreateRequest(past, 64, past.length, 0) instanceof Malformed);
    const shifted = smb2([...request(128, 2, 0, 0), ...utf16('x')], 72);
    assert.equal(ok(parseCreateRequest(shifted, 64, shifted.length, 0)).filename, 'x');
    const back = smb2([...request(0, 2, 0, 0), ...utf16('y')]);
    assert.equal(ok(parseCreateRequest(back, 64, back.length, 0)).filename, 'y');
    assert.ok(parseCreateRequest(back, 64, 64 + 55, 0) instanceof Malformed);
  });

  // tshark -r test/fixtures/smbclient-smb3_11.pcap -o tcp.check_checksum:FALSE -Y frame.number==28
  //   -T fields -e smb.create_options -e smb.access_mask -e smb.share_access -e smb2.create.disposition -e smb2.filename:
  //   0x00000040  0x0012019f  0x00000003  5  dir-smb3_11\report.txt (Blob Offset 0x78, Length 44)
  it('smbclient request (tshark)', () => {
    assert.deepEqual(ok(parseCreateRequest(CREATE_REQ, 64, CREATE_REQ.length, 0)), {
      filename: 'dir-smb3_11\\report.txt',
      disposition: 5,
      create_options: 0x40,
    });
    const w = ok(parseCreateRequestWire(CREATE_REQ, 64, CREATE_REQ.length));
    assert.equal(w.desired_access, 0x0012019f);
    assert.equal(w.share_access, 3);
    assert.equal(w.impersonation_level, 2);
    assert.equal(w.name_offset, 0x78);
    assert.equal(w.name_length, 44);
  });

  // Zeek baseline scripts.base.protocols.smb.smb2 (cases/smb2/.stdout), frames 12 and 32 of smb2.pcap:
  //   smb2_create_request ... [filename=<share_root>, disposition=1, create_options=32]
  //   smb2_create_request ... [filename=WP_SMBPlugin.pdf, disposition=2, create_options=68]
  it("Zeek's smb2 trace: the requests as in Zeek's baseline", () => {
    assert.deepEqual(ok(parseCreateRequest(ZEEK_CREATE_REQ_ROOT, 64, ZEEK_CREATE_REQ_ROOT.length, 0)), {
      filename: '<share_root>',
      disposition: 1,
      create_options: 32,
    });
    assert.deepEqual(ok(parseCreateRequest(ZEEK_CREATE_REQ_PDF, 64, ZEEK_CREATE_REQ_PDF.length, 0)), {
      filename: 'WP_SMBPlugin.pdf',
      disposition: 2,
      create_options: 68,
    });
  });
});

describe('CREATE response', () => {
  const times = [...u64(1n), ...u64(2n), ...u64(3n), ...u64(4n)]; // Creation, LastAccess, LastWrite, Change
  const fixed = (ctxOff: number, ctxLen: number): number[] => [
    ...u16(89), // StructureSize
    1, // OplockLevel
    0, // Flags
    ...u32(2), // CreateAction FILE_CREATED
    ...times,
    ...u64(4096n), // AllocationSize
    ...u64(12n), // EndofFile
    ...u32(0x20), // FileAttributes ARCHIVE
    ...zeros(4), // Reserved2
    ...u64(0x45n),
    ...u64(0xffffffff00000001n), // FileId
    ...u32(ctxOff), // CreateContextsOffset
    ...u32(ctxLen), // CreateContextsLength
  ];

  it('size is EndofFile; times: modified = LastWrite, accessed = LastAccess, created = Creation', () => {
    const m = smb2(fixed(0, 0));
    const r = ok(parseCreateResponse(m, 64, m.length, 0));
    assert.deepEqual(r, {
      file_id: { persistent: 0x45n, volatile: 0xffffffff00000001n },
      size: 12n,
      times: macTimes(1n, 2n, 3n, 4n),
      attrs: fileAttrs(0x20),
      create_action: 2,
    } satisfies CreateResponse);
    assert.equal(r.times.modified_raw, 3n);
    assert.equal(createResponseAllocationSize(m, 64), 4096n);
  });

  it('contexts must lie within the message', () => {
    const m = smb2([...fixed(152, 8), ...zeros(8)]);
    ok(parseCreateResponse(m, 64, m.length, 0));
    assert.ok(parseCreateResponse(m, 64, m.length - 1, 0) instanceof Malformed);
    assert.ok(parseCreateResponse(m, 64, 64 + 87, 0) instanceof Malformed);
  });

  // tshark -r test/fixtures/smbclient-smb3_11.pcap ... -Y frame.number==29 -V:
  //   Create Action: 2, Create/Last Access/Last Write/Last Change: Nov 24, 2026 09:07:48.394326300 UTC,
  //   Allocation Size: 0, End Of File: 0, File Attributes: 0x00000020,
  //   GUID handle File: e03f06bb-0000-0000-3e98-db6300000000
  it('smbclient response (tshark)', () => {
    const r = ok(parseCreateResponse(CREATE_RESP, 64, CREATE_RESP.length, 0));
    assert.deepEqual(r.file_id, tsharkGuid('e03f06bb-0000-0000-3e98-db6300000000'));
    assert.equal(r.size, 0n);
    assert.equal(r.create_action, 2);
    assert.deepEqual(r.attrs, fileAttrs(0x20));
    const t = Date.UTC(2026, 10, 24, 9, 7, 48) / 1000 + 0.3943263;
    for (const k of ['modified', 'accessed', 'created', 'changed'] as const) assert.ok(Math.abs(r.times[k] - t) < 5e-6);
  });

  // Zeek baseline cases/smb2/.stdout, frames 13 and 33 of smb2.pcap:
  //   [file_id=[persistent=69, volatile=18446744069414584321], size=8192, times=[modified=XXX,
  //    modified_raw=129676762045120585, accessed=1323202604.512058, accessed_raw=129676762045120585,
  //    created=1322343963.945297, created_raw=129668175639452974, changed=1323202604.512058,
  //    changed_raw=129676762045120585], attrs=[... directory=T ...], create_action=1]
  //   [file_id=[persistent=77, volatile=18446744069414584329], size=0, times=[... all raw
  //    129676762954270355 ...], attrs=[... archive=T ...], create_action=2]
  it("Zeek's smb2 trace: the responses as in Zeek's baseline", () => {
    const d = ok(parseCreateResponse(ZEEK_CREATE_RESP_DIR, 64, ZEEK_CREATE_RESP_DIR.length, 0));
    assert.deepEqual(d.file_id, { persistent: 69n, volatile: 18446744069414584321n });
    assert.equal(d.size, 8192n);
    assert.deepEqual(
      d.times,
      macTimes(129668175639452974n, 129676762045120585n, 129676762045120585n, 129676762045120585n),
    );
    assert.equal(d.times.accessed.toFixed(6), '1323202604.512058');
    assert.equal(d.times.created.toFixed(6), '1322343963.945297');
    assert.deepEqual(d.attrs, fileAttrs(0x10));
    assert.equal(d.create_action, 1);
    const p = ok(parseCreateResponse(ZEEK_CREATE_RESP_PDF, 64, ZEEK_CREATE_RESP_PDF.length, 0));
    assert.deepEqual(p.file_id, { persistent: 77n, volatile: 18446744069414584329n });
    assert.equal(p.size, 0n);
    assert.equal(p.times.created_raw, 129676762954270355n);
    assert.equal(p.times.accessed.toFixed(6), '1323202695.427034');
    assert.deepEqual(p.attrs, fileAttrs(0x20));
    assert.equal(p.create_action, 2);
  });
});

describe('CREATE in a compound chain', () => {
  const req = Uint8Array.from([...ZEEK_CHAIN_REQ_CREATE, ...ZEEK_CHAIN_REQ_SETINFO, ...ZEEK_CHAIN_REQ_CLOSE]);
  const resp = Uint8Array.from([...ZEEK_CHAIN_RESP_CREATE, ...ZEEK_CHAIN_RESP_SETINFO, ...ZEEK_CHAIN_RESP_CLOSE]);

  // Zeek baseline scripts.base.protocols.smb.smb2-multiple-pdus (cases/smb2-multiple-pdus/out):
  //   smb2_create_request, [...], [filename=testfile.txt, disposition=1, create_options=0]
  //   smb2_file_delete, [... flags=4, message_id=921 ...]
  //   smb2_create_response, [...], [file_id=[persistent=1683729331, volatile=1370986173], size=12,
  //    times=[..., modified_raw=133512003510343707, accessed=1706728096.218725,
  //    accessed_raw=133512016962187242, created=1706726751.034136, created_raw=133512003510341360,
  //    changed=1706726751.03437, changed_raw=133512003510343707], attrs=[... archive=T ...], create_action=1]
  it("each member parses within its NextCommand bound, as in Zeek's baseline", () => {
    const next = ZEEK_CHAIN_REQ_CREATE.length; // NextCommand 0xf8
    assert.equal(next, 0xf8);
    assert.deepEqual(ok(parseCreateRequest(req, 64, next, 0)), {
      filename: 'testfile.txt',
      disposition: 1,
      create_options: 0,
    });
    const si = ok(parseSetInfoRequest(req, next + 64, next + ZEEK_CHAIN_REQ_SETINFO.length, next));
    assert.deepEqual(si.info, { kind: 'delete', delete_pending: true });
    assert.deepEqual(si.file_id, { persistent: 0xffffffffffffffffn, volatile: 0xffffffffffffffffn });

    const r = ok(parseCreateResponse(resp, 64, ZEEK_CHAIN_RESP_CREATE.length, 0));
    assert.deepEqual(r.file_id, { persistent: 1683729331n, volatile: 1370986173n });
    assert.equal(r.size, 12n);
    assert.deepEqual(
      r.times,
      macTimes(133512003510341360n, 133512016962187242n, 133512003510343707n, 133512003510343707n),
    );
    assert.equal(r.times.changed.toFixed(6), '1706726751.034370');
    assert.deepEqual(r.attrs, fileAttrs(0x20));
    assert.equal(r.create_action, 1);
  });
});
