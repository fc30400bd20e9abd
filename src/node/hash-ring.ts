/**
 * The memory the analysis thread shares with its hashing threads (see
 * hash-thread.ts and hash-worker.ts): a control block, one ring of records
 * (files opened, their bytes, their ends) written by the analysis and read
 * by every hasher, and per hasher a ring of digests going back.
 *
 * A record is three int32 words, kind, file id and length, then `length`
 * bytes for DATA, padded to a multiple of 4. A record never wraps: when it
 * does not fit before the end of the ring, a WRAP record sends the readers
 * back to offset 0. The analysis waits on the `progress` word, which every
 * hasher bumps as it reads records or writes digests; a hasher waits on
 * the write offset or on its digests being taken. Each side wakes the other
 * only when the other said it was sleeping.
 */

/** Control words shared by all (Int32Array indexes). */
export const CTRL = {
  /** byte offset where the analysis writes the next record */
  write: 0,
  /** bumped by a hasher that read records or wrote a digest while the analysis sleeps */
  progress: 1,
  /** 1 while the analysis waits for room or digests */
  analysisSleeping: 2,
  /** set by a hasher that failed (it stops) */
  failed: 3,
  /** first word of the hashers' own blocks */
  hashers: 4,
} as const;

/** A hasher's own control words, at CTRL.hashers + index * HASHER_WORDS. */
export const HASHER = {
  /** byte offset of the next record it reads */
  read: 0,
  /** digests it has written (a count, modulo 2^32) */
  resultsWritten: 1,
  /** of those, taken by the analysis */
  resultsRead: 2,
  /** 1 while it waits for records */
  sleeping: 3,
  /** 1 while it waits for room for a digest */
  full: 4,
  /** set when it starts */
  started: 5,
} as const;
export const HASHER_WORDS = 8;

export const KIND = {
  /** a file starts: length = bit set of its algorithms (ALGS' bits) */
  open: 1,
  /** the file's next bytes */
  data: 2,
  /** the file ended: its digests are wanted */
  end: 3,
  /** the file ended: its digests are not wanted */
  drop: 4,
  /** back to offset 0 */
  wrap: 5,
  /** the hashers end */
  stop: 6,
} as const;

export const RECORD_HEADER = 12;

/** The algorithms by bit, in the order of their hex text in a digest entry; cost: seconds per GB here. */
export const ALGS = [
  { name: 'md5', bit: 1, hexLen: 32, cost: 1.3 },
  { name: 'sha1', bit: 2, hexLen: 40, cost: 0.55 },
  { name: 'sha256', bit: 4, hexLen: 64, cost: 0.6 },
] as const;

/** A digest entry: file id (int32), the bit set of the digests in it (int32), then each digest's hex text in ALGS order. */
export const RESULT_HEX = 4 + 4;
export const RESULT_SIZE = RESULT_HEX + ALGS.reduce((n, a) => n + a.hexLen, 0);

/** What a hashing thread is given. */
export interface HasherSetup {
  ctrl: SharedArrayBuffer;
  data: SharedArrayBuffer;
  /** its digest ring */
  results: SharedArrayBuffer;
  /** its index (its control block) */
  index: number;
  /** the algorithms it computes (bit set) */
  algs: number;
  /** it wakes a waiting analysis once it has read this many bytes, or everything there was */
  wakeBytes: number;
}

/** Bytes a record takes in the ring. */
export function recordSize(len: number): number {
  return RECORD_HEADER + ((len + 3) & ~3);
}
