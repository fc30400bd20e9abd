/**
 * Hashing on other threads must hand over exactly what node:crypto computes
 * on the calling thread, file by file, in the order the files ended: with
 * files interleaved and dropped, pieces of every size, a ring so small that
 * records wrap and the writer waits at nearly every piece, and a digest
 * ring of one slot (the hashers then wait for the analysis).
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Digests, HashAlgorithm } from '../../src/core/files/hashing.js';
import { nodeHasher } from '../../src/node/files.js';
import { shareAlgorithms, ThreadHashing } from '../../src/node/hash-thread.js';
import { FIXTURES } from '../helpers/paths.js';
import { runLogs } from '../helpers/zeeklogs.js';

const ALL: HashAlgorithm[] = ['md5', 'sha1', 'sha256'];

test('algorithms are shared out by cost: MD5 alone, the two SHAs together', () => {
  assert.deepEqual(shareAlgorithms(ALL, 2), [1, 2 | 4]);
  assert.deepEqual(shareAlgorithms(ALL, 1), [1 | 2 | 4]);
  assert.deepEqual(shareAlgorithms(ALL, 3), [1, 4, 2]);
  assert.deepEqual(shareAlgorithms(['sha1', 'sha256'], 2), [4, 2]);
  assert.deepEqual(shareAlgorithms(['sha256'], 2), [4]);
});

type Op =
  | { kind: 'open' }
  | { kind: 'data'; file: number; len: number; seed: number }
  | { kind: 'end'; file: number }
  | { kind: 'drop'; file: number };

const ops = fc.array(
  fc.oneof(
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('open' as const) }) },
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('data' as const),
        file: fc.nat(7),
        // up to more than the test ring's quarter (split into pieces) and its whole size
        len: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 9000 })),
        seed: fc.nat(255),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('end' as const), file: fc.nat(7) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), file: fc.nat(7) }) },
  ),
  { maxLength: 60 },
);

function bytes(len: number, seed: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (seed + i * 31 + (i >> 7)) & 0xff;
  return b;
}

/** Runs the ops on a ThreadHashing and on node:crypto directly; compares digests and their order. */
function check(h: ThreadHashing, algs: HashAlgorithm[], list: Op[]): void {
  const open: { id: number; ref: ReturnType<typeof createHash>[] }[] = [];
  const expected: Digests[] = [];
  const got: Digests[] = [];
  let n = 0;
  for (const o of list) {
    if (o.kind === 'open') {
      open.push({ id: h.open(algs), ref: algs.map((a) => createHash(a)) });
      continue;
    }
    if (open.length === 0) continue;
    const [f] = open.splice(o.file % open.length, 1);
    if (o.kind === 'data') {
      const b = bytes(o.len, o.seed);
      h.update(f!.id, b);
      b.fill(0); // the caller may reuse its bytes at once
      for (const r of f!.ref) r.update(bytes(o.len, o.seed));
      open.push(f!);
    } else if (o.kind === 'end') {
      const want: Digests = {};
      for (let i = 0; i < algs.length; i++) want[algs[i]!] = f!.ref[i]!.digest('hex');
      expected.push(want);
      const k = n++;
      h.end(f!.id, (d) => {
        got.push(d);
        assert.equal(got.length, k + 1, 'digests come in the order files ended');
      });
      h.poll(false);
    } else h.drop(f!.id);
  }
  h.poll(true);
  assert.deepEqual(got, expected);
}

test('digests equal node:crypto on the calling thread, in order, through a tiny ring (two hashers)', () => {
  const h = new ThreadHashing(ALL, { ringBytes: 4096, resultSlots: 1 });
  try {
    fc.assert(
      fc.property(ops, (list) => check(h, ALL, list)),
      { numRuns: 150 },
    );
  } finally {
    h.close();
  }
});

test('digests equal node:crypto with one hasher and one algorithm', () => {
  const h = new ThreadHashing(['sha1'], { ringBytes: 8192, resultSlots: 2, threads: 1 });
  try {
    fc.assert(
      fc.property(ops, (list) => check(h, ['sha1'], list)),
      { numRuns: 100 },
    );
  } finally {
    h.close();
  }
});

test('a large file through the default ring, and no use after close', () => {
  const h = new ThreadHashing(ALL);
  const data = bytes(3 << 20, 7);
  const id = h.open(ALL);
  for (let o = 0; o < data.length; o += 1 << 20) h.update(id, data.subarray(o, o + (1 << 20)));
  h.update(id, data); // one piece larger than a quarter of the ring
  let d: Digests | undefined;
  h.end(id, (x) => {
    d = x;
  });
  h.poll(true);
  const both = Buffer.concat([data, data]);
  assert.deepEqual(d, {
    md5: createHash('md5').update(both).digest('hex'),
    sha1: createHash('sha1').update(both).digest('hex'),
    sha256: createHash('sha256').update(both).digest('hex'),
  });
  h.close();
  assert.throws(() => h.open(ALL), /closed/);
});

test('a hashing thread that fails is reported, not waited for', () => {
  const h = new ThreadHashing(['md5'], { threads: 1 });
  try {
    // a record no hasher knows: the thread stops with an error, which the next wait reports
    (h as unknown as { put(kind: number, id: number, len: number): void }).put(99, 0, 0);
    const id = h.open(['md5']);
    h.end(id, () => {});
    assert.throws(() => h.poll(true), /file hashing failed/);
  } finally {
    h.close();
  }
});

test('a hashing thread that is gone is reported after the stall limit', async () => {
  const h = new ThreadHashing(['md5'], { threads: 1, ringBytes: 4096, stallMs: 300 });
  try {
    const { worker } = (h as unknown as { hashers: { worker: import('node:worker_threads').Worker }[] }).hashers[0]!;
    await worker.terminate();
    const id = h.open(['md5']);
    assert.throws(() => {
      for (let i = 0; i < 100; i++) h.update(id, new Uint8Array(1000));
    }, /no progress for 0.3 s/);
  } finally {
    h.close();
  }
});

test('the Analyzer with a ThreadHashing writes the logs it writes with per-algorithm hashers, and closes it', () => {
  for (const name of ['smbclient-smb3_11.pcap', 'impacket-smb3_00.pcap']) {
    const capture = readFileSync(join(FIXTURES, name));
    const onThread = runLogs(capture, 'tsv', { hashes: ALL, hasher: nodeHasher });
    const hashing = new ThreadHashing(ALL);
    const threads = runLogs(capture, 'tsv', { hashes: ALL, hashing });
    // the same text in every log (files.log is opened later: its first row waits for digests)
    const sorted = (t: Map<string, string>) => [...t.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    assert.deepEqual(sorted(threads.texts), sorted(onThread.texts), name);
    assert.match(onThread.texts.get('files.log') ?? '', /\t[0-9a-f]{32}\t[0-9a-f]{40}\t[0-9a-f]{64}\t/, name);
    assert.throws(() => hashing.open(ALL), /closed/, 'end() closed it');
  }
});
