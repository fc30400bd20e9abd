/**
 * SMB transport framing (src/core/smb/framing.ts): RFC 1002 session-service
 * messages (type, 24-bit length as direct TCP uses it, MS-SMB2 2.1), whole
 * or streamed, across any segmentation, and recovery after gaps.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type FrameHandler, findBoundary, SmbFramer } from '../../src/core/smb/framing.js';
import { ascii, chunksOf, concat, splitAt } from '../helpers/bytes.js';
import { nbss } from '../helpers/smb2.js';

/** A running FNV-1a digest of bytes (a missing byte counts as the value 256). */
class Digest {
  len = 0;
  h = 0x811c9dc5;
  add(b: ArrayLike<number>, off = 0, end = b.length): this {
    for (let i = off; i < end; i++) this.h = Math.imul(this.h ^ b[i]!, 0x01000193) >>> 0;
    this.len += end - off;
    return this;
  }
  missing(n: number): this {
    for (let i = 0; i < n; i++) this.h = Math.imul(this.h ^ 256, 0x01000193) >>> 0;
    this.len += n;
    return this;
  }
  toString(): string {
    return `${this.len}:${this.h.toString(16)}`;
  }
}

/** Bytes as "length:FNV-1a": cheap to compare over thousands of runs. */
function dg(b: ArrayLike<number>): string {
  return new Digest().add(b).toString();
}

type Call =
  | ['message', string]
  | ['nbss', number, string]
  | ['streamStart', string, number]
  | ['streamData', number]
  | ['streamGap', number]
  | ['streamEnd']
  | ['weird', string];

interface Rec {
  calls: Call[];
  /** every streamed message's bytes, rebuilt (digests) */
  streamed: string[];
  h: FrameHandler;
}

/** A handler that records what it is told; `plan` answers `planned` (or the whole message). */
function handler(planned?: number): Rec {
  const calls: Call[] = [];
  const streamed: string[] = [];
  let cur = new Digest();
  const h: FrameHandler = {
    message: (_o, buf, off, len) => calls.push(['message', dg(buf.subarray(off, off + len))]),
    plan: (_o, _b, _off, _have, total) => planned ?? total,
    streamStart: (_o, buf, off, len, total) => {
      cur = new Digest().add(buf, off, off + len);
      calls.push(['streamStart', cur.toString(), total]);
    },
    streamData: (_o, buf, off, len) => {
      cur.add(buf, off, off + len);
      // consecutive data calls are merged so that segmentation does not show
      const last = calls[calls.length - 1];
      if (last?.[0] === 'streamData') last[1] += len;
      else calls.push(['streamData', len]);
    },
    streamGap: (_o, len) => {
      cur.missing(len);
      calls.push(['streamGap', len]);
    },
    streamEnd: () => {
      streamed.push(cur.toString());
      calls.push(['streamEnd']);
    },
    nbss: (_o, type, buf, off, len) => calls.push(['nbss', type, dg(buf.subarray(off, off + len))]),
    weird: (name) => calls.push(['weird', name]),
  };
  return { calls, streamed, h };
}

const LIMITS = { maxMessage: 1 << 20 };

function feed(
  chunks: Iterable<Uint8Array>,
  planned?: number,
  midstream = false,
): { calls: Call[]; streamed: string[] } {
  const rec = handler(planned);
  const f = new SmbFramer(true, rec.h, LIMITS, midstream);
  for (const c of chunks) f.data(c, 0, c.length);
  return { calls: rec.calls, streamed: rec.streamed };
}

/** An SMB2-looking body: \xfeSMB and then `n - 4` counting bytes. */
function smbBody(n: number, seed = 0): Uint8Array {
  const b = Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
  b.set([0xfe, 0x53, 0x4d, 0x42], 0);
  return b;
}

const M1 = nbss(smbBody(100, 1));
const M2 = nbss(smbBody(64, 2));
const M3 = nbss(smbBody(300, 3));

describe('session-service message types', () => {
  test('0x00 message, 0x81 request, 0x82 positive, 0x83 negative, 0x85 keep-alive', () => {
    // a session request carries two encoded NetBIOS names (34 bytes each)
    const request = nbss(new Uint8Array(68).fill(0x41), 0x81);
    const positive = nbss(new Uint8Array(0), 0x82);
    const negative = nbss(Uint8Array.of(0x80), 0x83); // error code: not listening on called name
    const keepalive = nbss(new Uint8Array(0), 0x85);
    const r = feed([concat(request, positive, M1, keepalive, negative, M2)]);
    assert.deepEqual(r.calls, [
      ['nbss', 0x81, dg(Array(68).fill(0x41))],
      ['nbss', 0x82, dg([])],
      ['message', dg(M1.subarray(4))],
      ['nbss', 0x85, dg([])],
      ['nbss', 0x83, dg([0x80])],
      ['message', dg(M2.subarray(4))],
    ]);
  });

  test('a zero-length session message is skipped and the next one framed', () => {
    const r = feed([concat(nbss(new Uint8Array(0)), M1, nbss(new Uint8Array(0)), nbss(new Uint8Array(0)), M2)]);
    assert.deepEqual(r.calls, [
      ['message', dg(M1.subarray(4))],
      ['message', dg(M2.subarray(4))],
    ]);
  });

  test('an overlong control message is reported and skipped', () => {
    const r = feed([concat(nbss(new Uint8Array(5000), 0x81), M1)]);
    assert.equal(r.calls[0]?.[0], 'weird');
    assert.deepEqual(r.calls.slice(1), [['message', dg(M1.subarray(4))]]);
  });

  test('an unknown type: reported, then the next message boundary is found', () => {
    const r = feed([concat(Uint8Array.of(0x42, 0, 0, 3, 1, 2, 3), M1)]);
    assert.equal(r.calls[0]?.[0], 'weird');
    assert.deepEqual(r.calls.slice(1), [['message', dg(M1.subarray(4))]]);
  });
});

describe('segmentation', () => {
  const BIG = nbss(smbBody(4500, 4)); // above the 4096 bytes always buffered whole
  const stream = concat(M1, nbss(new Uint8Array(0), 0x85), BIG, M2, nbss(new Uint8Array(2), 0x81), M3);

  for (const planned of [undefined, 112, 700]) {
    const what = planned === undefined ? 'the large message whole' : `the large message streamed after ${planned}`;
    test(`${what}: split at every byte, and in pieces of 1..9 bytes`, () => {
      const whole = feed([stream], planned);
      // what the handler must see, from the bytes themselves
      const big = Array.from(BIG.subarray(4));
      if (planned === undefined) {
        assert.deepEqual(whole.calls[2], ['message', dg(big)]);
      } else {
        // at least the planned prefix in one piece; the rest streamed; nothing lost or repeated
        const rec = handler(planned);
        const f = new SmbFramer(true, rec.h, LIMITS, false);
        f.data(BIG, 0, BIG.length);
        const start = rec.calls[0]!;
        assert.equal(start[0], 'streamStart');
        const len = Number((start[1] as string).split(':')[0]);
        assert.ok(len >= planned, `prefix of ${len} bytes`);
        assert.deepEqual(whole.calls.slice(2, 5), [
          ['streamStart', dg(big.slice(0, len)), 4500],
          ['streamData', 4500 - len],
          ['streamEnd'],
        ]);
        assert.deepEqual(whole.streamed, [dg(big)]);
      }
      assert.equal(whole.calls.filter((c) => c[0] === 'weird').length, 0);
      for (let cut = 1; cut < stream.length; cut++) {
        assert.deepEqual(feed(splitAt(stream, [cut]), planned), whole, `split at ${cut}`);
      }
      for (let n = 1; n <= 9; n++) assert.deepEqual(feed(chunksOf(stream, n), planned), whole, `pieces of ${n}`);
    });
  }

  test('only the leading bytes mattering (plan -k): they come as the message when it ends, at any split', () => {
    const whole = feed([stream], -64);
    assert.deepEqual(whole.calls, [
      ['message', dg(M1.subarray(4))],
      ['nbss', 0x85, dg([])],
      ['message', dg(BIG.subarray(4, 68))],
      ['message', dg(M2.subarray(4))],
      ['nbss', 0x81, dg([0, 0])],
      ['message', dg(M3.subarray(4))],
    ]);
    for (let cut = 1; cut < stream.length; cut++) {
      assert.deepEqual(feed(splitAt(stream, [cut]), -64), whole, `split at ${cut}`);
    }
    for (let n = 1; n <= 9; n++) assert.deepEqual(feed(chunksOf(stream, n), -64), whole, `pieces of ${n}`);
  });

  test('only the leading bytes mattering: no limit on the message size, nothing buffered beyond them', () => {
    const rec = handler(-64);
    const f = new SmbFramer(true, rec.h, { maxMessage: 5000 }, false);
    const huge = nbss(smbBody(200_000, 9));
    for (const c of chunksOf(concat(huge, M1), 7000)) f.data(c, 0, c.length);
    assert.deepEqual(rec.calls, [
      ['message', dg(huge.subarray(4, 68))],
      ['message', dg(M1.subarray(4))],
    ]);
  });

  test('a message larger than the limit that must be whole is reported and skipped', () => {
    const rec = handler();
    const f = new SmbFramer(true, rec.h, { maxMessage: 5000 }, false);
    const s = concat(nbss(smbBody(6000)), M1);
    for (const c of chunksOf(s, 1000)) f.data(c, 0, c.length);
    assert.equal(rec.calls[0]?.[0], 'weird');
    assert.deepEqual(rec.calls.slice(1), [['message', dg(M1.subarray(4))]]);
  });

  test('data at a non-zero offset of the delivered buffer', () => {
    const rec = handler();
    const f = new SmbFramer(false, rec.h, LIMITS, false);
    const buf = concat(ascii('junk'), M1, ascii('tail'));
    f.data(buf, 4, M1.length);
    assert.deepEqual(rec.calls, [['message', dg(M1.subarray(4))]]);
  });
});

describe('gaps', () => {
  function run(parts: (Uint8Array | number)[], planned?: number, midstream = false): Rec {
    const rec = handler(planned);
    const f = new SmbFramer(true, rec.h, LIMITS, midstream);
    for (const p of parts) {
      if (typeof p === 'number') f.gap(p);
      else f.data(p, 0, p.length);
    }
    return rec;
  }
  const msg = (m: Uint8Array): Call => ['message', dg(m.subarray(4))];

  test('inside a buffered message: that message is lost, the next one is framed', () => {
    const r = run([M1.subarray(0, 30), 20, M1.subarray(50), M2]);
    assert.equal(r.calls[0]?.[0], 'weird');
    assert.deepEqual(r.calls.slice(1), [msg(M2)]);
  });

  test('ending exactly at the end of a buffered message: the next one is framed', () => {
    const r = run([M1.subarray(0, 30), M1.length - 30, M2]);
    assert.deepEqual(
      r.calls.filter((c) => c[0] !== 'weird'),
      [msg(M2)],
    );
  });

  test('inside a streamed message: streamGap, then the message ends, then the next one', () => {
    const big = nbss(smbBody(9000, 5));
    const r = run([big.subarray(0, 4000), 1000, big.subarray(5000), M2], 200);
    assert.deepEqual(r.calls, [
      ['streamStart', dg(big.subarray(4, 204)), 9000],
      ['streamData', 4000 - 204],
      ['streamGap', 1000],
      ['streamData', big.length - 5000],
      ['streamEnd'],
      msg(M2),
    ]);
  });

  test('inside a message of which only the leading bytes matter: lost as a buffered one is', () => {
    const big = nbss(smbBody(9000, 5));
    const r = run([big.subarray(0, 4000), 1000, big.subarray(5000), M2], -64);
    assert.deepEqual(r.calls, [['weird', 'smb_message_gap'], msg(M2)]);
  });

  test('across a message boundary: resynchronised on the next \\x00 len \\xfeSMB', () => {
    // the end of M1 and the start of M2 are missing; M2's tail is not a boundary
    const lost = M1.length - 10 + 20;
    const r = run([M1.subarray(0, 10), lost, M2.subarray(20), M3]);
    assert.deepEqual(
      r.calls.filter((c) => c[0] !== 'weird'),
      [msg(M3)],
    );
  });

  test('across a streamed message end', () => {
    const big = nbss(smbBody(9000, 5));
    const r = run([big.subarray(0, 8000), big.length - 8000 + 7, M2.subarray(7), M3], 200);
    assert.deepEqual(r.calls.slice(-3), [['streamGap', big.length - 8000], ['streamEnd'], msg(M3)]);
  });

  test('at a message boundary: the bytes after it are not trusted until a boundary is seen', () => {
    const r = run([M1, 50, ascii('not a header at all'), M3]);
    assert.deepEqual(
      r.calls.filter((c) => c[0] !== 'weird'),
      [msg(M1), msg(M3)],
    );
  });

  test('resynchronisation finds a boundary split over two deliveries at any byte', () => {
    const garbage = ascii('....garbage after the gap....');
    const all = concat(garbage, M3, M2);
    for (let cut = garbage.length - 8; cut <= garbage.length + 12; cut++) {
      const r = run([M1.subarray(0, 10), 500, ...splitAt(all, [cut])]);
      assert.deepEqual(
        r.calls.filter((c) => c[0] !== 'weird'),
        [msg(M3), msg(M2)],
        `split at ${cut}`,
      );
    }
  });

  test('resynchronisation byte by byte', () => {
    const r = run([M1.subarray(0, 10), 500, ...chunksOf(concat(ascii('xyz'), M3, M2), 1)]);
    assert.deepEqual(
      r.calls.filter((c) => c[0] !== 'weird'),
      [msg(M3), msg(M2)],
    );
  });

  test('a connection picked up mid-stream starts at the first boundary', () => {
    const r = run([M1.subarray(37), M2, M3], undefined, true);
    assert.deepEqual(r.calls, [msg(M2), msg(M3)]);
  });

  test('a zero-length gap at a boundary changes nothing', () => {
    const r = run([M1, 0, M2]);
    assert.deepEqual(r.calls, [msg(M1), msg(M2)]);
  });
});

describe('garbage before a valid message', () => {
  for (let n = 1; n <= 12; n++) {
    test(`${n} bytes of text, delivered at once and byte by byte`, () => {
      const garbage = ascii('GARBAGE-TEXT'.slice(0, n));
      const s = concat(garbage, M1, M2);
      for (const parts of [[s], chunksOf(s, 1), splitAt(s, [n + 2])]) {
        const r = feed(parts);
        assert.ok(
          r.calls.some((c) => c[0] === 'weird'),
          'reported',
        );
        assert.deepEqual(
          r.calls.filter((c) => c[0] !== 'weird'),
          [
            ['message', dg(M1.subarray(4))],
            ['message', dg(M2.subarray(4))],
          ],
        );
      }
    });
  }
});

describe('findBoundary', () => {
  test('a session message header followed by an SMB protocol id', () => {
    for (const id of [0xfe, 0xff, 0xfd, 0xfc]) {
      const b = concat(ascii('abc'), Uint8Array.of(0, 0, 0, 64, id, 0x53, 0x4d, 0x42));
      assert.equal(findBoundary(b, 0, b.length), 3);
    }
    const other = concat(ascii('abc'), Uint8Array.of(0, 0, 0, 64, 0xfb, 0x53, 0x4d, 0x42));
    assert.equal(findBoundary(other, 0, other.length), -1);
  });

  test('not a message type 0, a length below 8, or cut short: no boundary', () => {
    assert.equal(findBoundary(Uint8Array.of(0x85, 0, 0, 64, 0xfe, 0x53, 0x4d, 0x42), 0, 8), -1);
    assert.equal(findBoundary(Uint8Array.of(0, 0, 0, 7, 0xfe, 0x53, 0x4d, 0x42), 0, 8), -1);
    assert.equal(findBoundary(Uint8Array.of(0, 0, 0, 64, 0xfe, 0x53, 0x4d, 0x42), 0, 7), -1);
    assert.equal(findBoundary(Uint8Array.of(0, 1, 0, 0, 0xfe, 0x53, 0x4d, 0x42), 0, 8), 0); // 65536 bytes
  });
});
