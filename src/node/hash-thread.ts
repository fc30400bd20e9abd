/**
 * File hashing on other threads: the analysis copies each hashed file's
 * bytes into a shared ring (hash-ring.ts) and goes on; hashing threads
 * (hash-worker.ts) read every record, each computing its share of the
 * algorithms with node:crypto, and send the digests back in the order the
 * files ended. With md5, sha1 and sha256 on two cores, MD5 runs on one
 * thread and the two SHAs on another, so a run takes about as long as its
 * slowest part instead of the analysis plus every hash in turn.
 *
 * The analysis waits only when the ring is full (a hasher is behind by the
 * ring's size) and at the end of the run, for the last digests.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Digests, FileHashing, HashAlgorithm } from '../core/files/hashing.js';
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

export interface ThreadHashingOptions {
  /** hashing threads at most (default 2; the algorithms are shared out by cost) */
  threads?: number;
  /** bytes of the record ring (default 4 MiB) */
  ringBytes?: number;
  /** digests each hasher's return ring holds (default 1024) */
  resultSlots?: number;
  /** a wait for room or digests longer than this fails, ms (default 60 s) */
  stallMs?: number;
}

/** How long one wait lasts before the hashers' health is checked again, ms. */
const WAIT_MS = 1000;
/** A hasher that has not started after this long is taken as failed, ms. */
const START_MS = 10_000;
/**
 * A wait for room or digests that lasts this long is taken as a hasher gone (a thread that dies without
 * reaching its own error handler, out of memory say, tells no one while the analysis waits), ms.
 */
const STALL_MS = 60_000;

/**
 * Sleeping hashers are woken once this many bytes wait for them (an END counts as END_WEIGHT), not
 * at every record: each wake is a system call on both threads.
 */
const WAKE_BYTES = 64 << 10;
const END_WEIGHT = 4 << 10;
/** ...or when a file's digests have been wanted for this long, ms. */
const WAKE_MS = 50;

interface Hasher {
  worker: Worker;
  /** its control block */
  base: number;
  results: Uint8Array;
  resultWords: Int32Array;
  /** digests taken from it: the next one belongs to ended file number `taken` */
  taken: number;
}

/** An ended file waiting for its digests. */
interface Ended {
  done: (d: Digests) => void;
  digests: Digests;
  /** hashers whose digest entry has not come yet */
  left: number;
}

/** The algorithms shared out to at most `threads` groups, the costliest first to the least loaded. */
export function shareAlgorithms(algs: readonly HashAlgorithm[], threads: number): number[] {
  const chosen = ALGS.filter((a) => algs.includes(a.name)).sort((a, b) => b.cost - a.cost);
  const groups: { bits: number; cost: number }[] = [];
  for (const a of chosen) {
    if (groups.length < threads) groups.push({ bits: a.bit, cost: a.cost });
    else {
      const g = groups.reduce((m, x) => (x.cost < m.cost ? x : m));
      g.bits |= a.bit;
      g.cost += a.cost;
    }
  }
  return groups.map((g) => g.bits);
}

export class ThreadHashing implements FileHashing {
  private readonly ctrl: Int32Array;
  private readonly data: Uint8Array;
  private readonly words: Int32Array;
  private readonly hashers: Hasher[] = [];
  private readonly resultSlots: number;
  /** byte offset of the next record (mirrors ctrl[write]) */
  private w = 0;
  /** a DATA record is being filled at `w` (not yet visible to the hashers): its file and length */
  private pending = false;
  private pendingId = 0;
  private pendingLen = 0;
  /** bytes written since the hashers were last woken */
  private unwoken = 0;
  private wokenAt = 0;
  private nextId = 0;
  /** ended files waiting for digests, in the order they ended; ended[0] is file number `endedBase` */
  private ended: Ended[] = [];
  private endedHead = 0;
  private endedBase = 0;
  private workerError: Error | undefined;
  private closed = false;
  /** since when the analysis has been waiting without what it waits for coming (0: not waiting) */
  private stalledSince = 0;
  private readonly stallMs: number;

  /** Hashing threads for these algorithms (the ones every file will be opened with). */
  constructor(algs: readonly HashAlgorithm[], options: ThreadHashingOptions = {}) {
    const ringBytes = Math.max(4096, (options.ringBytes ?? 4 << 20) & ~3);
    this.resultSlots = Math.max(1, options.resultSlots ?? 1024);
    const groups = shareAlgorithms(algs, Math.max(1, options.threads ?? 2));
    this.stallMs = options.stallMs ?? STALL_MS;
    const ctrl = new SharedArrayBuffer((CTRL.hashers + groups.length * HASHER_WORDS) * 4);
    const data = new SharedArrayBuffer(ringBytes);
    this.ctrl = new Int32Array(ctrl);
    this.data = new Uint8Array(data);
    this.words = new Int32Array(data);
    // hash-worker.js sits beside this module; the CLI bundle (dist/src/cli) reaches it the same way
    const script = new URL('../node/hash-worker.js', import.meta.url);
    if (!existsSync(script)) throw new Error(`file hashing: ${fileURLToPath(script)} is missing (run npm run build)`);
    groups.forEach((bits, index) => {
      const results = new SharedArrayBuffer(this.resultSlots * RESULT_SIZE);
      const setup: HasherSetup = { ctrl, data, results, index, algs: bits, wakeBytes: ringBytes >> 2 };
      const worker = new Worker(script, {
        workerData: setup,
        // it allocates little: a hash state per open file
        resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 },
      });
      worker.on('error', (e) => {
        this.workerError = e;
      });
      // the run's end does not wait for the threads (close() stops them)
      worker.unref();
      this.hashers.push({
        worker,
        base: CTRL.hashers + index * HASHER_WORDS,
        results: new Uint8Array(results),
        resultWords: new Int32Array(results),
        taken: 0,
      });
    });
    this.waitForStart();
  }

  /**
   * Waits until every hashing thread runs. (Starting a thread puts V8's flags back to their defaults, see
   * heap-flags.ts: whoever sets flags sets them again after the constructor returns.)
   */
  private waitForStart(): void {
    const deadline = Date.now() + START_MS;
    for (const h of this.hashers) {
      while (Atomics.load(this.ctrl, h.base + HASHER.started) === 0) {
        if (Atomics.load(this.ctrl, CTRL.failed) === 1 || Date.now() > deadline) {
          this.close();
          throw new Error('file hashing failed: a hashing thread did not start');
        }
        Atomics.wait(this.ctrl, h.base + HASHER.started, 0, 50);
      }
    }
  }

  open(algs: readonly HashAlgorithm[]): number {
    let bits = 0;
    for (const a of ALGS) if (algs.includes(a.name)) bits |= a.bit;
    const id = this.nextId;
    this.nextId = (this.nextId + 1) | 0;
    this.put(KIND.open, id, bits);
    return id;
  }

  update(id: number, b: Uint8Array): void {
    // pieces of at most a quarter of the ring, so that one always fits once the hashers have caught up
    const max = this.data.length >> 2;
    for (let o = 0; o < b.length; o += max) {
      const piece = o === 0 && b.length <= max ? b : b.subarray(o, Math.min(b.length, o + max));
      const n = piece.length;
      if (this.pending && this.pendingId === id && this.fits(recordSize(this.pendingLen + n), this.slowestRead())) {
        // the file's next bytes extend the record being filled
        this.data.set(piece, this.w + RECORD_HEADER + this.pendingLen);
        this.pendingLen += n;
      } else {
        this.flush();
        this.reserve(recordSize(n));
        this.data.set(piece, this.w + RECORD_HEADER);
        this.pending = true;
        this.pendingId = id;
        this.pendingLen = n;
      }
      if (this.pendingLen >= WAKE_BYTES) this.flush();
    }
  }

  end(id: number, done: (d: Digests) => void): void {
    this.ended.push({ done, digests: {}, left: this.hashers.length });
    this.unwoken += END_WEIGHT;
    this.put(KIND.end, id, 0);
  }

  drop(id: number): void {
    this.put(KIND.drop, id, 0);
  }

  poll(wait: boolean): void {
    this.take();
    if (this.endedHead === this.ended.length) return;
    if (wait || performance.now() - this.wokenAt > WAKE_MS) this.wake();
    while (wait && this.endedHead < this.ended.length) {
      this.sleep(() => this.hashers.some((h) => Atomics.load(this.ctrl, h.base + HASHER.resultsWritten) !== h.taken));
      this.take();
    }
  }

  close(): void {
    if (this.closed) return;
    // no waiting here: when the ring is full the hashers are simply stopped
    if (this.fits(RECORD_HEADER, this.slowestRead())) {
      this.header(this.w, KIND.stop, 0, 0);
      this.publish(this.w + RECORD_HEADER);
      this.wake();
    }
    this.closed = true;
    for (const h of this.hashers) void h.worker.terminate();
  }

  /** The read offset of the hasher furthest behind the writer. */
  private slowestRead(): number {
    const cap = this.data.length;
    let best = this.w;
    let behind = 0;
    for (const h of this.hashers) {
      const r = Atomics.load(this.ctrl, h.base + HASHER.read);
      const d = (this.w - r + cap) % cap;
      if (d > behind) {
        behind = d;
        best = r;
      }
    }
    return best;
  }

  /** Writes a record without bytes (after the DATA record being filled), waiting for room. */
  private put(kind: number, id: number, len: number): void {
    this.flush();
    this.reserve(RECORD_HEADER);
    this.header(this.w, kind, id, len);
    this.publish(this.w + RECORD_HEADER);
  }

  /** Hands the DATA record being filled to the hashers. */
  private flush(): void {
    if (!this.pending) return;
    this.pending = false;
    this.header(this.w, KIND.data, this.pendingId, this.pendingLen);
    this.publish(this.w + recordSize(this.pendingLen));
  }

  /**
   * Whether `size` bytes fit at the write offset with the slowest hasher at `r`: before the end of the
   * ring, keeping a WRAP record's room, or (wrapped) short of `r`, so that the write offset never reaches
   * a read offset (equal offsets mean an empty ring).
   */
  private fits(size: number, r: number): boolean {
    return this.w >= r ? this.w + size + RECORD_HEADER <= this.data.length : this.w + size < r;
  }

  /** Makes room for a record of `size` bytes at the write offset: wraps to 0, or waits for the hashers. */
  private reserve(size: number): void {
    if (this.closed) throw new Error('file hashing is closed');
    for (;;) {
      const r = this.slowestRead();
      if (this.fits(size, r)) return;
      if (this.w >= r && r > 0 && size < r) {
        // no room before the end, enough at the start
        this.header(this.w, KIND.wrap, 0, 0);
        this.publish(0);
        continue;
      }
      // the hashers have not freed enough: take their digests (they may be waiting for room for them), then wait
      this.take();
      this.sleep(() => this.slowestRead() !== r);
    }
  }

  private header(at: number, kind: number, id: number, len: number): void {
    const i = at >> 2;
    this.words[i] = kind;
    this.words[i + 1] = id;
    this.words[i + 2] = len;
  }

  private publish(w: number): void {
    this.unwoken += w > this.w ? w - this.w : RECORD_HEADER;
    this.w = w;
    Atomics.store(this.ctrl, CTRL.write, w);
    if (this.unwoken >= WAKE_BYTES) this.wake();
  }

  /** Wakes the hashers that sleep. */
  private wake(): void {
    this.unwoken = 0;
    for (const h of this.hashers) {
      if (Atomics.load(this.ctrl, h.base + HASHER.sleeping) === 1) {
        this.wokenAt = performance.now();
        Atomics.notify(this.ctrl, CTRL.write);
        return;
      }
    }
  }

  /** Waits until `moved` (checked after saying it sleeps, so no wake is missed) or a hasher bumps progress. */
  private sleep(moved: () => boolean): void {
    this.wake();
    Atomics.store(this.ctrl, CTRL.analysisSleeping, 1);
    const seen = Atomics.load(this.ctrl, CTRL.progress);
    const ready = moved();
    if (!ready) Atomics.wait(this.ctrl, CTRL.progress, seen, WAIT_MS);
    Atomics.store(this.ctrl, CTRL.analysisSleeping, 0);
    if (this.failed()) throw new Error(`file hashing failed${this.workerError ? `: ${this.workerError.message}` : ''}`);
    const now = Date.now();
    if (ready || moved()) this.stalledSince = 0;
    else if (this.stalledSince === 0) this.stalledSince = now;
    else if (now - this.stalledSince > this.stallMs) {
      throw new Error(`file hashing failed: no progress for ${this.stallMs / 1000} s`);
    }
  }

  private failed(): boolean {
    return Atomics.load(this.ctrl, CTRL.failed) === 1 || this.workerError !== undefined;
  }

  /** Takes the digests the hashers have written and hands over those of files now complete, in order. */
  private take(): void {
    for (const h of this.hashers) {
      const written = Atomics.load(this.ctrl, h.base + HASHER.resultsWritten);
      if (written === h.taken) continue;
      let n = h.taken;
      while (n !== written) {
        const at = ((n >>> 0) % this.resultSlots) * RESULT_SIZE;
        const bits = h.resultWords[(at >> 2) + 1]!;
        const e = this.ended[(n - this.endedBase) | 0];
        if (!e) throw new Error('file hashing: a digest for no ended file');
        let o = at + RESULT_HEX;
        for (const a of ALGS) {
          if (bits & a.bit) e.digests[a.name] = latin1(h.results, o, a.hexLen);
          o += a.hexLen;
        }
        e.left--;
        n = (n + 1) | 0;
      }
      h.taken = n;
      Atomics.store(this.ctrl, h.base + HASHER.resultsRead, n);
      if (Atomics.load(this.ctrl, h.base + HASHER.full) === 1) Atomics.notify(this.ctrl, h.base + HASHER.resultsRead);
    }
    const q = this.ended;
    let k = this.endedHead;
    while (k < q.length && q[k]!.left === 0) {
      const e = q[k]!;
      q[k++] = undefined as never;
      e.done(e.digests);
    }
    if (k === q.length || k > 1024) {
      // drop the handed-over entries from the front
      if (k === q.length) q.length = 0;
      else this.ended = q.slice(k);
      this.endedBase = (this.endedBase + k) | 0;
      k = 0;
    }
    this.endedHead = k;
  }
}

/** Hex text (ASCII) at `at`, as one flat string. */
function latin1(b: Uint8Array, at: number, len: number): string {
  return String.fromCharCode(...b.subarray(at, at + len));
}
