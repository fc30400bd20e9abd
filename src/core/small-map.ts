/**
 * A map for per-connection tables that almost always hold zero or one entry
 * (requests awaiting their response, the trees of a connection): the single
 * entry is kept inline and a real Map is made only for a second one. An
 * empty JavaScript Map costs about 200 bytes; with hundreds of thousands of
 * connections that is most of their state.
 *
 * Keys compare as Map compares them (SameValueZero; bigints by value).
 * Iteration order is insertion order, as for Map.
 */
export class SmallMap<K, V> {
  private k0: K | undefined;
  private v0: V | undefined;
  private one = false;
  private map: Map<K, V> | undefined;

  get size(): number {
    return this.map ? this.map.size : this.one ? 1 : 0;
  }

  get(k: K): V | undefined {
    if (this.map) return this.map.get(k);
    return this.one && same(this.k0 as K, k) ? this.v0 : undefined;
  }

  has(k: K): boolean {
    if (this.map) return this.map.has(k);
    return this.one && same(this.k0 as K, k);
  }

  set(k: K, v: V): this {
    if (this.map) this.map.set(k, v);
    else if (!this.one || same(this.k0 as K, k)) {
      this.k0 = k;
      this.v0 = v;
      this.one = true;
    } else {
      this.map = new Map<K, V>([
        [this.k0 as K, this.v0 as V],
        [k, v],
      ]);
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
    if (!this.one || !same(this.k0 as K, k)) return false;
    this.drop0();
    return true;
  }

  /** The oldest key (first inserted), if any. */
  firstKey(): K | undefined {
    if (this.map) return this.map.keys().next().value;
    return this.one ? this.k0 : undefined;
  }

  clear(): void {
    this.map = undefined;
    this.drop0();
  }

  *entries(): IterableIterator<[K, V]> {
    if (this.map) yield* this.map.entries();
    else if (this.one) yield [this.k0 as K, this.v0 as V];
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
