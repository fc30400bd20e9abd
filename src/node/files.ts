/**
 * File analysis pieces that need Node: hashes (node:crypto) and extraction
 * of transferred files to a directory.
 */

import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Extractor, ExtractorFactory, HasherFactory } from '../core/files/manager.js';

export const nodeHasher: HasherFactory = (alg) => {
  const h = createHash(alg);
  return {
    update: (b) => {
      h.update(b);
    },
    digest: () => h.digest('hex'),
  };
};

/** A file name that cannot leave its directory or hide: [A-Za-z0-9._-] only, no leading dot. */
export function safeFileName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return s.length > 200 ? s.slice(0, 200) : s || '_';
}

/** Writes extracted files into `dir` (created if missing). */
export function extractToDir(dir: string): ExtractorFactory {
  let made = false;
  return (name: string): Extractor => {
    if (!made) {
      mkdirSync(dir, { recursive: true });
      made = true;
    }
    let path = join(dir, safeFileName(name));
    const fd = openSync(path, 'w');
    let open = true;
    return {
      write: (b) => {
        if (!open) return;
        let off = 0;
        while (off < b.length) off += writeSync(fd, b, off, b.length - off);
      },
      rename: (next) => {
        const to = join(dir, safeFileName(next));
        if (to === path) return;
        renameSync(path, to);
        path = to;
      },
      close: () => {
        if (!open) return;
        open = false;
        closeSync(fd);
      },
    };
  };
}
