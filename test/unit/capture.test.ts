/**
 * The capture reader (src/core/source/capture.ts) on crafted pcap and pcapng
 * files. Expected timestamps follow libpcap's microsecond view: seconds plus
 * the fraction truncated to whole microseconds, as the double sec + usec/1e6.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CaptureError, type CaptureNotice, CaptureReader, MAX_RECORD } from '../../src/core/source/capture.js';
import { ascii, ByteWriter, chunksOf, concat } from '../helpers/bytes.js';
import {
  customBlock,
  epb,
  idb,
  ngBlock,
  opb,
  pcap,
  pcapHeader,
  pcapRecord,
  shb,
  spb,
  tsoffset,
  tsresol,
} from '../helpers/capture.js';

interface Pkt {
  linktype: number;
  ts: number;
  data: number[];
  caplen: number;
  wirelen: number;
}

interface Read {
  packets: Pkt[];
  error: CaptureError | undefined;
  notices: CaptureNotice[];
  format: string | undefined;
  count: number;
}

function read(chunks: Iterable<Uint8Array>): Read {
  const packets: Pkt[] = [];
  const r = new CaptureReader({
    packet(linktype, ts, buf, off, caplen, wirelen) {
      packets.push({ linktype, ts, data: Array.from(buf.subarray(off, off + caplen)), caplen, wirelen });
    },
  });
  for (const c of chunks) r.push(c);
  r.end();
  return { packets, error: r.error, notices: [...r.notices], format: r.format, count: r.packets };
}

const readAll = (b: Uint8Array) => read([b]);
const bytesOf = (n: number, seed: number) => Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
const P1 = Uint8Array.from(bytesOf(60, 1));
const P2 = Uint8Array.from(bytesOf(33, 2)); // odd length: pcapng pads it
const P3 = Uint8Array.from(bytesOf(1, 3));

describe('pcap', () => {
  for (const le of [true, false]) {
    const order = le ? 'little-endian' : 'big-endian';

    test(`${order}, microseconds: packets, times, link type, lengths`, () => {
      const file = pcap(
        [
          { sec: 1700000000, frac: 0, data: P1 },
          { sec: 1700000001, frac: 999999, data: P2, wirelen: 1500 },
          { sec: 4294967295, frac: 1, data: P3 },
        ],
        { le, linktype: 101 },
      );
      const r = readAll(file);
      assert.equal(r.error, undefined);
      assert.equal(r.format, 'pcap');
      assert.equal(r.count, 3);
      assert.deepEqual(r.packets, [
        { linktype: 101, ts: 1700000000, data: [...P1], caplen: 60, wirelen: 60 },
        { linktype: 101, ts: 1700000001 + 999999 / 1e6, data: [...P2], caplen: 33, wirelen: 1500 },
        { linktype: 101, ts: 4294967295 + 1 / 1e6, data: [...P3], caplen: 1, wirelen: 1 },
      ]);
    });

    test(`${order}, nanoseconds: truncated to whole microseconds`, () => {
      const file = pcap(
        [
          { sec: 1700000000, frac: 123456789, data: P1 },
          { sec: 1700000000, frac: 999999999, data: P1 },
          { sec: 1700000000, frac: 999, data: P1 },
          { sec: 1700000000, frac: 1000, data: P1 },
        ],
        { le, nanos: true },
      );
      const r = readAll(file);
      assert.equal(r.error, undefined);
      assert.deepEqual(
        r.packets.map((p) => p.ts),
        [1700000000 + 123456 / 1e6, 1700000000 + 999999 / 1e6, 1700000000, 1700000000 + 1 / 1e6],
      );
    });
  }

  test('captured length below the original length', () => {
    const r = readAll(pcap([{ sec: 1, frac: 2, data: P1.subarray(0, 10), wirelen: 1514 }], { snaplen: 10 }));
    assert.equal(r.error, undefined);
    assert.deepEqual(r.packets, [
      { linktype: 1, ts: 1.000002, data: [...P1.subarray(0, 10)], caplen: 10, wirelen: 1514 },
    ]);
  });

  test('a record with zero captured bytes is delivered', () => {
    const r = readAll(
      pcap([
        { sec: 5, frac: 0, data: new Uint8Array(0), wirelen: 64 },
        { sec: 6, frac: 0, data: P3 },
      ]),
    );
    assert.equal(r.error, undefined);
    assert.deepEqual(
      r.packets.map((p) => [p.caplen, p.wirelen]),
      [
        [0, 64],
        [1, 1],
      ],
    );
  });

  test('the FCS bits above the link type are not part of it (LinkType & 0x03FFFFFF)', () => {
    // bit 26: FCS present, bits 28-31: FCS length in 16-bit words (1)
    const r = readAll(pcap([{ sec: 1, frac: 0, data: P1 }], { linktype: 0x14000001 }));
    assert.equal(r.packets[0]?.linktype, 1);
  });

  test('a header-only file is a valid empty capture', () => {
    const r = readAll(pcapHeader());
    assert.equal(r.error, undefined);
    assert.equal(r.format, 'pcap');
    assert.equal(r.count, 0);
  });

  test('an impossible captured length is corrupt; the packets before it are delivered', () => {
    const bad = new ByteWriter()
      .u32le(3) // ts sec
      .u32le(0) // ts usec
      .u32le(MAX_RECORD + 1) // captured length: beyond any real packet
      .u32le(64) // original length
      .done();
    const r = readAll(concat(pcapHeader(), pcapRecord({ sec: 1, frac: 0, data: P1 }), bad, new Uint8Array(100)));
    assert.equal(r.error?.kind, 'corrupt');
    assert.equal(r.error?.offset, 24 + 16 + 60);
    assert.equal(r.count, 1);
  });

  test('every chunking gives the same packets', () => {
    const file = pcap([
      { sec: 1, frac: 1, data: P1 },
      { sec: 2, frac: 2, data: P2 },
      { sec: 3, frac: 3, data: P3 },
    ]);
    const whole = readAll(file);
    for (let n = 1; n <= 40; n++) assert.deepEqual(read(chunksOf(file, n)), whole, `chunks of ${n}`);
  });
});

describe('input that is not a capture', () => {
  test('no bytes: empty', () => {
    assert.equal(read([]).error?.kind, 'empty');
    assert.equal(readAll(new Uint8Array(0)).error?.kind, 'empty');
  });

  test('text: not-a-capture', () => {
    const r = readAll(ascii('hello, this is a text file\n'));
    assert.equal(r.error?.kind, 'not-a-capture');
    assert.equal(r.count, 0);
  });

  test('fewer than 4 bytes that cannot start a magic: not-a-capture', () => {
    assert.equal(readAll(ascii('ab')).error?.kind, 'not-a-capture');
    assert.equal(readAll(Uint8Array.of(0xd4, 0x00)).error?.kind, 'not-a-capture');
  });

  test('a pcapng section header with a bad byte-order magic: not-a-capture', () => {
    const b = shb(true);
    b.set([1, 2, 3, 4], 8); // Byte-Order Magic
    assert.equal(readAll(b).error?.kind, 'not-a-capture');
  });

  test('nothing is delivered after a fatal error, even when more bytes are pushed', () => {
    const packets: number[] = [];
    const r = new CaptureReader({ packet: () => packets.push(1) });
    r.push(ascii('garbage!'));
    r.push(pcap([{ sec: 1, frac: 0, data: P1 }]));
    r.end();
    assert.equal(r.error?.kind, 'not-a-capture');
    assert.equal(packets.length, 0);
  });
});

/**
 * Cuts `file` after every byte count and checks what CONTRACT.md's table
 * implies: nothing -> empty; inside the file header (pcap) or the first
 * section header (pcapng) -> truncated-header; inside a later record or
 * block -> truncated; at a record boundary -> no error. Every packet whose
 * record ends before the cut is delivered whole, fed at once or byte by byte.
 */
function cutEverywhere(
  file: Uint8Array,
  headerEnd: number,
  boundaries: readonly number[],
  packetEnds: readonly number[],
  expected: Pkt[],
): void {
  for (let cut = 0; cut <= file.length; cut++) {
    const part = file.subarray(0, cut);
    let kind: string | undefined;
    if (cut === 0) kind = 'empty';
    else if (cut < headerEnd) kind = 'truncated-header';
    else if (cut === headerEnd || boundaries.includes(cut) || packetEnds.includes(cut)) kind = undefined;
    else kind = 'truncated';
    const complete = packetEnds.filter((e) => e <= cut).length;
    for (const r of [readAll(part), read(chunksOf(part, 1))]) {
      assert.equal(r.error?.kind, kind, `cut at ${cut}: ${r.error?.message}`);
      assert.deepEqual(r.packets, expected.slice(0, complete), `cut at ${cut}: packets`);
    }
  }
}

describe('truncation at every byte', () => {
  test('pcap: file header and the first records', () => {
    const recs = [
      { sec: 10, frac: 1, data: P1 },
      { sec: 11, frac: 2, data: P3 },
      { sec: 12, frac: 3, data: P2 },
    ];
    const file = pcap(recs, { linktype: 1 });
    const ends = [24 + 16 + 60, 24 + 16 + 60 + 16 + 1, file.length];
    const expected = recs.map((r) => ({
      linktype: 1,
      ts: r.sec + r.frac / 1e6,
      data: [...r.data],
      caplen: r.data.length,
      wirelen: r.data.length,
    }));
    cutEverywhere(file, 24, [], ends, expected);
  });

  test('pcap, big-endian nanoseconds', () => {
    const file = pcap([{ sec: 10, frac: 5000, data: P3 }], { le: false, nanos: true });
    cutEverywhere(file, 24, [], [file.length], [{ linktype: 1, ts: 10.000005, data: [...P3], caplen: 1, wirelen: 1 }]);
  });

  test('pcapng: section header, interface, packets', () => {
    const head = shb(true);
    const itf = idb(true, 1, 65535);
    const b1 = epb(true, 0, 1700000000000001n, P1);
    const b2 = spb(true, P2);
    const b3 = epb(true, 0, 1700000000000003n, P3);
    const file = concat(head, itf, b1, b2, b3);
    const e0 = head.length;
    const e1 = e0 + itf.length;
    const ends = [e1 + b1.length, e1 + b1.length + b2.length, file.length];
    const expected: Pkt[] = [
      { linktype: 1, ts: 1700000000.000001, data: [...P1], caplen: 60, wirelen: 60 },
      { linktype: 1, ts: 0, data: [...P2], caplen: 33, wirelen: 33 },
      { linktype: 1, ts: 1700000000.000003, data: [...P3], caplen: 1, wirelen: 1 },
    ];
    // the end of the interface block is a block boundary too (no packet there)
    cutEverywhere(file, e0, [e1], ends, expected);
  });
});

describe('truncation at every byte of a file with two sections', () => {
  test('pcapng: little-endian then big-endian section', () => {
    const parts = [shb(true), idb(true, 1), epb(true, 0, 7n, P3), shb(false), idb(false, 101), epb(false, 0, 9n, P1)];
    const file = concat(...parts);
    const ends: number[] = [];
    let o = 0;
    for (const p of parts) {
      o += p.length;
      ends.push(o);
    }
    const expected: Pkt[] = [
      { linktype: 1, ts: 0.000007, data: [...P3], caplen: 1, wirelen: 1 },
      { linktype: 101, ts: 0.000009, data: [...P1], caplen: 60, wirelen: 60 },
    ];
    cutEverywhere(file, ends[0]!, [ends[1]!, ends[3]!, ends[4]!], [ends[2]!, ends[5]!], expected);
  });
});

describe('pcapng', () => {
  test('sections in both byte orders, each with its own interfaces', () => {
    const file = concat(
      shb(true),
      idb(true, 1), // interface 0 of section 1: Ethernet
      idb(true, 113), // interface 1 of section 1: Linux SLL
      epb(true, 1, 1_000_000n, P1), // 1 s at the default 10^-6 resolution
      shb(false),
      idb(false, 101), // interface 0 of section 2: raw IP (interfaces restart with a section)
      epb(false, 0, 2_000_001n, P2),
      opb(false, 0, 3_000_000n, P3),
      shb(true),
      idb(true, 228),
      epb(true, 0, 4_000_000n, P3),
    );
    const r = readAll(file);
    assert.equal(r.error, undefined);
    assert.equal(r.format, 'pcapng');
    assert.deepEqual(
      r.packets.map((p) => [p.linktype, p.ts, p.caplen]),
      [
        [113, 1, 60],
        [101, 2.000001, 33],
        [101, 3, 1],
        [228, 4, 1],
      ],
    );
    assert.deepEqual(r.packets[1]!.data, [...P2]);
    for (const n of [1, 3, 7, 13]) assert.deepEqual(read(chunksOf(file, n)), r, `chunks of ${n}`);
  });

  test('if_tsresol: powers of ten and of two, truncated to microseconds', () => {
    const file = concat(
      shb(false),
      idb(false, 1, 0, [tsresol(9)]), // 0: nanoseconds
      idb(false, 1, 0, [tsresol(3)]), // 1: milliseconds
      idb(false, 1, 0, [tsresol(0x80 | 20)]), // 2: 2^-20 s
      idb(false, 1, 0, [tsresol(0)]), // 3: seconds
      idb(false, 1, 0), // 4: default 10^-6
      idb(false, 1, 0, [tsresol(0x80 | 0)]), // 5: 2^0 = seconds
      epb(false, 0, 1700000000123456789n, P3),
      epb(false, 1, 1700000000123n, P3),
      epb(false, 2, (1700000000n << 20n) | 0x80000n, P3), // half a second
      epb(false, 2, (1700000000n << 20n) | 1n, P3), // 1/2^20 s = 0.95 us -> 0
      epb(false, 2, (1700000000n << 20n) | 0xfffffn, P3), // 999999.04 us -> 999999
      epb(false, 3, 1700000000n, P3),
      epb(false, 4, 1700000000999999n, P3),
      epb(false, 5, 1700000001n, P3),
    );
    const r = readAll(file);
    assert.equal(r.error, undefined);
    assert.deepEqual(
      r.packets.map((p) => p.ts),
      [
        1700000000 + 123456 / 1e6,
        1700000000 + 123000 / 1e6,
        1700000000 + 500000 / 1e6,
        1700000000,
        1700000000 + 999999 / 1e6,
        1700000000,
        1700000000 + 999999 / 1e6,
        1700000001,
      ],
    );
  });

  test('if_tsoffset: seconds added to every timestamp (positive and negative)', () => {
    for (const le of [true, false]) {
      const file = concat(
        shb(le),
        idb(le, 1, 0, [tsoffset(1_000_000_000n, le)]),
        idb(le, 1, 0, [tsresol(9), tsoffset(-100n, le)]),
        epb(le, 0, 700_000_000_000_250n, P3), // 700000000.000250 s + 1e9 s
        epb(le, 1, 1_700_000_100_000_000_500n, P3), // 1700000100.0000005 s - 100 s
      );
      const r = readAll(file);
      assert.equal(r.error, undefined);
      assert.deepEqual(
        r.packets.map((p) => p.ts),
        [1700000000 + 250 / 1e6, 1700000000],
      );
    }
  });

  test("options: in the section header, before if_tsresol, and after an enhanced packet block's data", () => {
    const text = (code: number, t: string) => ({ code, value: ascii(t) });
    const epbWithOptions = (le: boolean) => {
      // an EPB whose data is followed by epb_flags (code 2, 4 bytes) and a comment
      const body = new ByteWriter()
        .u32(0, le) // Interface ID
        .u32(0, le) // Timestamp (upper)
        .u32(1_500_000, le) // Timestamp (lower): 1.5 s at 10^-6
        .u32(P2.length, le) // Captured Packet Length
        .u32(P2.length, le) // Original Packet Length
        .bytes(P2)
        .pad(4)
        .u16(2, le)
        .u16(4, le)
        .u32(1, le) // epb_flags: inbound
        .u16(1, le)
        .u16(5, le)
        .bytes(ascii('hello'))
        .pad(4) // opt_comment
        .u16(0, le)
        .u16(0, le) // opt_endofopt
        .done();
      return ngBlock(6, body, le);
    };
    for (const le of [true, false]) {
      const file = concat(
        shb(le, [text(4, 'smbscope tests'), text(1, 'a comment')]), // shb_userappl, opt_comment
        idb(le, 1, 0, [text(2, 'eth0'), text(3, 'the first interface'), tsresol(3)]), // if_name, if_description
        epbWithOptions(le),
      );
      const r = readAll(file);
      assert.equal(r.error, undefined);
      assert.deepEqual(r.packets, [{ linktype: 1, ts: 1500, data: [...P2], caplen: 33, wirelen: 33 }]);
    }
  });

  test('a packet larger than the stitch buffer, fed in small chunks (pcap and pcapng)', () => {
    const big = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 5) & 0xff);
    for (const file of [
      pcap([
        { sec: 1, frac: 0, data: big },
        { sec: 2, frac: 0, data: P3 },
      ]),
      concat(shb(true), idb(true, 1), epb(true, 0, 1n, big), epb(true, 0, 2n, P3)),
    ]) {
      for (const n of [1000, 4093, 65536]) {
        const r = read(chunksOf(file, n));
        assert.equal(r.error, undefined);
        assert.equal(r.count, 2);
        assert.deepEqual(r.packets[0]!.data, [...big], `chunks of ${n}`);
        assert.deepEqual(r.packets[1]!.data, [...P3]);
      }
    }
  });

  test('simple packet block: interface 0, captured length limited by the snap length', () => {
    const r = readAll(concat(shb(true), idb(true, 1, 20), spb(true, P1.subarray(0, 20), 60)));
    assert.equal(r.error, undefined);
    assert.deepEqual(r.packets, [{ linktype: 1, ts: 0, data: [...P1.subarray(0, 20)], caplen: 20, wirelen: 60 }]);
  });

  test('simple packet block: a time of if_tsoffset seconds (no timestamp of its own), as libpcap gives', () => {
    const r = readAll(concat(shb(true), idb(true, 1, 0, [tsoffset(1000n, true)]), spb(true, P3)));
    assert.equal(r.error, undefined);
    assert.equal(r.packets[0]?.ts, 1000);
  });

  test('obsolete packet block in both byte orders', () => {
    for (const le of [true, false]) {
      const r = readAll(concat(shb(le), idb(le, 1), idb(le, 101), opb(le, 1, 5_000_001n, P2, 99)));
      assert.equal(r.error, undefined);
      assert.deepEqual(r.packets, [{ linktype: 101, ts: 5.000001, data: [...P2], caplen: 33, wirelen: 99 }]);
    }
  });

  test('unknown, custom and statistics blocks are skipped with a notice', () => {
    const file = concat(
      shb(true),
      idb(true, 1),
      customBlock(true),
      ngBlock(0x12345678, Uint8Array.of(1, 2, 3, 4, 5), true), // unknown type
      epb(true, 0, 1n, P1),
      ngBlock(0x40000bad, new ByteWriter().u32le(32473).done(), true), // custom, not copyable
      ngBlock(5, new ByteWriter().u32le(0).u32le(0).u32le(0).done(), true), // interface statistics
      ngBlock(4, new ByteWriter().u16le(0).u16le(0).done(), true), // name resolution (end of records)
      epb(true, 0, 2n, P2),
    );
    const r = readAll(file);
    assert.equal(r.error, undefined);
    assert.equal(r.count, 2);
    const notices = r.notices.filter((n) => n.kind === 'unknown-block');
    assert.ok(notices.length >= 3, `notices: ${JSON.stringify(r.notices)}`);
    assert.ok(r.notices.some((n) => n.message.includes('bad')));
    assert.ok(r.notices.some((n) => n.message.includes('12345678')));
  });

  test('a packet for an undeclared interface is skipped with a notice', () => {
    const r = readAll(concat(shb(true), idb(true, 1), epb(true, 3, 1n, P1), epb(true, 0, 2n, P3)));
    assert.equal(r.error, undefined);
    assert.equal(r.count, 1);
    assert.equal(r.notices[0]?.kind, 'bad-interface');
  });

  test('a captured length larger than its block is corrupt', () => {
    const r = readAll(concat(shb(true), idb(true, 1), epb(true, 0, 1n, P1, 60, 200)));
    assert.equal(r.error?.kind, 'corrupt');
  });

  describe('impossible block lengths are corrupt; earlier packets are delivered', () => {
    const prefix = concat(shb(true), idb(true, 1), epb(true, 0, 1n, P3));
    const withLength = (len: number, trailer = len) => {
      const b = epb(true, 0, 2n, P1); // 32 + 60 = 92 bytes
      const dv = new DataView(b.buffer);
      dv.setUint32(4, len, true);
      dv.setUint32(b.length - 4, trailer, true);
      return concat(prefix, b, epb(true, 0, 3n, P3));
    };
    for (const [what, file] of [
      ['not a multiple of 4', withLength(90)],
      ['below 12', withLength(8)],
      ['zero', withLength(0)],
      ['trailer differs', withLength(92, 96)],
      ['above the maximum', withLength(MAX_RECORD + 4)],
    ] as const) {
      test(what, () => {
        const r = readAll(file);
        assert.equal(r.error?.kind, 'corrupt', r.error?.message);
        assert.equal(r.error?.offset, prefix.length);
        assert.equal(r.count, 1);
      });
    }

    test('a section header shorter than 28 bytes', () => {
      const b = shb(true);
      new DataView(b.buffer).setUint32(4, 24, true);
      assert.equal(readAll(b).error?.kind, 'corrupt');
    });

    test('a later section header with a bad byte-order magic', () => {
      const second = shb(false);
      second.set([9, 9, 9, 9], 8);
      const r = readAll(concat(prefix, second));
      assert.equal(r.error?.kind, 'corrupt');
      assert.equal(r.count, 1);
    });
  });
});
