/**
 * Where transferred files are hashed (files.log's md5, sha1 and sha256).
 *
 * File analysis hands every in-order byte of a hashed file to a
 * {@link FileHashing}. Its digests may be worked out elsewhere (another
 * thread, see src/node/hash-thread.ts) and arrive later, but always in the
 * order the files ended, so files.log keeps its order: a row waits for its
 * file's digests, and the rows after it wait behind it.
 *
 * {@link syncHashing} hashes on the calling thread with per-algorithm
 * hashers (node:crypto, or anything else in a browser) and hands over the
 * digests at once.
 */

export type HashAlgorithm = 'md5' | 'sha1' | 'sha256';

/** One algorithm's running hash of one file. */
export interface Hasher {
  update(b: Uint8Array): void;
  /** lowercase hex */
  digest(): string;
}

export type HasherFactory = (alg: HashAlgorithm) => Hasher;

/** A file's digests, lowercase hex, by algorithm. */
export type Digests = Partial<Record<HashAlgorithm, string>>;

export interface FileHashing {
  /** Starts hashing a file with these algorithms; returns its id. */
  open(algs: readonly HashAlgorithm[]): number;
  /** The file's next in-order bytes (read before returning: the caller may reuse them). */
  update(id: number, b: Uint8Array): void;
  /** The file ended: `done` gets its digests, now or at a later {@link poll}, in the order files end. */
  end(id: number, done: (digests: Digests) => void): void;
  /** The file's digests are not wanted (bytes were missing). */
  drop(id: number): void;
  /** Hands over the digests that are ready; with `wait`, first waits for those of every ended file. */
  poll(wait: boolean): void;
  /** No more files: frees what the hashing holds (after a final poll(true)). */
  close(): void;
}

/** Hashing on the calling thread: digests are handed over as each file ends. */
export function syncHashing(factory: HasherFactory): FileHashing {
  const files = new Map<number, { algs: readonly HashAlgorithm[]; hashers: Hasher[] }>();
  let next = 0;
  return {
    open(algs) {
      const id = next++;
      files.set(id, { algs, hashers: algs.map((a) => factory(a)) });
      return id;
    },
    update(id, b) {
      const f = files.get(id);
      if (f) for (const h of f.hashers) h.update(b);
    },
    end(id, done) {
      const f = files.get(id);
      files.delete(id);
      const d: Digests = {};
      if (f) for (let i = 0; i < f.algs.length; i++) d[f.algs[i]!] = f.hashers[i]!.digest();
      done(d);
    },
    drop(id) {
      files.delete(id);
    },
    poll() {},
    close() {
      files.clear();
    },
  };
}
