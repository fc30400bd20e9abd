/**
 * IPv4 (RFC 791) and IPv6 (RFC 8200) header decoding, src/core/ip/ip.ts,
 * and the Internet checksum (RFC 1071), src/core/ip/checksum.ts.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checksumOk, sum16 } from '../../src/core/ip/checksum.js';
import {
  addrToString,
  decodeIp,
  type IpInfo,
  IpStatus,
  ipv6ToString,
  ipv6UpperLayer,
  newIpInfo,
} from '../../src/core/ip/ip.js';
import { concat, flip, fromHex } from '../helpers/bytes.js';
import {
  authHeader,
  internetChecksum,
  ipv4,
  ipv6,
  ipv6FragmentHeader,
  ipv6OptionsHeader,
  parseIpv6,
} from '../helpers/inet.js';

const LEAD = 14; // as behind an Ethernet header

function dec(pkt: Uint8Array, verify = true, trailer = 0): { st: IpStatus; ip: IpInfo } {
  const buf = concat(new Uint8Array(LEAD).fill(0xaa), pkt, new Uint8Array(trailer).fill(0xbb));
  const ip = newIpInfo();
  const st = decodeIp(buf, LEAD, buf.length, verify, ip);
  return { st, ip };
}

const PAY = Uint8Array.from({ length: 40 }, (_, i) => i);

describe('RFC 1071 checksum', () => {
  test('the example of RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2', () => {
    const b = fromHex('0001f203f4f5f6f7');
    assert.equal(sum16(b, 0, b.length), 0xddf2);
    assert.equal(internetChecksum(b), ~0xddf2 & 0xffff); // the helper agrees
  });

  test('odd length: the last byte is padded with zero', () => {
    const b = fromHex('0102ff');
    assert.equal(sum16(b, 0, 3), 0x0102 + 0xff00 - 0xffff); // 0x10002 with its carry folded: 0x0003
  });

  test('a region including its checksum sums to 0xffff', () => {
    const b = new Uint8Array(22);
    b.set(fromHex('4500003c1c4640004006'), 0);
    const c = internetChecksum(b);
    b[20] = c >> 8;
    b[21] = c & 0xff;
    assert.ok(checksumOk(sum16(b, 0, 22)));
    flip(b, 3, 1);
    assert.ok(!checksumOk(sum16(b, 0, 22)));
  });

  test('a widely published IPv4 header example: 45 00 00 73 00 00 40 00 40 11 [b8 61] c0 a8 00 01 c0 a8 00 c7', () => {
    const h = fromHex('45000073 00004000 4011 0000 c0a80001 c0a800c7');
    assert.equal(internetChecksum(h), 0xb861);
    h[10] = 0xb8;
    h[11] = 0x61;
    const ip = newIpInfo();
    const buf = concat(h, new Uint8Array(0x73 - 20));
    assert.equal(decodeIp(buf, 0, buf.length, true, ip), IpStatus.Ok);
  });
});

describe('IPv4', () => {
  test('fields, addresses and where the payload is', () => {
    const { st, ip } = dec(ipv4(PAY, { src: '192.168.1.10', dst: '10.0.0.254', proto: 6, id: 0xbeef, ttl: 17 }));
    assert.equal(st, IpStatus.Ok);
    assert.equal(ip.version, 4);
    assert.equal(ip.s3, 0xc0a8010a);
    assert.equal(ip.d3, 0x0a0000fe);
    assert.deepEqual([ip.s0, ip.s1, ip.s2, ip.d0, ip.d1, ip.d2], [0, 0, 0, 0, 0, 0]);
    assert.equal(ip.proto, 6);
    assert.equal(ip.ttl, 17);
    assert.equal(ip.fragId, 0xbeef);
    assert.equal(ip.hdrOff, LEAD);
    assert.equal(ip.totalLen, 60);
    assert.equal(ip.payOff, LEAD + 20);
    assert.equal(ip.payEnd, LEAD + 60);
    assert.equal(ip.payWire, 40);
    assert.equal(ip.fragment, false);
    assert.equal(addrToString(4, ip.s0, ip.s1, ip.s2, ip.s3), '192.168.1.10');
  });

  test('options: the header length comes from IHL', () => {
    // NOP, NOP, Record Route (7) length 7 pointer 4 + one empty slot: 12 bytes of options
    const opts = Uint8Array.of(1, 1, 7, 7, 4, 0, 0, 0, 0, 0, 0, 0);
    const { st, ip } = dec(ipv4(PAY, { src: '1.2.3.4', dst: '5.6.7.8', options: opts }));
    assert.equal(st, IpStatus.Ok);
    assert.equal(ip.payOff, LEAD + 32);
    assert.equal(ip.payWire, 40);
  });

  test('header checksum: verified when asked, ignored otherwise', () => {
    const good = ipv4(PAY, { src: '1.2.3.4', dst: '5.6.7.8', options: Uint8Array.of(1, 1, 1, 0) });
    assert.equal(dec(good).st, IpStatus.Ok);
    for (const i of [0, 8, 10, 11, 15, 19, 20, 23]) {
      const bad = good.slice();
      flip(bad, i, 0x40);
      if (i === 0) continue; // changes the version and IHL: another failure
      assert.equal(dec(bad, true).st, IpStatus.BadChecksum, `byte ${i} changed`);
      assert.equal(dec(bad, false).st, IpStatus.Ok, `byte ${i} changed, not verified`);
    }
    // the payload is not covered by the header checksum
    const pay = good.slice();
    flip(pay, 30, 0xff);
    assert.equal(dec(pay, true).st, IpStatus.Ok);
  });

  test('bad lengths', () => {
    const base = { src: '1.2.3.4', dst: '5.6.7.8' };
    assert.equal(dec(ipv4(PAY, { ...base, ihl: 4 }), false).st, IpStatus.BadHeaderLength);
    assert.equal(dec(ipv4(PAY, { ...base, ihl: 0 }), false).st, IpStatus.BadHeaderLength);
    assert.equal(dec(ipv4(PAY, { ...base, totalLength: 19 }), false).st, IpStatus.BadHeaderLength);
    // IHL 15 (60 bytes) in a 60-byte datagram whose total length says 40: shorter than its header
    assert.equal(dec(ipv4(PAY, { ...base, ihl: 15, totalLength: 40 }), false).st, IpStatus.BadHeaderLength);
  });

  test('truncated header', () => {
    const p = ipv4(PAY, { src: '1.2.3.4', dst: '5.6.7.8', options: new Uint8Array(8) });
    for (let n = 1; n < 28; n++) {
      const ip = newIpInfo();
      assert.equal(decodeIp(p, 0, n, true, ip), IpStatus.TruncatedHeader, `${n} bytes`);
    }
    assert.equal(decodeIp(p, 0, 0, true, newIpInfo()), IpStatus.TruncatedHeader);
  });

  test('link-layer padding after the datagram is not payload', () => {
    const { st, ip } = dec(ipv4(PAY.subarray(0, 6), { src: '1.2.3.4', dst: '5.6.7.8' }), true, 20);
    assert.equal(st, IpStatus.Ok);
    assert.equal(ip.payEnd - ip.payOff, 6);
    assert.equal(ip.payWire, 6);
  });

  test('cut by the snap length: decoded, with the captured end', () => {
    const p = ipv4(PAY, { src: '1.2.3.4', dst: '5.6.7.8' });
    const ip = newIpInfo();
    assert.equal(decodeIp(p, 0, 30, true, ip), IpStatus.Truncated);
    assert.equal(ip.payOff, 20);
    assert.equal(ip.payEnd, 30);
    assert.equal(ip.payWire, 40);
  });

  test('unknown version', () => {
    assert.equal(dec(ipv4(PAY, { src: '1.2.3.4', dst: '5.6.7.8', version: 5 })).st, IpStatus.BadVersion);
  });

  test('fragments: MF, offset in bytes, DF alone is not a fragment', () => {
    const base = { src: '1.2.3.4', dst: '5.6.7.8', id: 77 };
    let r = dec(ipv4(PAY, { ...base, moreFragments: true }));
    assert.deepEqual([r.ip.fragment, r.ip.fragOffset, r.ip.moreFragments, r.ip.fragId], [true, 0, true, 77]);
    r = dec(ipv4(PAY, { ...base, fragOffset: 1480 }));
    assert.deepEqual([r.ip.fragment, r.ip.fragOffset, r.ip.moreFragments], [true, 1480, false]);
    r = dec(ipv4(PAY, { ...base, fragOffset: 8 * 8191, moreFragments: true }));
    assert.deepEqual([r.ip.fragment, r.ip.fragOffset], [true, 65528]);
    r = dec(ipv4(PAY, { ...base, dontFragment: true }));
    assert.equal(r.ip.fragment, false);
  });
});

describe('IPv6', () => {
  const a = { src: '2001:db8::1', dst: 'fe80::1:2:3:4' };

  test('an extension header cut by the snap length is a truncated header, not a payload past the capture', () => {
    // found by the IP property test: payload length 288, an authentication header (51) declaring
    // (70 + 2) * 4 = 288 bytes, but only its first 8 bytes captured
    const frame = concat(fromHex('6000000001203300'), new Uint8Array(32), fromHex('0146000000000000'));
    const { st } = dec(frame);
    assert.equal(st, IpStatus.TruncatedHeader);
  });

  test('fields and addresses', () => {
    const { st, ip } = dec(ipv6(PAY, { ...a, next: 6, hopLimit: 9 }));
    assert.equal(st, IpStatus.Ok);
    assert.equal(ip.version, 6);
    assert.deepEqual([ip.s0, ip.s1, ip.s2, ip.s3], [0x20010db8, 0, 0, 1]);
    assert.deepEqual([ip.d0, ip.d1, ip.d2, ip.d3], [0xfe800000, 0, 0x00010002, 0x00030004]);
    assert.equal(ip.proto, 6);
    assert.equal(ip.ttl, 9);
    assert.equal(ip.payOff, LEAD + 40);
    assert.equal(ip.payWire, 40);
    assert.equal(ip.totalLen, 80);
    assert.equal(ip.fragment, false);
    assert.equal(addrToString(6, ip.s0, ip.s1, ip.s2, ip.s3), '2001:db8::1');
    assert.equal(addrToString(6, ip.d0, ip.d1, ip.d2, ip.d3), 'fe80::1:2:3:4');
  });

  test('extension headers: hop-by-hop, destination options, routing, AH', () => {
    const ext = concat(
      ipv6OptionsHeader(60), // hop-by-hop (8 bytes) -> destination options
      ipv6OptionsHeader(43, new Uint8Array(14)), // destination options (16 bytes) -> routing
      ipv6OptionsHeader(51, Uint8Array.of(0, 0, 0, 0, 0, 0)), // routing (8 bytes) -> AH
      authHeader(6, 12), // AH: 24 bytes -> TCP
    );
    const { st, ip } = dec(ipv6(PAY, { ...a, next: 0, ext }));
    assert.equal(st, IpStatus.Ok);
    assert.equal(ip.proto, 6);
    assert.equal(ip.payOff, LEAD + 40 + 8 + 16 + 8 + 24);
    assert.equal(ip.payWire, 40);
  });

  test('no next header (59) and ESP (50) end the chain', () => {
    assert.equal(dec(ipv6(PAY, { ...a, next: 59 })).ip.proto, 59);
    assert.equal(dec(ipv6(PAY, { ...a, next: 0, ext: ipv6OptionsHeader(50) })).ip.proto, 50);
  });

  test('fragment header', () => {
    const ext = ipv6FragmentHeader(6, 1232, true, 0xdeadbeef);
    const { st, ip } = dec(ipv6(PAY, { ...a, next: 44, ext }));
    assert.equal(st, IpStatus.Ok);
    assert.deepEqual(
      [ip.fragment, ip.fragOffset, ip.moreFragments, ip.fragId, ip.proto, ip.payOff, ip.payWire],
      [true, 1232, true, 0xdeadbeef, 6, LEAD + 48, 40],
    );
    // an atomic fragment (offset 0, M 0; RFC 6946) is a whole datagram
    const atomic = dec(ipv6(PAY, { ...a, next: 44, ext: ipv6FragmentHeader(6, 0, false, 1) }));
    assert.equal(atomic.ip.fragment, false);
    assert.equal(atomic.ip.proto, 6);
  });

  test('a real fragment: headers after the Fragment header belong to the fragmentable part', () => {
    // RFC 8200 4.5: offsets count from the first header after the Fragment header, and in
    // fragments after the first, the bytes there are data (here PAY: 00 01 02 ...)
    const first = dec(
      ipv6(PAY, { ...a, next: 44, ext: concat(ipv6FragmentHeader(60, 0, true, 5), ipv6OptionsHeader(6)) }),
    );
    assert.deepEqual([first.ip.fragment, first.ip.proto, first.ip.payOff, first.ip.payWire], [true, 60, LEAD + 48, 48]);
    const later = dec(ipv6(PAY, { ...a, next: 44, ext: ipv6FragmentHeader(60, 48, false, 5) }));
    assert.deepEqual([later.ip.fragment, later.ip.proto, later.ip.payOff, later.ip.payWire], [true, 60, LEAD + 48, 40]);
  });

  test('ipv6UpperLayer walks the headers of a reassembled fragmentable part', () => {
    const part = concat(ipv6OptionsHeader(43), ipv6OptionsHeader(51, new Uint8Array(14)), authHeader(6, 4), PAY);
    assert.deepEqual(ipv6UpperLayer(part, 0, part.length, 60), { proto: 6, off: 8 + 16 + 16 });
    assert.deepEqual(ipv6UpperLayer(PAY, 0, PAY.length, 6), { proto: 6, off: 0 });
    assert.equal(ipv6UpperLayer(part, 0, 12, 60), undefined); // the routing header does not fit
    assert.equal(ipv6UpperLayer(Uint8Array.of(6, 9, 0, 0, 0, 0, 0, 0), 0, 8, 60), undefined); // claims 80 bytes
  });

  test('an extension header running past the datagram', () => {
    const ext = Uint8Array.of(6, 200, 0, 0, 0, 0, 0, 0); // hop-by-hop claiming 1608 bytes
    assert.equal(dec(ipv6(PAY, { ...a, next: 0, ext })).st, IpStatus.BadExtensionHeader);
    const ah = Uint8Array.of(6, 100, 0, 0, 0, 0, 0, 0); // AH claiming 408 bytes
    assert.equal(dec(ipv6(PAY, { ...a, next: 51, ext: ah })).st, IpStatus.BadExtensionHeader);
  });

  test('an extension header that does not fit in the datagram', () => {
    // Payload Length 4: the hop-by-hop header needs 8
    const p = ipv6(new Uint8Array(0), { ...a, next: 0, ext: Uint8Array.of(6, 0, 0, 0) });
    assert.equal(dec(p).st, IpStatus.BadExtensionHeader);
  });

  test('an endless chain of extension headers is given up on', () => {
    const ext = concat(...Array.from({ length: 40 }, () => ipv6OptionsHeader(60)));
    assert.equal(dec(ipv6(PAY, { ...a, next: 60, ext })).st, IpStatus.BadExtensionHeader);
  });

  test('truncated: fixed header, extension header cut by the snap length', () => {
    const p = ipv6(PAY, { ...a, next: 0, ext: ipv6OptionsHeader(6) });
    for (let n = 1; n < 40; n++) assert.equal(decodeIp(p, 0, n, true, newIpInfo()), IpStatus.TruncatedHeader);
    for (let n = 40; n < 48; n++) assert.equal(decodeIp(p, 0, n, true, newIpInfo()), IpStatus.TruncatedHeader);
    const ip = newIpInfo();
    assert.equal(decodeIp(p, 0, 60, true, ip), IpStatus.Truncated);
    assert.deepEqual([ip.payOff, ip.payEnd, ip.payWire], [48, 60, 40]);
  });

  test('RFC 5952 text form', () => {
    const t = (s: string) => {
      const b = parseIpv6(s);
      const dv = new DataView(b.buffer);
      return ipv6ToString([0, 4, 8, 12].map((o) => dv.getUint32(o)));
    };
    assert.equal(t('0:0:0:0:0:0:0:0'), '::');
    assert.equal(t('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(t('2001:db8:0:0:0:0:2:1'), '2001:db8::2:1');
    assert.equal(t('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1'); // a single zero group stays
    assert.equal(t('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1'); // the longest run
    assert.equal(t('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1'); // equal runs: the first
    assert.equal(t('2001:db8:1:2:3:4:5:0'), '2001:db8:1:2:3:4:5:0');
    assert.equal(t('ABCD:EF01:0:0:0:0:0:0'), 'abcd:ef01::');
    assert.equal(t('0:0:0:0:0:ffff:c000:0201'), '::ffff:192.0.2.1');
  });
});
