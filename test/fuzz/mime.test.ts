/**
 * Property tests of MIME detection (src/core/files/mime.ts, mime-regex.ts):
 * detection never throws, looks only at the first 4096 bytes, agrees with
 * the ordered list of matches, and every signature's prefix match is
 * monotone (once some prefix of the data is in the pattern's language, more
 * data never un-matches it); random patterns either compile or fail with a
 * MagicPatternError, and compiled ones behave the same.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectMime, detectMimeMatches, MIME_BOF_BUFFER_SIZE, MIME_SIGNATURES } from '../../src/core/files/mime.js';
import {
  compileMagicPattern,
  MagicPatternError,
  type MagicProgram,
  magicPrefixMatch,
} from '../../src/core/files/mime-regex.js';
import { concat } from '../helpers/bytes.js';
import fc from './fc.js';

/** File starts that real signatures look for, so random tails get matched and half-matched. */
const STARTS = [
  '%PDF-1.4',
  'PK\u0003\u0004',
  '\u0089PNG\r\n\u001a\n',
  'GIF89a',
  'MZ',
  '<?xml version="1.0"?>',
  '{\\rtf1',
  '\u00ff\u00d8\u00ff\u00e0',
  '#!/bin/sh',
  '<html>',
  'BZh91AY',
  '\u001f\u008b\u0008',
  '7z\u00bc\u00af\u0027\u001c',
  'Rar!\u001a\u0007',
  '\u007fELF',
  'OggS',
  'ID3',
  '\u00d0\u00cf\u0011\u00e0\u00a1\u00b1\u001a\u00e1',
].map((s) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff));

const data = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.tuple(fc.constantFrom(...STARTS), fc.uint8Array({ maxLength: 200 })).map(([a, b]) => concat(a, b)),
);

let programs: MagicProgram[] | undefined;
function allPrograms(): MagicProgram[] {
  programs ??= MIME_SIGNATURES.map((s) => compileMagicPattern(s.pattern));
  return programs;
}

describe('MIME detection: properties', () => {
  it('never throws, agrees with the ordered matches, and looks only at the first 4096 bytes', () => {
    fc.assert(
      fc.property(data, fc.uint8Array({ maxLength: 64 }), (b, tail) => {
        const mime = detectMime(b, true);
        const matches = detectMimeMatches(b);
        assert.equal(mime, matches[0]?.mime);
        for (let i = 1; i < matches.length; i++) {
          const p = matches[i - 1]!;
          const q = matches[i]!;
          assert.ok(
            p.strength > q.strength || (p.strength === q.strength && p.mime < q.mime),
            'strength desc, mime asc, no duplicates',
          );
        }
        // bytes past the BOF buffer never matter
        const bof = new Uint8Array(MIME_BOF_BUFFER_SIZE);
        bof.set(b.subarray(0, MIME_BOF_BUFFER_SIZE));
        assert.equal(detectMime(concat(bof, tail), false), detectMime(bof, true));
      }),
      { numRuns: 150 },
    );
  });

  it('every signature matches monotonically in the data length', () => {
    fc.assert(
      fc.property(data, fc.nat(300), (b, l1) => {
        const short = Math.min(l1, b.length);
        for (const p of allPrograms()) {
          const a = magicPrefixMatch(p, b, short);
          if (a) assert.ok(magicPrefixMatch(p, b, b.length), `${p.source}: matched ${short} bytes but not ${b.length}`);
          assert.equal(
            a,
            magicPrefixMatch(p, b.slice(0, short)),
            `${p.source}: len argument and a shorter copy disagree`,
          );
        }
      }),
      { numRuns: 60 },
    );
  });

  it('random patterns compile or fail with MagicPatternError; compiled ones match monotonically', () => {
    const atoms = [
      'a',
      'b',
      '\\x00',
      '\\xff',
      '.',
      '[a-c]',
      '[^b]',
      '(',
      ')',
      '|',
      '*',
      '+',
      '?',
      '{2}',
      '{1,3}',
      '^',
      '$',
      '\\',
      '[',
      ']',
      'ab',
      '\\.',
      '\\d',
      '\\s',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...atoms), { maxLength: 14 }),
        fc.boolean(),
        fc.uint8Array({ maxLength: 20 }),
        (parts, ci, b) => {
          const pat = parts.join('');
          let p: MagicProgram;
          try {
            p = compileMagicPattern(pat, ci);
          } catch (e) {
            assert.ok(e instanceof MagicPatternError, `${pat}: ${(e as Error).message}`);
            return;
          }
          const text = concat(
            b,
            Uint8Array.from('abcab', (c) => c.charCodeAt(0)),
          );
          let prev = false;
          for (let len = 0; len <= text.length; len++) {
            const m = magicPrefixMatch(p, text, len);
            if (prev) assert.ok(m, `${pat}: un-matched at ${len}`);
            prev = m;
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
