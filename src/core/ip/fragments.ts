/**
 * IP fragment reassembly (IPv4 and IPv6), bounded.
 *
 * Entries are added by the first fragment of a datagram and removed when the
 * datagram completes, when it has waited longer than `timeout` seconds of
 * network time, or when the table is over its limits (oldest first). Overlaps
 * keep the bytes seen first; differing bytes are reported.
 */

import type { IpInfo } from './ip.js';

export interface FragmentLimits {
  /** datagrams under reassembly at once */
  maxDatagrams: number;
  /** buffered bytes over all datagrams */
  maxBytes: number;
  /** seconds of network time a datagram may wait for its missing pieces */
  timeout: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = { maxDatagrams: 4096, maxBytes: 32 * 1024 * 1024, timeout: 60 };

/** Largest reassembled payload: the IPv4 total-length field's range. */
const MAX_DATAGRAM = 65535;

interface Datagram {
  key: string;
  first: number;
  data: Uint8Array;
  /** covered byte ranges, sorted, merged */
  ranges: number[];
  /** payload length, known once the last fragment arrived; -1 before */
  total: number;
  proto: number;
}

export type FragmentWeird = (name: string) => void;

export class FragmentReassembler {
  private readonly table = new Map<string, Datagram>();
  private bytes = 0;
  private lastSweep = 0;
  /** datagrams dropped because a limit was reached */
  evicted = 0;

  constructor(private readonly limits: FragmentLimits = DEFAULT_FRAGMENT_LIMITS) {}

  get size(): number {
    return this.table.size;
  }

  /**
   * Adds the fragment described by `ip` (its payload is buf[ip.payOff, ip.payEnd)).
   * Returns the whole upper-layer payload once complete.
   */
  add(ip: IpInfo, buf: Uint8Array, ts: number, weird: FragmentWeird): Uint8Array | undefined {
    // the caller reads the upper-layer protocol from ip.proto, which for IPv6 is
    // taken from the fragment header and is the same in every fragment
    if (ts - this.lastSweep > 1) this.sweep(ts, weird);
    const len = ip.payEnd - ip.payOff;
    if (len < ip.payWire) {
      weird('truncated_fragment');
      return undefined;
    }
    const start = ip.fragOffset;
    const end = start + ip.payWire;
    if (end > MAX_DATAGRAM) {
      weird('excessively_large_fragment');
      return undefined;
    }
    const key = `${ip.version}|${ip.s0}|${ip.s1}|${ip.s2}|${ip.s3}|${ip.d0}|${ip.d1}|${ip.d2}|${ip.d3}|${ip.fragId}|${ip.version === 4 ? ip.proto : 0}`;
    let d = this.table.get(key);
    if (!d) {
      while (this.table.size >= this.limits.maxDatagrams) this.evictOldest(weird);
      d = { key, first: ts, data: new Uint8Array(Math.max(256, end)), ranges: [], total: -1, proto: ip.proto };
      this.table.set(key, d);
      this.bytes += d.data.length;
    }
    if (!ip.moreFragments) {
      if (d.total >= 0 && d.total !== end) weird('fragment_size_inconsistency');
      else d.total = end;
    }
    if (ip.proto !== d.proto && ip.fragOffset === 0) d.proto = ip.proto;
    if (d.total >= 0 && end > d.total) {
      weird('fragment_size_inconsistency');
      return undefined;
    }
    if (end > d.data.length) {
      const grown = new Uint8Array(Math.min(MAX_DATAGRAM, Math.max(end, d.data.length * 2)));
      grown.set(d.data);
      this.bytes += grown.length - d.data.length;
      d.data = grown;
    }
    this.insert(d, buf, ip.payOff, start, end, weird);
    // a completed datagram leaves the table (and frees its bytes) before the limits are enforced,
    // so the fragment that completes it can never evict it
    if (d.total >= 0 && d.ranges.length === 2 && d.ranges[0] === 0 && d.ranges[1] === d.total) {
      this.table.delete(key);
      this.bytes -= d.data.length;
      return d.data.subarray(0, d.total);
    }
    while (this.bytes > this.limits.maxBytes && this.table.size > 0) this.evictOldest(weird);
    return undefined;
  }

  private insert(d: Datagram, buf: Uint8Array, payOff: number, start: number, end: number, weird: FragmentWeird): void {
    const r = d.ranges;
    // copy only the parts not covered yet; compare the covered parts
    let cur = start;
    let overlapped = false;
    for (let i = 0; i < r.length && cur < end; i += 2) {
      const a = r[i]!;
      const b = r[i + 1]!;
      if (b <= cur) continue;
      if (a >= end) break;
      if (a > cur) d.data.set(buf.subarray(payOff + (cur - start), payOff + (a - start)), cur);
      const os = Math.max(a, cur);
      const oe = Math.min(b, end);
      if (oe > os) {
        overlapped = true;
        for (let k = os; k < oe; k++) {
          if (d.data[k] !== buf[payOff + (k - start)]) {
            weird('fragment_inconsistency');
            break;
          }
        }
      }
      cur = Math.max(cur, b);
    }
    if (cur < end) d.data.set(buf.subarray(payOff + (cur - start), payOff + (end - start)), cur);
    if (overlapped) weird('fragment_overlap');
    // merge [start, end) into the range list
    const merged: number[] = [];
    let s = start;
    let e = end;
    let placed = false;
    for (let i = 0; i < r.length; i += 2) {
      const a = r[i]!;
      const b = r[i + 1]!;
      if (b < s) merged.push(a, b);
      else if (a > e) {
        if (!placed) {
          merged.push(s, e);
          placed = true;
        }
        merged.push(a, b);
      } else {
        s = Math.min(s, a);
        e = Math.max(e, b);
      }
    }
    if (!placed) merged.push(s, e);
    d.ranges = merged;
  }

  private evictOldest(weird: FragmentWeird): void {
    const first = this.table.values().next();
    if (first.done) return;
    this.drop(first.value);
    this.evicted++;
    weird('fragment_reassembly_limit');
  }

  private drop(d: Datagram): void {
    this.table.delete(d.key);
    this.bytes -= d.data.length;
  }

  private sweep(ts: number, weird: FragmentWeird): void {
    this.lastSweep = ts;
    for (const d of this.table.values()) {
      if (ts - d.first <= this.limits.timeout) break; // insertion order is age order
      this.drop(d);
      weird('fragment_timeout');
    }
  }
}
