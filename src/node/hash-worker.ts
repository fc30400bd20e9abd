/**
 * A hashing thread (started by hash-thread.ts): reads the file records of
 * the shared ring, hashes each file's bytes with its share of the
 * algorithms (node:crypto) and writes one digest entry per ended file to
 * its digest ring, in the order the files ended. On any error it sets the
 * `failed` word and stops; the analysis thread then reports it.
 */

import { createHash, type Hash } from 'node:crypto';
import { workerData } from 'node:worker_threads';
import {
  ALGS,
  CTRL,
  HASHER,
  HASHER_WORDS,
  type HasherSetup,
  KIND,
  RECORD_HEADER,
  RESULT_HEX,
  RESULT_SIZE,
  recordSize,
} from './hash-ring.js';

const setup = workerData as HasherSetup;
const ctrl = new Int32Array(setup.ctrl);
const own = CTRL.hashers + setup.index * HASHER_WORDS;
const READ = own + HASHER.read;
const RESULTS_WRITTEN = own + HASHER.resultsWritten;
const RESULTS_READ = own + HASHER.resultsRead;
const data = new Uint8Array(setup.data);
const words = new Int32Array(setup.data);
const results = new Uint8Array(setup.results);
const resultWords = new Int32Array(setup.results);
const resultSlots = results.length / RESULT_SIZE;

/** Open files: id -> its bit set (of this thread's algorithms) and one hash per bit, in ALGS order. */
const files = new Map<number, { bits: number; hashes: Hash[] }>();

function open(id: number, wanted: number): void {
  const bits = wanted & setup.algs;
  const hashes: Hash[] = [];
  for (const a of ALGS) if (bits & a.bit) hashes.push(createHash(a.name));
  files.set(id, { bits, hashes });
}

/** Tells the analysis, if it sleeps, that something moved. */
function wakeAnalysis(): void {
  if (Atomics.load(ctrl, CTRL.analysisSleeping) === 1) {
    Atomics.add(ctrl, CTRL.progress, 1);
    Atomics.notify(ctrl, CTRL.progress);
  }
}

function end(id: number): void {
  const f = files.get(id);
  files.delete(id);
  const bits = f?.bits ?? 0;
  for (;;) {
    const taken = Atomics.load(ctrl, RESULTS_READ);
    if (((Atomics.load(ctrl, RESULTS_WRITTEN) - taken) | 0) < resultSlots) break;
    // the digest ring is full: wait for the analysis to take some
    Atomics.store(ctrl, own + HASHER.full, 1);
    wakeAnalysis();
    Atomics.wait(ctrl, RESULTS_READ, taken, 1000);
    Atomics.store(ctrl, own + HASHER.full, 0);
  }
  const n = Atomics.load(ctrl, RESULTS_WRITTEN);
  const at = ((n >>> 0) % resultSlots) * RESULT_SIZE;
  resultWords[at >> 2] = id;
  resultWords[(at >> 2) + 1] = bits;
  let o = at + RESULT_HEX;
  let k = 0;
  for (const a of ALGS) {
    if (f && bits & a.bit) results.set(Buffer.from(f.hashes[k++]!.digest('hex'), 'latin1'), o);
    o += a.hexLen;
  }
  Atomics.store(ctrl, RESULTS_WRITTEN, (n + 1) | 0);
  wakeAnalysis();
}

function run(): void {
  let r = Atomics.load(ctrl, READ);
  /** bytes read since the analysis was last told */
  let unwoken = 0;
  for (;;) {
    let w = Atomics.load(ctrl, CTRL.write);
    if (w === r) {
      Atomics.store(ctrl, own + HASHER.sleeping, 1);
      w = Atomics.load(ctrl, CTRL.write);
      if (w === r) Atomics.wait(ctrl, CTRL.write, r);
      Atomics.store(ctrl, own + HASHER.sleeping, 0);
      continue;
    }
    while (r !== w) {
      const kind = words[r >> 2]!;
      const id = words[(r >> 2) + 1]!;
      const len = words[(r >> 2) + 2]!;
      let next = r + recordSize(kind === KIND.data ? len : 0);
      switch (kind) {
        case KIND.open:
          open(id, len);
          break;
        case KIND.data: {
          const f = files.get(id);
          if (f && f.bits !== 0) {
            const bytes = data.subarray(r + RECORD_HEADER, r + RECORD_HEADER + len);
            for (const h of f.hashes) h.update(bytes);
          }
          break;
        }
        case KIND.end:
          end(id);
          break;
        case KIND.drop:
          files.delete(id);
          break;
        case KIND.wrap:
          next = 0;
          break;
        case KIND.stop:
          return;
        default:
          throw new Error(`bad record kind ${kind} at offset ${r}`);
      }
      unwoken += next > r ? next - r : RECORD_HEADER;
      r = next;
      Atomics.store(ctrl, READ, r);
      if (unwoken >= setup.wakeBytes || r === w) {
        unwoken = 0;
        wakeAnalysis();
      }
    }
  }
}

Atomics.store(ctrl, own + HASHER.started, 1);
Atomics.notify(ctrl, own + HASHER.started);
try {
  run();
} catch (e) {
  Atomics.store(ctrl, CTRL.failed, 1);
  Atomics.add(ctrl, CTRL.progress, 1);
  Atomics.notify(ctrl, CTRL.progress);
  throw e;
}
