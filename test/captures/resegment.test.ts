/**
 * Chunking cannot change the result: the capture bytes fed to the Analyzer
 * in pieces of any size give the same complete event stream (the `--events`
 * lines, uids fixed by the seed) as the capture fed whole. And one level
 * down, the same TCP streams cut into smaller segments (same packet times)
 * give the same events: stream reassembly and SMB framing do not depend on
 * segmentation.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { chunksOf, prng, splitAt } from '../helpers/bytes.js';
import { fixture } from '../helpers/paths.js';
import { resegment } from '../helpers/pcapread.js';
import { runChunks } from '../helpers/run.js';

const OPTS = { verifyChecksums: false, seed: 1234 };

function lines(chunks: Iterable<Uint8Array>): string[] {
  const r = runChunks(chunks, OPTS);
  assert.equal(r.result.error, undefined);
  return r.events.map((e) => e.line);
}

/** A fresh copy of every chunk, so no chunk shares memory with the next (as reads into a reused buffer). */
function* copied(chunks: Iterable<Uint8Array>): Iterable<Uint8Array> {
  for (const c of chunks) yield c.slice();
}

function firstDifference(a: readonly string[], b: readonly string[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `event ${i}: ${a[i] ?? '(none)'}\n   vs: ${b[i] ?? '(none)'}`;
  }
  return 'equal';
}

// The smallest capture, every chunk size from 1 to 64 bytes.
test('resegment: impacket-smb3_11-denied.pcap in chunks of every size 1..64', () => {
  const bytes = readFileSync(fixture('impacket-smb3_11-denied.pcap'));
  const whole = lines([bytes]);
  assert.ok(whole.length >= 8, 'the capture raises its 8 messages');
  for (let n = 1; n <= 64; n++) {
    const got = lines(copied(chunksOf(bytes, n)));
    assert.deepEqual(got, whole, `chunks of ${n}: ${firstDifference(got, whole)}`);
  }
});

// Every size 1..64 on a capture with compound chains (35 KB, 64 runs).
test('resegment: smbtorture-compound.pcap in chunks of every size 1..64', () => {
  const bytes = readFileSync(fixture('smbtorture-compound.pcap'));
  const whole = lines([bytes]);
  for (let n = 1; n <= 64; n++) {
    const got = lines(copied(chunksOf(bytes, n)));
    assert.deepEqual(got, whole, `chunks of ${n}: ${firstDifference(got, whole)}`);
  }
});

for (const [name, seed] of [
  ['smbtorture-compound.pcap', 1],
  ['smbclient-smb3_11.pcap', 2],
  ['smbtorture-notify-closeinfo.pcap', 3],
  ['smbclient-smb3_00-port139.pcap', 4],
] as const) {
  test(`resegment: ${name} split at 1,000 seeded random points`, () => {
    const bytes = readFileSync(fixture(name));
    const whole = lines([bytes]);
    const rnd = prng(seed);
    const cuts = Array.from({ length: 1000 }, () => 1 + Math.floor(rnd() * (bytes.length - 1)));
    cuts.sort((a, b) => a - b);
    const got = lines(copied(splitAt(bytes, cuts)));
    assert.deepEqual(got, whole, firstDifference(got, whole));
  });
}

// TCP level: every segment's payload cut into segments of `size` bytes at the
// same time; each SMB message still completes in the packet time it had.
for (const name of ['smbtorture-compound.pcap', 'smbclient-smb3_11.pcap', 'smbclient-smb3_00-port139.pcap']) {
  test(`resegment: ${name} TCP payloads cut into segments of 1, 3, 7, 100 and 1000 bytes`, () => {
    const bytes = readFileSync(fixture(name));
    const whole = lines([bytes]);
    // 1-byte segments only for the smaller captures (the 279 KB one would make 280,000 packets)
    const sizes = bytes.length > 100_000 ? [7, 100, 1000] : [1, 3, 7, 100, 1000];
    for (const size of sizes) {
      const got = lines([resegment(bytes, size)]);
      assert.deepEqual(got, whole, `segments of ${size}: ${firstDifference(got, whole)}`);
    }
  });
}
