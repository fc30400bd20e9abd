/**
 * The web page's analysis (web/analyze.js) on real captures, against what
 * ships with them: tshark's dissection (X.oracle.jsonl, X.facts.json,
 * X.summary.json) and the logs of the smbscope command run on the same file.
 *
 * web/analyze.js is plain JavaScript that tsc does not compile: it stays in
 * web/ and imports ../dist/src/index.js, right from the repository root. This
 * test is compiled to dist/test/web/, so a static import would point to
 * ../../web/analyze.js from the source (test/web/) but need
 * ../../../web/analyze.js from the compiled file. Hence:
 * - the types come from a type-only import, resolved by tsc from the source
 *   location (test/web/ -> web/analyze.d.ts) and erased from the output;
 * - the module is loaded with a dynamic import of the file found by walking up
 *   from this file's directory to the repository root (the directory with
 *   package.json and web/analyze.js): dist/test/web/ -> ../../../, and the same
 *   code would find ../../ from test/web/.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type * as WebAnalyze from '../../web/analyze.js';
import { ALL_ONES_FID, CMD, type FactMsg, readFacts } from '../helpers/fixture-facts.js';
import { type OracleLine, oracleMicros, readOracle } from '../helpers/oracle.js';
import { BIN, fixture, SAMPLES } from '../helpers/paths.js';

function repoRoot(): string {
  for (let d = import.meta.dirname; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'web', 'analyze.js'))) return d;
    if (dirname(d) === d) throw new Error(`no web/analyze.js above ${import.meta.dirname}`);
  }
}

let web: typeof WebAnalyze;
before(async () => {
  web = (await import(pathToFileURL(join(repoRoot(), 'web', 'analyze.js')).href)) as typeof WebAnalyze;
});

const SAMPLE = join(SAMPLES, 'smb-sample.pcap');
const COMPOUND = fixture('smbtorture-compound.pcap');
const SEED = 7;
/** one wall clock for both runs of a comparison (the logs' #open/#close lines) */
const CLOCK = () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

const work = mkdtempSync(join(tmpdir(), 'smbscope-web-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The file in chunks of `size` bytes, as a browser's file.stream() hands it over. */
function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += size) out.push(bytes.subarray(o, o + size));
  return out;
}

function run(pcap: string, options: WebAnalyze.AnalyzeOptions = {}): Promise<WebAnalyze.CaptureAnalysis> {
  return web.analyzeCapture(chunked(readFileSync(pcap), 65536), { verifyChecksums: false, seed: SEED, ...options });
}

/** `node bin/smbscope.js -C -r PCAP --seed 7 --logdir DIR ARGS`: its logs by name and its summary line. */
function cli(pcap: string, args: string[] = []): { logs: Record<string, string>; stderr: string } {
  const dir = mkdtempSync(join(work, 'cli-'));
  const r = spawnSync(process.execPath, [BIN, '-C', '-r', pcap, '--seed', String(SEED), '--logdir', dir, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `smbscope exit status; stderr: ${r.stderr}`);
  const logs: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) logs[f] = readFileSync(join(dir, f), 'utf8');
  return { logs, stderr: r.stderr };
}

/** A TSV log without its #open and #close lines (the wall-clock time of the run). */
function withoutWallClock(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.startsWith('#open\t') && !l.startsWith('#close\t'))
    .join('\n');
}

/** tshark's "sec.nanoseconds" as ISO 8601 with microseconds (libpcap's precision). */
function tsharkIso(ts: string): string {
  const [sec, frac = ''] = ts.split('.');
  return `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${frac.padEnd(9, '0').slice(0, 6)}Z`;
}

function sorted(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort();
}

/** The key of a CLOSE in both worlds: the client's port and the message id. */
function rowKey(origPort: number | string, messageId: bigint | string): string {
  return `${origPort}/${messageId}`;
}

function byKey(rows: WebAnalyze.CloseRow[]): Map<string, WebAnalyze.CloseRow> {
  const m = new Map<string, WebAnalyze.CloseRow>();
  for (const r of rows) {
    const k = rowKey(r.id.orig_p, r.messageId);
    assert.ok(!m.has(k), `one row per close: ${k}`);
    m.set(k, r);
  }
  return m;
}

/**
 * The name tshark implies for each CLOSE request (by client port and message
 * id): the file name of the CREATE request whose response returned the
 * close's file id on the same connection; for a related compound CLOSE with a
 * file id of all ones (MS-SMB2 3.3.5.2.7.2), the name of the CREATE request
 * sent in the same frame (the same chain) before it; none for an all-ones id
 * without the related flag. Every name is tshark's.
 */
function tsharkCloseNames(pcap: string): Map<string, string | undefined> {
  const facts = readFacts(pcap)!;
  const port = new Map(facts.connections.map((c) => [c.stream, c.orig_p]));
  const createName = new Map<string, string>(); // stream/msg_id -> name of the CREATE request
  const fidName = new Map<string, string>(); // stream/fid -> name
  const out = new Map<string, string | undefined>();
  let chain: { frame: number; stream: number; name: string } | undefined;
  for (const m of facts.messages as FactMsg[]) {
    const k = `${m.stream}/${m.msg_id}`;
    if (m.cmd === CMD.CREATE && !m.is_response) {
      createName.set(k, m.filename!);
      chain = { frame: m.frame, stream: m.stream, name: m.filename! };
    } else if (m.cmd === CMD.CREATE && m.fid !== undefined && createName.has(k)) {
      fidName.set(`${m.stream}/${m.fid}`, createName.get(k)!);
    } else if (m.cmd === CMD.CLOSE && !m.is_response) {
      let name: string | undefined;
      if (m.fid === ALL_ONES_FID) {
        const related = (m.flags & 0x4) !== 0;
        if (related && chain?.frame === m.frame && chain.stream === m.stream) name = chain.name;
      } else {
        name = fidName.get(`${m.stream}/${m.fid}`);
      }
      out.set(rowKey(port.get(m.stream)!, m.msg_id), name);
    }
  }
  return out;
}

describe('web/analyze.js on samples/smb-sample.pcap', () => {
  const summary = JSON.parse(readFileSync(join(SAMPLES, 'smb-sample.summary.json'), 'utf8')) as Record<string, unknown>;
  const facts = readFacts(SAMPLE)!;
  const oracle = readOracle(join(SAMPLES, 'smb-sample.oracle.jsonl'));
  const oracleCloseReqs = oracle.filter((o) => o.close_request);
  const oracleCloseResps = oracle.filter((o) => o.close_response);
  let r: WebAnalyze.CaptureAnalysis;
  let ref: { logs: Record<string, string>; stderr: string };
  before(async () => {
    r = await run(SAMPLE);
    ref = cli(SAMPLE);
  });

  test('the summary counts what tshark counted, and what the command line reports', () => {
    assert.equal(r.error, undefined);
    assert.equal(r.format, 'pcap');
    assert.equal(r.compressed, false);
    assert.equal(r.stats.inputBytes, readFileSync(SAMPLE).length);
    assert.equal(r.stats.packets, summary['frames']);
    assert.equal(r.stats.connections, facts.connections.length);
    assert.equal(r.stats.smb2Messages, summary['smb2_messages']);
    assert.equal(r.stats.closes, summary['close_requests']);
    assert.equal(r.stats.closes, oracleCloseReqs.length);
    assert.equal(r.stats.closeResponses, summary['close_responses']);
    assert.equal(r.stats.closeResponses, oracleCloseResps.length);
    assert.equal(r.closes.length, oracleCloseReqs.length, 'one row per CLOSE request');
    assert.equal(r.closesNotKept, 0);
    // smbscope: 176 packets, 2 connections (2 SMB), 160 SMB2 messages, 20 closes, 0 weirds; logs: ...
    const m = /(\d+) packets, (\d+) connections \((\d+) SMB\), (\d+) SMB2 messages, (\d+) closes, (\d+) weirds/.exec(
      ref.stderr,
    );
    assert.ok(m, `the command's summary line: ${ref.stderr}`);
    const s = r.stats;
    assert.deepEqual(
      m.slice(1).map(Number),
      [s.packets, s.connections, s.smbConnections, s.smb2Messages, s.closes, s.weirds],
      'the same counts as the command line',
    );
  });

  test('every CLOSE request is a row with tshark’s connection, time, message id and file id', () => {
    assert.equal(r.closes.length, oracleCloseReqs.length);
    oracleCloseReqs.forEach((o: OracleLine, i) => {
      const row = r.closes[i]!;
      const at = `close ${i} (frame ${o.frame})`;
      assert.deepEqual(
        [row.id.orig_h, row.id.orig_p, row.id.resp_h, row.id.resp_p],
        [o.src, Number(o.sport), o.dst, Number(o.dport)],
        `${at}: connection`,
      );
      assert.equal(BigInt(Math.round(row.ts! * 1e6)), oracleMicros(o.ts), `${at}: time`);
      assert.equal(web.isoTime(row.ts!), tsharkIso(o.ts), `${at}: ISO time`);
      assert.equal(row.messageId, BigInt(o.hdr!.message_id), `${at}: message id`);
      assert.equal(row.sessionId, BigInt(o.hdr!.session_id), `${at}: session id`);
      assert.equal(row.treeId, Number(o.hdr!.tree_id), `${at}: tree id`);
      assert.equal(typeof row.fileId!.persistent, 'bigint');
      assert.equal(row.fileId!.persistent, BigInt(o.close_request!.file_id.persistent), `${at}: file id`);
      assert.equal(row.fileId!.volatile, BigInt(o.close_request!.file_id.volatile), `${at}: file id`);
      assert.equal(row.related, false);
    });
  });

  test('every CLOSE response completes its request’s row with tshark’s values', () => {
    const rows = byKey(r.closes);
    for (const o of oracleCloseResps) {
      const at = `close response, frame ${o.frame}`;
      const row = rows.get(rowKey(o.dport, o.hdr!.message_id));
      assert.ok(row, `${at}: its request's row`);
      const cr = o.close_response!;
      assert.equal(BigInt(Math.round(row.responseTs! * 1e6)), oracleMicros(o.ts), `${at}: time`);
      assert.equal(row.status, Number(o.hdr!.status), `${at}: status`);
      const resp = row.response!;
      assert.ok(resp, `${at}: the response body`);
      assert.equal(typeof resp.eof, 'bigint');
      assert.equal(resp.eof, BigInt(cr.eof), `${at}: eof`);
      assert.equal(resp.alloc_size, BigInt(cr.alloc_size), `${at}: allocation size`);
      assert.equal(resp.times.modified_raw, BigInt(cr.modified), `${at}: modified`);
      assert.equal(resp.times.accessed_raw, BigInt(cr.accessed), `${at}: accessed`);
      assert.equal(resp.times.created_raw, BigInt(cr.created), `${at}: created`);
      assert.equal(resp.times.changed_raw, BigInt(cr.changed), `${at}: changed`);
      assert.equal(web.attrsValue(resp.attrs), Number(cr.attrs), `${at}: attributes`);
      // zero FILETIMEs (no SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB) are shown as not set
      if (cr.modified === '0') assert.equal(web.filetimeIso(resp.times.modified_raw), undefined);
    }
  });

  test('each CLOSE has the file name of the CREATE that opened the handle (tshark’s)', () => {
    const expected = tsharkCloseNames(SAMPLE);
    assert.equal(expected.size, r.closes.length);
    for (const row of r.closes) {
      const k = rowKey(row.id.orig_p, row.messageId);
      assert.ok(expected.has(k), `tshark saw close ${k}`);
      const name = expected.get(k);
      assert.notEqual(name, undefined, `${k}: every handle of the sample was opened in the capture`);
      assert.equal(row.name, name, `${k}: file name`);
    }
    // the names are the sample's files (see smb-sample.transfers.json)
    assert.ok(r.closes.some((c) => c.name === 'projects\\quarterly-report.pdf'));
  });

  test('the logs are the command line’s, apart from the #open and #close lines', () => {
    assert.deepEqual(sorted(r.logs), sorted(ref.logs), 'the same logs are written');
    assert.ok('smb_files.log' in r.logs);
    for (const [name, text] of Object.entries(ref.logs)) {
      const mine = r.logs[name]!;
      assert.equal(withoutWallClock(mine), withoutWallClock(text), name);
      assert.match(mine, /\n#close\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\n$/, `${name} is closed`);
    }
    // the records, per log, as the command counts them
    for (const [path, n] of Object.entries(r.logRecords)) {
      assert.equal(
        r.logs[`${path}.log`]!.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
        n,
        `${path}.log records`,
      );
    }
  });

  test('JSON logs are the command line’s --log-format json, byte for byte', async () => {
    const json = await run(SAMPLE, { logFormat: 'json' });
    const jref = cli(SAMPLE, ['--log-format', 'json']);
    assert.deepEqual(sorted(json.logs), sorted(jref.logs));
    for (const [name, text] of Object.entries(jref.logs)) assert.equal(json.logs[name], text, name);
  });

  test('gzip, a ReadableStream and any chunk size give the same analysis', async () => {
    const bytes = readFileSync(SAMPLE);
    const plain = await web.analyzeCapture([bytes], { verifyChecksums: false, seed: SEED, clock: CLOCK });
    const gz = gzipSync(bytes);
    // a first chunk of one byte: the gzip magic is split
    const gzRun = await web.analyzeCapture([gz.subarray(0, 1), ...chunked(gz.subarray(1), 777)], {
      verifyChecksums: false,
      seed: SEED,
      clock: CLOCK,
    });
    assert.equal(gzRun.compressed, true);
    assert.equal(gzRun.error, undefined);
    assert.equal(gzRun.stats.inputBytes, gz.length);
    // file.stream() in a browser is a ReadableStream; so is Blob#stream() in Node
    const streamRun = await web.analyzeCapture(new Blob([gz]).stream(), {
      verifyChecksums: false,
      seed: SEED,
      clock: CLOCK,
    });
    const tiny = await web.analyzeCapture(chunked(bytes, 13), { verifyChecksums: false, seed: SEED, clock: CLOCK });
    for (const [what, x] of [
      ['gzip', gzRun],
      ['stream', streamRun],
      ['13-byte chunks', tiny],
    ] as const) {
      assert.deepEqual(x.logs, plain.logs, `${what}: logs`);
      assert.deepEqual(x.closes, plain.closes, `${what}: closes`);
      assert.deepEqual({ ...x.stats, inputBytes: 0 }, { ...plain.stats, inputBytes: 0 }, `${what}: stats`);
    }
  });

  test('a cut gzip file: the error is reported, what came before is analyzed, every log is closed', async () => {
    const gz = gzipSync(readFileSync(SAMPLE));
    const cut = await web.analyzeCapture(chunked(gz.subarray(0, Math.floor(gz.length / 2)), 4096), {
      verifyChecksums: false,
    });
    assert.match(cut.error ?? '', /^gzip: /);
    assert.ok(cut.stats.packets > 0 && cut.stats.packets < r.stats.packets, `packets: ${cut.stats.packets}`);
    assert.ok(Object.keys(cut.logs).length > 0);
    for (const [name, text] of Object.entries(cut.logs)) assert.match(text, /\n#close\t[^\n]+\n$/, `${name} closed`);
  });

  test('an abort stops reading and still closes the logs', async () => {
    const ac = new AbortController();
    let calls = 0;
    const x = await web.analyzeCapture(chunked(readFileSync(SAMPLE), 8192), {
      verifyChecksums: false,
      signal: ac.signal,
      onProgress: () => {
        if (++calls === 3) ac.abort();
      },
    });
    assert.equal(x.aborted, true);
    assert.equal(x.stats.inputBytes, 3 * 8192);
    for (const [name, text] of Object.entries(x.logs)) assert.match(text, /\n#close\t[^\n]+\n$/, `${name} closed`);
  });

  test('with checksum verification (the default), the loopback sample is flagged', async () => {
    const x = await web.analyzeCapture([readFileSync(SAMPLE)]);
    assert.equal(x.checksumsMostlyBad, true);
    assert.equal(x.stats.smb2Messages, 0);
  });
});

describe('web/analyze.js on a capture with compound chains (smbtorture-compound.pcap)', () => {
  test('names of related CLOSEs come from the chain; error responses keep their status', async () => {
    const r = await run(COMPOUND);
    assert.equal(r.error, undefined);
    const facts = readFacts(COMPOUND)!;
    const port = new Map(facts.connections.map((c) => [c.stream, c.orig_p]));
    const reqs = facts.messages.filter((m) => m.cmd === CMD.CLOSE && !m.is_response);
    assert.equal(r.closes.length, reqs.length, 'one row per CLOSE request');
    const expected = tsharkCloseNames(COMPOUND);
    let related = 0;
    for (const row of r.closes) {
      const k = rowKey(row.id.orig_p, row.messageId);
      assert.ok(expected.has(k), `tshark saw close ${k}`);
      assert.equal(row.name, expected.get(k), `${k}: file name`);
      if (row.related) related++;
    }
    assert.ok(related >= 3, `related closes: ${related}`);
    const rows = byKey(r.closes);
    for (const m of facts.messages) {
      if (m.cmd !== CMD.CLOSE || !m.is_response || m.status === 0x103) continue;
      const row = rows.get(rowKey(port.get(m.stream)!, m.msg_id))!;
      assert.equal(row.status, m.status, `close ${m.stream}/${m.msg_id}: status`);
      assert.equal(row.response === undefined, m.status !== 0, `close ${m.stream}/${m.msg_id}: body only on success`);
    }
  });
});
