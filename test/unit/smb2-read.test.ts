/**
 * READ (read.ts): crafted messages field by field and real messages from
 * test/fixtures (impacket-smb2_10.pcap pipe reads, smbclient-smb3_11.pcap
 * file read) checked against tshark.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Malformed } from '../../src/core/bytes/result.js';
import {
  parseReadRequest,
  parseReadResponse,
  READ_RESPONSE_FIXED,
  readResponseDataOffset,
  readResponseDataStart,
} from '../../src/core/smb/smb2/commands/read.js';
import type { SMB2GUID } from '../../src/core/smb/smb2/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const u16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u32 = (v: number): number[] => [...u16(v & 0xffff), ...u16(v >>> 16)];
const u64 = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

/** A 64-byte SMB2 header (StructureSize `headLen`, command READ) and the body. */
function smb2(body: readonly number[], headLen = 64): Uint8Array {
  return Uint8Array.from([0xfe, 0x53, 0x4d, 0x42, ...u16(headLen), ...zeros(6), ...u16(8), ...zeros(50), ...body]);
}

/** tshark's GUID display (data1-data2-data3 little-endian, data4 as bytes) as Zeek's two halves. */
function tsharkGuid(s: string): SMB2GUID {
  const [a = '', b = '', c = '', d = '', e = ''] = s.split('-');
  const le = (x: string) => (x.match(/../g) ?? []).reverse().join('');
  const raw = Buffer.from(le(a) + le(b) + le(c) + d + e, 'hex');
  return { persistent: raw.readBigUInt64LE(0), volatile: raw.readBigUInt64LE(8) };
}

// impacket-smb2_10.pcap frame 20, 113 bytes
const READ_REQ_PIPE = hex(
  'fe534d42400001000000000008007f00000000000000000006000000000000000000000089465fe5ce82798c00000000' +
    '00000000000000000000000000000000310050000000010000000000000000009fef89b5000000005a4851eb00000000' +
    '0000000000000000000000000000000030',
);
// impacket-smb2_10.pcap frame 23, 148 bytes
const READ_RESP_PIPE = hex(
  'fe534d42400001000000000008000000030000000000000006000000000000000600000000000000ce82798c00000000' +
    '000000000000000000000000000000001100500044000000000000000000000005000c03100000004400000001000000' +
    'b810b81098da00000d005c706970655c73727673766300000100000000000000045d888aeb1cc9119fe808002b104860' +
    '02000000',
);
// smbclient-smb3_11.pcap frame 52, 113 bytes
const READ_REQ_FILE = hex(
  'fe534d42400001000000000008000100100000000000000017000000000000000000000092b1a48e77c538ec00000000' +
    '0000000000000000000000000000000031000000e10f00000000000000000000176a70ae00000000cf6d81e700000000' +
    '0000000000000000000000000000000000',
);
// smbclient-smb3_11.pcap frame 53, 4145 bytes (the first 80 kept)
const READ_RESP_FILE_PREFIX = hex(
  'fe534d42400001000000000008000100110000000000000017000000000000000000000092b1a48e77c538ec00000000' +
    '0000000000000000000000000000000011005000e10f00000000000000000000',
);

/** A request body with the channel info at `chanOff` (`chanLen` bytes). */
function request(chanOff: number, chanLen: number): number[] {
  return [
    ...u16(49), // StructureSize
    0x50, // Padding
    0, // Flags
    ...u32(65536), // Length
    ...u64(0x1_0000_0000n), // Offset
    ...u64(7n),
    ...u64(8n), // FileId
    ...u32(1), // MinimumCount
    ...u32(0), // Channel
    ...u32(0), // RemainingBytes
    ...u16(chanOff), // ReadChannelInfoOffset
    ...u16(chanLen), // ReadChannelInfoLength
  ];
}

describe('READ request', () => {
  it('file_id, 64-bit offset, length; the 49th byte is not needed', () => {
    const m = smb2(request(0, 0));
    assert.deepEqual(parseReadRequest(m, 64, m.length, 0), {
      file_id: { persistent: 7n, volatile: 8n },
      offset: 0x1_0000_0000n,
      length: 65536,
    });
    assert.ok(parseReadRequest(m, 64, m.length - 1, 0) instanceof Malformed);
  });

  it('the unused channel info must still lie within the message', () => {
    const m = smb2([...request(112, 4), 1, 2, 3, 4]);
    assert.ok(!(parseReadRequest(m, 64, m.length, 0) instanceof Malformed));
    assert.ok(parseReadRequest(m, 64, m.length - 1, 0) instanceof Malformed);
    const back = smb2([...request(0, 2), 1, 2]); // offset pointing backwards: right after the fixed part
    assert.ok(!(parseReadRequest(back, 64, back.length, 0) instanceof Malformed));
  });

  // tshark -r test/fixtures/impacket-smb2_10.pcap -o tcp.check_checksum:FALSE -Y frame.number==20 -V:
  //   Read Length: 65536, File Offset: 0, GUID handle File: b589ef9f-0000-0000-5a48-51eb00000000
  // tshark -r test/fixtures/smbclient-smb3_11.pcap ... -Y frame.number==52 -V:
  //   Read Length: 4065, File Offset: 0, GUID handle File: ae706a17-0000-0000-cf6d-81e700000000
  it('impacket and smbclient requests (tshark)', () => {
    assert.deepEqual(parseReadRequest(READ_REQ_PIPE, 64, READ_REQ_PIPE.length, 0), {
      file_id: tsharkGuid('b589ef9f-0000-0000-5a48-51eb00000000'),
      offset: 0n,
      length: 65536,
    });
    assert.deepEqual(parseReadRequest(READ_REQ_FILE, 64, READ_REQ_FILE.length, 0), {
      file_id: tsharkGuid('ae706a17-0000-0000-cf6d-81e700000000'),
      offset: 0n,
      length: 4065,
    });
  });
});

/** A response body with DataOffset `off` (one byte), Reserved `res`, DataLength `len`. */
function response(off: number, res: number, len: number): number[] {
  return [...u16(17), off, res, ...u32(len), ...u32(0), ...u32(0)];
}

describe('READ response', () => {
  it('the data is at DataOffset (relative to the header) and must fit', () => {
    const m = smb2([...response(80, 0, 3), 0xd1, 0xd2, 0xd3]);
    assert.deepEqual(parseReadResponse(m, 64, m.length, 0), { dataOffset: 80, dataLength: 3 });
    assert.equal(readResponseDataOffset(m, 0), 80);
    assert.equal(readResponseDataStart(m, 0), 80);
    assert.ok(parseReadResponse(m, 64, m.length - 1, 0) instanceof Malformed);
    assert.ok(parseReadResponse(m, 64, 64 + READ_RESPONSE_FIXED - 1, 0) instanceof Malformed);
  });

  it('DataOffset is one byte: a non-zero Reserved byte does not move the data (Zeek PR #4744)', () => {
    const m = smb2([...response(80, 1, 2), 0xd1, 0xd2]);
    assert.deepEqual(parseReadResponse(m, 64, m.length, 0), { dataOffset: 80, dataLength: 2 });
  });

  it('DataOffset pointing backwards: the data follows the 16 fixed bytes; head_length counts', () => {
    const m = smb2([...response(0, 0, 2), 0xd1, 0xd2]);
    assert.deepEqual(parseReadResponse(m, 64, m.length, 0), { dataOffset: 80, dataLength: 2 });
    const shifted = smb2([...response(92, 0, 1), 0, 0, 0, 0, 0xd1], 72); // 92 - 72 = 20 into the body
    assert.deepEqual(parseReadResponse(shifted, 64, shifted.length, 0), { dataOffset: 84, dataLength: 1 });
    assert.equal(readResponseDataStart(shifted, 0), 84);
  });

  it('offsets are relative to the header wherever it is in the buffer', () => {
    const m = Uint8Array.from([...zeros(10), ...smb2([...response(80, 0, 1), 0xd1])]);
    assert.deepEqual(parseReadResponse(m, 74, m.length, 10), { dataOffset: 80, dataLength: 1 });
    assert.equal(m[10 + 80], 0xd1);
  });

  // tshark -r test/fixtures/impacket-smb2_10.pcap ... -Y frame.number==23 -V:
  //   Blob Offset: 0x00000050, Blob Length: 68, Read Remaining: 0, data 05:00:0c:03:10:00:00:00:44:00... (DCERPC bind_ack)
  it('impacket pipe read response (tshark)', () => {
    const r = parseReadResponse(READ_RESP_PIPE, 64, READ_RESP_PIPE.length, 0);
    assert.deepEqual(r, { dataOffset: 0x50, dataLength: 68 });
    assert.deepEqual(READ_RESP_PIPE.subarray(0x50, 0x50 + 8), hex('05000c0310000000'));
  });

  // tshark -r test/fixtures/smbclient-smb3_11.pcap ... -Y frame.number==53 -T fields -e smb2.olb.offset -e smb2.olb.length:
  //   0x00000050  4065 (only the header and the fixed part are kept here: the streaming helpers need no more)
  it('smbclient file read response: the data start from the fixed part alone (tshark)', () => {
    assert.equal(readResponseDataOffset(READ_RESP_FILE_PREFIX, 0), 0x50);
    assert.equal(readResponseDataStart(READ_RESP_FILE_PREFIX, 0), 0x50);
    assert.ok(parseReadResponse(READ_RESP_FILE_PREFIX, 64, READ_RESP_FILE_PREFIX.length, 0) instanceof Malformed);
    assert.deepEqual(parseReadResponse(READ_RESP_FILE_PREFIX, 64, 0x50 + 4065, 0), {
      dataOffset: 0x50,
      dataLength: 4065,
    });
  });
});
