/**
 * IP and TCP checksums on real traffic: Zeek's SMB test traces
 * (../shared/zeek-smb/cases) were captured with real checksums. tshark 4.0
 * (`-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE`) reports every IPv4
 * header checksum good in all of them, every TCP checksum good except:
 * smb2readwrite.pcap frames 2,4,...,56 listed below (sent by the capturing
 * host: checksum offloading) and all 979 frames of smb2_100_small_files.pcap
 * (loopback). Skipped when ../shared is not next to the clone.
 */

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeIp, IpStatus, newIpInfo } from '../../src/core/ip/ip.js';
import { decodeLink, type LinkResult, LinkStatus } from '../../src/core/link/link.js';
import { CaptureReader } from '../../src/core/source/capture.js';
import { decodeTcp, newTcpInfo, TcpStatus, tcpChecksumOk } from '../../src/core/tcp/tcp.js';
import { ZEEK_CASES } from '../helpers/paths.js';
import { runBytes } from '../helpers/run.js';

/** Frames whose TCP checksum tshark reports bad ("all" = every TCP frame). */
const TRACES: [string, number[] | 'all'][] = [
  ['smb311/smb311.pcap', []],
  ['smb3/smb3.pcap', []],
  ['smb2/smb2.pcap', []],
  ['smb2-fscontrol/smb2_fscontrol.pcap', []],
  ['smb2-multiple-pdus/smb2-multiple-pdus.pcap', []],
  ['smb3-negotiate-context/smb3_negotiate_context.pcap', []],
  ['compression-cap/SMBGhost.pcap', []],
  ['smb2-zero-byte-error-ioctl/smb2-zero-byte-error-ioctl.pcapng', []],
  [
    'smb2-read-write/smb2readwrite.pcap',
    [2, 4, 6, 8, 10, 12, 13, 16, 17, 19, 20, 21, 22, 24, 27, 29, 32, 34, 37, 39, 41, 43, 45, 48, 51, 53, 56],
  ],
  ['smb2-max-pending-messages/smb2_100_small_files.pcap', 'all'],
];

const skip = existsSync(ZEEK_CASES) ? false : `no Zeek cases at ${ZEEK_CASES}`;

/** Frame number -> [IP status, TCP checksum ok] for every TCP frame. */
function verifyAll(bytes: Uint8Array): Map<number, [IpStatus, boolean]> {
  const out = new Map<number, [IpStatus, boolean]>();
  const link: LinkResult = { ethertype: 0, off: 0 };
  let frame = 0;
  const r = new CaptureReader({
    packet(linktype, _ts, buf, off, caplen) {
      frame++;
      assert.equal(decodeLink(linktype, buf, off, off + caplen, link), LinkStatus.Ok, `frame ${frame} link`);
      const ip = newIpInfo();
      const st = decodeIp(buf, link.off, off + caplen, true, ip);
      if (st !== IpStatus.Ok || ip.proto !== 6) {
        out.set(frame, [st, false]);
        return;
      }
      const t = newTcpInfo();
      assert.equal(decodeTcp(buf, ip, t), TcpStatus.Ok, `frame ${frame} TCP header`);
      out.set(frame, [st, tcpChecksumOk(buf, ip)]);
    },
  });
  r.push(bytes);
  r.end();
  assert.equal(r.error, undefined);
  return out;
}

for (const [trace, bad] of TRACES) {
  test(`checksums: ${trace}`, { skip }, () => {
    const frames = verifyAll(readFileSync(join(ZEEK_CASES, trace)));
    assert.ok(frames.size > 0);
    for (const [n, [ipSt, tcpOk]] of frames) {
      assert.equal(ipSt, IpStatus.Ok, `frame ${n}: IPv4 header checksum`);
      const expected = bad === 'all' ? false : !bad.includes(n);
      assert.equal(tcpOk, expected, `frame ${n}: TCP checksum ${expected ? 'good' : 'bad'} for tshark`);
    }
  });
}

test('checksums: the engine drops exactly the bad segments, and -C keeps them', { skip }, () => {
  const bytes = readFileSync(join(ZEEK_CASES, 'smb2-read-write/smb2readwrite.pcap'));
  const on = runBytes(bytes, { verifyChecksums: true });
  assert.equal(on.analyzer.engine.stats.badChecksums, 27);
  const off = runBytes(bytes, { verifyChecksums: false });
  assert.equal(off.analyzer.engine.stats.badChecksums, 0);

  // all good: the same events with and without verification
  const good = readFileSync(join(ZEEK_CASES, 'smb311/smb311.pcap'));
  const a = runBytes(good, { verifyChecksums: true });
  const b = runBytes(good, { verifyChecksums: false });
  assert.equal(a.analyzer.engine.stats.badChecksums, 0);
  assert.ok(a.events.length > 0);
  assert.deepEqual(
    a.events.map((e) => e.line),
    b.events.map((e) => e.line),
  );
});
