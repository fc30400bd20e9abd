/**
 * SESSION_SETUP (session-setup.ts): crafted messages field by field and real
 * messages from test/fixtures/smbclient-smb3_11.pcap checked against tshark.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Malformed } from '../../src/core/bytes/result.js';
import { parseSessionSetupRequest, parseSessionSetupResponse } from '../../src/core/smb/smb2/commands/session-setup.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const u16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u32 = (v: number): number[] => [...u16(v & 0xffff), ...u16(v >>> 16)];
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

/** A 64-byte SMB2 header (StructureSize `headLen`, command SESSION_SETUP) and the body. */
function smb2(body: readonly number[], headLen = 64): Uint8Array {
  return Uint8Array.from([0xfe, 0x53, 0x4d, 0x42, ...u16(headLen), ...zeros(6), ...u16(1), ...zeros(50), ...body]);
}

function ok<T>(r: T | Malformed): T {
  assert.ok(!(r instanceof Malformed), r instanceof Malformed ? r.what : '');
  return r;
}

// smbclient-smb3_11.pcap frame 8, 162 bytes
const SESSION_REQ = hex(
  'fe534d424000010000000000010000201000000000000000010000000000000000000000000000000000000000000000' +
    '0000000000000000000000000000000019000001010000000000000058004a000000000000000000604806062b060105' +
    '0502a03e303ca00e300c060a2b06010401823702020aa22a04284e544c4d535350000100000015820862000000002800' +
    '00000000000028000000060100000000000f',
);
// smbclient-smb3_11.pcap frame 9, 261 bytes
const SESSION_RESP_MORE = hex(
  'fe534d4240000100160000c00100010011000000000000000100000000000000000000000000000077c538ec00000000' +
    '00000000000000000000000000000000090000004800bd00a181ba3081b7a0030a0101a10c060a2b0601040182370202' +
    '0aa281a104819e4e544c4d5353500002000000160016003800000015828a624bd70658edfe0a7a000000000000000050' +
    '0050004e000000060100000000000f53004d004200530043004f00500045005300520056000200160053004d00420053' +
    '0043004f00500045005300520056000100160053004d004200530043004f005000450053005200560004000000030004' +
    '0076006d000700080030a3ab46f37bdd0100000000',
);
// smbclient-smb3_11.pcap frame 11, 101 bytes
const SESSION_RESP_FINAL = hex(
  'fe534d4240000100000000000100002019000000000000000200000000000000000000000000000077c538ec00000000' +
    '2be039d026ec9ac0b4255d4f531031ef0900000048001d00a11b3019a0030a0100a31204100100000059b47462db475b' +
    '5100000000',
);

/** A request body: SecurityMode, SecurityBufferOffset/Length, then `rest`. */
function request(mode: number, secOff: number, secLen: number, rest: readonly number[]): number[] {
  return [
    ...u16(25), // StructureSize
    0, // Flags
    mode, // SecurityMode
    ...u32(1), // Capabilities
    ...u32(0), // Channel
    ...u16(secOff), // SecurityBufferOffset
    ...u16(secLen), // SecurityBufferLength
    ...rest,
  ];
}

describe('SESSION_SETUP request', () => {
  it('security_mode is the byte at 3; the blob is at SecurityBufferOffset', () => {
    const m = smb2(request(2, 88, 3, [...[1, 2, 3, 4, 5, 6, 7, 8], 0xb1, 0xb2, 0xb3])); // PreviousSessionId, Buffer
    const r = ok(parseSessionSetupRequest(m, 64, m.length, 0));
    assert.deepEqual(r.request, { security_mode: 2 });
    assert.deepEqual([...r.securityBlob], [0xb1, 0xb2, 0xb3]);
    assert.equal(r.securityBlob.buffer, m.buffer); // a view, not a copy
  });

  it('an offset pointing backwards reads right after the 16 bytes Zeek parses (PreviousSessionId)', () => {
    const m = smb2(request(1, 0, 3, [0xc1, 0xc2, 0xc3, ...zeros(5)]));
    assert.deepEqual([...ok(parseSessionSetupRequest(m, 64, m.length, 0)).securityBlob], [0xc1, 0xc2, 0xc3]);
  });

  it('the offset is counted from head_length (the header StructureSize), not 64', () => {
    const m = smb2(request(1, 98, 2, [...zeros(10), 0xd1, 0xd2]), 72); // 98 - 72 = 26 bytes into the body
    assert.deepEqual([...ok(parseSessionSetupRequest(m, 64, m.length, 0)).securityBlob], [0xd1, 0xd2]);
  });

  it('fails when the blob runs past the end or the fixed part is short', () => {
    const m = smb2(request(1, 88, 9, [...zeros(8), 1, 2]));
    assert.ok(parseSessionSetupRequest(m, 64, m.length, 0) instanceof Malformed);
    assert.ok(parseSessionSetupRequest(m, 64, 64 + 15, 0) instanceof Malformed);
    const beyond = smb2(request(1, 200, 0, [])); // even a zero-length blob must not start past the end
    assert.ok(parseSessionSetupRequest(beyond, 64, beyond.length, 0) instanceof Malformed);
  });

  // tshark -r test/fixtures/smbclient-smb3_11.pcap -o tcp.check_checksum:FALSE -Y frame.number==8 -V:
  //   Security mode: 0x01, Blob Offset: 0x00000058, Blob Length: 74,
  //   Security Blob: 60:48:06:06:2b:06:01:05:05:02:a0:3e:...:0f (NTLMSSP_NEGOTIATE in SPNEGO)
  it('smbclient request (tshark)', () => {
    const r = ok(parseSessionSetupRequest(SESSION_REQ, 64, SESSION_REQ.length, 0));
    assert.deepEqual(r.request, { security_mode: 1 });
    assert.equal(r.securityBlob.length, 74);
    assert.deepEqual(r.securityBlob, SESSION_REQ.subarray(0x58, 0x58 + 74));
    assert.deepEqual([...r.securityBlob.subarray(0, 4)], [0x60, 0x48, 0x06, 0x06]);
    assert.equal(r.securityBlob[73], 0x0f);
  });
});

describe('SESSION_SETUP response', () => {
  it('SessionFlags bits: guest 0x1, anonymous 0x2, encrypt 0x4', () => {
    for (const [f, flags] of [
      [0, { guest: false, anonymous: false, encrypt: false }],
      [1, { guest: true, anonymous: false, encrypt: false }],
      [2, { guest: false, anonymous: true, encrypt: false }],
      [4 | 0x100, { guest: false, anonymous: false, encrypt: true }],
    ] as const) {
      const m = smb2([...u16(9), ...u16(f), ...u16(72), ...u16(1), 0xe1]);
      const r = ok(parseSessionSetupResponse(m, 64, m.length, 0));
      assert.deepEqual(r.response, { flags });
      assert.deepEqual([...r.securityBlob], [0xe1]);
    }
  });

  it('fails when the blob runs past the end', () => {
    const m = smb2([...u16(9), ...u16(0), ...u16(72), ...u16(2), 0xe1]);
    assert.ok(parseSessionSetupResponse(m, 64, m.length, 0) instanceof Malformed);
    assert.ok(parseSessionSetupResponse(m, 64, 64 + 7, 0) instanceof Malformed);
  });

  // tshark -r test/fixtures/smbclient-smb3_11.pcap ... -Y 'frame.number==9 || frame.number==11' -V:
  //   frame 9 (STATUS_MORE_PROCESSING_REQUIRED): Session Flags 0x0000, Blob Offset 0x48, Length 189,
  //     blob a1:81:ba:30:81:b7:... (NTLMSSP_CHALLENGE)
  //   frame 11 (STATUS_SUCCESS): Session Flags 0x0000, Blob Offset 0x48, Length 29, blob a1:1b:30:19:...
  it('smbclient responses (tshark)', () => {
    const more = ok(parseSessionSetupResponse(SESSION_RESP_MORE, 64, SESSION_RESP_MORE.length, 0));
    assert.deepEqual(more.response, { flags: { guest: false, anonymous: false, encrypt: false } });
    assert.equal(more.securityBlob.length, 189);
    assert.deepEqual([...more.securityBlob.subarray(0, 4)], [0xa1, 0x81, 0xba, 0x30]);
    const fin = ok(parseSessionSetupResponse(SESSION_RESP_FINAL, 64, SESSION_RESP_FINAL.length, 0));
    assert.deepEqual(fin.response, { flags: { guest: false, anonymous: false, encrypt: false } });
    assert.deepEqual(fin.securityBlob, hex('a11b3019a0030a0100a31204100100000059b47462db475b5100000000'));
  });
});
