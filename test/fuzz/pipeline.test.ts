/**
 * Property tests of the whole pipeline (src/core/analyzer.ts): the Analyzer
 * is fed real captures mutated by the fuzzer's own mutators
 * (scripts/fuzz/mutate.mjs: every layer, packets dropped, duplicated,
 * reordered, spliced, fields set to hostile values, files cut) and random
 * bytes. No exception escapes; every event's arguments encode with
 * encodeEvent into a JSON line of the contract's shape; every log written is
 * valid Zeek TSV and closed; and the chunking of the input never changes the
 * event stream or the logs.
 */

import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Analyzer } from '../../src/core/analyzer.js';
import { EVENT_PARAMS, type EventName } from '../../src/core/events/catalogue.js';
import { encodeEvent } from '../../src/core/events/json.js';
import { splitAt } from '../helpers/bytes.js';
import { FIXTURES, ROOT, SAMPLES, ZEEK_CASES } from '../helpers/paths.js';
import { memorySinks, parseTsv } from '../helpers/zeeklogs.js';
import fc from './fc.js';

interface Entry {
  bytes: Uint8Array;
  packets: unknown[] | undefined;
  name: string;
}
interface MutateModule {
  mutate(rng: unknown, parent: Entry, corpus: Entry[]): { bytes: Uint8Array; ops: string[] };
}
interface RngModule {
  Rng: new (seed: bigint | number) => unknown;
}
interface CaptureModule {
  parseCapture(b: Uint8Array): { packets: unknown[] } | undefined;
}

const load = async <T>(p: string): Promise<T> =>
  (await import(pathToFileURL(join(ROOT, 'scripts', 'fuzz', p)).href)) as T;
const { mutate } = await load<MutateModule>('mutate.mjs');
const { Rng } = await load<RngModule>('rng.mjs');
const { parseCapture } = await load<CaptureModule>('capture.mjs');

/** Small seed captures (the pipeline runs many times per property). */
const SEEDS = [
  join(FIXTURES, 'smbtorture-compound.pcap'),
  join(FIXTURES, 'impacket-smb3_11-denied.pcap'),
  join(FIXTURES, 'impacket-smb2_10.pcap'),
  join(FIXTURES, 'smbclient-smb3_11-encrypted.pcap'),
  join(SAMPLES, 'smb-sample.pcap'),
  join(ZEEK_CASES, 'compression-cap', 'SMBGhost.pcap'),
  join(ZEEK_CASES, 'smb2-fscontrol', 'smb2_fscontrol.pcap'),
  join(ZEEK_CASES, 'smb2-multiple-pdus', 'smb2-multiple-pdus.pcap'),
  join(ZEEK_CASES, 'smb3-negotiate-context', 'smb3_negotiate_context.pcap'),
  join(ZEEK_CASES, 'smb311', 'smb311.pcap'),
  join(ZEEK_CASES, 'smb3', 'smb3.pcap'),
  join(ZEEK_CASES, 'smb2-zero-byte-error-ioctl', 'smb2-zero-byte-error-ioctl.pcapng'),
].filter((f) => existsSync(f) && statSync(f).size < 100_000);

const corpus: Entry[] = SEEDS.map((f) => {
  const bytes = new Uint8Array(readFileSync(f));
  return { bytes, packets: parseCapture(bytes)?.packets, name: f };
});

interface Outcome {
  lines: string[];
  logs: Map<string, string>;
  error: string | undefined;
}

const CLOCK = () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

function analyze(chunks: readonly Uint8Array[], seedOpts: { hashes: boolean }): Outcome {
  const sinks = memorySinks();
  const a = new Analyzer({
    verifyChecksums: false,
    seed: 11,
    logCmds: true,
    logs: { format: 'tsv', open: sinks.open, clock: CLOCK },
    ...(seedOpts.hashes ? { hashes: ['md5' as const], hasher: fakeHasher } : {}),
  });
  const lines: string[] = [];
  a.onAny((name, ts, args) => lines.push(encodeEvent(name, ts, args)));
  for (const c of chunks) if (!a.push(c)) break;
  const r = a.end();
  for (const name of sinks.texts.keys()) assert.ok(sinks.closed.has(name), `${name} is closed`);
  return { lines, logs: sinks.texts, error: r.error?.kind };
}

/** A stand-in hash (sum of bytes): file analysis runs, no node:crypto needed. */
const fakeHasher = () => {
  let s = 0;
  return {
    update: (b: Uint8Array) => {
      for (const x of b) s = (s + x) >>> 0;
    },
    digest: () => s.toString(16),
  };
};

function checkLine(line: string): void {
  const e = JSON.parse(line) as { ts: number; event: EventName; uid?: string; args: Record<string, unknown> };
  assert.ok(Number.isFinite(e.ts), `ts of ${line.slice(0, 100)}`);
  const params = EVENT_PARAMS[e.event] as readonly string[] | undefined;
  assert.ok(params, `known event ${e.event}`);
  if (params.includes('c')) assert.match(e.uid ?? '', /^C[0-9A-Za-z]+$/);
  const names = params.filter((p) => p !== 'c');
  let last = -1;
  for (const k of Object.keys(e.args)) {
    const i = names.indexOf(k);
    assert.ok(i > last, `${e.event}: argument ${k} unknown or out of order`);
    last = i;
  }
  assert.ok(!hasNull(e.args), `no null in ${line.slice(0, 200)}`);
}

function hasNull(v: unknown): boolean {
  if (v === null) return true;
  if (typeof v === 'object') return Object.values(v as object).some(hasNull);
  return false;
}

function checkLogs(logs: Map<string, string>): void {
  for (const [name, text] of logs) {
    const log = parseTsv(text); // throws on a row whose column count differs from #fields
    assert.equal(log.path, name.replace(/\.log$/, ''));
    assert.equal(log.fields.length, log.types.length, `${name}: #fields and #types`);
    assert.ok(log.open !== undefined && log.close !== undefined, `${name}: #open and #close`);
    assert.ok(
      text.endsWith('\n') && text.trimEnd().split('\n').at(-1)!.startsWith('#close'),
      `${name}: #close is last`,
    );
    assert.ok(log.rows.length > 0, `${name}: a log with no records is not created`);
  }
}

const input = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.nat(corpus.length - 1), fc.nat(0xffffffff))
      .map(([i, s]) => mutate(new Rng(BigInt(s)), corpus[i]!, corpus).bytes),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
);

describe('the whole pipeline on mutated captures: properties', () => {
  it('has seed captures', () => {
    assert.ok(corpus.length >= 3, `${corpus.length} seed captures`);
  });

  it('no exception escapes, events encode to the contract shape, logs are valid, and chunking changes nothing', () => {
    fc.assert(
      fc.property(input, fc.array(fc.nat(1_000_000), { maxLength: 20 }), fc.boolean(), (bytes, cuts, hashes) => {
        const whole = analyze([bytes], { hashes });
        for (const l of whole.lines) checkLine(l);
        checkLogs(whole.logs);
        const sorted = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const split = analyze(splitAt(bytes, sorted), { hashes });
        assert.deepEqual(split.lines, whole.lines, 'the event stream depends on the chunking');
        assert.deepEqual(split.logs, whole.logs, 'the logs depend on the chunking');
        assert.equal(split.error, whole.error);
      }),
      { numRuns: 150 },
    );
  });
});
