/**
 * A set of 128-bit digests ordered by last lookup, with a time per entry: the
 * store behind smb_files.log's de-duplication (Zeek's `recent_files`, a set
 * with `&read_expire`). It behaves exactly as a Map from digest to time in
 * which a lookup moves its key to the back, but keeps everything in typed
 * arrays: a bulk copy puts tens of thousands of identities in it, and as
 * Map entries with string keys they were objects the garbage collector had
 * to copy, and digest strings made for every row.
 *
 * Entries live in slots: the four 32-bit words of the digest, the time,
 * links to the previous and next entry in lookup order (oldest first) and
 * to the next entry of the same hash bucket. Freed slots are reused; the
 * arrays double when full (up to the caller's bound) and go when empty.
 */

const NONE = -1;

export class RecentDigests {
  // all set by reset()
  private cap!: number;
  private words!: Int32Array;
  private times!: Float64Array;
  private prev!: Int32Array;
  private next!: Int32Array;
  private chain!: Int32Array;
  private buckets!: Int32Array;
  private mask!: number;
  private oldest!: number;
  private newest!: number;
  private free!: number;
  /** slots ever used (the next fresh one) */
  private used!: number;
  size = 0;

  /**
   * @param maxSlots the most entries the caller holds at once: the arrays stop growing there (they
   * go on doubling only if the caller holds more)
   */
  constructor(private readonly maxSlots = 1 << 30) {
    this.reset();
  }

  /** The time of the oldest entry (the least recently looked up), or undefined when empty. */
  oldestTime(): number | undefined {
    return this.oldest === NONE ? undefined : this.times[this.oldest];
  }

  /** Removes the oldest entry. */
  dropOldest(): void {
    if (this.oldest !== NONE) this.remove(this.oldest);
  }

  /**
   * Looks the digest up: its time when present (the entry then moves to the
   * back with time `t`), undefined when absent (it is then added with `t`).
   */
  touch(d0: number, d1: number, d2: number, d3: number, t: number): number | undefined {
    const b = this.bucket(d0, d1, d2, d3);
    const w = this.words;
    for (let s = this.cap > 0 ? this.buckets[b]! : NONE; s !== NONE; s = this.chain[s]!) {
      const o = 4 * s;
      if (w[o] === d0 && w[o + 1] === d1 && w[o + 2] === d2 && w[o + 3] === d3) {
        const last = this.times[s]!;
        this.unlinkOrder(s);
        this.times[s] = t;
        this.linkNewest(s);
        return last;
      }
    }
    this.add(d0, d1, d2, d3, t);
    return undefined;
  }

  private add(d0: number, d1: number, d2: number, d3: number, t: number): void {
    if (this.free === NONE && this.used === this.cap) this.grow();
    let s: number;
    if (this.free !== NONE) {
      s = this.free;
      this.free = this.chain[s]!;
    } else s = this.used++;
    const o = 4 * s;
    this.words[o] = d0;
    this.words[o + 1] = d1;
    this.words[o + 2] = d2;
    this.words[o + 3] = d3;
    this.times[s] = t;
    const b = this.bucket(d0, d1, d2, d3);
    this.chain[s] = this.buckets[b]!;
    this.buckets[b] = s;
    this.linkNewest(s);
    this.size++;
  }

  private remove(s: number): void {
    const o = 4 * s;
    const b = this.bucket(this.words[o]!, this.words[o + 1]!, this.words[o + 2]!, this.words[o + 3]!);
    if (this.buckets[b] === s) this.buckets[b] = this.chain[s]!;
    else {
      let p = this.buckets[b]!;
      while (this.chain[p] !== s) p = this.chain[p]!;
      this.chain[p] = this.chain[s]!;
    }
    this.unlinkOrder(s);
    this.chain[s] = this.free;
    this.free = s;
    this.size--;
    // empty: the arrays go (after a bulk copy they hold megabytes)
    if (this.size === 0) this.reset();
  }

  private reset(): void {
    this.cap = 0;
    this.words = new Int32Array(0);
    this.times = new Float64Array(0);
    this.prev = new Int32Array(0);
    this.next = new Int32Array(0);
    this.chain = new Int32Array(0);
    this.buckets = new Int32Array(0);
    this.mask = 0;
    this.oldest = this.newest = this.free = NONE;
    this.used = 0;
  }

  private bucket(d0: number, d1: number, d2: number, d3: number): number {
    return (d0 ^ d1 ^ d2 ^ d3) & this.mask;
  }

  private linkNewest(s: number): void {
    this.prev[s] = this.newest;
    this.next[s] = NONE;
    if (this.newest !== NONE) this.next[this.newest] = s;
    else this.oldest = s;
    this.newest = s;
  }

  private unlinkOrder(s: number): void {
    const p = this.prev[s]!;
    const n = this.next[s]!;
    if (p !== NONE) this.next[p] = n;
    else this.oldest = n;
    if (n !== NONE) this.prev[n] = p;
    else this.newest = p;
  }

  /**
   * Doubles the slots (every slot is in use), up to maxSlots while below it, and rehashes into as many
   * buckets, rounded up to a power of two.
   */
  private grow(): void {
    const doubled = this.cap === 0 ? 64 : this.cap * 2;
    const cap = this.cap < this.maxSlots ? Math.max(this.cap + 1, Math.min(doubled, this.maxSlots)) : doubled;
    const words = new Int32Array(4 * cap);
    words.set(this.words);
    const times = new Float64Array(cap);
    times.set(this.times);
    const prev = new Int32Array(cap);
    prev.set(this.prev);
    const next = new Int32Array(cap);
    next.set(this.next);
    this.words = words;
    this.times = times;
    this.prev = prev;
    this.next = next;
    this.chain = new Int32Array(cap);
    let nb = 64;
    while (nb < cap) nb *= 2;
    if (nb !== this.buckets.length) {
      this.buckets = new Int32Array(nb);
      this.mask = nb - 1;
    }
    this.buckets.fill(NONE);
    this.cap = cap;
    // every slot below `used` holds an entry (none is free when the arrays are full)
    for (let s = 0; s < this.used; s++) {
      const b = this.bucket(words[4 * s]!, words[4 * s + 1]!, words[4 * s + 2]!, words[4 * s + 3]!);
      this.chain[s] = this.buckets[b]!;
      this.buckets[b] = s;
    }
  }
}
