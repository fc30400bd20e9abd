/**
 * The logs of our own Samba captures against what the traffic shows.
 *
 * For every capture with an X.transfers.json (test/fixtures/*.pcap and
 * samples/*.pcap, made by scripts/fixtures/make-fixtures.sh) smbscope's logs
 * are checked against three independent sources, never against smbscope's
 * own output:
 *   - X.transfers.json: what the client put, got, renamed and deleted, with
 *     the MD5/SHA1/SHA256 of the real file contents;
 *   - X.facts.json: tshark's dissection (tree paths, share types, CREATE
 *     names/times/sizes, SET_INFO renames and deletes, NTLMSSP fields, TCP
 *     packet and byte counts), written by scripts/fixtures/tshark-facts.py;
 *   - X.oracle.jsonl: every SMB2 header as tshark dissects it.
 * Where Zeek's semantics decide what a row holds, the expectation applies the
 * rule of docs/zeek-behaviour.md (section numbers below) to those sources.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { nodeHasher } from '../../src/node/files.js';
import {
  CMD,
  diskTreePaths,
  type FactMsg,
  type Facts,
  FILE_DELETE_ON_CLOSE,
  filetimeToZeek,
  isDisk,
  type Open,
  readFacts,
  readTransfers,
  shareTypeName,
  type Transfer,
  type Transfers,
  tsharkTime,
  walk,
  ZEEK_SMB2_COMMANDS,
  zeekStatusName,
} from '../helpers/fixture-facts.js';
import { type OracleLine, readOracle } from '../helpers/oracle.js';
import { BIN, FIXTURES, oracleCaptures } from '../helpers/paths.js';
import {
  type LogTexts,
  memoryExtractor,
  parseJsonLog,
  parseTsv,
  runLogs,
  tsvJsonDifferences,
  tsvRecords,
  tsvTime,
  unescapeTsv,
} from '../helpers/zeeklogs.js';

type Row = Record<string, string>;

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
/** Times within the TSV's rounding to 6 decimals (plus the double's spacing). */
function closeTime(got: string, want: number, what: string): void {
  const g = tsvTime(got);
  assert.ok(Math.abs(g - want) <= 6e-7, `${what}: logged ${got}, expected ${want.toFixed(7)}`);
}

interface Run {
  texts: LogTexts;
  closed: Set<string>;
  extracted: Map<string, Buffer>;
}

interface Capture {
  name: string;
  pcap: string;
  bytes: Buffer;
  transfers: Transfers;
  facts: Facts;
  oracle: OracleLine[];
  tsv: () => Run;
  json: () => Run;
}

function lazy<T>(f: () => T): () => T {
  let v: T | undefined;
  return () => {
    if (v === undefined) v = f();
    return v;
  };
}

function analyze(bytes: Buffer, format: 'tsv' | 'json'): Run {
  const ex = memoryExtractor();
  const r = runLogs(bytes, format, {
    logCmds: true,
    hashes: ['md5', 'sha1', 'sha256'],
    hasher: nodeHasher,
    extractor: ex.factory,
  });
  return { ...r, extracted: ex.files };
}

const CAPTURES: Capture[] = [];
for (const c of oracleCaptures()) {
  const transfers = readTransfers(c.pcap);
  const facts = readFacts(c.pcap);
  if (!transfers || !facts) continue;
  const bytes = readFileSync(c.pcap);
  CAPTURES.push({
    name: c.name,
    pcap: c.pcap,
    bytes,
    transfers,
    facts,
    oracle: readOracle(c.oracle),
    tsv: lazy(() => analyze(bytes, 'tsv')),
    json: lazy(() => analyze(bytes, 'json')),
  });
}

test('the fixtures have transfers and facts files', () => {
  const names = CAPTURES.map((c) => c.name);
  assert.ok(names.length >= 10, `captures with transfers and facts: ${names}`);
  // a file larger than one 64 KiB READ/WRITE goes both ways, with both clients
  for (const client of ['smbclient', 'impacket']) {
    const big = CAPTURES.flatMap((c) =>
      c.transfers.encrypted
        ? []
        : c.transfers.transfers
            .filter((t) => t.size > 65536 && c.transfers.sessions[t.session]?.client === client)
            .map((t) => t.direction),
    );
    assert.deepEqual([...new Set(big)].sort(), ['get', 'put'], `${client}: large transfers ${big}`);
  }
});

// ---------------------------------------------------------------------------
// what the traffic shows, derived from the facts

/** The connection (facts) of a log row, by the originator's port. */
function connOfRow(facts: Facts, row: Row): number {
  const c = facts.connections.find((x) => String(x.orig_p) === row['id.orig_p']);
  assert.ok(c, `no TCP stream with originator port ${row['id.orig_p']}`);
  return c.stream;
}

/** A file transfer as the SMB2 messages show it: an open with WRITE or READ data. */
interface DataOpen {
  open: Open;
  direction: 'put' | 'get';
  bytes: number;
  /** frame times of the messages that carry the data (WRITE requests / READ responses) */
  times: string[];
}

function dataOpens(facts: Facts): DataOpen[] {
  const w = walk(facts);
  const byOpen = new Map<Open, DataOpen>();
  for (const m of facts.messages) {
    if (!m.is_response && m.cmd === CMD.WRITE && (m.write_length ?? 0) > 0) {
      const o = w.byFid(m);
      if (!o || !isDisk(o.tree)) continue;
      const d = byOpen.get(o) ?? { open: o, direction: 'put' as const, bytes: 0, times: [] };
      d.bytes += m.write_length!;
      d.times.push(m.ts);
      byOpen.set(o, d);
    }
    if (m.is_response && m.cmd === CMD.READ && m.status === 0 && (m.read_length ?? 0) > 0) {
      const req = w.requestOf(m);
      const o = req ? w.byFid(req) : undefined;
      if (!o || !isDisk(o.tree)) continue;
      const d = byOpen.get(o) ?? { open: o, direction: 'get' as const, bytes: 0, times: [] };
      d.bytes += m.read_length!;
      d.times.push(m.ts);
      byOpen.set(o, d);
    }
  }
  return [...byOpen.values()].sort((a, b) => a.open.response.frame - b.open.response.frame);
}

/** files.log rows matched to the transfers (same name and direction, in order). */
function matchFiles(c: Capture, rows: Row[]): { t: Transfer; row: Row; d: DataOpen }[] {
  const opens = dataOpens(c.facts);
  const used = new Set<Row>();
  // file rows are written when files end; put them in the order the files started
  const sorted = [...rows].sort((a, b) => tsvTime(a['ts']!) - tsvTime(b['ts']!));
  return c.transfers.transfers.map((t, i) => {
    const row = sorted.find(
      (r) =>
        !used.has(r) && unescapeTsv(r['filename']!) === t.name && r['is_orig'] === (t.direction === 'put' ? 'T' : 'F'),
    );
    assert.ok(row, `no files.log row for ${t.direction} ${t.name} (#${i})`);
    used.add(row);
    return { t, row, d: opens[i]! };
  });
}

const dataCaptures = CAPTURES.filter((c) => !c.transfers.encrypted);

for (const c of CAPTURES) {
  describe(`${c.name}: logs vs transfers and tshark`, () => {
    const tr = c.transfers;
    const f = c.facts;

    if (!tr.encrypted && tr.complete) {
      test('the transfers file agrees with tshark: each put/get is one open with WRITE/READ data of its size', () => {
        const d = dataOpens(f);
        assert.deepEqual(
          d.map((x) => [x.direction, x.open.name, x.bytes]),
          tr.transfers.map((t) => [t.direction, t.name, t.size]),
        );
      });
    }

    if (tr.encrypted) {
      test('encrypted: no file, share or mapping logs (nothing after SESSION_SETUP is in clear)', () => {
        const t = c.tsv().texts;
        for (const log of ['files.log', 'smb_files.log', 'smb_mapping.log']) assert.equal(t.has(log), false, log);
        assert.equal(c.tsv().extracted.size, 0);
      });
    }

    if (!tr.encrypted && tr.complete) {
      test('files.log: one row per transferred file and direction; hashes, sizes and MIME of the real file', () => {
        const rows = tsvRecords(c.tsv().texts, 'files.log');
        assert.equal(rows.length, tr.transfers.length, `files.log rows: ${rows.map((r) => r['filename'])}`);
        for (const { t, row, d } of matchFiles(c, rows)) {
          const what = `${t.direction} ${t.name}`;
          assert.equal(row['source'], 'SMB', what);
          assert.equal(row['depth'], '0', what);
          assert.equal(row['seen_bytes'], String(t.size), `${what} seen_bytes`);
          assert.equal(row['missing_bytes'], '0', `${what} missing_bytes`);
          assert.equal(row['overflow_bytes'], '0', `${what} overflow_bytes`);
          assert.equal(row['timedout'], 'F', `${what} timedout`);
          assert.equal(row['md5'], t.md5, `${what} md5`);
          assert.equal(row['sha1'], t.sha1, `${what} sha1`);
          assert.equal(row['sha256'], t.sha256, `${what} sha256`);
          assert.equal(row['is_orig'], t.direction === 'put' ? 'T' : 'F', `${what} is_orig`);
          // 127.0.0.0/8 is in the private address space, local by default (6.4)
          assert.equal(row['local_orig'], 'T', `${what} local_orig`);
          // total_bytes: the CREATE response's EndOfFile when it was > 0 (4.7)
          const eof = d.open.response.eof!;
          assert.equal(row['total_bytes'], eof === '0' ? '-' : eof, `${what} total_bytes`);
          if (t.direction === 'get') assert.equal(eof, String(t.size), `${what}: tshark's EndOfFile`);
          if (t.content === 'text') assert.equal(row['mime_type'], 'text/plain', `${what} mime_type`);
          if (t.content === 'pdf') assert.equal(row['mime_type'], 'application/pdf', `${what} mime_type`);
          assert.equal(row['parent_fuid'], '-', what);
          // the connection of the session that moved it
          const conn = f.connections[t.session];
          assert.ok(conn);
          assert.equal(row['id.orig_p'], String(conn.orig_p), `${what} connection`);
          assert.equal(row['id.resp_p'], String(conn.resp_p), `${what} connection`);
        }
      });

      test('files.log: files share a fuid exactly when path, name and modification time agree (4.2)', () => {
        const m = matchFiles(c, tsvRecords(c.tsv().texts, 'files.log'));
        for (let i = 0; i < m.length; i++) {
          for (let j = i + 1; j < m.length; j++) {
            const a = m[i]!;
            const b = m[j]!;
            // the handle: hosts (the same here), tree path, name, modification FILETIME of the open
            const same =
              a.d.open.tree.path === b.d.open.tree.path &&
              a.d.open.name === b.d.open.name &&
              a.d.open.response.times!.modified === b.d.open.response.times!.modified;
            const what = `${a.t.direction} ${a.t.name} (#${i}) and ${b.t.direction} ${b.t.name} (#${j})`;
            if (same) assert.equal(a.row['fuid'], b.row['fuid'], `${what}: same handle, same fuid`);
            else assert.notEqual(a.row['fuid'], b.row['fuid'], `${what}: different files`);
          }
        }
      });

      test('extraction: every extracted file is the transferred file', () => {
        const run = c.tsv();
        const rows = tsvRecords(run.texts, 'files.log');
        assert.equal(run.extracted.size, tr.transfers.length, `extracted: ${[...run.extracted.keys()]}`);
        for (const { t, row } of matchFiles(c, rows)) {
          const what = `${t.direction} ${t.name}`;
          const name = unescapeTsv(row['extracted']!);
          const data = run.extracted.get(name);
          assert.ok(data, `${what}: extracted file ${name} not written`);
          assert.equal(data.length, t.size, `${what} extracted size`);
          assert.equal(md5(data), t.md5, `${what} extracted md5`);
          assert.equal(row['extracted_size'], String(t.size), `${what} extracted_size`);
          assert.equal(row['extracted_cutoff'], 'F', `${what} extracted_cutoff`);
          assert.match(row['analyzers']!, /EXTRACT/, `${what} analyzers`);
        }
      });
    }

    if (!tr.encrypted) {
      test("files.log: one row per open that carried data in tshark's view; ts and duration from its first and last data message (4.4, 4.7)", () => {
        const rows = [...tsvRecords(c.tsv().texts, 'files.log')].sort((a, b) => tsvTime(a['ts']!) - tsvTime(b['ts']!));
        const d = dataOpens(f);
        assert.deepEqual(
          rows.map((r) => [connOfRow(f, r), unescapeTsv(r['filename']!), r['is_orig'], Number(r['seen_bytes'])]),
          d.map((x) => [x.open.stream, x.open.name, x.direction === 'put' ? 'T' : 'F', x.bytes]),
        );
        rows.forEach((r, i) => {
          const x = d[i]!;
          const first = tsharkTime(x.times[0]!);
          const last = tsharkTime(x.times.at(-1)!);
          closeTime(r['ts']!, first, `${x.direction} ${x.open.name} ts`);
          closeTime(r['duration']!, last - first, `${x.direction} ${x.open.name} duration`);
          assert.equal(r['missing_bytes'], '0');
        });
      });

      test('smb_files.log: FILE_OPEN rows are the successful CREATEs on disk trees, duplicates dropped (3.4.4, 3.5)', () => {
        const rows = tsvRecords(c.tsv().texts, 'smb_files.log').filter((r) => r['action'] === 'SMB::FILE_OPEN');
        const w = walk(f);
        const seen = new Set<string>();
        const want: Open[] = [];
        for (const o of w.opens) {
          // PIPE_OPEN/PRINT_OPEN are not logged by default; a tree without a share type counts as a disk
          if (!isDisk(o.tree)) continue;
          const t = o.response.times!;
          if (filetimeToZeek(t.modified) > 0) {
            const id = JSON.stringify([o.stream, o.name, o.tree.path, o.response.eof, t]);
            if (seen.has(id)) continue; // recent_files: same action/name/path/size/times
            seen.add(id);
          }
          want.push(o);
        }
        assert.deepEqual(
          rows.map((r) => `${connOfRow(f, r)} ${unescapeTsv(r['name']!)} ${r['size']}`),
          want.map((o) => `${o.stream} ${o.name} ${o.response.eof}`),
          'FILE_OPEN rows: stream, name, size',
        );
        rows.forEach((r, i) => {
          const o = want[i]!;
          const what = `FILE_OPEN ${o.name} (frame ${o.response.frame})`;
          // ts: the FileInfo was made at the CREATE request (3.6)
          closeTime(r['ts']!, tsharkTime(o.request.ts), `${what} ts`);
          const t = o.response.times!;
          if (filetimeToZeek(t.modified) > 0) {
            closeTime(r['times.modified']!, filetimeToZeek(t.modified), `${what} times.modified`);
            closeTime(r['times.accessed']!, filetimeToZeek(t.accessed), `${what} times.accessed`);
            closeTime(r['times.created']!, filetimeToZeek(t.created), `${what} times.created`);
            closeTime(r['times.changed']!, filetimeToZeek(t.changed), `${what} times.changed`);
          } else {
            assert.equal(r['times.modified'], '-', what);
          }
          // the tree's path, unset when the command's tree had none (3.3 step 5, 3.4.4)
          assert.equal(r['path'] === '-' ? undefined : unescapeTsv(r['path']!), o.tree.path, `${what} path`);
          assert.equal(r['prev_name'], '-', what);
        });
        if (tr.complete && !tr.encrypted) {
          // every file and directory the client touched was opened
          const names = new Set(rows.map((r) => unescapeTsv(r['name']!)));
          for (const t of tr.transfers) assert.ok(names.has(t.name), `FILE_OPEN ${t.name}`);
          for (const d of tr.directories) assert.ok(names.has(d.name), `FILE_OPEN directory ${d.name}`);
          for (const r of tr.renames) assert.ok(names.has(r.to), `FILE_OPEN of the renamed ${r.to}`);
        }
      });

      test('smb_files.log: FILE_RENAME and FILE_DELETE rows (3.4.4, 3.4.6)', () => {
        const rows = tsvRecords(c.tsv().texts, 'smb_files.log');
        const w = walk(f);
        const name = new Map<Open, string>();
        const nameOf = (o: Open) => name.get(o) ?? o.name;
        const renames: string[][] = [];
        const deletes: string[][] = [];
        for (const m of f.messages) {
          if (m.is_response && m.cmd === CMD.CREATE && m.status === 0) {
            const o = w.opens.find((x) => x.response === m);
            if (o && (o.request.create_options ?? 0) & FILE_DELETE_ON_CLOSE)
              deletes.push([String(o.stream), nameOf(o)]);
          }
          if (!m.is_response && m.cmd === CMD.SET_INFO && m.class === 1) {
            const o = w.byFid(m);
            if (!o) continue;
            if (m.infolevel === 10 && m.rename_to !== undefined) {
              renames.push([String(o.stream), nameOf(o), m.rename_to]);
              name.set(o, m.rename_to);
            }
            if (m.infolevel === 13 && m.delete_on_close) deletes.push([String(o.stream), nameOf(o)]);
          }
        }
        const got = (action: string) => rows.filter((r) => r['action'] === action);
        assert.deepEqual(
          got('SMB::FILE_RENAME').map((r) => [
            String(connOfRow(f, r)),
            unescapeTsv(r['prev_name']!),
            unescapeTsv(r['name']!),
          ]),
          renames,
          'FILE_RENAME rows: stream, prev_name, name',
        );
        assert.deepEqual(
          got('SMB::FILE_DELETE').map((r) => [String(connOfRow(f, r)), unescapeTsv(r['name']!)]),
          deletes,
          'FILE_DELETE rows: stream, name',
        );
        if (tr.complete) {
          assert.deepEqual(
            got('SMB::FILE_RENAME').map((r) => [unescapeTsv(r['prev_name']!), unescapeTsv(r['name']!)]),
            tr.renames.map((r) => [r.from, r.to]),
            'renames of the transfers file',
          );
          assert.deepEqual(
            got('SMB::FILE_DELETE').map((r) => unescapeTsv(r['name']!)),
            tr.deletes.map((d) => d.name),
            'deletes of the transfers file',
          );
        }
        // only the default actions are logged
        for (const r of rows)
          assert.match(r['action']!, /^SMB::(FILE_OPEN|FILE_RENAME|FILE_DELETE|PRINT_OPEN|PRINT_CLOSE)$/);
      });

      test('smb_files.log: path is the tree path the TREE_CONNECT request carried', () => {
        const paths = diskTreePaths(f);
        const rows = tsvRecords(c.tsv().texts, 'smb_files.log');
        const w = walk(f);
        for (const r of rows) {
          // unset only where Zeek's tree bookkeeping lost the command's tree (3.3 step 5)
          if (r['path'] === '-') {
            assert.ok(
              w.opens.some((o) => o.tree.path === undefined && o.name === unescapeTsv(r['name']!)),
              `${r['name']}: path unset, but tshark shows no open without a tree path`,
            );
            continue;
          }
          assert.ok(paths.has(unescapeTsv(r['path']!)), `path ${r['path']} not in ${[...paths]}`);
        }
        if (tr.complete) {
          for (const r of rows) {
            const s = tr.sessions[f.connections.findIndex((x) => String(x.orig_p) === r['id.orig_p'])];
            assert.equal(unescapeTsv(r['path']!), s?.share, `${r['name']}: the session's share`);
          }
        }
      });
    }

    test('smb_mapping.log: one row per successful TREE_CONNECT, path and share type as tshark shows them (3.7)', () => {
      const rows = tsvRecords(c.tsv().texts, 'smb_mapping.log');
      const want: string[][] = [];
      const reqs = new Map<string, FactMsg>();
      for (const m of f.messages) {
        if (m.cmd !== CMD.TREE_CONNECT) continue;
        const key = `${m.stream}/${m.msg_id}`;
        if (!m.is_response) reqs.set(key, m);
        else if (m.status === 0) {
          const q = reqs.get(key);
          assert.ok(q, `TREE_CONNECT response in frame ${m.frame} without its request`);
          want.push([String(m.stream), q.ts, q.tree!, shareTypeName(m.share_type!)]);
        }
      }
      assert.equal(rows.length, want.length, 'rows');
      rows.forEach((r, i) => {
        const [stream, ts, path, type] = want[i]!;
        assert.equal(String(connOfRow(f, r)), stream);
        closeTime(r['ts']!, tsharkTime(ts!), `row ${i + 1} ts (the request's time)`);
        assert.equal(unescapeTsv(r['path']!), path, `row ${i + 1} path`);
        assert.equal(r['share_type'], type, `row ${i + 1} share_type`);
        assert.equal(r['service'], '-');
        assert.equal(r['native_file_system'], '-');
        if (path!.endsWith('\\IPC$')) assert.equal(r['share_type'], 'PIPE');
      });
      if (tr.complete && !tr.encrypted) {
        for (const s of tr.sessions) {
          if (tr.transfers.some((t) => t.session === s.session)) {
            assert.ok(
              rows.some((r) => unescapeTsv(r['path']!) === s.share && r['share_type'] === 'DISK'),
              `${s.share} DISK`,
            );
          }
        }
      }
    });

    test('ntlm.log: one row per NTLM connection with the NTLMSSP names and the SPNEGO result (7.2)', () => {
      const rows = tsvRecords(c.tsv().texts, 'ntlm.log');
      const want = new Map<number, Row>();
      for (const conn of f.connections) {
        const ms = f.messages.filter((m) => m.stream === conn.stream && m.auth?.ntlmssp_type !== undefined);
        if (ms.length === 0) continue;
        const chal = ms.find((m) => m.auth!.ntlmssp_type === 2)?.auth ?? {};
        const authIdx = f.messages.findIndex((m) => m.stream === conn.stream && m.auth?.ntlmssp_type === 3);
        const auth = authIdx >= 0 ? f.messages[authIdx]!.auth! : {};
        // success comes from the SPNEGO negResult that follows (0 → T, 2/3 → F)
        const neg = f.messages
          .slice(Math.max(authIdx, 0))
          .find((m) => m.stream === conn.stream && m.is_response && m.auth?.spnego_neg_result !== undefined)
          ?.auth?.spnego_neg_result;
        want.set(conn.orig_p, {
          ts: ms[0]!.ts,
          username: auth.username ?? '-',
          hostname: auth.hostname ?? '-',
          domainname: auth.domain ?? '-',
          server_nb_computer_name: chal.nb_computer_name ?? '-',
          server_dns_computer_name: chal.dns_computer_name ?? '-',
          server_tree_name: chal.dns_tree_name ?? '-',
          success: neg === 0 ? 'T' : neg === 2 || neg === 3 ? 'F' : '-',
        });
      }
      assert.deepEqual(
        rows.map((r) => Number(r['id.orig_p'])).sort(),
        [...want.keys()].sort(),
        'one row per connection',
      );
      for (const r of rows) {
        const w = want.get(Number(r['id.orig_p']))!;
        closeTime(r['ts']!, tsharkTime(w['ts']!), 'ts: the first NTLM message');
        for (const k of Object.keys(w).filter((k) => k !== 'ts')) {
          assert.equal(unescapeTsv(r[k]!), w[k], `${k} (port ${r['id.orig_p']})`);
        }
        // the fixture sessions: user smbtest in domain SMBSCOPE, workstation SMBSCOPECLI, server SMBSCOPESRV
        assert.equal(r['username'], 'smbtest');
        assert.equal(r['domainname'], 'SMBSCOPE');
        assert.equal(r['hostname'], 'SMBSCOPECLI');
        assert.equal(r['server_nb_computer_name'], 'SMBSCOPESRV');
        // every fixture's authentication succeeds (impacket-smb3_11-denied fails later, at TREE_CONNECT)
        assert.equal(r['success'], 'T');
      }
    });

    test('smb_cmd.log: one row per final response, command and status as tshark shows them (3.8)', () => {
      const rows = tsvRecords(c.tsv().texts, 'smb_cmd.log');
      const want = expectedCmdRows(c).filter((x) => !x.smb1Negotiate);
      const got = rows.filter((r) => !isSmb1NegotiateAnswer(c, r));
      assert.deepEqual(
        got.map((r) => `${connOfRow(f, r)} ${r['command']} ${r['status']}`),
        want.map((x) => `${x.stream} ${x.command} ${x.status}`),
      );
      const w = walk(f);
      got.forEach((r, i) => {
        const x = want[i]!;
        const what = `row ${i + 1} ${x.command} (frame ${x.frame})`;
        closeTime(r['ts']!, x.ts, `${what} ts (the request's time)`);
        closeTime(r['rtt']!, x.rtt, `${what} rtt`);
        assert.equal(r['version'], 'SMB2', what);
        assert.equal(r['sub_command'], '-', what);
        assert.equal(r['argument'], '-', `${what}: set by handlers after the row is written`);
        assert.equal(r['tree'], '-', what);
        assert.equal(r['tree_service'], '-', what);
        // Zeek leaves username unset for SMB2 (3.8); smbscope may name the session's NTLM user
        if (r['username'] !== '-') assert.equal(r['username'], x.user, `${what} username`);
        if (x.command === 'CREATE' && x.create) {
          // the file record as the CREATE request left it: name and action, no path/size/times
          const o = w.opens.find((o) => o.request === x.create);
          const name = x.create.filename === '' ? '<share_root>' : x.create.filename!;
          assert.equal(unescapeTsv(r['referenced_file.name']!), name, `${what} referenced_file.name`);
          const type = o?.tree.shareType ?? 1;
          assert.equal(
            r['referenced_file.action'],
            type === 2 ? 'SMB::PIPE_OPEN' : type === 3 ? 'SMB::PRINT_OPEN' : 'SMB::FILE_OPEN',
            what,
          );
          assert.equal(r['referenced_file.path'], '-', `${what} referenced_file.path`);
          assert.equal(r['referenced_file.times.modified'], '-', `${what} referenced_file.times`);
        }
      });
    });

    if (f.smb1.length > 0) {
      test('smb_cmd.log: no row for the SMB2 NEGOTIATE answer to the SMB1 NEGOTIATE (its CmdInfo is the SMB1 "NEGOTIATE", a deferred command)', () => {
        const rows = tsvRecords(c.tsv().texts, 'smb_cmd.log');
        assert.deepEqual(
          rows.filter((r) => isSmb1NegotiateAnswer(c, r)).map((r) => r['command']),
          [],
        );
      });
    }

    test('conn.log: one row per TCP connection, counts as tshark counts them (6.2-6.7)', () => {
      const rows = tsvRecords(c.tsv().texts, 'conn.log');
      assert.equal(rows.length, f.connections.length, 'rows');
      for (const k of f.connections) {
        const r = rows.find((x) => x['id.orig_p'] === String(k.orig_p));
        assert.ok(r, `no conn.log row for port ${k.orig_p}`);
        const what = `conn ${k.orig_h}:${k.orig_p} -> ${k.resp_p}`;
        assert.equal(r['id.orig_h'], k.orig_h, what);
        assert.equal(r['id.resp_h'], k.resp_h, what);
        assert.equal(r['id.resp_p'], String(k.resp_p), what);
        assert.equal(r['proto'], 'tcp', what);
        assert.equal(r['ip_proto'], '6', what);
        assert.ok(r['service']!.split(',').includes('smb'), `${what} service ${r['service']}`);
        closeTime(r['ts']!, tsharkTime(k.first_ts), `${what} ts`);
        closeTime(r['duration']!, tsharkTime(k.last_ts) - tsharkTime(k.first_ts), `${what} duration`);
        assert.equal(r['orig_pkts'], String(k.orig.pkts), `${what} orig_pkts`);
        assert.equal(r['resp_pkts'], String(k.resp.pkts), `${what} resp_pkts`);
        assert.equal(r['orig_ip_bytes'], String(k.orig.ip_bytes), `${what} orig_ip_bytes`);
        assert.equal(r['resp_ip_bytes'], String(k.resp.ip_bytes), `${what} resp_ip_bytes`);
        if (k.orig.retransmissions === 0 && k.resp.retransmissions === 0) {
          assert.equal(r['orig_bytes'], String(k.orig.payload_bytes), `${what} orig_bytes`);
          assert.equal(r['resp_bytes'], String(k.resp.payload_bytes), `${what} resp_bytes`);
        }
        assert.equal(r['missed_bytes'], '0', what);
        assert.equal(r['local_orig'], 'T', what);
        assert.equal(r['local_resp'], 'T', what);
        assert.equal(r['tunnel_parents'], '-', what);
        // history letters (6.7): one per kind of packet seen, upper case for the originator
        const h = r['history']!;
        const expectLetter = (letter: string, seen: boolean) =>
          assert.equal(
            h.includes(letter),
            seen,
            `${what} history ${h}: '${letter}' ${seen ? 'expected' : 'unexpected'}`,
          );
        assert.ok(h.startsWith(k.orig.syn ? 'S' : '^'), `${what} history ${h} starts with the SYN`);
        expectLetter('h', k.resp.syn > 0);
        expectLetter('D', k.orig.payload_bytes > 0);
        expectLetter('d', k.resp.payload_bytes > 0);
        expectLetter('F', k.orig.fin > 0);
        expectLetter('f', k.resp.fin > 0);
        expectLetter('R', k.orig.rst > 0);
        expectLetter('r', k.resp.rst > 0);
        expectLetter('T', k.orig.retransmissions > 0);
        expectLetter('t', k.resp.retransmissions > 0);
        assert.doesNotMatch(h, /[CcGg]/, `${what} history ${h}: no checksum or gap letters`);
        // conn_state (6.5): both sides closed with FIN and no RST is SF
        const state =
          k.resp.rst > 0
            ? k.orig.syn && !k.resp.syn
              ? 'REJ'
              : 'RSTR'
            : k.orig.rst > 0
              ? 'RSTO'
              : k.orig.fin && k.resp.fin
                ? 'SF'
                : k.orig.fin
                  ? 'S2'
                  : k.resp.fin
                    ? 'S3'
                    : 'S1';
        assert.equal(r['conn_state'], state, `${what} conn_state (history ${h})`);
      }
    });

    test('TSV and JSON logs carry the same records (5.2, 5.3)', () => {
      const t = c.tsv().texts;
      const j = c.json().texts;
      assert.deepEqual([...j.keys()].sort(), [...t.keys()].sort(), 'the same log files');
      assert.ok(t.size > 0);
      for (const [file, text] of t) {
        const tsv = parseTsv(text);
        assert.equal(tsv.path, file.replace(/\.log$/, ''));
        const json = parseJsonLog(j.get(file)!);
        assert.deepEqual(tsvJsonDifferences(tsv, json), [], file);
      }
      // every log is closed: TSV with its #close footer
      for (const [file, text] of t) {
        assert.ok(c.tsv().closed.has(file), `${file} closed`);
        assert.match(text, /\n#close\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\n$/, `${file} footer`);
      }
    });
  });
}

describe('impacket-smb3_11-denied.pcap: authentication succeeds, the first TREE_CONNECT is denied', () => {
  const c = CAPTURES.find((x) => x.name === 'impacket-smb3_11-denied.pcap');
  test('ntlm.log success T (SPNEGO accept-completed), no smb_mapping.log, TREE_CONNECT ACCESS_DENIED in smb_cmd.log', () => {
    assert.ok(c);
    const neg = c.facts.messages
      .filter((m) => m.auth?.spnego_neg_result !== undefined)
      .map((m) => m.auth!.spnego_neg_result);
    assert.deepEqual(neg, [1, 0], 'tshark: accept-incomplete, then accept-completed');
    const denied = c.facts.messages.filter((m) => m.cmd === CMD.TREE_CONNECT && m.is_response);
    assert.deepEqual(
      denied.map((m) => zeekStatusName(c.facts, m.status!)),
      ['ACCESS_DENIED'],
    );
    const t = c.tsv().texts;
    assert.deepEqual(
      tsvRecords(t, 'ntlm.log').map((r) => r['success']),
      ['T'],
    );
    assert.equal(t.has('smb_mapping.log'), false, 'no successful tree connect, no mapping');
    assert.equal(t.has('smb_files.log'), false);
    assert.equal(t.has('files.log'), false);
    const cmds = tsvRecords(t, 'smb_cmd.log').map((r) => `${r['command']} ${r['status']}`);
    assert.ok(cmds.includes('TREE_CONNECT ACCESS_DENIED'), `${cmds}`);
  });
});

// ---------------------------------------------------------------------------
// smb_cmd.log expectation (3.3, 3.8)

interface CmdRow {
  frame: number;
  stream: number;
  command: string;
  status: string;
  ts: number;
  rtt: number;
  user: string | undefined;
  create: FactMsg | undefined;
  /** the SMB2 answer to an SMB1 NEGOTIATE with the same message id */
  smb1Negotiate: boolean;
}

function streamOfOracle(c: Capture, o: OracleLine): number {
  const k = c.facts.connections.find(
    (x) =>
      (String(x.orig_p) === o.sport && String(x.resp_p) === o.dport) ||
      (String(x.orig_p) === o.dport && String(x.resp_p) === o.sport),
  );
  assert.ok(k, `frame ${o.frame}: no TCP stream`);
  return k.stream;
}

function expectedCmdRows(c: Capture): CmdRow[] {
  const f = c.facts;
  const requests = new Map<string, OracleLine>();
  const createReqs = new Map<string, FactMsg>();
  for (const m of f.messages) if (!m.is_response && m.cmd === CMD.CREATE) createReqs.set(`${m.stream}/${m.msg_id}`, m);
  const users = new Map<number, string>();
  for (const m of f.messages) if (m.auth?.username) users.set(m.stream, m.auth.username);
  const out: CmdRow[] = [];
  for (const o of c.oracle) {
    if (o.kind !== 'smb2' || !o.hdr) continue;
    const stream = streamOfOracle(c, o);
    const key = `${stream}/${o.hdr.message_id}`;
    if (!o.is_response) {
      if (!requests.has(key)) requests.set(key, o);
      continue;
    }
    const status = Number(o.hdr.status);
    // interim responses keep the command pending; MORE_PROCESSING_REQUIRED is ignored by default
    if (status === 0x103 || status === 0xc0000016) continue;
    const req = requests.get(key);
    const smb1Negotiate =
      !req &&
      f.smb1.some((s) => s.stream === stream && !s.is_response && s.cmd === 0x72 && s.mid === o.hdr!.message_id);
    const cmd = Number(o.hdr.command);
    const ts = tsharkTime(req?.ts ?? o.ts);
    out.push({
      frame: o.frame,
      stream,
      command: ZEEK_SMB2_COMMANDS[cmd] ?? `unknown-${cmd}`,
      status: zeekStatusName(f, status),
      ts,
      rtt: tsharkTime(o.ts) - ts,
      user: users.get(stream),
      create: cmd === CMD.CREATE ? createReqs.get(key) : undefined,
      smb1Negotiate,
    });
    // the command is done: a later message with this id starts a new one
    requests.delete(key);
  }
  return out;
}

function isSmb1NegotiateAnswer(c: Capture, r: Row): boolean {
  if (r['command'] !== 'NEGOTIATE_PROTOCOL' || c.facts.smb1.length === 0) return false;
  const stream = connOfRow(c.facts, r);
  const x = expectedCmdRows(c).find(
    (x) => x.smb1Negotiate && x.stream === stream && Math.abs(x.ts - tsvTime(r['ts']!)) <= 6e-7,
  );
  return x !== undefined;
}

// ---------------------------------------------------------------------------
// the command line: --extract-files writes the files, --hash, --log-format json

describe('smbscope command line on smbclient-smb3_11.pcap', () => {
  const work = mkdtempSync(join(tmpdir(), 'smbscope-logs-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const pcap = join(FIXTURES, 'smbclient-smb3_11.pcap');
  const tr = readTransfers(pcap)!;
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, '-C', '-r', pcap, '--seed', '3', ...args], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 0, r.stderr);
    return r;
  };

  test('--extract-files DIR: the files in DIR are the transferred files', () => {
    const logs = join(work, 'tsv');
    const dir = join(work, 'extract');
    run(['--logdir', logs, '--hash', 'md5,sha1,sha256', '--extract-files', dir]);
    const files = readdirSync(dir).sort();
    assert.equal(files.length, tr.transfers.length, `${files}`);
    const rows = records(readFileSync(join(logs, 'files.log'), 'utf8'));
    for (const t of tr.transfers) {
      const row = rows.find((r) => unescapeTsv(r['filename']!) === t.name && r['md5'] === t.md5);
      assert.ok(row, `${t.direction} ${t.name}`);
    }
    const sums = files.map((x) => md5(readFileSync(join(dir, x))));
    assert.deepEqual(sums.sort(), tr.transfers.map((t) => t.md5).sort(), 'md5 of the files in DIR');
    for (const r of rows) {
      assert.ok(files.includes(basename(unescapeTsv(r['extracted']!))), `${r['extracted']} in DIR`);
    }
  });

  test('--hash: the hashing threads and --no-hash-thread give the same files.log, with the real files digests', () => {
    const a = join(work, 'threads');
    const b = join(work, 'no-threads');
    run(['--logdir', a, '--hash', 'md5,sha1,sha256', '--hash-thread']);
    run(['--logdir', b, '--hash', 'md5,sha1,sha256', '--no-hash-thread']);
    const rows = records(readFileSync(join(a, 'files.log'), 'utf8'));
    assert.deepEqual(records(readFileSync(join(b, 'files.log'), 'utf8')), rows);
    for (const t of tr.transfers) {
      const row = rows.find((r) => unescapeTsv(r['filename']!) === t.name && r['md5'] === t.md5);
      assert.ok(row, `${t.direction} ${t.name}`);
      assert.equal(row['sha1'], t.sha1);
      assert.equal(row['sha256'], t.sha256);
    }
  });

  test('--log-format json writes the records of the TSV logs', () => {
    const a = join(work, 'a');
    const b = join(work, 'b');
    run(['--logdir', a, '--log-cmds']);
    run(['--logdir', b, '--log-cmds', '--log-format', 'json']);
    const logs = readdirSync(a).sort();
    assert.deepEqual(readdirSync(b).sort(), logs);
    for (const l of logs) {
      const tsv = parseTsv(readFileSync(join(a, l), 'utf8'));
      assert.deepEqual(tsvJsonDifferences(tsv, parseJsonLog(readFileSync(join(b, l), 'utf8'))), [], l);
    }
  });
});

function records(text: string): Row[] {
  return tsvRecords(new Map([['x', text]]), 'x');
}

test('extraction: an extracted file is named extract-<files.log ts>-SMB-<fuid> (Zeek names it after f$last_active when the extract analyzer is added at file_new)', () => {
  for (const c of dataCaptures) {
    for (const row of tsvRecords(c.tsv().texts, 'files.log')) {
      assert.equal(row['extracted'], `extract-${row['ts']}-SMB-${row['fuid']}`, `${c.name} ${row['filename']}`);
    }
  }
});
