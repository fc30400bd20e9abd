/**
 * Nothing lost (issue 5, part 4).
 *
 * (a) A corrupted connection never disturbs the intact connections beside
 *     it: garbage connections (random payloads to port 445, mutated copies of
 *     the fixture's own SMB traffic on other addresses and ports: bit flips,
 *     length fields set to 0/1/max, truncated, dropped and duplicated
 *     segments) are spliced into a fixture; every event of the clean capture
 *     (its name, connection 4-tuple and arguments: uids set aside) is still
 *     raised, in the same order.
 * (b) Retransmitted and reordered segments never change the events:
 *     duplicated data segments and adjacent segments of one direction
 *     swapped give the same event stream (uids aside).
 *
 * (Cutting the input bytes at any boundary is tested in resegment.test.ts.)
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Analyzer } from '../../src/core/analyzer.js';
import { encodeEvent } from '../../src/core/events/json.js';
import { prng } from '../helpers/bytes.js';
import { type PcapRecord, pcap } from '../helpers/capture.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, tcpFrame } from '../helpers/inet.js';
import { fixture } from '../helpers/paths.js';
import { decodeTcpFrame, readPcapLe, resegment, type TcpPacket } from '../helpers/pcapread.js';

const TCP_RST = 0x04;

/** The event lines of a capture (the library, as the CLI sets it up: logs on, to nowhere). */
function events(bytes: Uint8Array): string[] {
  const a = new Analyzer({ verifyChecksums: false, seed: 99, logs: { open: () => ({ write() {}, close() {} }) } });
  const out: string[] = [];
  a.onAny((name, ts, args) => out.push(encodeEvent(name, ts, args)));
  a.push(bytes);
  const r = a.end();
  assert.equal(r.error, undefined);
  return out;
}

/** An event line without its uid (name, time, connection 4-tuple and arguments stay). */
function withoutUid(line: string): string {
  return line.replace(/,"uid":"[^"]*"/, '');
}

/** An event line without its uid and its time: name, connection 4-tuple and arguments. */
function key(line: string): string {
  return withoutUid(line).replace(/^\{"ts":[^,]*,/, '{');
}

function firstDifference(a: readonly string[], b: readonly string[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `event ${i} of ${a.length}/${b.length}:\n  ${a[i] ?? '(none)'}\n  ${b[i] ?? '(none)'}`;
  }
  return 'equal';
}

/** Asserts that `small` is a subsequence of `big`. */
function assertSubsequence(small: readonly string[], big: readonly string[], what: string): void {
  let j = 0;
  for (let i = 0; i < small.length; i++) {
    while (j < big.length && big[j] !== small[i]) j++;
    if (j === big.length) assert.fail(`${what}: clean event ${i} of ${small.length} is missing:\n  ${small[i]}`);
    j++;
  }
}

function tsOf(r: PcapRecord): number {
  return r.sec * 1e6 + r.frac;
}

function atTs(us: number, data: Uint8Array): PcapRecord {
  return { sec: Math.floor(us / 1e6), frac: us % 1e6, data };
}

/** Rebuilds a TCP frame with other fields. */
function frame(p: TcpPacket, o: Partial<TcpPacket>): Uint8Array {
  const q = { ...p, ...o };
  return tcpFrame(q.payload, {
    src: q.src,
    dst: q.dst,
    sport: q.sport,
    dport: q.dport,
    seq: q.seq,
    ack: q.ack,
    flags: q.flags,
  });
}

// --- (a) garbage connections spliced in

/** Random payloads to port 445 from a client of its own, spread over [t0, t1]. */
function randomConnection(rand: () => number, n: number, server: string, t0: number, t1: number): PcapRecord[] {
  const client = `10.66.${n}.1`;
  const cport = 40000 + n;
  let cseq = Math.floor(rand() * 2 ** 32);
  let sseq = Math.floor(rand() * 2 ** 32);
  const out: Uint8Array[] = [];
  const seg = (fromClient: boolean, flags: number, payload = new Uint8Array(0)) => {
    out.push(
      tcpFrame(payload, {
        src: fromClient ? client : server,
        dst: fromClient ? server : client,
        sport: fromClient ? cport : 445,
        dport: fromClient ? 445 : cport,
        seq: fromClient ? cseq : sseq,
        ack: fromClient ? sseq : cseq,
        flags,
      }),
    );
    if (fromClient) cseq = (cseq + payload.length + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0)) >>> 0;
    else sseq = (sseq + payload.length + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0)) >>> 0;
  };
  if (n % 2 === 0) {
    seg(true, TCP_SYN);
    seg(false, TCP_SYN | TCP_ACK);
    seg(true, TCP_ACK);
  }
  for (let i = 0; i < 30; i++) {
    const len = 1 + Math.floor(rand() * 3000);
    const b = new Uint8Array(len);
    for (let k = 0; k < len; k++) b[k] = Math.floor(rand() * 256);
    // now and then what looks like the start of an SMB2 message with an absurd length
    if (i % 5 === 0 && len >= 8) b.set([0, 0xff, 0xff, 0xff, 0xfe, 0x53, 0x4d, 0x42]);
    seg(rand() < 0.6, TCP_PSH | TCP_ACK, b);
  }
  const step = (t1 - t0) / (out.length + 1);
  return out.map((d, i) => atTs(Math.round(t0 + step * (i + 1)), d));
}

/** Mutates an SMB payload: bit flips, a field set to 0/1/max, a truncation. */
function mutate(rand: () => number, p: Uint8Array): Uint8Array {
  const b = new Uint8Array(p); // a copy, even of a Buffer view
  const what = Math.floor(rand() * 4);
  if (what === 0) {
    for (let k = 0; k < 3; k++) {
      const i = Math.floor(rand() * b.length);
      b[i]! ^= 1 << Math.floor(rand() * 8);
    }
  } else if (what === 1 || what === 2) {
    // a 1-, 2- or 4-byte field (NBSS length, StructureSize, NextCommand, offsets, lengths) set to 0, 1 or max
    const width = [1, 2, 4][Math.floor(rand() * 3)]!;
    const at = Math.floor(rand() * Math.max(1, b.length - width));
    const v = [0, 1, 0xff][Math.floor(rand() * 3)]!;
    for (let k = 0; k < width && at + k < b.length; k++) b[at + k] = v === 1 ? (k === 0 ? 1 : 0) : v;
  } else {
    return b.subarray(0, Math.floor(rand() * b.length));
  }
  return b;
}

/**
 * A mutated copy of every TCP connection of the capture on another client
 * address and port (server port 445, 139 or a non-SMB port): payloads
 * mutated, some segments dropped or duplicated; same times as the originals.
 */
function mutatedCopy(
  rand: () => number,
  records: readonly PcapRecord[],
  copy: number,
  serverPort: number,
): PcapRecord[] {
  const out: PcapRecord[] = [];
  const ports = new Map<number, number>();
  for (const r of records) {
    const p = decodeTcpFrame(r.data);
    if (!p) continue;
    const toServer = p.dport === 445 || p.dport === 139;
    const clientPort = toServer ? p.sport : p.dport;
    let port = ports.get(clientPort);
    if (port === undefined) {
      port = 50000 + copy * 100 + ports.size;
      ports.set(clientPort, port);
    }
    const client = `10.77.${copy}.${ports.size}`;
    const ends = toServer
      ? { src: client, sport: port, dport: serverPort }
      : { dst: client, dport: port, sport: serverPort };
    let payload = p.payload;
    if (payload.length > 0) {
      const x = rand();
      if (x < 0.08) continue; // dropped
      if (x < 0.5) payload = mutate(rand, payload);
    }
    const data = frame(p, { ...ends, payload });
    out.push({ sec: r.sec, frac: r.frac, data });
    if (payload.length > 0 && rand() < 0.05) out.push({ sec: r.sec, frac: r.frac, data }); // duplicated
  }
  return out;
}

/** Merges record lists by time (stable: the clean capture's packet first at equal times). */
function merge(clean: readonly PcapRecord[], ...others: PcapRecord[][]): PcapRecord[] {
  const all = [clean, ...others].flatMap((rs, src) => rs.map((r, i) => ({ r, src, i })));
  all.sort((a, b) => tsOf(a.r) - tsOf(b.r) || a.src - b.src || a.i - b.i);
  return all.map((x) => x.r);
}

function serverOf(records: readonly PcapRecord[]): string {
  for (const r of records) {
    const p = decodeTcpFrame(r.data);
    if (p && (p.dport === 445 || p.dport === 139)) return p.dst;
  }
  throw new Error('no SMB server in the capture');
}

const SPLICED = [
  ['smbtorture-compound.pcap', 1],
  ['smbclient-smb3_11.pcap', 2],
  ['impacket-smb2_10.pcap', 3],
  ['smbclient-smb3_00-port139.pcap', 4],
] as const;

describe('(a) garbage connections beside intact ones', () => {
  for (const [name, seed] of SPLICED) {
    test(`${name}: every clean event survives garbage spliced in`, () => {
      // a plain Uint8Array: slices of a Buffer would be views, and the mutations would reach the clean records
      const bytes = new Uint8Array(readFileSync(fixture(name)));
      const clean = readPcapLe(bytes);
      const cleanKeys = events(bytes).map(key);
      assert.ok(cleanKeys.length > 20, 'the fixture raises events');
      const rand = prng(seed);
      const t0 = tsOf(clean[0]!);
      const t1 = tsOf(clean.at(-1)!);
      const server = serverOf(clean);
      for (let round = 0; round < 3; round++) {
        const garbage: PcapRecord[][] = [];
        for (let n = 0; n < 4; n++) garbage.push(randomConnection(rand, round * 10 + n, server, t0, t1));
        garbage.push(mutatedCopy(rand, clean, round * 3, 445));
        garbage.push(mutatedCopy(rand, clean, round * 3 + 1, 139));
        garbage.push(mutatedCopy(rand, clean, round * 3 + 2, 8445));
        const spliced = events(pcap(merge(clean, ...garbage))).map(key);
        assert.ok(spliced.length > cleanKeys.length, 'the garbage raised events (weirds) of its own');
        assertSubsequence(cleanKeys, spliced, `${name}, round ${round}`);
      }
    });
  }
});

// --- (b) retransmissions and reordering

/** Indices of records carrying TCP payload without SYN/FIN/RST, with their decoded packets. */
function dataRecords(records: readonly PcapRecord[]): Map<number, TcpPacket> {
  const m = new Map<number, TcpPacket>();
  records.forEach((r, i) => {
    const p = decodeTcpFrame(r.data);
    if (p && p.payload.length > 0 && (p.flags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0) m.set(i, p);
  });
  return m;
}

function sameDirection(a: TcpPacket, b: TcpPacket): boolean {
  return a.src === b.src && a.dst === b.dst && a.sport === b.sport && a.dport === b.dport;
}

/**
 * Swaps adjacent records that are data segments of the same direction (each
 * pair with probability `p`); with `sameTime`, only pieces of one packet
 * (equal times), else the times stay in place and the data moves.
 */
function swapAdjacent(records: PcapRecord[], rand: () => number, p: number, sameTime: boolean): number {
  const data = dataRecords(records);
  let swaps = 0;
  for (let i = 0; i + 1 < records.length; i++) {
    const a = data.get(i);
    const b = data.get(i + 1);
    if (!a || !b || !sameDirection(a, b) || rand() >= p) continue;
    const ra = records[i]!;
    const rb = records[i + 1]!;
    if (sameTime && tsOf(ra) !== tsOf(rb)) continue;
    records[i] = { ...ra, data: rb.data };
    records[i + 1] = { ...rb, data: ra.data };
    data.delete(i + 1); // a segment moves once
    swaps++;
    i++;
  }
  return swaps;
}

/** Inserts a copy of data segments (probability `p`) 1 to 4 records later, at the time of the record before it. */
function duplicate(records: PcapRecord[], rand: () => number, p: number): PcapRecord[] {
  const out: PcapRecord[] = [];
  const later = new Map<number, Uint8Array[]>();
  const data = dataRecords(records);
  records.forEach((r, i) => {
    out.push(r);
    for (const d of later.get(i) ?? []) out.push({ sec: r.sec, frac: r.frac, data: d });
    if (data.has(i) && rand() < p) {
      const at = Math.min(records.length - 1, i + Math.floor(rand() * 4));
      later.set(at, [...(later.get(at) ?? []), r.data]);
    }
  });
  return out;
}

/**
 * Repacketized retransmissions: between two adjacent segments of one
 * direction, a segment carrying the second half of the first (already seen)
 * and the first half of the second (new), at the second's time; the second
 * then arrives and overlaps it.
 */
function overlapping(records: PcapRecord[], rand: () => number, p: number): PcapRecord[] {
  const out: PcapRecord[] = [];
  const data = dataRecords(records);
  records.forEach((r, i) => {
    const a = data.get(i - 1);
    const b = data.get(i);
    if (a && b && sameDirection(a, b) && (a.seq + a.payload.length) >>> 0 === b.seq && rand() < p) {
      const half = Math.floor(a.payload.length / 2);
      const bHalf = Math.ceil(b.payload.length / 2);
      const payload = new Uint8Array(a.payload.length - half + bHalf);
      payload.set(a.payload.subarray(half));
      payload.set(b.payload.subarray(0, bHalf), a.payload.length - half);
      out.push({ sec: r.sec, frac: r.frac, data: frame(a, { seq: (a.seq + half) >>> 0, ack: b.ack, payload }) });
    }
    out.push(r);
  });
  return out;
}

const SHUFFLED = [
  ['smbtorture-compound.pcap', 11],
  ['smbclient-smb3_11.pcap', 12],
  ['smbtorture-notify-closeinfo.pcap', 13],
  ['impacket-smb3_00.pcap', 14],
] as const;

describe('(b) retransmitted and reordered segments', () => {
  for (const [name, seed] of SHUFFLED) {
    // pieces of at most 64 bytes: many adjacent segments of one direction
    const base = readPcapLe(resegment(new Uint8Array(readFileSync(fixture(name))), 64));
    const want = events(pcap(base)).map(withoutUid);

    test(`${name}: duplicated segments change nothing`, () => {
      const rand = prng(seed);
      const dup = duplicate(base, rand, 0.15);
      assert.ok(dup.length > base.length + 10, 'segments were duplicated');
      const got = events(pcap(dup)).map(withoutUid);
      assert.deepEqual(got, want, firstDifference(got, want));
      const over = overlapping(base, rand, 0.2);
      assert.ok(over.length > base.length + 10, 'overlapping retransmissions were added');
      const got2 = events(pcap(over)).map(withoutUid);
      assert.deepEqual(got2, want, firstDifference(got2, want));
    });

    test(`${name}: adjacent segments of one packet swapped change nothing`, () => {
      const rand = prng(seed + 100);
      const recs = [...base];
      assert.ok(swapAdjacent(recs, rand, 0.5, true) > 10, 'segments were swapped');
      const got = events(pcap(recs)).map(withoutUid);
      assert.deepEqual(got, want, firstDifference(got, want));
    });

    test(`${name}: adjacent packets swapped and duplicated give the same events (times aside)`, () => {
      const rand = prng(seed + 200);
      const recs = [...base];
      assert.ok(swapAdjacent(recs, rand, 0.5, false) > 10, 'segments were swapped');
      const shuffled = duplicate(recs, rand, 0.1);
      // a message now completes with the segment that arrives last: its time may be a later packet's
      const got = events(pcap(shuffled)).map(key);
      const wantKeys = want.map(key);
      assert.deepEqual(got, wantKeys, firstDifference(got, wantKeys));
    });
  }
});
