/**
 * The connection table: TCP connections keyed by their 4-tuple, found from a
 * packet in either direction without allocating. Entries are chained in
 * hash buckets and kept in a least-recently-active list, so idle connections
 * can be expired (and, at the size limit, the stalest evicted) in O(1).
 *
 * Adds: `insert` (the pipeline creates a connection for a new 4-tuple).
 * Removes: `remove` (connection finished, timed out, or evicted).
 */

import type { IpInfo } from '../ip/ip.js';
import type { Connection } from './conn.js';

export class ConnectionTable {
  private readonly buckets = new Map<number, Connection>();
  private lruHead: Connection | undefined; // least recently active
  private lruTail: Connection | undefined; // most recently active
  size = 0;
  /** direction of the packet matched by the last `find` */
  isOrig = true;

  /** A symmetric hash of the packet's 4-tuple. */
  static hash(ip: IpInfo, sport: number, dport: number): number {
    const a = mix(ip.s0, ip.s1, ip.s2, ip.s3, sport);
    const b = mix(ip.d0, ip.d1, ip.d2, ip.d3, dport);
    return (a ^ b) >>> 0;
  }

  /** Finds the connection of a packet; sets `isOrig`. */
  find(h: number, ip: IpInfo, sport: number, dport: number): Connection | undefined {
    for (let c = this.buckets.get(h); c; c = c.bucketNext) {
      if (c.version !== ip.version) continue;
      if (
        c.op === sport &&
        c.rp === dport &&
        c.oa3 === ip.s3 &&
        c.ra3 === ip.d3 &&
        c.oa0 === ip.s0 &&
        c.oa1 === ip.s1 &&
        c.oa2 === ip.s2 &&
        c.ra0 === ip.d0 &&
        c.ra1 === ip.d1 &&
        c.ra2 === ip.d2
      ) {
        this.isOrig = true;
        return c;
      }
      if (
        c.op === dport &&
        c.rp === sport &&
        c.oa3 === ip.d3 &&
        c.ra3 === ip.s3 &&
        c.oa0 === ip.d0 &&
        c.oa1 === ip.d1 &&
        c.oa2 === ip.d2 &&
        c.ra0 === ip.s0 &&
        c.ra1 === ip.s1 &&
        c.ra2 === ip.s2
      ) {
        this.isOrig = false;
        return c;
      }
    }
    return undefined;
  }

  insert(c: Connection, h: number): void {
    c.hash = h;
    c.bucketNext = this.buckets.get(h);
    this.buckets.set(h, c);
    this.size++;
    this.appendLru(c);
  }

  remove(c: Connection): void {
    const head = this.buckets.get(c.hash);
    if (head === c) {
      if (c.bucketNext) this.buckets.set(c.hash, c.bucketNext);
      else this.buckets.delete(c.hash);
    } else {
      for (let p = head; p; p = p.bucketNext) {
        if (p.bucketNext === c) {
          p.bucketNext = c.bucketNext;
          break;
        }
      }
    }
    c.bucketNext = undefined;
    this.unlinkLru(c);
    this.size--;
  }

  /** Marks a connection as just active (moves it to the fresh end). */
  touch(c: Connection): void {
    if (this.lruTail === c) return;
    this.unlinkLru(c);
    this.appendLru(c);
  }

  /** The least recently active connection. */
  oldest(): Connection | undefined {
    return this.lruHead;
  }

  /** All connections, least recently active first. */
  *all(): IterableIterator<Connection> {
    for (let c = this.lruHead; c; ) {
      const next = c.lruNext;
      yield c;
      c = next;
    }
  }

  private appendLru(c: Connection): void {
    c.lruPrev = this.lruTail;
    c.lruNext = undefined;
    if (this.lruTail) this.lruTail.lruNext = c;
    else this.lruHead = c;
    this.lruTail = c;
  }

  private unlinkLru(c: Connection): void {
    if (c.lruPrev) c.lruPrev.lruNext = c.lruNext;
    else if (this.lruHead === c) this.lruHead = c.lruNext;
    if (c.lruNext) c.lruNext.lruPrev = c.lruPrev;
    else if (this.lruTail === c) this.lruTail = c.lruPrev;
    c.lruPrev = c.lruNext = undefined;
  }
}

function mix(a0: number, a1: number, a2: number, a3: number, port: number): number {
  let h = Math.imul(a3 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ a2 ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ a1 ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ a0 ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ port ^ (h >>> 16), 0x27d4eb2f);
  return h ^ (h >>> 15);
}
