/**
 * SET_INFO (set-info.ts): every information class Zeek decodes, crafted
 * field by field; real messages from test/fixtures checked against tshark;
 * messages from Zeek's btest traces (smb2-fscontrol, smb2) checked against
 * Zeek's baselines.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Malformed } from '../../src/core/bytes/result.js';
import {
  parseSetInfoRequest,
  parseSetInfoResponse,
  type SetInfo,
  type SetInfoRequest,
} from '../../src/core/smb/smb2/commands/set-info.js';
import { fileAttrs, macTimes, type SMB2GUID } from '../../src/core/smb/smb2/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const u16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u32 = (v: number): number[] => [...u16(v & 0xffff), ...u16(v >>> 16)];
const u64 = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const zeros = (n: number): number[] => new Array<number>(n).fill(0);
const utf16 = (s: string): number[] => [...Buffer.from(s, 'utf16le')];
const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];

/** A 64-byte SMB2 header (StructureSize `headLen`, command SET_INFO) and the body. */
function smb2(body: readonly number[], headLen = 64): Uint8Array {
  return Uint8Array.from([0xfe, 0x53, 0x4d, 0x42, ...u16(headLen), ...zeros(6), ...u16(17), ...zeros(50), ...body]);
}

/** tshark's GUID display (data1-data2-data3 little-endian, data4 as bytes) as Zeek's two halves. */
function tsharkGuid(s: string): SMB2GUID {
  const [a = '', b = '', c = '', d = '', e = ''] = s.split('-');
  const le = (x: string) => (x.match(/../g) ?? []).reverse().join('');
  const raw = Buffer.from(le(a) + le(b) + le(c) + d + e, 'hex');
  return { persistent: raw.readBigUInt64LE(0), volatile: raw.readBigUInt64LE(8) };
}

const FID = { persistent: 0x11n, volatile: 0x22n };

/** A request: InfoType, FileInfoClass, the buffer at BufferOffset `off` (default: right after the fixed part). */
function setInfo(type: number, cls: number, buffer: readonly number[], off = 96, len = buffer.length): Uint8Array {
  return smb2([
    ...u16(33), // StructureSize
    type, // InfoType
    cls, // FileInfoClass
    ...u32(len), // BufferLength
    ...u16(off), // BufferOffset
    ...u16(0), // Reserved
    ...u32(0), // AdditionalInformation
    ...u64(FID.persistent),
    ...u64(FID.volatile), // FileId
    ...buffer,
  ]);
}

function parse(m: Uint8Array): SetInfoRequest {
  const r = parseSetInfoRequest(m, 64, m.length, 0);
  assert.ok(!(r instanceof Malformed), r instanceof Malformed ? r.what : '');
  return r;
}

function info(m: Uint8Array): SetInfo {
  const r = parse(m);
  assert.deepEqual(r.file_id, FID);
  return r.info;
}

// smb2_fscontrol.pcap frame 4, 153 bytes
const ZEEK_FSCONTROL = hex(
  'fe534d423f0100000000000011000200ff00000000000000ffff00ff00000008d500000000000000000502a060305ea0' +
    '01050502a060305ea030302e06092a86488202060aa32a1e0000001b01764c4d3a3a56646e70335f66726f7a656e5f61' +
    '6e616c6f675f696e7075745f6576656e745f4473696f6e6f745f646566696e656400000000000000000000ffff053738' +
    '40000001004509a653',
);
// smb2.pcap frame 1162, 136 bytes
const ZEEK_SATTR = hex(
  'fe534d4240000000000000001100780000000000000000002a00000000000000fffe0000010000000500000000040000' +
    '00000000000000000000000000000000210001042800000060000000000000004d0000000000000009000000ffffffff' +
    '00000000000000000000000000000000086fce558a8ecc0100000000000000000000000000000000',
);
// smb2.pcap frame 36, 104 bytes
const ZEEK_ENDOFFILE = hex(
  'fe534d4240000000000000001100010000000000000000001100000000000000fffe0000010000000500000000040000' +
    '00000000000000000000000000000000210001140800000060000000000000004d0000000000000009000000ffffffff' +
    '4b06170000000000',
);
// smbclient-smb3_11.pcap frame 111, 176 bytes
const RENAME_SMBCLIENT = hex(
  'fe534d42400001000000000011000100100000000000000030000000000000000000000092b1a48e77c538ec00000000' +
    '000000000000000000000000000000002100010a5000000060000000000000007be8af2100000000d99a979800000000' +
    '000000000000000000000000000000003c0000006400690072002d0073006d00620033005f00310031005c0072006500' +
    '70006f00720074002d00720065006e0061006d00650064002e00740078007400',
);
// smbclient-smb3_11.pcap frame 143, 97 bytes
const DELETE_SMBCLIENT = hex(
  'fe534d42400001000000000011000100100000000000000040000000000000000000000092b1a48e77c538ec00000000' +
    '000000000000000000000000000000002100010d01000000600000000000000074424460000000001462bdd800000000' +
    '01',
);
// smbtorture-notify-closeinfo.pcap frame 93, 140 bytes
const RENAME_SMBTORTURE = hex(
  'fe534d424000010000000000110001001000000000000000080000000000000000000000cc1b02e7b8c2ed2800000000' +
    '000000000000000000000000000000002100010a2c000000600000000000000054fbd934000000003e23941100000000' +
    '0000000000000000000000000000000016000000720065006e0061006d00650064002e006400610074000000',
);
// impacket-smb2_10.pcap frame 75, 176 bytes
const RENAME_IMPACKET = hex(
  'fe534d42400001000000000011007f000000000000000000200000000000000000000000980fef24ce82798c00000000' +
    '000000000000000000000000000000002100010a50000000600000000000000061ff09e600000000118b110600000000' +
    '010000000000000000000000000000003c00000069006d0070002d0073006d00620032005f00310030005c0072006500' +
    '6e0061006d00650064002d007200650070006f00720074002e00740078007400',
);
// smbclient-smb3_11.pcap frame 112, 66 bytes
const SETINFO_RESP = hex(
  'fe534d42400001000000000011000100110000000000000030000000000000000000000092b1a48e77c538ec00000000' +
    '000000000000000000000000000000000200',
);

describe('SET_INFO FILE classes', () => {
  it('0x04 FileBasicInformation -> sattr (modified = LastWriteTime ...)', () => {
    const m = setInfo(1, 0x04, [...u64(10n), ...u64(20n), ...u64(30n), ...u64(40n), ...u32(0x21), ...zeros(4)]);
    assert.deepEqual(info(m), { kind: 'sattr', times: macTimes(10n, 20n, 30n, 40n), attrs: fileAttrs(0x21) });
    const r = parse(m);
    assert.equal(r.infoType, 1);
    assert.equal(r.infoClass, 4);
    // Zeek reads 36 bytes (the 4 reserved bytes are not needed)
    assert.equal(info(setInfo(1, 0x04, zeros(36))).kind, 'sattr');
    assert.ok(parseSetInfoRequest(setInfo(1, 0x04, zeros(35)), 64, 96 + 35, 0) instanceof Malformed);
  });

  it('0x0a FileRenameInformation -> rename (FileNameLength bytes, UTF-16)', () => {
    const name = utf16('dir\\new name.txt');
    const m = setInfo(1, 0x0a, [1, ...zeros(7), ...u64(0n), ...u32(name.length), ...name]);
    assert.deepEqual(info(m), { kind: 'rename', dst_filename: 'dir\\new name.txt' });
    const cut = setInfo(1, 0x0a, [0, ...zeros(7), ...u64(0n), ...u32(6), ...utf16('a'), 0, 0, ...utf16('b')]);
    assert.deepEqual(info(cut), { kind: 'rename', dst_filename: 'a' }); // cut at the NUL
    const past = setInfo(1, 0x0a, [0, ...zeros(7), ...u64(0n), ...u32(4), ...utf16('a')]);
    assert.ok(parseSetInfoRequest(past, 64, past.length, 0) instanceof Malformed);
  });

  it('0x0b FileLinkInformation -> link (root_directory unsigned)', () => {
    const name = utf16('hard');
    const m = setInfo(1, 0x0b, [0, ...zeros(7), ...u64(0xfffffffffffffff0n), ...u32(name.length), ...name]);
    assert.deepEqual(info(m), { kind: 'link', root_directory: 0xfffffffffffffff0n, file_name: 'hard' });
  });

  it('0x0d FileDispositionInformation -> delete: any non-zero byte is true', () => {
    assert.deepEqual(info(setInfo(1, 0x0d, [1])), { kind: 'delete', delete_pending: true });
    assert.deepEqual(info(setInfo(1, 0x0d, [0x80])), { kind: 'delete', delete_pending: true });
    assert.deepEqual(info(setInfo(1, 0x0d, [0])), { kind: 'delete', delete_pending: false });
    assert.ok(parseSetInfoRequest(setInfo(1, 0x0d, []), 64, 96, 0) instanceof Malformed);
  });

  it('int64 classes are signed: allocation 0x13, end of file 0x14, position 0x0e, valid data length 0x27', () => {
    const minus1 = u64(0xffffffffffffffffn);
    assert.deepEqual(info(setInfo(1, 0x13, minus1)), { kind: 'allocation', alloc_size: -1n });
    assert.deepEqual(info(setInfo(1, 0x14, u64(4065n))), { kind: 'endoffile', end_of_file: 4065n });
    assert.deepEqual(info(setInfo(1, 0x0e, u64(0x8000000000000000n))), {
      kind: 'position',
      current_byte_offset: -0x8000000000000000n,
    });
    assert.deepEqual(info(setInfo(1, 0x27, u64(7n))), { kind: 'validdatalength', valid_data_length: 7n });
    assert.ok(parseSetInfoRequest(setInfo(1, 0x14, zeros(7)), 64, 96 + 7, 0) instanceof Malformed);
  });

  it('0x10 FileModeInformation -> mode; 0x18 FilePipeInformation -> pipe', () => {
    assert.deepEqual(info(setInfo(1, 0x10, u32(0x20))), { kind: 'mode', mode: 0x20 });
    assert.deepEqual(info(setInfo(1, 0x18, [...u32(1), ...u32(0)])), {
      kind: 'pipe',
      read_mode: 1,
      completion_mode: 0,
    });
    assert.ok(parseSetInfoRequest(setInfo(1, 0x18, u32(1)), 64, 100, 0) instanceof Malformed);
  });

  it('0x28 FileShortNameInformation -> shortname', () => {
    const name = utf16('LONGNA~1.TXT');
    assert.deepEqual(info(setInfo(1, 0x28, [...u32(name.length), ...name])), {
      kind: 'shortname',
      file_name: 'LONGNA~1.TXT',
    });
  });

  it('0x0f FileFullEaInformation -> fullea: name and value through the UTF-16 conversion, NUL not skipped', () => {
    const entry1 = [
      ...u32(20), // NextEntryOffset
      0, // Flags
      4, // EaNameLength
      ...u16(4), // EaValueLength
      ...ascii('USER'), // EaName (ASCII on the wire)
      0, // the NUL after the name: Zeek's value starts here
      ...ascii('abc'), // the value's first 3 bytes (the 4th is left out of Zeek's value)
      ...ascii('d'),
      ...zeros(3), // up to NextEntryOffset 20
    ];
    const entry2 = [...u32(0), 0x80, 2, ...u16(2), ...ascii('ab'), ...ascii('xy')];
    const r = info(setInfo(1, 0x0f, [...entry1, ...entry2]));
    assert.deepEqual(r, {
      kind: 'fullea',
      file_eas: [
        // "USER" as UTF-16 units 0x5355 0x5245; value bytes 00 61 62 63 -> units 0x6100 0x6362
        { ea_name: '\u5355\u5245', ea_value: Uint8Array.from(Buffer.from('\u6100\u6362', 'utf8')) },
        { ea_name: '\u6261', ea_value: Uint8Array.from(Buffer.from('\u7978', 'utf8')) },
      ],
    });
  });

  it('fullea: the list ends at NextEntryOffset 0 or exactly at the end; overruns fail', () => {
    const e = (next: number) => [...u32(next), 0, 1, ...u16(1), 0x41, 0x42];
    // NextEntryOffset 0 ends the list even with bytes left
    assert.equal((info(setInfo(1, 0x0f, [...e(0), ...e(0)])) as { file_eas: unknown[] }).file_eas.length, 1);
    // a non-zero NextEntryOffset on the last entry, ending exactly at the end of the message: fine
    assert.equal((info(setInfo(1, 0x0f, [...e(10), ...e(10)])) as { file_eas: unknown[] }).file_eas.length, 2);
    // NextEntryOffset smaller than the entry: the next entry follows the value
    assert.equal((info(setInfo(1, 0x0f, [...e(4), ...e(0)])) as { file_eas: unknown[] }).file_eas.length, 2);
    // an empty buffer: an event with no EAs
    assert.deepEqual(info(setInfo(1, 0x0f, [])), { kind: 'fullea', file_eas: [] });
    // NextEntryOffset past the end, or an entry cut short: the message fails
    assert.ok(parseSetInfoRequest(setInfo(1, 0x0f, e(40)), 64, 96 + 10, 0) instanceof Malformed);
    assert.ok(
      parseSetInfoRequest(setInfo(1, 0x0f, [...e(10), ...e(0).slice(0, 9)]), 64, 96 + 19, 0) instanceof Malformed,
    );
  });

  it('other FILE classes: no event (other), nothing read (even with BufferOffset past the end)', () => {
    assert.deepEqual(info(setInfo(1, 0x05, [])), { kind: 'other' });
    assert.deepEqual(info(setInfo(1, 0x22, [], 0xffff)), { kind: 'other' });
  });
});

describe('SET_INFO FILESYSTEM classes', () => {
  it('0x06 FileFsControlInformation -> fscontrol: the int64 values cut to a signed 32-bit int', () => {
    const m = setInfo(2, 0x06, [
      ...u64(0x1_8000_0000n), // FreeSpaceStartFiltering -> low 32 bits 0x80000000 as int
      ...u64(-5n & 0xffffffffffffffffn), // FreeSpaceThreshold -1..-5
      ...u64(0x7_0000_0001n), // FreeSpaceStopFiltering -> 1
      ...u64(0xfffffffffffffffen), // DefaultQuotaThreshold (uint64)
      ...u64(100n), // DefaultQuotaLimit
      ...u32(0xff000000), // FileSystemControlFlags
      ...zeros(4), // Padding (Zeek needs it)
    ]);
    assert.deepEqual(info(m), {
      kind: 'fscontrol',
      fs_control: {
        free_space_start_filtering: -2147483648,
        free_space_threshold: -5,
        free_space_stop_filtering: 1,
        delete_quota_threshold: 0xfffffffffffffffen,
        default_quota_limit: 100n,
        fs_control_flags: 0xff000000,
      },
    });
    assert.ok(parseSetInfoRequest(m, 64, m.length - 1, 0) instanceof Malformed);
  });

  it('0x08 FileFsObjectIdInformation -> fsobjectid: 48 bytes through the UTF-16 conversion', () => {
    const m = setInfo(2, 0x08, [...u64(5n), ...u64(6n), ...utf16('ab'), ...zeros(44)]);
    assert.deepEqual(info(m), {
      kind: 'fsobjectid',
      object_id: { persistent: 5n, volatile: 6n },
      extended_info: Uint8Array.from([0x61, 0x62]),
    });
    assert.ok(parseSetInfoRequest(m, 64, m.length - 1, 0) instanceof Malformed);
  });

  it('other classes and info types: no event', () => {
    assert.deepEqual(info(setInfo(2, 0x01, [])), { kind: 'other' });
    assert.deepEqual(info(setInfo(3, 0x00, [])), { kind: 'other' });
    assert.deepEqual(info(setInfo(4, 0x0d, [])), { kind: 'other' });
  });
});

describe('SET_INFO buffer placement', () => {
  it('BufferOffset - head_length from the body; backwards means right after the 32 fixed bytes', () => {
    assert.deepEqual(info(setInfo(1, 0x0d, [7, 1], 97)), { kind: 'delete', delete_pending: true });
    assert.deepEqual(info(setInfo(1, 0x0d, [1], 0)), { kind: 'delete', delete_pending: true });
    const m = setInfo(1, 0x10, [...zeros(8), ...u32(3)], 0);
    assert.deepEqual(info(m), { kind: 'mode', mode: 0 }); // read at the fixed part's end, not 8 bytes later
  });

  it('BufferLength is ignored', () => {
    assert.deepEqual(info(setInfo(1, 0x14, u64(9n), 96, 0)), { kind: 'endoffile', end_of_file: 9n });
  });

  it('the fixed part must be there', () => {
    const m = setInfo(1, 0x0d, [1]);
    assert.ok(parseSetInfoRequest(m, 64, 64 + 31, 0) instanceof Malformed);
  });
});

describe('SET_INFO real messages', () => {
  // tshark -r test/fixtures/smbclient-smb3_11.pcap -o tcp.check_checksum:FALSE -Y 'frame.number==111 || frame.number==143' -V:
  //   frame 111: Class 0x01, InfoLevel 0x0a, Setinfo Size 80, Offset 0x60,
  //     File 21afe87b-0000-0000-d99a-979800000000, Filename length 60, dir-smb3_11\report-renamed.txt
  //   frame 143: Class 0x01, InfoLevel 0x0d, Size 1, File 60444274-0000-0000-1462-bdd800000000, Delete on close: 1
  it('smbclient rename and delete (tshark)', () => {
    const r = parse(RENAME_SMBCLIENT);
    assert.deepEqual(r, {
      infoType: 1,
      infoClass: 0x0a,
      file_id: tsharkGuid('21afe87b-0000-0000-d99a-979800000000'),
      info: { kind: 'rename', dst_filename: 'dir-smb3_11\\report-renamed.txt' },
    });
    assert.deepEqual(parse(DELETE_SMBCLIENT), {
      infoType: 1,
      infoClass: 0x0d,
      file_id: tsharkGuid('60444274-0000-0000-1462-bdd800000000'),
      info: { kind: 'delete', delete_pending: true },
    });
  });

  // tshark -r test/fixtures/smbtorture-notify-closeinfo.pcap ... -Y frame.number==93 -V:
  //   Setinfo Size 44 (2 NUL bytes after the name), File 34d9fb54-0000-0000-3e23-941100000000,
  //   Filename length 22, renamed.dat
  // tshark -r test/fixtures/impacket-smb2_10.pcap ... -Y frame.number==75 -V:
  //   Replace if: 1, File e609ff61-0000-0000-118b-110600000000, imp-smb2_10\renamed-report.txt
  it('smbtorture and impacket renames (tshark)', () => {
    const t = parse(RENAME_SMBTORTURE);
    assert.deepEqual(t.file_id, tsharkGuid('34d9fb54-0000-0000-3e23-941100000000'));
    assert.deepEqual(t.info, { kind: 'rename', dst_filename: 'renamed.dat' });
    const i = parse(RENAME_IMPACKET);
    assert.deepEqual(i.file_id, tsharkGuid('e609ff61-0000-0000-118b-110600000000'));
    assert.deepEqual(i.info, { kind: 'rename', dst_filename: 'imp-smb2_10\\renamed-report.txt' });
  });

  // Zeek baseline scripts.base.protocols.smb.smb2-fscontrol (cases/smb2-fscontrol/out); the header says
  // StructureSize 319 and BufferOffset is 0, so the buffer follows the 32 fixed bytes:
  //   [persistent=6859950276847483450, volatile=7016448126591398502]
  //   [free_space_start_filtering=1869373806, free_space_threshold=1601467760, free_space_stop_filtering=1933860724,
  //    delete_quota_threshold=7308895133777551220, default_quota_limit=100, fs_control_flags=4278190080]
  it("Zeek's smb2-fscontrol trace: the values of Zeek's baseline", () => {
    assert.equal(ZEEK_FSCONTROL[4], 0x3f); // head_length 319
    assert.deepEqual(parse(ZEEK_FSCONTROL), {
      infoType: 2,
      infoClass: 6,
      file_id: { persistent: 6859950276847483450n, volatile: 7016448126591398502n },
      info: {
        kind: 'fscontrol',
        fs_control: {
          free_space_start_filtering: 1869373806,
          free_space_threshold: 1601467760,
          free_space_stop_filtering: 1933860724,
          delete_quota_threshold: 7308895133777551220n,
          default_quota_limit: 100n,
          fs_control_flags: 4278190080,
        },
      },
    });
  });

  // Zeek baseline cases/smb2/.stdout (frame 1162 of smb2.pcap):
  //   smb2_file_sattr ... [persistent=77, volatile=18446744069414584329] MACTimes:[modified=XXX,
  //   modified_raw=129635214083125000, accessed=-1.16444736e+10, accessed_raw=0, created=-1.16444736e+10,
  //   created_raw=0, changed=-1.16444736e+10, changed_raw=0] FileAttrs:[all F]
  // Frame 36 (tshark: InfoLevel 0x14, File 0000004d-0000-0000-0900-0000ffffffff, bytes 4b 06 17 00 ... at 0x60)
  it("Zeek's smb2 trace: sattr as in Zeek's baseline, and an end-of-file", () => {
    assert.deepEqual(parse(ZEEK_SATTR), {
      infoType: 1,
      infoClass: 4,
      file_id: { persistent: 77n, volatile: 18446744069414584329n },
      info: { kind: 'sattr', times: macTimes(0n, 0n, 129635214083125000n, 0n), attrs: fileAttrs(0) },
    });
    const e = parse(ZEEK_ENDOFFILE);
    assert.deepEqual(e.file_id, tsharkGuid('0000004d-0000-0000-0900-0000ffffffff'));
    assert.deepEqual(e.info, { kind: 'endoffile', end_of_file: 0x17064bn });
  });

  // tshark ... smbclient-smb3_11.pcap -Y frame.number==112: SetInfo Response, StructureSize 2
  it('response: StructureSize only', () => {
    assert.equal(parseSetInfoResponse(SETINFO_RESP, 64, SETINFO_RESP.length), true);
    assert.ok(parseSetInfoResponse(SETINFO_RESP, 64, 65) instanceof Malformed);
    assert.deepEqual(SETINFO_RESP.subarray(64), hex('0200'));
  });
});
