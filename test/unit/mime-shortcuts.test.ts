/**
 * MIME detection takes shortcuts for speed: it skips a signature whose first
 * byte or required literal is absent or whose probe position (a byte every
 * match reads) holds a byte no match can have there, and for `.*LIT...`, `.{N}LIT...`
 * and `.{N,M}LIT...` patterns runs the automaton only from where the literal stands. These
 * tests hold the shortcuts to the plain definition: a signature matches when
 * its whole automaton matches some prefix of the buffer, and the answer is
 * the first match in precedence order (strength descending, MIME ascending).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { detectMime, detectMimeMatches, MIME_SIGNATURES, type MimeMatch } from '../../src/core/files/mime.js';
import { compileMagicPattern, magicPrefixMatch, magicRequiredLiterals } from '../../src/core/files/mime-regex.js';

const ordered = [...MIME_SIGNATURES]
  .sort((a, b) => b.strength - a.strength || (a.mime < b.mime ? -1 : a.mime > b.mime ? 1 : 0))
  .map((sig) => ({ sig, prog: compileMagicPattern(sig.pattern) }));

/** Every match by the definition, no shortcut taken. */
function plainMatches(b: Uint8Array): MimeMatch[] {
  const len = Math.min(b.length, 4096);
  if (len === 0) return [];
  const out: MimeMatch[] = [];
  for (const { sig, prog } of ordered) {
    const last = out.at(-1);
    if (last && last.strength === sig.strength && last.mime === sig.mime) continue;
    if (magicPrefixMatch(prog, b, len)) out.push({ strength: sig.strength, mime: sig.mime });
  }
  return out;
}

/** The literal bytes a pattern begins with after `^`, `.*`, `.{N}` or `.{N,M}` (escapes decoded). */
function leadingLiteral(pattern: string): { at: number; atMax: number; bytes: number[] } {
  const m = /^\^?(?:\.\*|\.\{(\d+)(?:,(\d+))?\})?(.*)$/s.exec(pattern)!;
  const bytes: number[] = [];
  const rest = m[3]!;
  for (let i = 0; i < rest.length; ) {
    const hex = /^\\x([0-9a-fA-F]{2})/.exec(rest.slice(i));
    if (hex) {
      bytes.push(Number.parseInt(hex[1]!, 16));
      i += 4;
    } else if (/[.[\](){}*+?|^$\\]/.test(rest[i]!)) break;
    else bytes.push(rest.charCodeAt(i++) & 0xff);
  }
  const at = m[1] ? Number(m[1]) : 0;
  return { at, atMax: m[2] ? Number(m[2]) : at, bytes };
}

/** Pieces real signatures look for, so that random buffers match and half-match them. */
const PIECES = ordered.map(({ sig }) => leadingLiteral(sig.pattern).bytes).filter((b) => b.length > 0);
PIECES.push(
  ...['P2', 'P1', '123', '  ', '45', '<?php', '--- a\n', '+++ b\n', '@@', '\n', '0'].map((s) =>
    [...s].map((c) => c.charCodeAt(0)),
  ),
);

const buffers = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 })), {
    maxLength: 60,
  })
  .map((parts) => Uint8Array.from(parts.flat()));

test('detection with shortcuts agrees with the plain definition on buffers made of signature pieces', () => {
  fc.assert(
    fc.property(buffers, (b) => {
      const plain = plainMatches(b);
      assert.deepEqual(detectMimeMatches(b), plain);
      assert.equal(detectMime(b, false), plain[0]?.mime);
    }),
    { numRuns: 3000 },
  );
});

test('every signature, its literal placed where it belongs in random bytes, is judged as by the definition', () => {
  let seed = 1;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  };
  for (const { sig } of ordered) {
    const { at, atMax, bytes } = leadingLiteral(sig.pattern);
    for (let t = 0; t < 4; t++) {
      const b = Uint8Array.from({ length: 700 }, rnd);
      // for `.{N,M}`: the first offset, the last and two between
      const where = sig.pattern.includes('.*') ? 50 + t * 100 : at + Math.round((t * (atMax - at)) / 3);
      b.set(bytes.slice(0, 700 - where), where);
      assert.deepEqual(detectMimeMatches(b), plainMatches(b), `${sig.mime} ${sig.pattern}`);
    }
  }
});

test('signatures that match anywhere are found when all they need is there, and only then', () => {
  let seed = 7;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  };
  const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  // whole matches of the `.*` signatures, and the same with one needed piece spoilt
  const cases: [string, string | undefined][] = [
    ['P112  34', 'image/x-portable-bitmap'],
    ['P29  1', 'image/x-portable-greymap'],
    ['P3123  4567', 'image/x-portable-pixmap'],
    ['P112 34', undefined],
    ['P1  34', undefined],
    ['--- a\n+++ b\n@@', 'text/x-diff'],
    ['--- a\n+++ b\n@', undefined],
    ['--- a\n++ b\n@@', undefined],
    ['<?php', 'text/x-php'],
    ['<?ph', undefined],
  ];
  for (const [piece, mime] of cases) {
    // wholly within the 4096 bytes sniffed, across their end (judged as the definition judges it), beyond
    for (const where of [0, 1, 1000, 4096 - piece.length, 4096 - piece.length + 1, 4096]) {
      // bytes that no signature takes for text or for anything else at the start
      const b = Uint8Array.from({ length: 4200 }, () => 0x80 | rnd());
      b.set(text(piece).subarray(0, Math.max(0, b.length - where)), where);
      const plain = plainMatches(b);
      assert.deepEqual(detectMimeMatches(b), plain, `${JSON.stringify(piece)} at ${where}`);
      const found = plain.some((m) => m.mime === mime);
      if (mime && where + piece.length <= 4096) assert.ok(found, `${JSON.stringify(piece)} at ${where}`);
      if (mime && where >= 4096) assert.ok(!found, `${JSON.stringify(piece)} at ${where}`);
    }
  }
});

test('the literals a pattern needs are the runs of single bytes of its top-level sequence', () => {
  const lits = (p: string) => magicRequiredLiterals(p).map((l) => String.fromCharCode(...l));
  assert.deepEqual(lits('.*P1[0-9]{1,50}  [0-9]{1,50}'), ['P1', '  ']);
  assert.deepEqual(lits('.*--- .*\\x0a.*\\+\\+\\+ .*\\x0a.*@@'), ['--- ', '+++ ', '@@']);
  assert.deepEqual(lits('^.*<\\?php'), ['<?php']);
  // alternatives, optional or repeated parts and case-insensitive letters end a run; groups are part of it
  assert.deepEqual(lits('ab(cd|ef)gh'), ['ab', 'gh']);
  assert.deepEqual(lits('abx?cd'), ['ab', 'cd']);
  assert.deepEqual(lits('ab(cd)ef'), ['abcdef']);
  assert.deepEqual(lits('a(?i:bc)de'), ['de']);
  assert.deepEqual(lits('ab(cd){2}ef'), ['ab', 'ef']);
});
