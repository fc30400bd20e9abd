/**
 * Broken captures (issue 5, part 3): what CONTRACT.md's exit-status table
 * says for each. A capture read to its end exits 0 whatever is inside
 * (unknown link types or pcapng blocks, packets cut by the snap length): the
 * summary on stderr, the anomaly in weird.log. A capture that is not one, is
 * empty, has a truncated file header or ends inside a record exits 1 with one
 * stderr line naming the file and the reason, no stack trace, every log
 * closed, and everything before the break analyzed.
 *
 * Every byte position of the pcap file header, of the first two records and
 * of a pcapng SHB/IDB/EPB is cut through the library (fast, in process); a
 * representative set of inputs is run through the built CLI, as a user would.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Analyzer } from '../../src/core/analyzer.js';
import { encodeEvent } from '../../src/core/events/json.js';
import type { CaptureErrorKind } from '../../src/core/source/capture.js';
import { ByteWriter, concat } from '../helpers/bytes.js';
import { customBlock, epb, idb, ngBlock, type PcapRecord, pcap, pcapHeader, shb } from '../helpers/capture.js';
import { BIN } from '../helpers/paths.js';
import { TcpSession } from '../helpers/session.js';
import { closeRequestBody, closeResponseBody, compound, nbss, SMB2_CLOSE } from '../helpers/smb2.js';

const SEED = 7;

// --- the capture that gets broken: an SMB2 connection picked up mid-stream,
// so that its very first records carry messages (CLOSE request / response pairs)

function closePair(mid: number): [Uint8Array, Uint8Array] {
  const hdr = { command: SMB2_CLOSE, messageId: BigInt(mid), treeId: 3, sessionId: 9n };
  return [
    nbss(compound([{ hdr, body: closeRequestBody(BigInt(100 + mid), BigInt(200 + mid)) }])),
    nbss(compound([{ hdr: { ...hdr, flags: 1 }, body: closeResponseBody({ endOfFile: BigInt(mid) }) }])),
  ];
}

function baseRecords(): PcapRecord[] {
  const s = new TcpSession({ client: '10.0.0.1', server: '10.0.0.2', cport: 50123 });
  for (let mid = 1; mid <= 4; mid++) {
    const [req, resp] = closePair(mid);
    s.send(true, req, { ack: false });
    s.send(false, resp, { ack: false });
  }
  return s.records;
}

const RECORDS = baseRecords();
const PCAP = pcap(RECORDS);
/** Offsets where each pcap record ends (index 0: the end of the file header). */
const PCAP_ENDS = [24];
for (const r of RECORDS) PCAP_ENDS.push(PCAP_ENDS.at(-1)! + 16 + r.data.length);

const LE = true;
const SHB = shb(LE);
const IDB = idb(LE, 1);
const EPBS = RECORDS.map((r) => epb(LE, 0, BigInt(r.sec) * 1_000_000n + BigInt(r.frac), r.data));
const PCAPNG = concat(SHB, IDB, ...EPBS);
/** Offsets where each pcapng block ends: SHB, IDB, then one per EPB. */
const NG_ENDS = [SHB.length, SHB.length + IDB.length];
for (const b of EPBS) NG_ENDS.push(NG_ENDS.at(-1)! + b.length);

/** A log sink that drops everything (the CLI writes logs; its file analysis and policies then run too). */
const NO_LOGS = { open: () => ({ write() {}, close() {} }) };

interface LibRun {
  lines: string[];
  error: CaptureErrorKind | undefined;
  weirds: string[];
}

/** The library, as the CLI configures it: event lines, the reader's error, weird names. */
function lib(bytes: Uint8Array): LibRun {
  const a = new Analyzer({ verifyChecksums: false, seed: SEED, logs: NO_LOGS });
  const lines: string[] = [];
  const weirds: string[] = [];
  a.onAny((name, ts, args) => {
    lines.push(encodeEvent(name, ts, args));
    if (name === 'conn_weird' || name === 'net_weird') weirds.push(String(args[0]));
  });
  a.push(bytes);
  return { lines, error: a.end().error?.kind, weirds };
}

/** Events of the first `k` whole pcap records: what a capture broken after them must still give. */
const prefixEvents = new Map<number, string[]>();
function eventsOfRecords(k: number): string[] {
  let e = prefixEvents.get(k);
  if (!e) {
    e = lib(pcap(RECORDS.slice(0, k))).lines;
    prefixEvents.set(k, e);
  }
  return e;
}

function wholeRecordsBefore(ends: readonly number[], cut: number, first: number): number {
  let k = 0;
  for (let i = first; i < ends.length; i++) if (ends[i]! <= cut) k = i - first + 1;
  return k;
}

describe('every cut of the file header and the first records (library)', () => {
  test('the uncut captures give events from their first record on', () => {
    assert.equal(lib(PCAP).error, undefined);
    assert.equal(lib(PCAPNG).error, undefined);
    assert.ok(
      eventsOfRecords(1).some((l) => l.includes('"smb2_close_request"')),
      'record 1 raises events',
    );
    assert.ok(
      eventsOfRecords(2).some((l) => l.includes('"smb2_close_response"')),
      'record 2 raises events',
    );
    assert.deepEqual(lib(PCAPNG).lines, lib(PCAP).lines);
  });

  test('pcap: every byte of the file header and of the first two records', () => {
    for (let cut = 0; cut <= PCAP_ENDS[2]!; cut++) {
      const r = lib(PCAP.subarray(0, cut));
      const want: CaptureErrorKind | undefined =
        cut === 0 ? 'empty' : cut < 24 ? 'truncated-header' : PCAP_ENDS.includes(cut) ? undefined : 'truncated';
      assert.equal(r.error, want, `cut at ${cut}`);
      assert.deepEqual(r.lines, eventsOfRecords(wholeRecordsBefore(PCAP_ENDS, cut, 1)), `events, cut at ${cut}`);
    }
  });

  test('pcap: every byte of a big-endian and of a nanosecond file header', () => {
    for (const o of [{ le: false }, { nanos: true }]) {
      const h = pcapHeader(o);
      for (let cut = 1; cut < 24; cut++) assert.equal(lib(h.subarray(0, cut)).error, 'truncated-header', `cut ${cut}`);
      assert.equal(lib(h).error, undefined, 'a file header alone is a capture without packets');
    }
  });

  test('pcapng: every byte of the SHB, the IDB and the first two EPBs', () => {
    for (let cut = 0; cut <= NG_ENDS[3]!; cut++) {
      const r = lib(PCAPNG.subarray(0, cut));
      const want: CaptureErrorKind | undefined =
        cut === 0 ? 'empty' : cut < SHB.length ? 'truncated-header' : NG_ENDS.includes(cut) ? undefined : 'truncated';
      assert.equal(r.error, want, `cut at ${cut}`);
      assert.deepEqual(r.lines, eventsOfRecords(wholeRecordsBefore(NG_ENDS, cut, 2)), `events, cut at ${cut}`);
    }
  });
});

// --- the CLI

interface Case {
  file: string;
  bytes: Uint8Array;
  /** exit status the contract asks for */
  exit: 0 | 1;
  /** exit 1: what the error line must say */
  reason?: RegExp;
  /** the input that must give exactly the same events (what precedes the break) */
  same: Uint8Array;
  /** weird names weird.log must hold */
  weirds?: string[];
  /** an anomaly of a capture read to its end: weird.log must have a row (any name) */
  anomaly?: boolean;
}

interface Outcome {
  code: number | null;
  stderr: string;
  stdout: string;
  dir: string;
}

const work = mkdtempSync(join(tmpdir(), 'smbscope-broken-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** One pcapng block with a raw length field (and trailer) of our choosing. */
function rawBlock(type: number, len: number, body: Uint8Array, trailer = len): Uint8Array {
  return new ByteWriter().u32le(type).u32le(len).bytes(body).u32le(trailer).done();
}

const ng2 = (...tail: Uint8Array[]) => concat(SHB, IDB, EPBS[0]!, ...tail, EPBS[1]!);
const firstEpb = concat(SHB, IDB, EPBS[0]!);
const snapCut = RECORDS.map((r) => ({ ...r, data: r.data.slice(0, 96), wirelen: r.data.length }));

const CASES: Case[] = [
  // exit 1: not a capture, empty, file header cut
  {
    file: 'notes.pcap',
    bytes: new TextEncoder().encode('these are not packets\n'),
    exit: 1,
    reason: /not a pcap/,
    same: new Uint8Array(0),
  },
  { file: 'empty.pcap', bytes: new Uint8Array(0), exit: 1, reason: /empty/, same: new Uint8Array(0) },
  {
    file: 'elf.pcap',
    bytes: Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1),
    exit: 1,
    reason: /not a pcap/,
    same: new Uint8Array(0),
  },
  ...[1, 3, 12, 23].map(
    (cut): Case => ({
      file: `header-${cut}.pcap`,
      bytes: PCAP.subarray(0, cut),
      exit: 1,
      reason: /header/,
      same: new Uint8Array(0),
    }),
  ),
  {
    file: 'header-be-20.pcap',
    bytes: pcapHeader({ le: false }).subarray(0, 20),
    exit: 1,
    reason: /header/,
    same: new Uint8Array(0),
  },
  { file: 'shb-14.pcapng', bytes: PCAPNG.subarray(0, 14), exit: 1, reason: /header/, same: new Uint8Array(0) },
  // exit 1: cut short inside a record
  {
    file: 'record1-header.pcap',
    bytes: PCAP.subarray(0, 24 + 9),
    exit: 1,
    reason: /cut short/,
    same: new Uint8Array(0),
  },
  {
    file: 'record2-data.pcap',
    bytes: PCAP.subarray(0, PCAP_ENDS[1]! + 16 + 50),
    exit: 1,
    reason: /cut short/,
    same: pcap(RECORDS.slice(0, 1)),
  },
  {
    file: 'idb.pcapng',
    bytes: PCAPNG.subarray(0, SHB.length + 10),
    exit: 1,
    reason: /cut short/,
    same: new Uint8Array(0),
  },
  {
    file: 'epb2.pcapng',
    bytes: PCAPNG.subarray(0, NG_ENDS[2]! + 40),
    exit: 1,
    reason: /cut short/,
    same: firstEpb,
  },
  // exit 1: impossible lengths (the rest cannot be read)
  {
    file: 'blocklen-not-4.pcapng',
    bytes: ng2(rawBlock(6, 45, new Uint8Array(33))),
    exit: 1,
    reason: /block length 45/,
    same: firstEpb,
  },
  {
    file: 'blocklen-8.pcapng',
    bytes: ng2(rawBlock(6, 8, new Uint8Array(0))),
    exit: 1,
    reason: /block length 8/,
    same: firstEpb,
  },
  {
    file: 'blocklen-trailer.pcapng',
    bytes: ng2(rawBlock(0x7777, 16, new Uint8Array(4), 20)),
    exit: 1,
    reason: /trailing length 20/,
    same: firstEpb,
  },
  {
    file: 'blocklen-huge.pcapng',
    bytes: ng2(rawBlock(6, 16 * 1024 * 1024 + 4, new Uint8Array(64))),
    exit: 1,
    reason: /block length 16777220/,
    same: firstEpb,
  },
  {
    file: 'caplen-huge.pcap',
    bytes: concat(
      PCAP.subarray(0, PCAP_ENDS[1]!),
      new ByteWriter()
        .u32le(RECORDS[1]!.sec)
        .u32le(RECORDS[1]!.frac)
        .u32le(16 * 1024 * 1024 + 1)
        .u32le(16 * 1024 * 1024 + 1)
        .done(),
      RECORDS[1]!.data,
    ),
    exit: 1,
    reason: /packet length 16777217/,
    same: pcap(RECORDS.slice(0, 1)),
  },
  // exit 0: read to the end
  { file: 'header-only.pcap', bytes: pcapHeader(), exit: 0, same: new Uint8Array(0) },
  { file: 'shb-only.pcapng', bytes: SHB, exit: 0, same: new Uint8Array(0) },
  { file: 'two-records.pcap', bytes: PCAP.subarray(0, PCAP_ENDS[2]!), exit: 0, same: pcap(RECORDS.slice(0, 2)) },
  {
    file: 'linktype-147.pcap',
    bytes: pcap(RECORDS, { linktype: 147 }),
    exit: 0,
    same: pcap(RECORDS, { linktype: 147 }),
    weirds: ['unknown_link_type'],
  },
  {
    file: 'idb-linktype-147.pcapng',
    bytes: concat(
      SHB,
      idb(LE, 147),
      IDB,
      ...RECORDS.map((r) => epb(LE, 1, BigInt(r.sec) * 1_000_000n, r.data)),
      epb(LE, 0, BigInt(RECORDS.at(-1)!.sec) * 1_000_000n, RECORDS[0]!.data),
    ),
    exit: 0,
    same: concat(SHB, IDB, ...RECORDS.map((r) => epb(LE, 0, BigInt(r.sec) * 1_000_000n, r.data))),
    weirds: ['unknown_link_type'],
  },
  {
    file: 'unknown-blocks.pcapng',
    bytes: ng2(customBlock(LE), ngBlock(0x7777, new Uint8Array(10), LE), ngBlock(0x80000001, new Uint8Array(0), LE)),
    exit: 0,
    same: ng2(),
    anomaly: true,
  },
  {
    file: 'snaplen-96.pcap',
    bytes: pcap(snapCut, { snaplen: 96 }),
    exit: 0,
    same: pcap(snapCut, { snaplen: 96 }),
    anomaly: true,
  },
];

function smbscope(c: Case): Promise<Outcome> {
  const dir = join(work, c.file.replace(/\W/g, '_'));
  mkdirSync(dir);
  writeFileSync(join(dir, c.file), c.bytes);
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [BIN, '-C', '--seed', String(SEED), '-r', c.file, '--logdir', 'logs', '--events', 'ev.jsonl'],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.on('close', (code) => resolve({ code, stderr, stdout, dir }));
  });
}

const outcomes = new Map<string, Outcome>();
before(async () => {
  // four at a time: a few seconds for all of them on two cores
  const queue = [...CASES];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) outcomes.set(c.file, await smbscope(c));
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
});

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l !== '');
}

const SUMMARY = /^smbscope: \d+ packets, /;

/** Every log is complete (header and #close); returns the weird names of weird.log. */
function logsClosed(dir: string): string[] {
  const logdir = join(dir, 'logs');
  if (!existsSync(logdir)) return [];
  const names: string[] = [];
  for (const f of readdirSync(logdir).filter((x) => x.endsWith('.log'))) {
    const text = readFileSync(join(logdir, f), 'utf8');
    assert.ok(text.startsWith('#separator \\x09\n'), `${f} starts with the header`);
    assert.match(lines(text).at(-1)!, /^#close\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/, `${f} ends with #close`);
    if (f === 'weird.log') {
      const rows = lines(text);
      const col =
        rows
          .find((l) => l.startsWith('#fields\t'))!
          .split('\t')
          .indexOf('name') - 1;
      for (const l of rows) if (!l.startsWith('#')) names.push(l.split('\t')[col]!);
    }
  }
  return names;
}

describe('broken captures through the CLI (CONTRACT.md exit-status table)', () => {
  for (const c of CASES) {
    test(`${c.file}: exit ${c.exit}`, () => {
      const r = outcomes.get(c.file)!;
      assert.equal(r.code, c.exit, `exit status; stderr: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
      assert.doesNotMatch(r.stderr, /internal error|TypeError|RangeError|Error:/, 'no internal error');
      assert.equal(r.stdout, '');
      const ls = lines(r.stderr);
      if (c.exit === 1) {
        // one line naming the file and the reason, then the summary
        assert.equal(ls.length, 2, `stderr: ${JSON.stringify(ls)}`);
        assert.ok(ls[0]!.includes(c.file), `the error line names the file: ${ls[0]}`);
        assert.match(ls[0]!, c.reason!);
        assert.match(ls[1]!, SUMMARY);
      } else {
        assert.equal(ls.length, 1, `only the summary: ${JSON.stringify(ls)}`);
        assert.match(ls[0]!, SUMMARY);
      }
      const weirds = logsClosed(r.dir);
      for (const w of c.weirds ?? []) assert.ok(weirds.includes(w), `weird.log has ${w}: ${weirds}`);
      if (c.anomaly) assert.ok(weirds.length > 0, 'the anomaly is in weird.log');
      // everything before the break was analyzed: the same events as the intact part alone
      const ev = existsSync(join(r.dir, 'ev.jsonl')) ? readFileSync(join(r.dir, 'ev.jsonl'), 'utf8') : '';
      assert.ok(ev === '' || ev.endsWith('\n'), 'the events file ends with a whole line');
      const got = lines(ev);
      // weirds aside: those of the anomaly itself are checked in weird.log
      const noWeird = (l: string) => !/^\{"ts":[^,]*,"event":"(conn|net)_weird"/.test(l);
      const keep = c.weirds || c.anomaly ? noWeird : () => true;
      assert.deepEqual(got.filter(keep), lib(c.same).lines.filter(keep));
    });
  }

  test('the cut captures still give the events of their first record', () => {
    const ev = readFileSync(join(outcomes.get('record2-data.pcap')!.dir, 'ev.jsonl'), 'utf8');
    assert.match(ev, /"event":"smb2_close_request"/);
    assert.match(readFileSync(join(outcomes.get('blocklen-huge.pcapng')!.dir, 'ev.jsonl'), 'utf8'), /smb2_close/);
  });
});
