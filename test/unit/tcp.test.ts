/**
 * TCP header decoding and checksum (src/core/tcp/tcp.ts, RFC 9293), against
 * checksums computed independently by the test helper (test/helpers/inet.ts)
 * over the IPv4 and IPv6 pseudo-headers, and sequence-number arithmetic.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeIp, type IpInfo, IpStatus, newIpInfo } from '../../src/core/ip/ip.js';
import { decodeTcp, newTcpInfo, seqDiff, TcpStatus, tcpChecksumOk } from '../../src/core/tcp/tcp.js';
import { concat, flip, words } from '../helpers/bytes.js';
import { internetChecksum, ipv4, ipv6, ipv6OptionsHeader, parseIpv6, pseudoHeader, tcp } from '../helpers/inet.js';

function ipOf(pkt: Uint8Array, end = pkt.length): IpInfo {
  const ip = newIpInfo();
  const st = decodeIp(pkt, 0, end, false, ip);
  assert.ok(st === IpStatus.Ok || st === IpStatus.Truncated, `IP status ${st}`);
  return ip;
}

const A4 = { src: '192.0.2.1', dst: '198.51.100.7' };
const A6 = { src: '2001:db8:1::10', dst: '2001:db8:ffff::abcd' };
const PAY = Uint8Array.from({ length: 37 }, (_, i) => (i * 13) & 0xff); // odd length

function seg4(payload: Uint8Array, extra: Partial<Parameters<typeof tcp>[1]> = {}): Uint8Array {
  return ipv4(tcp(payload, { ...A4, sport: 1025, dport: 445, seq: 0xfffffff0, ack: 7, flags: 0x18, ...extra }), A4);
}

function seg6(payload: Uint8Array, ext?: Uint8Array): Uint8Array {
  const t = tcp(payload, { ...A6, sport: 1025, dport: 445, seq: 1, ack: 2, flags: 0x18 });
  return ipv6(t, { ...A6, next: ext ? 0 : 6, ext });
}

describe('decodeTcp', () => {
  test('fields, header with options, payload lengths', () => {
    const opts = Uint8Array.of(2, 4, 0x05, 0xb4, 1, 1, 4, 2); // MSS 1460, NOP, NOP, SACK permitted
    const p = seg4(PAY, { options: opts, win: 0x1234 });
    const ip = ipOf(p);
    const t = newTcpInfo();
    assert.equal(decodeTcp(p, ip, t), TcpStatus.Ok);
    assert.deepEqual(t, {
      sport: 1025,
      dport: 445,
      seq: 0xfffffff0,
      ack: 7,
      flags: 0x18,
      win: 0x1234,
      dataOff: 20 + 28,
      dataLen: 37,
      dataWire: 37,
    });
  });

  test('captured payload below the wire payload (snap length)', () => {
    const p = seg4(PAY);
    const ip = ipOf(p, 20 + 20 + 5);
    const t = newTcpInfo();
    assert.equal(decodeTcp(p, ip, t), TcpStatus.Ok);
    assert.equal(t.dataLen, 5);
    assert.equal(t.dataWire, 37);
  });

  test('truncated: fewer than 20 bytes, or fewer than the data offset', () => {
    const p = seg4(PAY, { options: new Uint8Array(20) });
    for (const n of [0, 1, 19]) assert.equal(decodeTcp(p, ipOf(p, 20 + n), newTcpInfo()), TcpStatus.Truncated, `${n}`);
    for (const n of [20, 39]) assert.equal(decodeTcp(p, ipOf(p, 20 + n), newTcpInfo()), TcpStatus.Truncated, `${n}`);
    assert.equal(decodeTcp(p, ipOf(p, 20 + 40), newTcpInfo()), TcpStatus.Ok);
  });

  test('bad data offset: below 5 words, or beyond the segment', () => {
    for (const off of [0, 4]) {
      const p = seg4(PAY, { dataOffset: off });
      assert.equal(decodeTcp(p, ipOf(p), newTcpInfo()), TcpStatus.BadHeaderLength, `offset ${off}`);
    }
    const short = seg4(new Uint8Array(0), { dataOffset: 15 }); // 60-byte header in a 20-byte segment
    assert.equal(decodeTcp(short, ipOf(short), newTcpInfo()), TcpStatus.BadHeaderLength);
  });
});

describe('TCP checksum', () => {
  test('IPv4: correct, then every single-byte change of segment or pseudo-header detected', () => {
    const p = seg4(PAY);
    assert.ok(tcpChecksumOk(p, ipOf(p)));
    for (let i = 20; i < p.length; i++) {
      const bad = p.slice();
      flip(bad, i, 0x01);
      assert.ok(!tcpChecksumOk(bad, ipOf(bad)), `byte ${i}`);
    }
    // pseudo-header: source and destination addresses
    for (const i of [12, 15, 16, 19]) {
      const bad = p.slice();
      flip(bad, i, 0x80);
      assert.ok(!tcpChecksumOk(bad, ipOf(bad)), `address byte ${i}`);
    }
  });

  test('IPv4: the checksum field holds what RFC 9293 computes', () => {
    const seg = tcp(PAY, { ...A4, sport: 1, dport: 2, seq: 3 });
    const stored = (seg[16]! << 8) | seg[17]!;
    const zeroed = seg.slice();
    zeroed[16] = zeroed[17] = 0;
    assert.equal(stored, internetChecksum(pseudoHeader(A4.src, A4.dst, 6, seg.length), zeroed));
  });

  test('a checksum of 0xffff and of 0x0000 (the same ones-complement zero) are both accepted', () => {
    // search payloads until the computed checksum is 0x0000, i.e. data summing to 0xffff
    for (let x = 0; x < 0x10000; x++) {
      const pay = Uint8Array.of(x >> 8, x & 0xff);
      const seg = tcp(pay, { ...A4, sport: 1, dport: 2, seq: 3, ack: 4 });
      if (seg[16] === 0 && seg[17] === 0) {
        const p = ipv4(seg, A4);
        assert.ok(tcpChecksumOk(p, ipOf(p)), 'stored as 0x0000');
        const alt = p.slice();
        alt[36] = alt[37] = 0xff; // -0 in ones' complement
        assert.ok(tcpChecksumOk(alt, ipOf(alt)), 'stored as 0xffff');
        return;
      }
    }
    assert.fail('no payload gives checksum 0');
  });

  test('IPv6: pseudo-header with 128-bit addresses, after extension headers', () => {
    for (const ext of [undefined, concat(ipv6OptionsHeader(60), ipv6OptionsHeader(6))]) {
      const p = seg6(PAY, ext);
      const ip = ipOf(p);
      assert.equal(ip.proto, 6);
      assert.ok(tcpChecksumOk(p, ip));
      for (const i of [8, 23, 24, 39]) {
        // address bytes: high word of the source, low word of the destination...
        const bad = p.slice();
        flip(bad, i, 0x10);
        assert.ok(!tcpChecksumOk(bad, ipOf(bad)), `address byte ${i}`);
      }
      const bad = p.slice();
      flip(bad, p.length - 1, 1);
      assert.ok(!tcpChecksumOk(bad, ipOf(bad)), 'payload');
    }
  });

  test('IPv6: a segment over 64 KiB (jumbo-sized length in the 32-bit pseudo-header field)', () => {
    // the IPv6 pseudo-header length is 32 bits; a 70,000-byte segment needs its high half.
    // (Payload Length is 16 bits, so the IpInfo is built by hand as a jumbogram would be.)
    const big = new Uint8Array(70000).map((_, i) => i & 0xff);
    const seg = tcp(big, { ...A6, sport: 9, dport: 445, seq: 1 });
    const ip = newIpInfo();
    ip.version = 6;
    [ip.s0, ip.s1, ip.s2, ip.s3] = words(parseIpv6(A6.src));
    [ip.d0, ip.d1, ip.d2, ip.d3] = words(parseIpv6(A6.dst));
    ip.payOff = 0;
    ip.payEnd = seg.length;
    ip.payWire = seg.length;
    ip.proto = 6;
    assert.ok(tcpChecksumOk(seg, ip));
    flip(seg, 100, 1);
    assert.ok(!tcpChecksumOk(seg, ip));
  });
});

test('seqDiff: signed distance modulo 2^32', () => {
  assert.equal(seqDiff(5, 0xfffffffb), 10);
  assert.equal(seqDiff(0xfffffffb, 5), -10);
  assert.equal(seqDiff(0x7fffffff, 0), 0x7fffffff);
  assert.equal(seqDiff(100, 100), 0);
  assert.equal(seqDiff(0, 0xffffffff), 1);
});
