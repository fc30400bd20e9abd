/**
 * Link layers (src/core/link/link.ts): where the network header starts for
 * each LINKTYPE_* (https://www.tcpdump.org/linktypes.html), on frames that
 * sit at a non-zero offset of a larger buffer.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeLink, type LinkResult, LinkStatus } from '../../src/core/link/link.js';
import { ByteWriter, concat } from '../helpers/bytes.js';
import { pcap } from '../helpers/capture.js';
import { ethernet, ipv4, ipv6, tcp } from '../helpers/inet.js';
import { named, runBytes } from '../helpers/run.js';
import { echoBody, nbss, SMB2_ECHO, smb2Header } from '../helpers/smb2.js';

const V4 = ipv4(new Uint8Array(8), { src: '10.0.0.1', dst: '10.0.0.2', proto: 17 });
const V6 = ipv6(new Uint8Array(8), { src: 'fe80::1', dst: 'fe80::2', next: 17 });
const LEAD = 5; // the frame starts 5 bytes into the buffer

function decode(linktype: number, frame: Uint8Array): { st: LinkStatus; out: LinkResult } {
  const buf = concat(new Uint8Array(LEAD).fill(0xee), frame, new Uint8Array(3).fill(0xee));
  const out: LinkResult = { ethertype: -1, off: -1 };
  const st = decodeLink(linktype, buf, LEAD, LEAD + frame.length, out);
  return { st, out };
}

function ok(linktype: number, frame: Uint8Array, ethertype: number, hdrLen: number): void {
  const { st, out } = decode(linktype, frame);
  assert.equal(st, LinkStatus.Ok);
  assert.equal(out.ethertype, ethertype);
  assert.equal(out.off, LEAD + hdrLen);
}

/** Linux cooked header v1 (16 bytes): packet type, ARPHRD, address length, address (8), protocol. */
function sll(protocol: number, payload: Uint8Array): Uint8Array {
  return new ByteWriter()
    .u16be(0) // packet type: to us
    .u16be(1) // ARPHRD_ETHER
    .u16be(6) // link-layer address length
    .bytes([2, 0, 0, 0, 0, 1, 0, 0]) // address, padded to 8
    .u16be(protocol) // protocol type (EtherType)
    .bytes(payload)
    .done();
}

/** Linux cooked header v2 (20 bytes): protocol, reserved, ifindex, ARPHRD, packet type, address length, address (8). */
function sll2(protocol: number, payload: Uint8Array): Uint8Array {
  return new ByteWriter()
    .u16be(protocol) // protocol type
    .u16be(0) // reserved
    .u32be(2) // interface index
    .u16be(1) // ARPHRD_ETHER
    .u8(0) // packet type
    .u8(6) // address length
    .bytes([2, 0, 0, 0, 0, 1, 0, 0]) // address
    .bytes(payload)
    .done();
}

/** BSD loopback (NULL: host byte order) and OpenBSD LOOP (network byte order): a 4-byte address family. */
function family(af: number, le: boolean, payload: Uint8Array): Uint8Array {
  return new ByteWriter().u32(af, le).bytes(payload).done();
}

describe('Ethernet (LINKTYPE_ETHERNET 1)', () => {
  test('IPv4 and IPv6', () => {
    ok(1, ethernet(V4, 0x0800), 0x0800, 14);
    ok(1, ethernet(V6, 0x86dd), 0x86dd, 14);
  });

  test('802.1Q tag, 802.1ad QinQ, and the old 0x9100 outer tag', () => {
    ok(1, ethernet(V4, 0x0800, [{ tpid: 0x8100, tci: 100 }]), 0x0800, 18);
    ok(
      1,
      ethernet(V6, 0x86dd, [
        { tpid: 0x88a8, tci: 10 },
        { tpid: 0x8100, tci: 20 },
      ]),
      0x86dd,
      22,
    );
    ok(
      1,
      ethernet(V4, 0x0800, [
        { tpid: 0x9100, tci: 10 },
        { tpid: 0x8100, tci: 20 },
      ]),
      0x0800,
      22,
    );
  });

  test('not IP: ARP', () => {
    const { st, out } = decode(1, ethernet(new Uint8Array(28), 0x0806));
    assert.equal(st, LinkStatus.NotIp);
    assert.equal(out.ethertype, 0x0806);
  });

  test('truncated: header, VLAN tag', () => {
    assert.equal(decode(1, ethernet(V4).subarray(0, 13)).st, LinkStatus.Truncated);
    assert.equal(decode(1, new Uint8Array(0)).st, LinkStatus.Truncated);
    const tagged = ethernet(V4, 0x0800, [{ tpid: 0x8100, tci: 1 }]);
    for (const n of [14, 15, 16, 17]) assert.equal(decode(1, tagged.subarray(0, n)).st, LinkStatus.Truncated, `${n}`);
    // a complete header with nothing after it is still a valid link header
    assert.equal(decode(1, tagged.subarray(0, 18)).st, LinkStatus.Ok);
  });

  test('an endless stack of VLAN tags is given up on', () => {
    const tags = Array.from({ length: 20 }, () => ({ tpid: 0x8100, tci: 1 }));
    assert.notEqual(decode(1, ethernet(V4, 0x0800, tags)).st, LinkStatus.Ok);
  });
});

describe('Linux cooked capture', () => {
  test('SLL (113): protocol at offset 14, 16-byte header', () => {
    ok(113, sll(0x0800, V4), 0x0800, 16);
    ok(113, sll(0x86dd, V6), 0x86dd, 16);
    assert.equal(decode(113, sll(0x0806, V4)).st, LinkStatus.NotIp);
    assert.equal(decode(113, sll(0x0800, V4).subarray(0, 15)).st, LinkStatus.Truncated);
  });

  test('SLL2 (276): protocol at offset 0, 20-byte header', () => {
    ok(276, sll2(0x0800, V4), 0x0800, 20);
    ok(276, sll2(0x86dd, V6), 0x86dd, 20);
    assert.equal(decode(276, sll2(0x0806, V4)).st, LinkStatus.NotIp);
    assert.equal(decode(276, sll2(0x0800, V4).subarray(0, 19)).st, LinkStatus.Truncated);
  });
});

describe('loopback', () => {
  test('NULL (0): AF_INET and AF_INET6 in either byte order', () => {
    for (const le of [true, false]) {
      ok(0, family(2, le, V4), 0x0800, 4);
      for (const af of [10, 24, 28, 30]) ok(0, family(af, le, V6), 0x86dd, 4); // Linux, BSDs, FreeBSD, macOS
      assert.equal(decode(0, family(7, le, V4)).st, LinkStatus.NotIp);
    }
    assert.equal(decode(0, Uint8Array.of(2, 0, 0)).st, LinkStatus.Truncated);
  });

  test('LOOP (108): the family in network byte order only', () => {
    ok(108, family(2, false, V4), 0x0800, 4);
    ok(108, family(24, false, V6), 0x86dd, 4);
    assert.equal(decode(108, family(2, true, V4)).st, LinkStatus.NotIp);
    assert.equal(decode(108, Uint8Array.of(0, 0, 0)).st, LinkStatus.Truncated);
  });
});

describe('raw IP', () => {
  test('RAW (101, and 12/14 on some systems): the version nibble decides', () => {
    for (const lt of [101, 12, 14]) {
      ok(lt, V4, 0x0800, 0);
      ok(lt, V6, 0x86dd, 0);
      assert.equal(decode(lt, Uint8Array.of(0x50, 0, 0, 0)).st, LinkStatus.NotIp);
      assert.equal(decode(lt, new Uint8Array(0)).st, LinkStatus.Truncated);
    }
  });

  test('IPV4 (228) and IPV6 (229)', () => {
    ok(228, V4, 0x0800, 0);
    ok(229, V6, 0x86dd, 0);
  });
});

test('unknown link types', () => {
  for (const lt of [147, 105, 127, 0xffff]) assert.equal(decode(lt, ethernet(V4)).st, LinkStatus.UnknownLinkType);
});

/** One SMB2 ECHO request to port 445 in the given link framing: the Analyzer raises smb2_message for it. */
describe('SMB behind every supported link type', () => {
  const smb = nbss(concat(smb2Header({ command: SMB2_ECHO, messageId: 77n }), echoBody()));
  const seg4 = tcp(smb, { src: '10.1.1.1', dst: '10.1.1.2', sport: 50000, dport: 445, seq: 1, flags: 0x18 });
  const seg6 = tcp(smb, { src: '2001:db8::1', dst: '2001:db8::2', sport: 50000, dport: 445, seq: 1, flags: 0x18 });
  const p4 = ipv4(seg4, { src: '10.1.1.1', dst: '10.1.1.2' });
  const p6 = ipv6(seg6, { src: '2001:db8::1', dst: '2001:db8::2' });
  const cases: [string, number, Uint8Array, string][] = [
    ['Ethernet', 1, ethernet(p4), '10.1.1.1'],
    ['Ethernet 802.1Q IPv6', 1, ethernet(p6, 0x86dd, [{ tpid: 0x8100, tci: 5 }]), '2001:db8::1'],
    ['SLL', 113, sll(0x0800, p4), '10.1.1.1'],
    ['SLL2', 276, sll2(0x86dd, p6), '2001:db8::1'],
    ['NULL little-endian', 0, family(2, true, p4), '10.1.1.1'],
    ['NULL big-endian IPv6', 0, family(30, false, p6), '2001:db8::1'],
    ['LOOP', 108, family(2, false, p4), '10.1.1.1'],
    ['RAW', 101, p6, '2001:db8::1'],
    ['IPV4', 228, p4, '10.1.1.1'],
  ];
  for (const [name, lt, frame, orig] of cases) {
    test(name, () => {
      const r = runBytes(pcap([{ sec: 100, frac: 0, data: frame }], { linktype: lt }));
      const msgs = named(r.events, 'smb2_message');
      assert.equal(msgs.length, 1);
      const c = msgs[0]!.args[0] as { id: { orig_h: string; resp_p: number } };
      assert.equal(c.id.orig_h, orig);
      assert.equal(c.id.resp_p, 445);
      assert.equal((msgs[0]!.args[1] as { message_id: bigint }).message_id, 77n);
    });
  }

  test('an unknown link type raises no SMB event and does not stop the capture', () => {
    const file = pcap([{ sec: 100, frac: 0, data: ethernet(p4) }], { linktype: 147 });
    const r = runBytes(file);
    assert.equal(r.result.error, undefined);
    assert.equal(r.result.packets, 1);
    assert.equal(named(r.events, 'smb2_message').length, 0);
  });
});
