/**
 * Property tests of the TCP header decoder (src/core/tcp/tcp.ts): any bytes
 * under any IP view never throw; a decoded segment's payload lies inside the
 * captured bytes and inside the IP datagram; a header built with random
 * fields decodes to those fields; sequence arithmetic wraps at 2^32.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeIp, IpStatus, newIpInfo } from '../../src/core/ip/ip.js';
import { decodeTcp, newTcpInfo, seqDiff, TcpStatus } from '../../src/core/tcp/tcp.js';
import { ipv4, tcp } from '../helpers/inet.js';
import fc from './fc.js';

describe('TCP header: properties', () => {
  it('never throws; the payload lies within the captured bytes and the datagram', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.nat(100),
        fc.nat(120),
        fc.nat(200),
        (b, payOff, capLen, wire) => {
          const ip = newIpInfo();
          ip.payOff = Math.min(payOff, b.length);
          ip.payEnd = Math.min(b.length, ip.payOff + capLen);
          ip.payWire = wire;
          const t = newTcpInfo();
          const st = decodeTcp(b, ip, t);
          if (st === TcpStatus.Ok) {
            assert.ok(t.dataOff >= ip.payOff + 20 && t.dataOff <= ip.payEnd);
            assert.equal(t.dataOff + t.dataLen, ip.payEnd);
            assert.ok(t.dataLen >= 0 && t.dataWire >= 0);
            assert.ok(t.dataOff - ip.payOff <= ip.payWire, 'the header fits in the datagram');
          } else assert.ok(st === TcpStatus.Truncated || st === TcpStatus.BadHeaderLength);
        },
      ),
      { numRuns: 4000 },
    );
  });

  it('decodes the fields it was given, behind a real IPv4 header', () => {
    fc.assert(
      fc.property(
        fc.record({
          sport: fc.nat(0xffff),
          dport: fc.nat(0xffff),
          seq: fc.nat(0xffffffff),
          ack: fc.nat(0xffffffff),
          flags: fc.nat(0xff),
          win: fc.nat(0xffff),
          optWords: fc.nat(10),
        }),
        fc.uint8Array({ maxLength: 100 }),
        fc.nat(100),
        (f, payload, cut) => {
          const seg = tcp(payload, { src: '10.0.0.1', dst: '10.0.0.2', ...f, options: new Uint8Array(4 * f.optWords) });
          const pkt = ipv4(seg, { src: '10.0.0.1', dst: '10.0.0.2', proto: 6 });
          const end = Math.max(0, pkt.length - (cut % (payload.length + 1)));
          const ip = newIpInfo();
          const ist = decodeIp(pkt, 0, end, false, ip);
          assert.ok(ist === IpStatus.Ok || ist === IpStatus.Truncated);
          const t = newTcpInfo();
          assert.equal(decodeTcp(pkt, ip, t), TcpStatus.Ok);
          assert.deepEqual(
            [t.sport, t.dport, t.seq, t.ack, t.flags, t.win],
            [f.sport, f.dport, f.seq, f.ack, f.flags, f.win],
          );
          assert.equal(t.dataOff, 20 + 20 + 4 * f.optWords);
          assert.equal(t.dataWire, payload.length);
          assert.equal(t.dataLen, end - t.dataOff);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('seqDiff is the signed distance modulo 2^32', () => {
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (a, d) => {
        const b = (a + d) >>> 0;
        assert.equal(seqDiff(b, a), d);
        assert.equal(seqDiff(a, b), -d | 0);
      }),
      { numRuns: 3000 },
    );
  });
});
