/**
 * WRITE (write.ts): crafted messages field by field and real messages from
 * test/fixtures (an impacket pipe write, a write inside an smbtorture
 * compound chain) checked against tshark.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Malformed } from '../../src/core/bytes/result.js';
import { parseWriteRequest, parseWriteResponse, WRITE_REQUEST_FIXED } from '../../src/core/smb/smb2/commands/write.js';
import type { SMB2GUID } from '../../src/core/smb/smb2/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const u16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u32 = (v: number): number[] => [...u16(v & 0xffff), ...u16(v >>> 16)];
const u64 = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

/** A 64-byte SMB2 header (StructureSize `headLen`, command WRITE) and the body. */
function smb2(body: readonly number[], headLen = 64): Uint8Array {
  return Uint8Array.from([0xfe, 0x53, 0x4d, 0x42, ...u16(headLen), ...zeros(6), ...u16(9), ...zeros(50), ...body]);
}

/** tshark's GUID display (data1-data2-data3 little-endian, data4 as bytes) as Zeek's two halves. */
function tsharkGuid(s: string): SMB2GUID {
  const [a = '', b = '', c = '', d = '', e = ''] = s.split('-');
  const le = (x: string) => (x.match(/../g) ?? []).reverse().join('');
  const raw = Buffer.from(le(a) + le(b) + le(c) + d + e, 'hex');
  return { persistent: raw.readBigUInt64LE(0), volatile: raw.readBigUInt64LE(8) };
}

// impacket-smb2_10.pcap frame 17, 184 bytes
const WRITE_REQ_PIPE = hex(
  'fe534d42400001000000000009007f00000000000000000005000000000000000000000089465fe5ce82798c00000000' +
    '00000000000000000000000000000000310070004800000000000000000000009fef89b5000000005a4851eb00000000' +
    '0000000000000000000000000000000005000b03100000004800000001000000b810b810000000000100000000000100' +
    'c84f324b7016d30112785a47bf6ee18803000000045d888aeb1cc9119fe808002b10486002000000',
);
// impacket-smb2_10.pcap frame 19, 80 bytes
const WRITE_RESP_PIPE = hex(
  'fe534d42400001000000000009007f00010000000000000005000000000000000000000089465fe5ce82798c00000000' +
    '0000000000000000000000000000000011000000480000000000000000000000',
);
// smbtorture-compound.pcap frame 146 (chain member 0), 184 bytes
const CHAIN_CREATE = hex(
  'fe534d4240000100000000000500010010000000b800000005000000000000000000000074886e02f6c772ef00000000' +
    '00000000000000000000000000000000390000000200000000000000000000000000000000000000ff011f0080000000' +
    '07000000030000006400200078003e00000000000000000063006f006d0070006f0075006e0064005f00630072006500' +
    '6100740065005f00770072006900740065005f0063006c006f00730065002e006400610074000000',
);
// smbtorture-compound.pcap frame 146 (chain member 1), 1136 bytes (the first 112 kept)
const CHAIN_WRITE_PREFIX = hex(
  'fe534d42400001000000000009000200140000007004000006000000000000000000000074886e02f6c772ef00000000' +
    '0000000000000000000000000000000031007000000400000000000000000000ffffffffffffffffffffffffffffffff' +
    '00000000000000000000000000000000',
);

/** A request body with DataOffset `off` and Length `len`. */
function request(off: number, len: number): number[] {
  return [
    ...u16(49), // StructureSize
    ...u16(off), // DataOffset
    ...u32(len), // Length
    ...u64(0x2_0000_0010n), // Offset
    ...u64(1n),
    ...u64(2n), // FileId
    ...u32(0), // Channel
    ...u32(0), // RemainingBytes
    ...u16(0), // WriteChannelInfoOffset
    ...u16(0), // WriteChannelInfoLength
    ...u32(0), // Flags
  ];
}

describe('WRITE request', () => {
  it('file_id, offset, length and where the data starts (relative to the header)', () => {
    const m = smb2([...request(112, 3), 1, 2, 3]);
    assert.deepEqual(parseWriteRequest(m, 64, m.length, 0), {
      file_id: { persistent: 1n, volatile: 2n },
      offset: 0x2_0000_0010n,
      length: 3,
      dataOffset: 112,
    });
  });

  it('the data may extend past the end (a streamed message); only the 48 fixed bytes are needed', () => {
    const m = smb2(request(112, 65536));
    assert.deepEqual(parseWriteRequest(m, 64, m.length, 0), {
      file_id: { persistent: 1n, volatile: 2n },
      offset: 0x2_0000_0010n,
      length: 65536,
      dataOffset: 112,
    });
    assert.ok(parseWriteRequest(m, 64, 64 + WRITE_REQUEST_FIXED - 1, 0) instanceof Malformed);
  });

  it('DataOffset pointing backwards: data right after the fixed part; head_length counts', () => {
    const m = smb2(request(0, 1));
    assert.equal((parseWriteRequest(m, 64, m.length, 0) as { dataOffset: number }).dataOffset, 112);
    const shifted = smb2(request(124, 1), 72); // 124 - 72 = 52 into the body
    assert.equal((parseWriteRequest(shifted, 64, shifted.length, 0) as { dataOffset: number }).dataOffset, 116);
  });

  // tshark -r test/fixtures/impacket-smb2_10.pcap -o tcp.check_checksum:FALSE -Y frame.number==17 -V:
  //   Data Offset: 0x0070, Write Length: 72, File Offset: 0,
  //   GUID handle File: b589ef9f-0000-0000-5a48-51eb00000000 (DCERPC bind on \srvsvc)
  it('impacket pipe write (tshark)', () => {
    const r = parseWriteRequest(WRITE_REQ_PIPE, 64, WRITE_REQ_PIPE.length, 0);
    assert.deepEqual(r, {
      file_id: tsharkGuid('b589ef9f-0000-0000-5a48-51eb00000000'),
      offset: 0n,
      length: 72,
      dataOffset: 0x70,
    });
    assert.equal(0x70 + 72, WRITE_REQ_PIPE.length);
    assert.deepEqual(WRITE_REQ_PIPE.subarray(0x70, 0x74), hex('05000b03')); // DCE/RPC v5.0 bind
  });

  // tshark -r test/fixtures/smbtorture-compound.pcap ... -Y frame.number==146 -V: chain CREATE (NextCommand
  //   0xb8) + WRITE (Data Offset 0x0070, Write Length 1024, File Offset 0, File ffffffff-...-ffff) + CLOSE;
  //   only the WRITE's header and fixed part are kept here
  it('a related WRITE inside a compound chain: offsets from its own header (tshark)', () => {
    const chain = Uint8Array.from([...CHAIN_CREATE, ...CHAIN_WRITE_PREFIX]);
    const at = CHAIN_CREATE.length; // NextCommand of the CREATE
    assert.equal(at, 0xb8);
    const r = parseWriteRequest(chain, at + 64, chain.length, at);
    assert.deepEqual(r, {
      file_id: tsharkGuid('ffffffff-ffff-ffff-ffff-ffffffffffff'),
      offset: 0n,
      length: 1024,
      dataOffset: 0x70,
    });
  });
});

describe('WRITE response', () => {
  it('count is the uint32 at 4; all 16 bytes are needed', () => {
    const m = smb2([...u16(17), ...u16(0), ...u32(4065), ...u32(0), ...u16(0), ...u16(0)]);
    assert.deepEqual(parseWriteResponse(m, 64, m.length), { count: 4065 });
    assert.ok(parseWriteResponse(m, 64, m.length - 1) instanceof Malformed);
  });

  // tshark -r test/fixtures/impacket-smb2_10.pcap ... -Y frame.number==19 -V: Write Count: 72, Write Remaining: 0
  it('impacket pipe write response (tshark)', () => {
    assert.deepEqual(parseWriteResponse(WRITE_RESP_PIPE, 64, WRITE_RESP_PIPE.length), { count: 72 });
  });
});
