/**
 * A map for per-connection tables that almost always hold zero, one or a few
 * entries (requests awaiting their response, the trees of a connection). The
 * single entry is kept inline; a few (up to {@link LINEAR_MAX}) are kept in
 * two arrays in insertion order and found by a linear scan; a real Map is
 * made only beyond that. An empty JavaScript Map costs about 200 bytes, and
 * one that fills and empties with every pipelined request reallocates its
 * table as it grows and shrinks; the arrays, once made, are reused.
 *
 * Keys compare as Map compares them (SameValueZero; bigints by value).
 * Iteration order is insertion order, as for Map.
 */

/** Entries held in the arrays before a Map is made. */
const LINEAR_MAX = 16;

export class SmallMap<K, V> {
  private k0: K | undefined;
  private v0: V | undefined;
  private one = false;
  /** entries [0, n) in insertion order (n > 0: the arrays are in use) */
  private ks: K[] | undefined;
  private vs: V[] | undefined;
  private n = 0;
  private map: Map<K, V> | undefined;

  get size(): number {
    return this.map ? this.map.size : this.n > 0 ? this.n : this.one ? 1 : 0;
  }

  get(k: K): V | undefined {
    if (this.map) return this.map.get(k);
    if (this.n > 0) {
      const i = this.indexOf(k);
      return i >= 0 ? this.vs![i] : undefined;
    }
    return this.one && same(this.k0 as K, k) ? this.v0 : undefined;
  }

  has(k: K): boolean {
    if (this.map) return this.map.has(k);
    if (this.n > 0) return this.indexOf(k) >= 0;
    return this.one && same(this.k0 as K, k);
  }

  set(k: K, v: V): this {
    if (this.map) {
      this.map.set(k, v);
    } else if (this.n > 0) {
      const i = this.indexOf(k);
      if (i >= 0) this.vs![i] = v;
      else if (this.n < LINEAR_MAX) this.append(k, v);
      else this.spill(k, v);
    } else if (!this.one || same(this.k0 as K, k)) {
      this.k0 = k;
      this.v0 = v;
      this.one = true;
    } else {
      // a second key: both go to the arrays, the inline one first
      this.ks ??= [];
      this.vs ??= [];
      this.append(this.k0 as K, this.v0 as V);
      this.append(k, v);
      this.drop0();
    }
    return this;
  }

  delete(k: K): boolean {
    if (this.map) {
      const had = this.map.delete(k);
      if (this.map.size === 0) this.map = undefined;
      return had;
    }
    if (this.n > 0) {
      const i = this.indexOf(k);
      if (i < 0) return false;
      const ks = this.ks!;
      const vs = this.vs!;
      const last = --this.n;
      for (let j = i; j < last; j++) {
        ks[j] = ks[j + 1]!;
        vs[j] = vs[j + 1]!;
      }
      // the freed slot keeps no key or value alive
      ks[last] = undefined as K;
      vs[last] = undefined as V;
      return true;
    }
    if (!this.one || !same(this.k0 as K, k)) return false;
    this.drop0();
    return true;
  }

  /** The oldest key (first inserted), if any. */
  firstKey(): K | undefined {
    if (this.map) return this.map.keys().next().value;
    if (this.n > 0) return this.ks![0];
    return this.one ? this.k0 : undefined;
  }

  clear(): void {
    this.map = undefined;
    this.release();
    this.drop0();
  }

  *entries(): IterableIterator<[K, V]> {
    if (this.map) yield* this.map.entries();
    else if (this.n > 0) for (let i = 0; i < this.n; i++) yield [this.ks![i]!, this.vs![i]!];
    else if (this.one) yield [this.k0 as K, this.v0 as V];
  }

  private indexOf(k: K): number {
    const ks = this.ks!;
    for (let i = 0; i < this.n; i++) if (same(ks[i]!, k)) return i;
    return -1;
  }

  private append(k: K, v: V): void {
    this.ks![this.n] = k;
    this.vs![this.n] = v;
    this.n++;
  }

  /** More than LINEAR_MAX entries: a Map, in insertion order. */
  private spill(k: K, v: V): void {
    const map = new Map<K, V>();
    for (let i = 0; i < this.n; i++) map.set(this.ks![i]!, this.vs![i]!);
    map.set(k, v);
    this.release();
    this.map = map;
  }

  /** Empties the arrays (kept for reuse). */
  private release(): void {
    for (let i = 0; i < this.n; i++) {
      this.ks![i] = undefined as K;
      this.vs![i] = undefined as V;
    }
    this.n = 0;
  }

  private drop0(): void {
    this.k0 = undefined;
    this.v0 = undefined;
    this.one = false;
  }
}

function same<K>(a: K, b: K): boolean {
  // SameValueZero, as Map uses
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}
