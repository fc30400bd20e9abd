/**
 * IP fragment reassembly (src/core/ip/fragments.ts), IPv4 (RFC 791) and
 * IPv6 (RFC 8200 4.5), fed with crafted fragments decoded by decodeIp.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type FragmentLimits, FragmentReassembler } from '../../src/core/ip/fragments.js';
import { decodeIp, IpStatus, newIpInfo } from '../../src/core/ip/ip.js';
import { ipv4, ipv6, ipv6FragmentHeader } from '../helpers/inet.js';

const DATA = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + 3) & 0xff);
const LONG = Uint8Array.from({ length: 4000 }, (_, i) => (i * 7 + 3) & 0xff);

interface Frag {
  pkt: Uint8Array;
  /** captured bytes (default: all) */
  cap?: number;
}

/** IPv4 fragment carrying DATA[off, end) of datagram `id`. */
function v4(off: number, end: number, more: boolean, id = 1, proto = 6, data: Uint8Array = DATA): Frag {
  return {
    pkt: ipv4(data.subarray(off, end), {
      src: '10.9.8.7',
      dst: '10.9.8.6',
      proto,
      id,
      fragOffset: off,
      moreFragments: more,
    }),
  };
}

/** IPv6 fragment: fixed header, Fragment header (next header TCP), DATA[off, end). */
function v6(off: number, end: number, more: boolean, id = 1): Frag {
  return {
    pkt: ipv6(DATA.subarray(off, end), {
      src: '2001:db8::7',
      dst: '2001:db8::6',
      next: 44,
      ext: ipv6FragmentHeader(6, off, more, id),
    }),
  };
}

function reasm(limits?: Partial<FragmentLimits>) {
  const f = new FragmentReassembler({ maxDatagrams: 100, maxBytes: 1 << 20, timeout: 60, ...limits });
  const weirds: string[] = [];
  const add = (fr: Frag, ts = 1000): Uint8Array | undefined => {
    const ip = newIpInfo();
    const st = decodeIp(fr.pkt, 0, fr.cap ?? fr.pkt.length, false, ip);
    assert.ok(st === IpStatus.Ok || st === IpStatus.Truncated);
    assert.ok(ip.fragment, 'a fragment');
    const out = f.add(ip, fr.pkt, ts, (w) => weirds.push(w));
    return out ? out.slice() : undefined;
  };
  return { f, weirds, add };
}

describe('IPv4 fragments', () => {
  test('in order', () => {
    const { add, f } = reasm();
    assert.equal(add(v4(0, 1480, true)), undefined);
    assert.equal(add(v4(1480, 2960, true)), undefined);
    assert.deepEqual(add(v4(2960, 3000, false)), DATA);
    assert.equal(f.size, 0);
  });

  test('every order of four fragments', () => {
    const frags = [v4(0, 800, true), v4(800, 1600, true), v4(1600, 2400, true), v4(2400, 3000, false)];
    const perm = (xs: number[]): number[][] =>
      xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perm([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
    for (const order of perm([0, 1, 2, 3])) {
      const { add, weirds } = reasm();
      const results = order.map((i) => add(frags[i]!));
      assert.deepEqual(results.slice(0, 3), [undefined, undefined, undefined], `order ${order}`);
      assert.deepEqual(results[3], DATA, `order ${order}`);
      assert.deepEqual(weirds, []);
    }
  });

  test('overlapping fragments with the same bytes: complete, overlap reported', () => {
    const { add, weirds } = reasm();
    add(v4(0, 1600, true));
    add(v4(800, 2400, true));
    assert.deepEqual(add(v4(2000, 3000, false)), DATA);
    assert.ok(weirds.includes('fragment_overlap'));
    assert.ok(!weirds.includes('fragment_inconsistency'));
  });

  test('overlapping fragments with different bytes: the bytes seen first are kept', () => {
    const other = DATA.map((x) => x ^ 0xff);
    const { add, weirds } = reasm();
    add(v4(0, 1600, true));
    add(v4(800, 2400, true, 1, 6, other)); // 800..1600 differ from what was seen; 1600..2400 new
    const out = add(v4(2400, 3000, false));
    const want = DATA.slice();
    want.set(other.subarray(1600, 2400), 1600);
    assert.deepEqual(out, want);
    assert.ok(weirds.includes('fragment_inconsistency'));
  });

  test('a duplicate fragment does not complete the datagram twice', () => {
    const { add } = reasm();
    add(v4(0, 1600, true));
    add(v4(0, 1600, true));
    assert.deepEqual(add(v4(1600, 3000, false)), DATA);
    assert.equal(add(v4(1600, 3000, false)), undefined); // a new, incomplete datagram
  });

  test('datagrams are told apart by id, addresses and protocol', () => {
    const { add } = reasm();
    add(v4(0, 1600, true, 1, 6));
    add(v4(0, 1600, true, 2, 6));
    add(v4(0, 1600, true, 1, 17));
    assert.deepEqual(add(v4(1600, 3000, false, 2, 6)), DATA);
    assert.deepEqual(add(v4(1600, 3000, false, 1, 17)), DATA);
    assert.deepEqual(add(v4(1600, 3000, false, 1, 6)), DATA);
  });

  test('a fragment cut by the snap length is not used', () => {
    const { add, weirds } = reasm();
    const first = v4(0, 1600, true);
    assert.equal(add({ pkt: first.pkt, cap: 100 }), undefined);
    assert.equal(add(v4(1600, 3000, false)), undefined);
    assert.ok(weirds.includes('truncated_fragment'));
  });

  test('a fragment ending beyond 65535 bytes is refused', () => {
    const { add, weirds } = reasm();
    const big = new Uint8Array(1000);
    assert.equal(add(v4(65528, 65528 + 1000, false, 1, 6, concat65528(big))), undefined);
    assert.ok(weirds.includes('excessively_large_fragment'));
  });

  test('fragments beyond the end given by the last fragment are inconsistent', () => {
    const { add, weirds } = reasm();
    add(v4(1600, 3000, false)); // total 3000
    assert.equal(add(v4(2400, 3800, true, 1, 6, LONG)), undefined);
    assert.ok(weirds.includes('fragment_size_inconsistency'));
  });

  test('timeout: a datagram older than the timeout is dropped', () => {
    const { add, weirds, f } = reasm({ timeout: 30 });
    add(v4(0, 1600, true), 1000);
    assert.equal(add(v4(1600, 3000, false), 1031), undefined); // the first piece expired
    assert.ok(weirds.includes('fragment_timeout'));
    assert.equal(f.size, 1);
    // within the timeout it completes
    const b = reasm({ timeout: 30 });
    b.add(v4(0, 1600, true), 1000);
    assert.deepEqual(b.add(v4(1600, 3000, false), 1029), DATA);
  });

  test('limit on datagrams: the oldest is evicted', () => {
    const { add, weirds, f } = reasm({ maxDatagrams: 2 });
    add(v4(0, 1600, true, 1));
    add(v4(0, 1600, true, 2));
    add(v4(0, 1600, true, 3)); // evicts datagram 1
    assert.equal(f.size, 2);
    assert.ok(f.evicted >= 1);
    assert.ok(weirds.length >= 1);
    assert.equal(add(v4(1600, 3000, false, 1)), undefined);
    assert.deepEqual(add(v4(1600, 3000, false, 3)), DATA);
  });

  test('limit on buffered bytes: the oldest is evicted', () => {
    const { add, f } = reasm({ maxBytes: 5000 });
    add(v4(0, 1600, true, 1));
    add(v4(0, 1600, true, 2));
    add(v4(0, 1600, true, 3));
    add(v4(0, 1600, true, 4)); // 4 x 1600 bytes > 5000: datagram 1 goes
    assert.equal(f.evicted, 1);
    assert.equal(f.size, 3);
    assert.deepEqual(add(v4(1600, 3000, false, 4)), DATA);
    assert.equal(add(v4(1600, 3000, false, 1)), undefined);
  });

  test('a fragment that completes a datagram completes it, even when its growth passes the byte limit', () => {
    const { add, f } = reasm({ maxBytes: 4000 });
    add(v4(0, 1600, true, 2)); // the oldest datagram
    add(v4(0, 1600, true, 1));
    // completing datagram 2 grows its buffer to 3000+ bytes for a moment
    assert.deepEqual(add(v4(1600, 3000, false, 2)), DATA);
    assert.equal(f.evicted, 0);
    assert.deepEqual(add(v4(1600, 3000, false, 1)), DATA);
  });
});

describe('IPv6 fragments', () => {
  test('out of order, with the upper-layer protocol from the Fragment header', () => {
    const { add } = reasm();
    const last = v6(2400, 3000, false);
    const ip = newIpInfo();
    decodeIp(last.pkt, 0, last.pkt.length, false, ip);
    assert.equal(ip.proto, 6);
    add(last);
    add(v6(0, 1200, true));
    assert.deepEqual(add(v6(1200, 2400, true)), DATA);
  });

  test('IPv4 and IPv6 fragments with the same id do not mix', () => {
    const { add } = reasm();
    add(v6(0, 1600, true, 1));
    add(v4(0, 1600, true, 1));
    assert.deepEqual(add(v6(1600, 3000, false, 1)), DATA);
    assert.deepEqual(add(v4(1600, 3000, false, 1)), DATA);
  });
});

/** A 66,528-byte buffer whose bytes from 65528 on are `tail`. */
function concat65528(tail: Uint8Array): Uint8Array {
  const b = new Uint8Array(65528 + tail.length);
  b.set(tail, 65528);
  return b;
}
