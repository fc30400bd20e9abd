/**
 * TREE_CONNECT and TREE_DISCONNECT (tree-connect.ts, tree-disconnect.ts):
 * crafted messages field by field and real messages from
 * test/fixtures/smbclient-smb3_11.pcap checked against tshark.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Malformed } from '../../src/core/bytes/result.js';
import { parseTreeConnectRequest, parseTreeConnectResponse } from '../../src/core/smb/smb2/commands/tree-connect.js';
import { parseTreeDisconnect } from '../../src/core/smb/smb2/commands/tree-disconnect.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const u16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u32 = (v: number): number[] => [...u16(v & 0xffff), ...u16(v >>> 16)];
const zeros = (n: number): number[] => new Array<number>(n).fill(0);
const utf16 = (s: string): number[] => [...Buffer.from(s, 'utf16le')];

/** A 64-byte SMB2 header (StructureSize `headLen`, command TREE_CONNECT) and the body. */
function smb2(body: readonly number[], headLen = 64): Uint8Array {
  return Uint8Array.from([0xfe, 0x53, 0x4d, 0x42, ...u16(headLen), ...zeros(6), ...u16(3), ...zeros(50), ...body]);
}

// smbclient-smb3_11.pcap frame 12, 104 bytes
const TREE_REQ = hex(
  'fe534d4240000100000000000300010018000000000000000300000000000000000000000000000077c538ec00000000' +
    'e4d2003ffa8f515e219bd60353364d1d09000000480020005c005c003100320037002e0030002e0030002e0031005c00' +
    '4900500043002400',
);
// smbclient-smb3_11.pcap frame 13, 80 bytes
const TREE_RESP_PIPE = hex(
  'fe534d424000010000000000030001001900000000000000030000000000000000000000362ce73477c538ec00000000' +
    '30ab1129837a2f3b0156760a5d8b92a7100002000000000000000000a9001f00',
);
// smbclient-smb3_11.pcap frame 18, 106 bytes
const TREE_REQ_SHARE = hex(
  'fe534d4240000100000000000300010018000000000000000600000000000000000000000000000077c538ec00000000' +
    'ce382c057fce4248c5f26f9c24aff89609000000480022005c005c003100320037002e0030002e0030002e0031005c00' +
    '73006800610072006500',
);
// smbclient-smb3_11.pcap frame 19, 80 bytes
const TREE_RESP_DISK = hex(
  'fe534d42400001000000000003000100190000000000000006000000000000000000000092b1a48e77c538ec00000000' +
    'd1bef5116a27122e858a1a1ae2581bd0100001000000000000000000ff011f00',
);
// smbclient-smb3_11.pcap frame 16, 68 bytes
const TDIS_REQ = hex(
  'fe534d424000010000000000040001001000000000000000050000000000000000000000362ce73477c538ec00000000' +
    '0000000000000000000000000000000004000000',
);
// smbclient-smb3_11.pcap frame 17, 68 bytes
const TDIS_RESP = hex(
  'fe534d424000010000000000040001001100000000000000050000000000000000000000362ce73477c538ec00000000' +
    '0000000000000000000000000000000004000000',
);

describe('TREE_CONNECT request', () => {
  it('reads PathLength bytes at PathOffset as a UTF-16 path', () => {
    const path = utf16('\\\\srv\\share');
    const m = smb2([...u16(9), ...u16(0), ...u16(72), ...u16(path.length), ...path]);
    assert.deepEqual(parseTreeConnectRequest(m, 64, m.length, 0), { path: '\\\\srv\\share' });
  });

  it('3.1.1 with EXTENSION_PRESENT: Zeek ignores the flag and still reads at PathOffset', () => {
    const path = utf16('\\\\srv\\ipc$');
    const ext = [
      ...u32(16 + 8 + path.length), // TreeConnectContextOffset (from the request start)
      ...u16(0), // TreeConnectContextCount
      ...zeros(10), // Reserved
    ];
    const m = smb2([...u16(9), ...u16(0x0004), ...u16(64 + 8 + 16), ...u16(path.length), ...ext, ...path]);
    assert.deepEqual(parseTreeConnectRequest(m, 64, m.length, 0), { path: '\\\\srv\\ipc$' });
    // with PathOffset pointing backwards Zeek decodes the extension header itself as the path
    const back = smb2([...u16(9), ...u16(0x0004), ...u16(0), ...u16(4), ...u16(0x41), ...u16(0x42), ...zeros(12)]);
    assert.deepEqual(parseTreeConnectRequest(back, 64, back.length, 0), { path: 'AB' });
  });

  it("applies Zeek's string rules (cut at NUL, odd byte kept)", () => {
    const m = smb2([...u16(9), ...u16(0), ...u16(72), ...u16(7), ...utf16('ab'), 0, 0, 0x63]);
    assert.deepEqual(parseTreeConnectRequest(m, 64, m.length, 0), { path: 'ab' });
    const odd = smb2([...u16(9), ...u16(0), ...u16(72), ...u16(3), ...utf16('a'), 0x63]);
    assert.deepEqual(parseTreeConnectRequest(odd, 64, odd.length, 0), { path: 'ac' });
  });

  it('counts PathOffset from head_length, and fails when the path runs past the end', () => {
    const m = smb2([...u16(9), ...u16(0), ...u16(80), ...u16(2), ...utf16('x')], 72);
    assert.deepEqual(parseTreeConnectRequest(m, 64, m.length, 0), { path: 'x' });
    const bad = smb2([...u16(9), ...u16(0), ...u16(72), ...u16(4), ...utf16('x')]);
    assert.ok(parseTreeConnectRequest(bad, 64, bad.length, 0) instanceof Malformed);
    assert.ok(parseTreeConnectRequest(bad, 64, 64 + 7, 0) instanceof Malformed);
  });

  // tshark -r test/fixtures/smbclient-smb3_11.pcap -o tcp.check_checksum:FALSE -Y 'frame.number==12 || frame.number==18' -V:
  //   frame 12: Flags 0x0000, Blob Offset 0x48, Length 32, Tree: \\127.0.0.1\IPC$
  //   frame 18: Blob Offset 0x48, Length 34, Tree: \\127.0.0.1\share
  it('smbclient requests (tshark)', () => {
    assert.deepEqual(parseTreeConnectRequest(TREE_REQ, 64, TREE_REQ.length, 0), { path: '\\\\127.0.0.1\\IPC$' });
    assert.deepEqual(parseTreeConnectRequest(TREE_REQ_SHARE, 64, TREE_REQ_SHARE.length, 0), {
      path: '\\\\127.0.0.1\\share',
    });
  });
});

describe('TREE_CONNECT response', () => {
  it('share_type is the byte at 2; all 16 bytes are needed', () => {
    const m = smb2([...u16(16), 3, 0, ...u32(0x30), ...u32(0), ...u32(0x1f01ff)]);
    assert.deepEqual(parseTreeConnectResponse(m, 64, m.length, 0), { share_type: 3 });
    assert.ok(parseTreeConnectResponse(m, 64, m.length - 1, 0) instanceof Malformed);
  });

  // tshark ... -Y 'frame.number==13 || frame.number==19': Share Type 0x02 (IPC$), 0x01 (share)
  it('smbclient responses (tshark: pipe, disk)', () => {
    assert.deepEqual(parseTreeConnectResponse(TREE_RESP_PIPE, 64, TREE_RESP_PIPE.length, 0), { share_type: 2 });
    assert.deepEqual(parseTreeConnectResponse(TREE_RESP_DISK, 64, TREE_RESP_DISK.length, 0), { share_type: 1 });
  });
});

describe('TREE_DISCONNECT', () => {
  // tshark ... -Y 'frame.number==16 || frame.number==17': StructureSize 4 (request and response)
  it('needs its 4 bytes', () => {
    assert.equal(parseTreeDisconnect(TDIS_REQ, 64, TDIS_REQ.length), true);
    assert.equal(parseTreeDisconnect(TDIS_RESP, 64, TDIS_RESP.length), true);
    assert.ok(parseTreeDisconnect(TDIS_REQ, 64, 67) instanceof Malformed);
    assert.deepEqual(TDIS_REQ.subarray(64), hex('04000000'));
  });
});
