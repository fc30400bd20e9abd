/**
 * Property tests of the IP layer (src/core/ip/): the IPv4/IPv6 header
 * decoder never throws, never reads outside the frame and never points its
 * payload outside the captured bytes; random IPv4 headers decode to their
 * fields; fragment reassembly delivers a datagram split into fragments in
 * any order (with duplicates and overlaps of the same bytes) exactly once and
 * byte for byte, and hostile fragment floods never throw nor grow the table
 * past its limit.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FragmentReassembler } from '../../src/core/ip/fragments.js';
import { decodeIp, type IpInfo, IpStatus, ipv6UpperLayer, newIpInfo } from '../../src/core/ip/ip.js';
import { concat } from '../helpers/bytes.js';
import { ipv4, ipv6, ipv6OptionsHeader } from '../helpers/inet.js';
import fc from './fc.js';

/** An IP-looking header: version 4 or 6 in the first nibble, then noise. */
const ipish = fc.oneof(
  fc.uint8Array({ maxLength: 100 }),
  fc
    .tuple(fc.constantFrom(0x45, 0x46, 0x4f, 0x40, 0x60, 0x61), fc.uint8Array({ maxLength: 120 }))
    .map(([v, rest]) => Uint8Array.from([v, ...rest])),
  fc
    .tuple(
      fc.uint8Array({ minLength: 6, maxLength: 6 }),
      fc.constantFrom(0, 43, 44, 60, 51, 6),
      fc.uint8Array({ maxLength: 150 }),
    )
    .map(([h, next, rest]) => {
      const b = Uint8Array.from([0x60, ...h.subarray(1), next, ...rest]);
      return b;
    }),
);

describe('IP header: properties', () => {
  it('never throws, reads only the frame, and points the payload inside the captured bytes', () => {
    fc.assert(
      fc.property(ipish, fc.nat(8), fc.nat(8), fc.boolean(), (frame, pre, post, verify) => {
        const buf = concat(new Uint8Array(pre).fill(0x45), frame, new Uint8Array(post).fill(0xff));
        const end = pre + frame.length;
        const ip = newIpInfo();
        const st = decodeIp(buf, pre, end, verify, ip);
        assert.ok(Object.values(IpStatus).includes(st));
        if (st === IpStatus.Ok || st === IpStatus.Truncated) {
          assert.equal(ip.hdrOff, pre);
          assert.ok(ip.payOff >= pre + (ip.version === 4 ? 20 : 40), `payOff ${ip.payOff}`);
          assert.ok(ip.payEnd >= ip.payOff, 'payEnd >= payOff');
          if (ip.payEnd > ip.payOff) assert.ok(ip.payEnd <= end, `payEnd ${ip.payEnd} > captured end ${end}`);
          assert.ok(ip.payWire >= 0);
          if (st === IpStatus.Ok) assert.equal(ip.payEnd - ip.payOff, ip.payWire);
          else assert.ok(ip.payEnd - ip.payOff < ip.payWire);
          if (ip.fragment) assert.ok(ip.moreFragments || ip.fragOffset > 0);
        }
        // bytes outside [pre, end) never matter
        const buf2 = concat(new Uint8Array(pre).fill(0x60), frame, new Uint8Array(post).fill(0x00));
        const ip2 = newIpInfo();
        assert.equal(decodeIp(buf2, pre, end, verify, ip2), st);
        if (st === IpStatus.Ok || st === IpStatus.Truncated) assert.deepEqual(ip2, ip);
      }),
      { numRuns: 5000 },
    );
  });

  it('an IPv4 header decodes to its fields', () => {
    fc.assert(
      fc.property(
        fc.record({
          id: fc.nat(0xffff),
          ttl: fc.nat(0xff),
          proto: fc.nat(0xff),
          mf: fc.boolean(),
          fo: fc.nat(0x1fff),
          optWords: fc.nat(10),
        }),
        fc.uint8Array({ maxLength: 64 }),
        (f, payload) => {
          const pkt = ipv4(payload, {
            src: '192.0.2.1',
            dst: '198.51.100.2',
            proto: f.proto,
            id: f.id,
            ttl: f.ttl,
            moreFragments: f.mf,
            fragOffset: f.fo * 8,
            options: new Uint8Array(4 * f.optWords),
          });
          const ip = newIpInfo();
          assert.equal(decodeIp(pkt, 0, pkt.length, true, ip), IpStatus.Ok);
          assert.equal(ip.s3, 0xc0000201);
          assert.equal(ip.d3, 0xc6336402);
          assert.equal(ip.proto, f.proto);
          assert.equal(ip.fragId, f.id);
          assert.equal(ip.ttl, f.ttl);
          assert.equal(ip.moreFragments, f.mf);
          assert.equal(ip.fragOffset, f.fo * 8);
          assert.equal(ip.payOff, 20 + 4 * f.optWords);
          assert.equal(ip.payWire, payload.length);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('IPv6 extension-header chains are walked to the upper layer or rejected, never past the end', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 43, 60, 51), { maxLength: 20 }),
        fc.array(fc.nat(4), { minLength: 20, maxLength: 20 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.nat(50),
        (chain, lens, payload, cut) => {
          // a chain of extension headers ending in TCP
          const parts: Uint8Array[] = [];
          for (let i = 0; i < chain.length; i++) {
            const next = chain[i + 1] ?? 6;
            const h = ipv6OptionsHeader(next, new Uint8Array(6 + 8 * lens[i]!));
            if (chain[i] === 51) h[1] = (h.length >> 2) - 2;
            parts.push(h);
          }
          const ext = concat(...parts);
          const pkt = ipv6(payload, { src: '2001:db8::1', dst: '2001:db8::2', next: chain[0] ?? 6, ext });
          const end = Math.max(0, pkt.length - cut);
          const ip = newIpInfo();
          const st = decodeIp(pkt, 0, end, false, ip);
          if (st === IpStatus.Ok) {
            assert.ok(chain.length <= 17, 'at most 16 extension headers are followed');
            assert.equal(ip.proto, 6);
            assert.equal(ip.payOff, 40 + ext.length);
          }
          if (end >= 40) {
            const u = ipv6UpperLayer(pkt, 40, end, chain[0] ?? 6);
            if (u) {
              assert.ok(u.off >= 40 && u.off <= end, `upper layer at ${u.off}, end ${end}`);
              assert.equal(u.proto, 6);
              assert.equal(u.off, 40 + ext.length);
            }
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});

/** An IpInfo for one fragment of datagram `id` with payload bytes at [0, len) of its buffer. */
function frag(v: 4 | 6, id: number, offset: number, len: number, more: boolean): IpInfo {
  const ip = newIpInfo();
  ip.version = v;
  ip.s3 = 0x0a000001;
  ip.d3 = 0x0a000002;
  ip.proto = 6;
  ip.fragId = id;
  ip.fragOffset = offset;
  ip.moreFragments = more;
  ip.fragment = true;
  ip.payOff = 0;
  ip.payEnd = len;
  ip.payWire = len;
  return ip;
}

describe('IP fragment reassembly: properties', () => {
  it('a datagram split in any order, with duplicates and overlaps of the same bytes, is delivered once, byte for byte', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.array(fc.nat(400), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.constantFrom(4 as const, 6 as const),
        (payload, sizes, order, v) => {
          // pieces of multiples of 8 bytes covering the payload
          const pieces: [number, number][] = [];
          let o = 0;
          for (let i = 0; o < payload.length; i++) {
            const n = Math.min(payload.length - o, 8 * (1 + (sizes[i % sizes.length]! % 50)));
            pieces.push([o, n]);
            o += n;
          }
          // extra pieces: duplicates and same-content overlaps (start on 8-byte boundaries)
          const extra: [number, number][] = order.slice(0, 10).map((r) => {
            const s = 8 * (r % Math.ceil(payload.length / 8));
            return [s, Math.min(payload.length - s, 8 + (r % 300))];
          });
          const all = [...pieces, ...extra];
          // a random order
          for (let i = all.length - 1; i > 0; i--) {
            const j = (order[i % Math.max(1, order.length)] ?? 0) % (i + 1);
            [all[i], all[j]] = [all[j]!, all[i]!];
          }
          const weirds: string[] = [];
          const r = new FragmentReassembler();
          const delivered: Uint8Array[] = [];
          for (const [s, n] of all) {
            const out = r.add(frag(v, 7, s, n, s + n < payload.length), payload.subarray(s, s + n), 0, (w) =>
              weirds.push(w),
            );
            if (out) delivered.push(out.slice());
          }
          // complete once all pieces are in; a duplicate that arrives after completion starts a new
          // datagram and may complete it again (a duplicated datagram), always with the same bytes
          assert.ok(delivered.length >= 1, `never delivered; weirds ${weirds.join(',')}`);
          for (const d of delivered) assert.deepEqual(d, payload);
          assert.ok(!weirds.includes('fragment_inconsistency'), 'same bytes are not inconsistent');
          // without the extra pieces: exactly once, and the table is empty afterwards
          const r2 = new FragmentReassembler();
          let n = 0;
          for (const [s, len] of pieces.slice().reverse()) {
            const out = r2.add(frag(v, 9, s, len, s + len < payload.length), payload.subarray(s, s + len), 0, () => {});
            if (out) {
              n++;
              assert.deepEqual(out.slice(), payload);
            }
          }
          assert.equal(n, 1);
          assert.equal(r2.size, 0, 'a completed datagram leaves the table');
        },
      ),
      { numRuns: 600 },
    );
  });

  it('hostile fragments never throw, never deliver more than 65535 bytes, and the table stays within its limits', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            v: fc.constantFrom(4 as const, 6 as const),
            id: fc.nat(5),
            off: fc.oneof(
              fc.nat(0x1fff).map((x) => x * 8),
              fc.constantFrom(0, 8, 65528, 65520),
            ),
            len: fc.oneof(fc.nat(100), fc.constantFrom(0, 1, 7, 8, 65535)),
            cap: fc.nat(120),
            more: fc.boolean(),
            dt: fc.nat(100),
          }),
          { maxLength: 80 },
        ),
        (fs) => {
          const limits = { maxDatagrams: 3, maxBytes: 4096, timeout: 60 };
          const r = new FragmentReassembler(limits);
          let ts = 0;
          for (const f of fs) {
            ts += f.dt;
            const ip = frag(f.v, f.id, f.off, Math.min(f.len, f.cap), f.more);
            ip.payWire = f.len;
            const buf = new Uint8Array(Math.min(f.len, f.cap)).fill(f.id);
            const out = r.add(ip, buf, ts, () => {});
            if (out) assert.ok(out.length <= 65535);
            assert.ok(r.size <= limits.maxDatagrams, `table size ${r.size}`);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
