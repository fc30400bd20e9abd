/**
 * The commands Zeek raises no event for (flush, lock, ioctl, echo, cancel,
 * logoff, query-directory, query-info, change-notify, oplock-break) and the
 * command-name table: fixed parts crafted field by field, and real messages
 * from test/fixtures checked against tshark.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Malformed } from '../../src/core/bytes/result.js';
import { parseCancelRequest } from '../../src/core/smb/smb2/commands/cancel.js';
import { parseChangeNotifyRequest } from '../../src/core/smb/smb2/commands/change-notify.js';
import { parseEcho } from '../../src/core/smb/smb2/commands/echo.js';
import { parseFlushRequest } from '../../src/core/smb/smb2/commands/flush.js';
import { SMB2_COMMAND_NAMES, smb2CommandName } from '../../src/core/smb/smb2/commands/index.js';
import {
  FSCTL_DFS_GET_REFERRALS,
  FSCTL_VALIDATE_NEGOTIATE_INFO,
  parseIoctlRequest,
  parseIoctlResponse,
} from '../../src/core/smb/smb2/commands/ioctl.js';
import { parseLockRequest } from '../../src/core/smb/smb2/commands/lock.js';
import { parseLogoff } from '../../src/core/smb/smb2/commands/logoff.js';
import { parseOplockBreak } from '../../src/core/smb/smb2/commands/oplock-break.js';
import { parseQueryDirectoryRequest } from '../../src/core/smb/smb2/commands/query-directory.js';
import { parseQueryInfoRequest } from '../../src/core/smb/smb2/commands/query-info.js';
import type { SMB2GUID } from '../../src/core/smb/smb2/types.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const u16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u32 = (v: number): number[] => [...u16(v & 0xffff), ...u16(v >>> 16)];
const u64 = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

/** A 64-byte SMB2 header for `command` and the body. */
function smb2(command: number, body: readonly number[]): Uint8Array {
  return Uint8Array.from([0xfe, 0x53, 0x4d, 0x42, ...u16(64), ...zeros(6), ...u16(command), ...zeros(50), ...body]);
}

/** tshark's GUID display (data1-data2-data3 little-endian, data4 as bytes) as Zeek's two halves. */
function tsharkGuid(s: string): SMB2GUID {
  const [a = '', b = '', c = '', d = '', e = ''] = s.split('-');
  const le = (x: string) => (x.match(/../g) ?? []).reverse().join('');
  const raw = Buffer.from(le(a) + le(b) + le(c) + d + e, 'hex');
  return { persistent: raw.readBigUInt64LE(0), volatile: raw.readBigUInt64LE(8) };
}

const FID = [...u64(0x0102n), ...u64(0x0304n)];
const FID_V = { persistent: 0x0102n, volatile: 0x0304n };
const RELATED = { persistent: 0xffffffffffffffffn, volatile: 0xffffffffffffffffn };

// smbclient-smb2_10.pcap frame 14, 146 bytes
const IOCTL_REQ = hex(
  'fe534d4240000100000000000b000100080000000000000004000000000000000000000043ae4ade3c595b7500000000' +
    'e13d7dcc5711404353344bec23e275453900000004021400ffffffffffffffffffffffffffffffff780000001a000000' +
    '000000007800000000000000180000000100000000000000000000003dc332f5b4b94c428c2c837b9e96da4101000100' +
    '1002',
);
// smbclient-smb2_10.pcap frame 15, 136 bytes
const IOCTL_RESP = hex(
  'fe534d4240000100000000000b000100090000000000000004000000000000000000000043ae4ade3c595b7500000000' +
    '7cfe2c9ae5457b7e2a7e7305469634133100000004021400ffffffffffffffffffffffffffffffff7000000000000000' +
    '7000000018000000000000000000000007000000736d6273636f7065737276000000000001001002',
);
// smbclient-smb3_11.pcap frame 36, 98 bytes
const QDIR_REQ = hex(
  'fe534d4240000100000000000e00010010000000000000000f000000000000000000000092b1a48e77c538ec00000000' +
    '00000000000000000000000000000000210025000000000043d8eaea00000000c9b6187a000000006000020000000100' +
    '2a00',
);
// smbclient-smb3_11.pcap frame 44, 105 bytes
const QINFO_REQ = hex(
  'fe534d42400001000000000010000100100000000000000013000000000000000000000092b1a48e77c538ec00000000' +
    '0000000000000000000000000000000029000203ffff0000000000000000000000000000000000005632e53000000000' +
    '8240c6be0000000000',
);
// smbtorture-compound.pcap frame 110 (chain member 0), 160 bytes
const NOTIFY_CHAIN_CREATE = hex(
  'fe534d4240000100000000000500000010000000a000000005000000000000000000000074ca38d2ff7da72000000000' +
    '00000000000000000000000000000000390000000000000000000000000000000000000000000000ff011f0010000000' +
    '07000000020000000100000078002800000000000000000063006f006d0070006f0075006e0064005f0069006e007400' +
    '6500720069006d005f00640069007200',
);
// smbtorture-compound.pcap frame 110 (chain member 1), 96 bytes
const NOTIFY_CHAIN_NOTIFY = hex(
  'fe534d4240000100000000000f000000140000000000000006000000000000000000000074ca38d2ff7da72000000000' +
    '000000000000000000000000000000002000010000100000ffffffffffffffffffffffffffffffff0300000000000000',
);
// smbtorture-compound.pcap frame 112, 68 bytes
const CANCEL_REQ = hex(
  'fe534d4240000000000000000c000000100000000000000006000000000000000000000000000000ff7da72000000000' +
    '0000000000000000000000000000000004000000',
);
// impacket-smb2_10.pcap frame 99, 68 bytes
const LOGOFF_REQ = hex(
  'fe534d42400001000000000002007f0000000000000000002c000000000000000000000000000000ce82798c00000000' +
    '0000000000000000000000000000000004000000',
);
// impacket-smb2_10.pcap frame 100, 68 bytes
const LOGOFF_RESP = hex(
  'fe534d42400001000000000002007f0001000000000000002c000000000000000000000000000000ce82798c00000000' +
    '0000000000000000000000000000000004000000',
);

describe('command names', () => {
  it("Zeek's SMB2::commands, unknown-<code> otherwise", () => {
    assert.equal(SMB2_COMMAND_NAMES[0], 'NEGOTIATE_PROTOCOL');
    assert.equal(smb2CommandName(5), 'CREATE');
    assert.equal(smb2CommandName(18), 'OPLOCK_BREAK');
    assert.equal(smb2CommandName(19), 'unknown-19');
    assert.equal(Object.keys(SMB2_COMMAND_NAMES).length, 19);
  });
});

describe('fixed-size bodies without fields', () => {
  // tshark -r test/fixtures/impacket-smb2_10.pcap -o tcp.check_checksum:FALSE -Y 'frame.number==99 || frame.number==100':
  //   Session Logoff Request / Response, StructureSize 0x0004
  // tshark -r test/fixtures/smbtorture-compound.pcap ... -Y frame.number==112: Cancel Request, StructureSize 0x0004
  it('LOGOFF, CANCEL, ECHO need their 4 bytes (tshark)', () => {
    assert.equal(parseLogoff(LOGOFF_REQ, 64, LOGOFF_REQ.length), true);
    assert.equal(parseLogoff(LOGOFF_RESP, 64, LOGOFF_RESP.length), true);
    assert.equal(parseCancelRequest(CANCEL_REQ, 64, CANCEL_REQ.length), true);
    const echo = smb2(13, [...u16(4), ...u16(0)]);
    assert.equal(parseEcho(echo, 64, echo.length), true);
    assert.ok(parseEcho(echo, 64, 67) instanceof Malformed);
    assert.ok(parseLogoff(LOGOFF_REQ, 64, 66) instanceof Malformed);
    assert.ok(parseCancelRequest(CANCEL_REQ, 64, 64) instanceof Malformed);
  });
});

describe('bodies with a FileId', () => {
  it('FLUSH request: FileId at 8', () => {
    const m = smb2(7, [...u16(24), ...u16(0), ...u32(0), ...FID]);
    assert.deepEqual(parseFlushRequest(m, 64, m.length), { file_id: FID_V });
    assert.ok(parseFlushRequest(m, 64, m.length - 1) instanceof Malformed);
  });

  it('LOCK request: LockCount, FileId at 8', () => {
    const m = smb2(10, [...u16(48), ...u16(1), ...u32(0), ...FID, ...u64(0n), ...u64(10n), ...u32(2), ...u32(0)]);
    assert.deepEqual(parseLockRequest(m, 64, m.length), { lock_count: 1, file_id: FID_V });
    assert.ok(parseLockRequest(m, 64, 64 + 23) instanceof Malformed);
  });

  it('OPLOCK_BREAK: the oplock form has a FileId, the lease forms do not', () => {
    const m = smb2(18, [...u16(24), 1, 0, ...u32(0), ...FID]);
    assert.deepEqual(parseOplockBreak(m, 64, m.length), { structure_size: 24, oplock_level: 1, file_id: FID_V });
    const lease = smb2(18, [...u16(44), ...u16(1), ...u32(0), ...zeros(16), ...u32(7), ...u32(1), ...zeros(12)]);
    assert.deepEqual(parseOplockBreak(lease, 64, lease.length), { structure_size: 44 });
    assert.ok(parseOplockBreak(m, 64, m.length - 1) instanceof Malformed);
  });

  // tshark -r test/fixtures/smbclient-smb2_10.pcap ... -Y 'frame.number==14 || frame.number==15' -V:
  //   Ioctl Function: FSCTL_VALIDATE_NEGOTIATE_INFO (0x00140204), File: ffffffff-ffff-ffff-ffff-ffffffffffff
  it('IOCTL request and response: CtlCode and FileId (tshark)', () => {
    assert.deepEqual(parseIoctlRequest(IOCTL_REQ, 64, IOCTL_REQ.length), {
      ctl_code: FSCTL_VALIDATE_NEGOTIATE_INFO,
      file_id: RELATED,
    });
    assert.deepEqual(parseIoctlResponse(IOCTL_RESP, 64, IOCTL_RESP.length), {
      ctl_code: FSCTL_VALIDATE_NEGOTIATE_INFO,
      file_id: RELATED,
    });
    const m = smb2(11, [...u16(57), ...u16(0), ...u32(FSCTL_DFS_GET_REFERRALS), ...FID, ...zeros(32)]);
    assert.deepEqual(parseIoctlRequest(m, 64, m.length), { ctl_code: FSCTL_DFS_GET_REFERRALS, file_id: FID_V });
    assert.ok(parseIoctlRequest(m, 64, m.length - 1) instanceof Malformed);
    assert.ok(parseIoctlResponse(m, 64, 64 + 47) instanceof Malformed);
  });

  // tshark -r test/fixtures/smbclient-smb3_11.pcap ... -Y frame.number==36 -V:
  //   Info Level: 37 (FileIdBothDirectoryInformation), Find Flags: 0x00,
  //   File: eaead843-0000-0000-c9b6-187a00000000, Search Pattern: *
  it('QUERY_DIRECTORY request (tshark)', () => {
    assert.deepEqual(parseQueryDirectoryRequest(QDIR_REQ, 64, QDIR_REQ.length), {
      info_class: 37,
      flags: 0,
      file_id: tsharkGuid('eaead843-0000-0000-c9b6-187a00000000'),
    });
    assert.ok(parseQueryDirectoryRequest(QDIR_REQ, 64, 64 + 31) instanceof Malformed);
  });

  // tshark -r test/fixtures/smbclient-smb3_11.pcap ... -Y frame.number==44 -V:
  //   Class: FS_INFO (0x02), InfoLevel: FileFsSizeInformation (0x03), File: 30e53256-0000-0000-8240-c6be00000000
  it('QUERY_INFO request: FileId at 24 (tshark)', () => {
    assert.deepEqual(parseQueryInfoRequest(QINFO_REQ, 64, QINFO_REQ.length), {
      info_type: 2,
      info_class: 3,
      file_id: tsharkGuid('30e53256-0000-0000-8240-c6be00000000'),
    });
    assert.ok(parseQueryInfoRequest(QINFO_REQ, 64, 64 + 39) instanceof Malformed);
  });

  // tshark -r test/fixtures/smbtorture-compound.pcap ... -Y frame.number==110 -V: CREATE (NextCommand 0xa0)
  //   + related Notify Request: Flags 0x0001 (watch tree), Completion Filter 0x00000003, File ffffffff-...-ffff
  it('CHANGE_NOTIFY request inside a compound chain (tshark)', () => {
    const chain = Uint8Array.from([...NOTIFY_CHAIN_CREATE, ...NOTIFY_CHAIN_NOTIFY]);
    const at = NOTIFY_CHAIN_CREATE.length;
    assert.equal(at, 0xa0);
    assert.deepEqual(parseChangeNotifyRequest(chain, at + 64, chain.length), {
      flags: 1,
      completion_filter: 3,
      file_id: RELATED,
    });
    assert.ok(parseChangeNotifyRequest(chain, at + 64, at + 64 + 31) instanceof Malformed);
    assert.deepEqual(NOTIFY_CHAIN_NOTIFY.subarray(64, 66), hex('2000'));
  });
});
