// Coverage feedback from V8's own block coverage: a run with
// NODE_V8_COVERAGE=DIR writes, at exit, the execution counts of every
// function and block of every script. The fuzzer keeps an input in its
// corpus when it reaches a block of smbscope (dist/src) that no input
// reached before, or a block's execution count lands in a new power-of-two
// bucket (AFL's idea of "hit counts").
//
// V8 reports a block's range only where its count differs from the
// enclosing range, so a block is also counted as covered when it was seen
// uncovered before and, in a run where its function ran, no uncovered range
// contains it any more.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function bucket(n) {
  if (n <= 1) return 1;
  if (n <= 3) return 2;
  if (n <= 15) return 3;
  if (n <= 255) return 4;
  if (n <= 4095) return 5;
  return 6;
}

export class Coverage {
  constructor(srcMarker = '/dist/src/') {
    this.marker = srcMarker;
    /** every feature seen so far */
    this.seen = new Set();
    /** function key -> [start, end][] of blocks ever reported */
    this.known = new Map();
    this.urls = new Map();
    /** blocks covered at least once */
    this.blocks = new Set();
  }

  urlId(url) {
    let id = this.urls.get(url);
    if (id === undefined) {
      const i = url.indexOf(this.marker);
      id = i >= 0 ? url.slice(i + this.marker.length) : url;
      this.urls.set(url, id);
    }
    return id;
  }

  /** The features of one run (from the coverage files in `dir`), or undefined if none were written. */
  features(dir) {
    if (!dir || !existsSync(dir)) return undefined;
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    if (files.length === 0) return undefined;
    const feats = new Set();
    for (const f of files) {
      let j;
      try {
        j = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      } catch {
        continue;
      }
      for (const script of j.result ?? []) {
        if (!script.url.includes(this.marker)) continue;
        const u = this.urlId(script.url);
        for (const fn of script.functions) {
          const r0 = fn.ranges[0];
          if (!r0 || r0.count === 0) continue;
          const fk = `${u}@${r0.startOffset}`;
          feats.add(fk);
          let known = this.known.get(fk);
          const zeros = [];
          for (let i = 1; i < fn.ranges.length; i++) {
            const r = fn.ranges[i];
            const bk = `${fk}:${r.startOffset}-${r.endOffset}`;
            if (r.count === 0) {
              zeros.push(r);
              if (!known) {
                known = new Map();
                this.known.set(fk, known);
              }
              if (!known.has(bk)) known.set(bk, [r.startOffset, r.endOffset]);
            } else {
              feats.add(bk);
              feats.add(`${bk}#${bucket(r.count)}`);
            }
          }
          if (known) {
            for (const [bk, [s, e]] of known) {
              if (!zeros.some((z) => z.startOffset <= s && e <= z.endOffset)) feats.add(bk);
            }
          }
        }
      }
    }
    return feats;
  }

  /** Adds a run's features; returns how many were new. */
  merge(feats) {
    if (!feats) return 0;
    let n = 0;
    for (const f of feats) {
      if (!this.seen.has(f)) {
        this.seen.add(f);
        if (!f.includes('#')) this.blocks.add(f);
        n++;
      }
    }
    return n;
  }
}
