/**
 * MIME type detection of transferred files, as Zeek's file analysis
 * framework does it (files.log `mime_type`): Zeek's own file-magic
 * signatures (see mime-signatures.ts), not libmagic.
 *
 * When Zeek sniffs (src/file_analysis/File.cc): the first
 * `default_file_bof_buffer_size` (4096) bytes of a file are buffered; the
 * signatures run once, on the first 4096 bytes, as soon as the buffer holds
 * at least that much, or else when the file ends or a gap stops buffering.
 * No sniffing happens if bytes were already missing when the buffer filled,
 * or if no byte was ever buffered. Among the matching signatures the highest
 * strength wins; ties go to the lexicographically smallest MIME string
 * (Zeek keeps matches in `map<int, set<string>, greater<int>>`).
 *
 * Pure and synchronous; patterns compile lazily on first use.
 */

import {
  compileMagicPattern,
  firstByteSet,
  type MagicProbe,
  type MagicProgram,
  magicPrefixMatch,
  magicProbe,
  magicRequiredLiterals,
} from './mime-regex.js';
import { MIME_SIGNATURES, type MimeSignature } from './mime-signatures.js';

export type { MimeSignature, SignatureSet } from './mime-signatures.js';
export { MIME_SIGNATURES } from './mime-signatures.js';

/** Zeek's `default_file_bof_buffer_size`: bytes buffered for MIME sniffing. */
export const MIME_BOF_BUFFER_SIZE = 4096;

/** One matching signature group, as in Zeek's `fa_metadata$mime_types`. */
export interface MimeMatch {
  readonly strength: number;
  readonly mime: string;
}

interface Compiled {
  readonly sig: MimeSignature;
  readonly prog: MagicProgram;
  /** a cheap necessary condition, checked before running the automaton */
  readonly pre: Prefilter | undefined;
  /** the byte every match starts with, or -1 */
  readonly first: number;
  /** a position every match reads and the bytes it can hold there (null: none; undefined: not yet worked out) */
  probe: MagicProbe | null | undefined;
  /**
   * For a literal anywhere (`.*lit`): the other literals every match contains, as indexes into
   * {@link needed}, those shared with other signatures first (each is searched once per buffer)
   */
  readonly need: readonly number[];
}

/** Literals that anywhere-signatures need besides their own, shared among signatures. */
const needed: Uint8Array[] = [];
/** per needed literal: the sniff that last looked for it, and whether it was there */
let neededGen = new Uint32Array(0);
let neededHere = new Uint8Array(0);
let sniffGen = 0;

interface Needed {
  idx: number;
  /** signatures that need it */
  users: number;
}

/** The literals an anywhere-signature needs besides `own` (registered in {@link needed}, users counted). */
function needsOf(pattern: string, own: Uint8Array, shared: Map<string, Needed>): Needed[] {
  const out: Needed[] = [];
  const ownKey = String.fromCharCode(...own);
  for (const lit of magicRequiredLiterals(pattern)) {
    const key = String.fromCharCode(...lit);
    if (key === ownKey) continue;
    let e = shared.get(key);
    if (!e) {
      e = { idx: needed.length, users: 0 };
      needed.push(lit);
      shared.set(key, e);
    }
    if (out.includes(e)) continue;
    e.users++;
    out.push(e);
  }
  return out;
}

/**
 * A literal the pattern cannot match without: at a fixed offset (`.{N}lit`)
 * or anywhere (`.*lit`). Patterns whose matches all need such a literal are
 * skipped at the cost of a byte search when the literal is absent, which is
 * nearly always for most signatures.
 */
interface Prefilter {
  readonly lit: Uint8Array;
  /** offset of the literal (the first one it may have, for `.{N,M}`), or -1 for "anywhere" */
  readonly at: number;
  /** the last offset the literal may have (`at` but for `.{N,M}`) */
  readonly atMax: number;
  /**
   * The pattern after its `.{N}`, `.{N,M}` or `.*` (which match any bytes):
   * the whole pattern matches exactly when this matches from offset N (from
   * one of N to M), or from some place where the literal occurs. Unset when
   * that part uses `^` or `$`.
   */
  readonly rest: MagicProgram | undefined;
}

const META = new Set([...'.[](){}*+?|^$']);

/** Literal bytes at the start of `p` (escapes decoded), stopping before anything optional. */
function literalRun(p: string): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    let byte: number;
    let next: number;
    if (c === '\\') {
      const e = p[i + 1];
      if (e === undefined) break;
      if (e === 'x') {
        const h = p.slice(i + 2, i + 4);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) break;
        byte = Number.parseInt(h, 16);
        next = i + 4;
      } else if (/[a-zA-Z0-9]/.test(e))
        break; // \d, \s, \n ... classes or escapes: stop
      else {
        byte = e.charCodeAt(0);
        next = i + 2;
      }
    } else if (META.has(c)) break;
    else {
      byte = c.charCodeAt(0);
      if (byte > 0x7f) break;
      next = i + 1;
    }
    // a quantifier after this byte makes it optional or repeated: stop before it
    const q = p[next];
    if (q === '?' || q === '*' || q === '{' || q === '+') break;
    out.push(byte);
    i = next;
  }
  return out;
}

function prefilterOf(pattern: string): Prefilter | undefined {
  let p = pattern.startsWith('^') ? pattern.slice(1) : pattern;
  if (p.includes('(?i') || p.includes('|')) return undefined;
  let at: number;
  let atMax: number;
  const fixed = /^\.\{(\d+)(?:,(\d+))?\}/.exec(p);
  if (p.startsWith('.*')) {
    at = atMax = -1;
    p = p.slice(2);
  } else if (fixed) {
    at = Number(fixed[1]);
    atMax = fixed[2] === undefined ? at : Number(fixed[2]);
    if (atMax < at) return undefined;
    p = p.slice(fixed[0].length);
  } else return undefined;
  const lit = literalRun(p);
  if (lit.length < 2) return undefined;
  const rest = p.includes('^') || p.includes('$') ? undefined : compileMagicPattern(p);
  return { lit: Uint8Array.from(lit), at, atMax, rest };
}

/**
 * Finds a literal in the buffer being sniffed, from a position: -1 when
 * absent. Node's Buffer search (memchr, then a native comparison) is used
 * where it exists; elsewhere (a browser) the typed array's own byte search.
 */
type Finder = (lit: Uint8Array, from: number) => number;

interface NativeBytes {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): { indexOf(v: Uint8Array, from: number): number };
}
const NATIVE = (globalThis as { Buffer?: NativeBytes }).Buffer;

function finderOf(b: Uint8Array, len: number): Finder {
  if (NATIVE) {
    const v = NATIVE.from(b.buffer, b.byteOffset, len);
    return (lit, from) => v.indexOf(lit, from);
  }
  return (lit, from) => {
    const n = lit.length;
    const first = lit[0]!;
    const last = len - n;
    for (let i = b.indexOf(first, from); i >= 0 && i <= last; i = b.indexOf(first, i + 1)) {
      let k = 1;
      while (k < n && b[i + k] === lit[k]) k++;
      if (k === n) return i;
    }
    return -1;
  };
}

/** Per sniffed buffer: its finder, made when a signature first needs one. */
class Sniff {
  private f: Finder | undefined;
  private readonly gen: number;
  constructor(
    readonly b: Uint8Array,
    readonly len: number,
  ) {
    sniffGen = (sniffGen + 1) >>> 0;
    if (sniffGen === 0) {
      // wrapped: no stamp may look current
      neededGen.fill(0);
      sniffGen = 1;
    }
    this.gen = sniffGen;
  }
  find(lit: Uint8Array, from: number): number {
    this.f ??= finderOf(this.b, this.len);
    return this.f(lit, from);
  }
  /** Whether needed literal `i` is in the buffer (searched once per buffer). */
  has(i: number): boolean {
    if (neededGen[i] !== this.gen) {
      neededGen[i] = this.gen;
      neededHere[i] = this.find(needed[i]!, 0) >= 0 ? 1 : 0;
    }
    return neededHere[i] === 1;
  }
}

/** Whether signature `c` matches the sniffed bytes (its cheap conditions first). */
function matches(c: Compiled, s: Sniff): boolean {
  const { b, len } = s;
  if (c.first >= 0 && b[0] !== c.first) return false;
  const pre = c.pre;
  if (!pre) {
    // worked out when the signature is first tried (for all of them at once it would slow every start);
    // a signature with a literal shortcut has its own cheap test instead
    let probe = c.probe;
    if (probe === undefined) probe = c.probe = magicProbe(c.prog) ?? null;
    if (probe && (len <= probe.pos || probe.set[b[probe.pos]!] === 0)) return false;
    return magicPrefixMatch(c.prog, b, len);
  }
  const lit = pre.lit;
  const n = lit.length;
  if (pre.at >= 0) {
    // the literal at one of its offsets, then the rest of the pattern from there
    const last = Math.min(pre.atMax, len - n);
    for (let o = pre.at; o <= last; o++) {
      let k = 0;
      while (k < n && b[o + k] === lit[k]) k++;
      if (k < n) continue;
      if (!pre.rest) return magicPrefixMatch(c.prog, b, len);
      if (magicPrefixMatch(pre.rest, b.subarray(o, len))) return true;
    }
    return false;
  }
  // anywhere: every other literal the pattern needs must be there, then the pattern after its `.*` must
  // match where its own literal occurs
  const need = c.need;
  for (let k = 0; k < need.length; k++) if (!s.has(need[k]!)) return false;
  for (let i = s.find(lit, 0); i >= 0; i = s.find(lit, i + 1)) {
    if (!pre.rest) return magicPrefixMatch(c.prog, b, len);
    if (magicPrefixMatch(pre.rest, b.subarray(i, len))) return true;
  }
  return false;
}

/** The first byte of every match when the pattern starts with a literal, else -1. */
function firstByteOf(pattern: string): number {
  const p = pattern.startsWith('^') ? pattern.slice(1) : pattern;
  if (p.includes('(?i') || p.startsWith('(') || p.includes('|')) return -1;
  const run = literalRun(p);
  return run.length > 0 ? run[0]! : -1;
}

let compiled: readonly Compiled[] | undefined;

const byPrecedence = (a: MimeSignature, b: MimeSignature): number =>
  b.strength - a.strength || (a.mime < b.mime ? -1 : a.mime > b.mime ? 1 : 0);

/** Compiled signatures in precedence order: strength descending, then MIME ascending. */
function programs(): readonly Compiled[] {
  if (compiled) return compiled;
  const shared = new Map<string, Needed>();
  const sigs = [...MIME_SIGNATURES].sort(byPrecedence);
  const needs = sigs.map((sig) => {
    const pre = prefilterOf(sig.pattern);
    return { pre, needs: pre && pre.at < 0 ? needsOf(sig.pattern, pre.lit, shared) : [] };
  });
  // once every signature is counted: the literals shared by the most signatures first, then the longest
  const order = (a: Needed, b: Needed) => b.users - a.users || needed[b.idx]!.length - needed[a.idx]!.length;
  compiled = sigs.map((sig, k) => ({
    sig,
    prog: compileMagicPattern(sig.pattern),
    pre: needs[k]!.pre,
    first: firstByteOf(sig.pattern),
    probe: undefined,
    need: needs[k]!.needs.sort(order).map((e) => e.idx),
  }));
  neededGen = new Uint32Array(needed.length);
  neededHere = new Uint8Array(needed.length);
  return compiled;
}

/**
 * Whether Zeek would sniff now: the BOF buffer holds at least
 * {@link MIME_BOF_BUFFER_SIZE} bytes, or no more bytes will be added to it
 * (file ended, or a gap ended BOF buffering) and it is not empty.
 */
export function mimeDetectionDue(buffered: number, bofFinal: boolean): boolean {
  return buffered >= MIME_BOF_BUFFER_SIZE || (bofFinal && buffered > 0);
}

/**
 * All matching signatures on the first {@link MIME_BOF_BUFFER_SIZE} bytes of
 * `bof`, grouped and ordered like Zeek's `mime_types`: strength descending,
 * then MIME type ascending; one entry per distinct (strength, MIME) pair.
 */
export function detectMimeMatches(bof: Uint8Array): MimeMatch[] {
  const len = Math.min(bof.length, MIME_BOF_BUFFER_SIZE);
  if (len === 0) return [];
  const out: MimeMatch[] = [];
  const list = programs();
  const sniff = new Sniff(bof, len);
  for (let k = 0; k < list.length; k++) {
    const { sig } = list[k]!;
    const last = out[out.length - 1];
    if (last && last.strength === sig.strength && last.mime === sig.mime) continue;
    if (matches(list[k]!, sniff)) out.push({ strength: sig.strength, mime: sig.mime });
  }
  return out;
}

/**
 * The `mime_type` Zeek reports for a file whose BOF buffer is `bof` at the
 * moment Zeek sniffs it (see {@link mimeDetectionDue}), or undefined when
 * Zeek reports none.
 *
 * `_fileComplete` says whether the file has ended. It does not change the
 * result: Zeek's file-magic matcher is never told where the data ends (a
 * `$` never matches), so a finished 100-byte file and the first 100 bytes
 * of a file cut short by a gap are judged alike. Bytes past the first
 * {@link MIME_BOF_BUFFER_SIZE} are ignored, as in Zeek; an empty buffer
 * gives undefined (Zeek does not sniff it).
 */
export function detectMime(bof: Uint8Array, _fileComplete: boolean): string | undefined {
  const len = Math.min(bof.length, MIME_BOF_BUFFER_SIZE);
  if (len === 0) return undefined;
  const list = programs();
  const sniff = new Sniff(bof, len);
  // In precedence order the first match is Zeek's choice; only signatures that can begin with the first byte
  for (const k of byFirstByte(list)[bof[0]!]!) {
    const c = list[k]!;
    if (matches(c, sniff)) return c.sig.mime;
  }
  return undefined;
}

let firstIndex: number[][] | undefined;

/** Signature indexes (in precedence order) that can match a buffer starting with each byte value. */
function byFirstByte(list: readonly Compiled[]): number[][] {
  if (firstIndex) return firstIndex;
  const idx: number[][] = Array.from({ length: 256 }, () => []);
  list.forEach((c, k) => {
    const set = firstByteSet(c.prog);
    for (let b = 0; b < 256; b++) if (set[b]) idx[b]!.push(k);
  });
  firstIndex = idx;
  return idx;
}
