/**
 * The file-magic regex engine: Zeek's dialect and matching semantics
 * (implicit anchoring, BOL/EOL, multi-line `.`, flex-style classes), plus a
 * differential check against JavaScript's RegExp on random small patterns.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileMagicPattern, MagicPatternError, magicPrefixMatch } from '../../src/core/files/mime-regex.js';

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const m = (pattern: string, data: string, ci = false): boolean =>
  magicPrefixMatch(compileMagicPattern(pattern, ci), latin1(data));

test('patterns are implicitly anchored at the first byte', () => {
  assert.equal(m('MZ', 'MZ\x90\x00'), true);
  assert.equal(m('MZ', ' MZ'), false);
  assert.equal(m('.*MZ', ' MZ'), true);
  assert.equal(m('(.*)(P1)', 'xxxP1'), true);
});

test('a match of any prefix counts; trailing data is irrelevant', () => {
  assert.equal(m('ab', 'abcdef'), true);
  assert.equal(m('ab', 'a'), false, 'the data must be long enough');
  assert.equal(m('[a-z]{10}', 'abcdefghi'), false);
  assert.equal(m('[a-z]{10}', 'abcdefghij'), true);
});

test('^ only matches before the first byte; $ never matches', () => {
  assert.equal(m('^abc', 'abc'), true);
  assert.equal(m('a^bc', 'abc'), false);
  assert.equal(m('(^a|b)c', 'bc'), true);
  assert.equal(m('(^a|b)c', 'ac'), true);
  assert.equal(m('x*^y', 'y'), true);
  assert.equal(m('abc$', 'abc'), false, 'Zeek never feeds end-of-data to file-magic matchers');
  assert.equal(m('abc$|ab', 'abc'), true);
});

test('. matches every byte including newline and NUL', () => {
  assert.equal(m('a.c', 'a\nc'), true);
  assert.equal(m('a.c', 'a\x00c'), true);
  assert.equal(m('a.c', 'a\xffc'), true);
  assert.equal(m('<!--.*-->x', '<!--\n\n-->x'), true);
});

test('character classes: ranges, negation, POSIX expressions, flex quirks', () => {
  assert.equal(m('[[:space:]]', '\x0b'), true);
  assert.equal(m('[[:blank:]]', '\n'), false);
  assert.equal(m('[[:print:]]', '\x7f'), false);
  assert.equal(m('[[:print:]]', '\xa0'), false, 'POSIX classes are ASCII only');
  assert.equal(m('[[:digit:]\\x20]{3}', '1 2'), true);
  assert.equal(m('[^\\x00]', '\xff'), true);
  assert.equal(m('[^\\x00]', '\x00'), false);
  assert.equal(m('[^-]', '-'), false);
  assert.equal(m('[]a]', ']'), true, '] first in a class is literal');
  assert.equal(m('[a-]', '-'), true);
  assert.equal(m('[\\x2d-\\x34]', '\x30'), true);
  assert.equal(m('[[]', '['), true);
  // Outside brackets "[:blank:]" is just the class of the characters ":blank".
  assert.equal(m('x[:blank:]', 'xk'), true);
  assert.equal(m('x[:blank:]', 'x '), false);
  // An unterminated-looking class runs on to the next "]".
  assert.equal(m('[Ii)(\\x00[Nn]z', '(z'), true);
});

test('escapes: hex, octal, C escapes, literal others', () => {
  assert.equal(m('\\x41\\x4a', 'AJ'), true);
  assert.equal(m('\\101', 'A'), true);
  assert.equal(m('\\n\\r\\t', '\n\r\t'), true);
  assert.equal(m('\\b', '\x08'), true, '\\b is backspace, not a word boundary');
  assert.equal(m('\\/\\.\\!', '/.!'), true);
  assert.equal(m('\\.', 'x'), false);
  assert.equal(m('\\`', '`'), true);
});

test('repetition forms', () => {
  assert.equal(m('a{3}b', 'aaab'), true);
  assert.equal(m('a{3}b', 'aab'), false);
  assert.equal(m('a{2,}b', 'aaaaab'), true);
  assert.equal(m('a{1,2}b', 'aaab'), false);
  assert.equal(m('a{0,2}b', 'b'), true);
  assert.equal(m('a{0}b', 'b'), true);
  assert.equal(m('(ab)+c', 'ababc'), true);
  assert.equal(m('x.{1,200}y', `x${'-'.repeat(200)}y`), true);
  assert.equal(m('x.{1,200}y', `x${'-'.repeat(201)}z`), false);
});

test('quoted strings and case-insensitive groups', () => {
  assert.equal(m('"a.b"', 'a.b'), true);
  assert.equal(m('"a.b"', 'axb'), false);
  assert.equal(m('(?i:doctype) x', 'DocType x'), true);
  assert.equal(m('(?i:doctype)X', 'doctypex'), false, 'insensitivity ends with the group');
  assert.equal(m('[a-c]d', 'Bd', true), true);
  assert.equal(m('abc', 'ABC', true), true);
  assert.equal(m('"abc"', 'ABC', true), false, 'quoted text stays case-sensitive');
});

test('malformed or unsupported patterns are rejected', () => {
  for (const bad of ['(ab', 'ab)', '[ab', '*a', 'a{2', 'a{3,1}', '{name}', '\\', '(?x:a)', 'a\u0100']) {
    assert.throws(() => compileMagicPattern(bad), MagicPatternError, bad);
  }
});

test('hostile input stays linear (nested stars, long runs)', () => {
  const p = compileMagicPattern('^(([ \\t\\r\\n]*(<!--.*-->)?[ \\t\\r\\n]*)*)*<x');
  const data = latin1('<!-- '.repeat(800));
  const t0 = performance.now();
  assert.equal(magicPrefixMatch(p, data), false);
  assert.ok(performance.now() - t0 < 500);
});

// --- differential check against RegExp ---------------------------------------

/** A tiny AST printed both in Zeek's dialect and as a JS RegExp source. */
type Gen = { zeek: string; js: string };

const hex = (c: number): string => `\\x${c.toString(16).padStart(2, '0')}`;
const ALPHABET = [0x00, 0x0a, 0x41, 0x42, 0x61, 0xff];

const genArb: fc.Arbitrary<Gen> = fc.letrec<{ node: Gen }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...ALPHABET).map((c) => ({ zeek: hex(c), js: hex(c) })),
    fc.constant({ zeek: '.', js: '[\\s\\S]' }),
    fc
      .tuple(fc.boolean(), fc.uniqueArray(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 3 }))
      .map(([neg, cs]) => {
        const body = (neg ? '^' : '') + cs.map(hex).join('');
        return { zeek: `[${body}]`, js: `[${body}]` };
      }),
    tie('node').map((n) => ({ zeek: `(${n.zeek})*`, js: `(?:${n.js})*` })),
    tie('node').map((n) => ({ zeek: `(${n.zeek})+`, js: `(?:${n.js})+` })),
    tie('node').map((n) => ({ zeek: `(${n.zeek})?`, js: `(?:${n.js})?` })),
    fc.tuple(tie('node'), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([n, a, b]) => {
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      return { zeek: `(${n.zeek}){${lo},${hi}}`, js: `(?:${n.js}){${lo},${hi}}` };
    }),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => ({ zeek: a.zeek + b.zeek, js: a.js + b.js })),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => ({ zeek: `(${a.zeek}|${b.zeek})`, js: `(?:${a.js}|${b.js})` })),
  ),
})).node;

test('matches exactly when RegExp finds a match at offset 0 (random patterns)', () => {
  fc.assert(
    fc.property(
      genArb,
      fc.boolean(),
      fc.array(fc.constantFrom(...ALPHABET), { maxLength: 12 }),
      (g, anchored, bytes) => {
        // (A `^` is only generated up front: Zeek consumes a BOL symbol for
        // each `^`, RegExp treats it as zero-width, so `(^){2}` differs.)
        const data = Uint8Array.from(bytes);
        const re = new RegExp(`^(?:${g.js})`, 's');
        const expected = re.test(String.fromCharCode(...bytes));
        // Run twice: the second run goes through the memoised DFA.
        const prog = compileMagicPattern((anchored ? '^' : '') + g.zeek);
        assert.equal(magicPrefixMatch(prog, data), expected, `/${g.zeek}/`);
        assert.equal(magicPrefixMatch(prog, data), expected, `/${g.zeek}/ (cached)`);
      },
    ),
    { numRuns: 400, seed: 424242 },
  );
});
