/**
 * A small, linear-time matcher for the regular-expression dialect of Zeek's
 * signature engine, as used by `file-magic` patterns.
 *
 * Semantics reproduced (Zeek's RuleMatcher / RE / re-scan / re-parse):
 *
 * - Implicit anchoring. Zeek compiles file-magic patterns "exactly" (no
 *   leading `.*`) behind an optional BOL symbol and reports a pattern as
 *   matched as soon as any *prefix* of the data is in its language. So
 *   `/MZ/` means "starts with MZ", and `/(.*)(P1)/` means "P1 anywhere".
 * - The input is the symbol BOL followed by the data bytes. `^` matches
 *   only that BOL symbol (so a `^` anywhere but at the very start can never
 *   match). End of data is never signalled (Zeek passes eol=false), so `$`
 *   never matches.
 * - `.` matches every byte, newline included (file-magic matchers are built
 *   in multi-line mode); neither `.` nor a negated class matches BOL/EOL.
 * - Flex-style syntax: `[...]` / `[^...]` classes with ranges and POSIX
 *   `[:name:]` expressions (ASCII, C locale) recognised only inside a class,
 *   `"..."` literal strings, `{n}` `{n,}` `{n,m}` repetition (only when `{`
 *   is followed by a digit), `\xHH`, octal and C escapes (`\b` is
 *   backspace), any other escaped character stands for itself, `(?i:...)`
 *   case-insensitive groups. An unescaped `]` or `-` outside a class is a
 *   literal character.
 *
 * Matching simulates a Thompson NFA, memoising visited state sets as a lazy
 * DFA (bounded: 256 states per pattern, 8192 in all, then plain NFA
 * simulation): time O(data length x pattern size) at worst, no
 * backtracking, bounded memory, so hostile input cannot make it blow up.
 */

/** A parsed pattern node. Byte classes are interned: `cls` indexes {@link Classes}. */
type Node =
  | { readonly k: 'cls'; readonly cls: number }
  | { readonly k: 'bol' }
  | { readonly k: 'eol' }
  | { readonly k: 'empty' }
  | { readonly k: 'cat'; readonly parts: readonly Node[] }
  | { readonly k: 'alt'; readonly parts: readonly Node[] }
  | { readonly k: 'rep'; readonly node: Node; readonly min: number; readonly max: number };

/** Thrown for a pattern outside the supported dialect (or malformed). */
export class MagicPatternError extends Error {
  constructor(message: string, pattern: string, pos: number) {
    super(`${message} at offset ${pos} in /${pattern}/`);
    this.name = 'MagicPatternError';
  }
}

/** Interned 256-entry byte classes (1 = member). Shared by all compiled patterns. */
class Classes {
  readonly tables: Uint8Array[] = [];
  private readonly byKey = new Map<string, number>();

  /** class index of each one-byte class, and of `.`, once made (patterns are mostly literal bytes) */
  private readonly single: (number | undefined)[] = new Array(256);
  private anyByte: number | undefined;

  /** The class holding only `ch`. */
  one(ch: number): number {
    let idx = this.single[ch];
    if (idx === undefined) {
      const t = new Uint8Array(256);
      t[ch] = 1;
      idx = this.single[ch] = this.intern(t);
    }
    return idx;
  }

  /** The class of every byte. */
  any(): number {
    this.anyByte ??= this.intern(new Uint8Array(256).fill(1));
    return this.anyByte;
  }

  intern(table: Uint8Array): number {
    let key = '';
    for (let i = 0; i < 256; i += 8) {
      let v = 0;
      for (let j = 0; j < 8; j++) v = (v << 1) | (table[i + j] ? 1 : 0);
      key += String.fromCharCode(v);
    }
    const hit = this.byKey.get(key);
    if (hit !== undefined) return hit;
    const idx = this.tables.length;
    this.tables.push(table);
    this.byKey.set(key, idx);
    return idx;
  }
}

const classes = new Classes();

const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const isAlpha = (c: number): boolean => isUpper(c) || isLower(c);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isPrint = (c: number): boolean => c >= 0x20 && c <= 0x7e;
const isCntrl = (c: number): boolean => c < 0x20 || c === 0x7f;
const isGraph = (c: number): boolean => c > 0x20 && c <= 0x7e;

/** POSIX class expressions, ASCII only (C locale), as Zeek's re-scan.l defines them. */
const POSIX: Readonly<Record<string, (c: number) => boolean>> = {
  alnum: (c) => isAlpha(c) || isDigit(c),
  alpha: isAlpha,
  blank: (c) => c === 0x20 || c === 0x09,
  cntrl: isCntrl,
  digit: isDigit,
  graph: isGraph,
  lower: isLower,
  print: isPrint,
  punct: (c) => isGraph(c) && !isAlpha(c) && !isDigit(c),
  space: isSpace,
  upper: isUpper,
  xdigit: isHex,
};

const otherCase = (c: number): number => (isUpper(c) ? c + 32 : isLower(c) ? c - 32 : c);

class Parser {
  private pos = 0;
  private ci: boolean;

  constructor(
    private readonly src: string,
    caseInsensitive: boolean,
  ) {
    this.ci = caseInsensitive;
    for (let i = 0; i < src.length; i++) {
      if (src.charCodeAt(i) > 0xff) this.fail('character above 0xff', i);
    }
  }

  parse(): Node {
    const node = this.parseAlt();
    if (this.pos < this.src.length) this.fail(`unexpected '${this.src[this.pos]}'`);
    return node;
  }

  private fail(msg: string, pos = this.pos): never {
    throw new MagicPatternError(msg, this.src, pos);
  }

  private peek(off = 0): number {
    const i = this.pos + off;
    return i < this.src.length ? this.src.charCodeAt(i) : -1;
  }

  private parseAlt(): Node {
    const parts: Node[] = [this.parseSeries()];
    while (this.peek() === 0x7c /* | */) {
      this.pos++;
      parts.push(this.parseSeries());
    }
    return parts.length === 1 ? parts[0]! : { k: 'alt', parts };
  }

  private parseSeries(): Node {
    const parts: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === -1 || c === 0x7c /* | */ || c === 0x29 /* ) */) break;
      parts.push(this.parseSingleton());
    }
    if (parts.length === 0) return { k: 'empty' };
    return parts.length === 1 ? parts[0]! : { k: 'cat', parts };
  }

  private parseSingleton(): Node {
    let node = this.parseAtom();
    for (;;) {
      const c = this.peek();
      if (c === 0x2a /* * */) {
        this.pos++;
        node = { k: 'rep', node, min: 0, max: Infinity };
      } else if (c === 0x2b /* + */) {
        this.pos++;
        node = { k: 'rep', node, min: 1, max: Infinity };
      } else if (c === 0x3f /* ? */) {
        this.pos++;
        node = { k: 'rep', node, min: 0, max: 1 };
      } else if (c === 0x7b /* { */ && isDigit(this.peek(1))) {
        this.pos++;
        const min = this.parseNumber();
        let max = min;
        if (this.peek() === 0x2c /* , */) {
          this.pos++;
          max = isDigit(this.peek()) ? this.parseNumber() : Infinity;
        }
        if (this.peek() !== 0x7d /* } */) this.fail("bad character inside {}'s");
        this.pos++;
        if (min > max) this.fail('bad iteration values');
        node = max === 0 ? { k: 'empty' } : { k: 'rep', node, min, max };
      } else {
        return node;
      }
    }
  }

  private parseNumber(): number {
    let n = 0;
    let digits = 0;
    while (isDigit(this.peek())) {
      n = n * 10 + (this.peek() - 0x30);
      this.pos++;
      if (++digits > 6) this.fail('repetition count too large');
    }
    return n;
  }

  private parseAtom(): Node {
    const start = this.pos;
    const c = this.peek();
    switch (c) {
      case 0x2e /* . */:
        this.pos++;
        return { k: 'cls', cls: classes.any() };
      case 0x5e /* ^ */:
        this.pos++;
        return { k: 'bol' };
      case 0x24 /* $ */:
        this.pos++;
        return { k: 'eol' };
      case 0x5b /* [ */:
        this.pos++;
        return this.parseClass();
      case 0x22 /* " */:
        this.pos++;
        return this.parseQuoted();
      case 0x28 /* ( */: {
        this.pos++;
        let restoreCi: boolean | undefined;
        if (this.src.startsWith('?i:', this.pos) || this.src.startsWith('?I:', this.pos)) {
          this.pos += 3;
          restoreCi = this.ci;
          this.ci = true;
        } else if (this.peek() === 0x3f /* ? */) {
          this.fail('unsupported group modifier');
        }
        const inner = this.parseAlt();
        if (this.peek() !== 0x29 /* ) */) this.fail('missing )', start);
        this.pos++;
        if (restoreCi !== undefined) this.ci = restoreCi;
        return inner;
      }
      case 0x7b /* { */:
        this.fail('unsupported {definition} or misplaced {');
        break;
      case 0x2a /* * */:
      case 0x2b /* + */:
      case 0x3f /* ? */:
      case 0x7d /* } */:
        this.fail(`misplaced '${String.fromCharCode(c)}'`);
        break;
      case 0x0a:
        this.fail('newline in pattern');
        break;
      case -1:
        this.fail('unexpected end of pattern');
        break;
      default:
        break;
    }
    const ch = this.readChar();
    if (this.ci && c !== 0x5c && isAlpha(ch)) return this.charClass(ch, otherCase(ch));
    return this.charClass(ch);
  }

  private charClass(...chars: number[]): Node {
    if (chars.length === 1) return { k: 'cls', cls: classes.one(chars[0]!) };
    const t = new Uint8Array(256);
    for (const ch of chars) t[ch] = 1;
    return { k: 'cls', cls: classes.intern(t) };
  }

  /** One literal character: an escape sequence or the next character itself. */
  private readChar(): number {
    const c = this.peek();
    if (c === 0x5c /* \ */) return this.parseEscape();
    this.pos++;
    return c;
  }

  /** At a backslash (this.pos). Mirrors Zeek's ESCSEQ + expand_escape. */
  private parseEscape(): number {
    const at = this.pos;
    this.pos++; // the backslash
    const c = this.peek();
    if (c === -1 || c === 0x0a) this.fail('dangling backslash', at);
    this.pos++;
    if ((c === 0x78 /* x */ || c === 0x58) /* X */ && isHex(this.peek()) && isHex(this.peek(1))) {
      const hex = this.src.slice(this.pos, this.pos + 2);
      this.pos += 2;
      // The scanner is caseless, so "\X41" is one token, but expand_escape()
      // only understands a lowercase 'x' and yields the letter itself.
      return c === 0x78 ? Number.parseInt(hex, 16) : c;
    }
    if (c === 0x78 /* x */) this.fail('bad hexadecimal escape', at);
    if (c >= 0x30 && c <= 0x37) {
      let v = c - 0x30;
      let n = 1;
      while (this.peek() >= 0x30 && this.peek() <= 0x37) {
        if (n < 3) v = v * 8 + (this.peek() - 0x30);
        n++;
        this.pos++;
      }
      if (v > 0xff) this.fail('octal escape above 0377', at);
      return v;
    }
    switch (c) {
      case 0x61 /* a */:
        return 0x07;
      case 0x62 /* b */:
        return 0x08;
      case 0x66 /* f */:
        return 0x0c;
      case 0x6e /* n */:
        return 0x0a;
      case 0x72 /* r */:
        return 0x0d;
      case 0x74 /* t */:
        return 0x09;
      case 0x76 /* v */:
        return 0x0b;
      default:
        return c;
    }
  }

  private parseQuoted(): Node {
    const parts: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === -1 || c === 0x0a) this.fail('missing quote');
      if (c === 0x22 /* " */) {
        this.pos++;
        break;
      }
      // Quoted text is literal even inside (?i:...).
      parts.push(this.charClass(this.readChar()));
    }
    if (parts.length === 0) return { k: 'empty' };
    return parts.length === 1 ? parts[0]! : { k: 'cat', parts };
  }

  /** After '['. */
  private parseClass(): Node {
    const start = this.pos - 1;
    const t = new Uint8Array(256);
    let negate = false;
    if (this.peek() === 0x5e /* ^ */) {
      negate = true;
      this.pos++;
    }
    const add = (ch: number): void => {
      t[ch] = 1;
      if (this.ci && isAlpha(ch)) t[otherCase(ch)] = 1;
    };
    let first = true;
    let afterExpr = false;
    for (;;) {
      const c = this.peek();
      if (c === -1 || c === 0x0a) this.fail('bad character class', start);
      if (c === 0x5d /* ] */ && !first) {
        this.pos++;
        break;
      }
      if (c === 0x2d /* - */ && afterExpr && this.peek(1) !== 0x5d) this.fail('class expression as range start');
      first = false;
      afterExpr = false;
      if (c === 0x5b /* [ */ && this.peek(1) === 0x3a /* : */) {
        const m = /^\[:([A-Za-z]+):\]/.exec(this.src.slice(this.pos));
        if (m) {
          const name = m[1]!.toLowerCase();
          const pred = POSIX[name];
          if (!pred) this.fail(`bad character class expression [:${name}:]`);
          const eff = this.ci && (name === 'lower' || name === 'upper') ? isAlpha : pred;
          for (let ch = 0; ch < 128; ch++) if (eff(ch)) t[ch] = 1;
          this.pos += m[0].length;
          afterExpr = true;
          continue;
        }
      }
      const lo = this.readChar();
      if (this.peek() === 0x2d /* - */ && this.peek(1) !== 0x5d /* ] */ && this.peek(1) !== -1) {
        this.pos++;
        const c2 = this.peek();
        if (c2 === 0x5b && this.peek(1) === 0x3a) this.fail('class expression as range end');
        if (c2 === 0x0a) this.fail('bad character class', start);
        const hi = this.readChar();
        if (lo > hi) this.fail('negative range in character class');
        if (this.ci && (isAlpha(lo) || isAlpha(hi))) {
          if (!(isAlpha(lo) && isAlpha(hi) && isUpper(lo) === isUpper(hi))) {
            this.fail('ambiguous case-insensitive character class');
          }
          for (let ch = lo; ch <= hi; ch++) add(ch);
        } else {
          for (let ch = lo; ch <= hi; ch++) t[ch] = 1;
        }
      } else {
        add(lo);
      }
    }
    if (negate) for (let i = 0; i < 256; i++) t[i] = t[i] ? 0 : 1;
    return { k: 'cls', cls: classes.intern(t) };
  }
}

// NFA opcodes.
const OP_CLS = 0;
const OP_BOL = 1;
const OP_EOL = 2;
const OP_SPLIT = 3;
const OP_MATCH = 4;

/** Upper bound on NFA states per pattern; far above what Zeek's signatures need. */
const MAX_STATES = 200_000;

/** A compiled pattern: a Thompson NFA in flat arrays. */
export interface MagicProgram {
  readonly source: string;
  readonly op: Uint8Array;
  readonly arg: Int32Array;
  readonly out1: Int32Array;
  readonly out2: Int32Array;
  readonly start: number;
}

class Builder {
  op: number[] = [];
  arg: number[] = [];
  out1: number[] = [];
  out2: number[] = [];

  constructor(private readonly source: string) {}

  add(op: number, arg: number, o1: number, o2: number): number {
    if (this.op.length >= MAX_STATES) throw new MagicPatternError('pattern too large', this.source, 0);
    this.op.push(op);
    this.arg.push(arg);
    this.out1.push(o1);
    this.out2.push(o2);
    return this.op.length - 1;
  }

  /** Compiles `n` so that on success it continues at state `next`; returns the entry state. */
  build(n: Node, next: number): number {
    switch (n.k) {
      case 'cls':
        return this.add(OP_CLS, n.cls, next, -1);
      case 'bol':
        return this.add(OP_BOL, 0, next, -1);
      case 'eol':
        return this.add(OP_EOL, 0, next, -1);
      case 'empty':
        return next;
      case 'cat': {
        let s = next;
        for (let i = n.parts.length - 1; i >= 0; i--) s = this.build(n.parts[i]!, s);
        return s;
      }
      case 'alt': {
        let s = this.build(n.parts[n.parts.length - 1]!, next);
        for (let i = n.parts.length - 2; i >= 0; i--) s = this.add(OP_SPLIT, 0, this.build(n.parts[i]!, next), s);
        return s;
      }
      case 'rep': {
        let s = next;
        if (n.max === Infinity) {
          // node* : a split that loops through the body.
          const loop = this.add(OP_SPLIT, 0, -1, next);
          this.out1[loop] = this.build(n.node, loop);
          s = loop;
        } else {
          // (node(node(...)?)?)? with every skip going straight to `next`.
          for (let i = n.min; i < n.max; i++) s = this.add(OP_SPLIT, 0, this.build(n.node, s), next);
        }
        for (let i = 0; i < n.min; i++) s = this.build(n.node, s);
        return s;
      }
    }
  }
}

/**
 * Byte strings every match of the pattern contains: the runs of one-byte
 * atoms in its top-level concatenation (groups without alternatives are part
 * of it; anything optional, repeated, alternative or case-insensitive ends a
 * run). Runs shorter than `minLen` are left out. Throws {@link MagicPatternError}.
 */
export function magicRequiredLiterals(pattern: string, minLen = 2): Uint8Array[] {
  const parts: Node[] = [];
  const flatten = (n: Node): void => {
    if (n.k === 'cat') for (const part of n.parts) flatten(part);
    else parts.push(n);
  };
  flatten(new Parser(pattern, false).parse());
  const out: Uint8Array[] = [];
  let run: number[] = [];
  const end = (): void => {
    if (run.length >= minLen) out.push(Uint8Array.from(run));
    run = [];
  };
  for (const n of parts) {
    const byte = n.k === 'cls' ? onlyMember(classes.tables[n.cls]!) : -1;
    if (byte >= 0) run.push(byte);
    else end();
  }
  end();
  return out;
}

/** The one byte of a class that has exactly one, else -1. */
function onlyMember(table: Uint8Array): number {
  let byte = -1;
  for (let b = 0; b < 256; b++) {
    if (table[b] !== 1) continue;
    if (byte >= 0) return -1;
    byte = b;
  }
  return byte;
}

/** Parses and compiles a file-magic pattern. Throws {@link MagicPatternError}. */
export function compileMagicPattern(pattern: string, caseInsensitive = false): MagicProgram {
  const ast = new Parser(pattern, caseInsensitive).parse();
  const b = new Builder(pattern);
  const match = b.add(OP_MATCH, 0, -1, -1);
  const start = b.build(ast, match);
  return {
    source: pattern,
    op: Uint8Array.from(b.op),
    arg: Int32Array.from(b.arg),
    out1: Int32Array.from(b.out1),
    out2: Int32Array.from(b.out2),
    start,
  };
}

/**
 * Reusable scratch space for {@link magicPrefixMatch}; grows on demand. The
 * matcher is synchronous and not re-entrant, so one module-level instance
 * serves every call.
 */
class Scratch {
  mark = new Int32Array(64);
  cmark = new Int32Array(64);
  a = new Int32Array(64);
  b = new Int32Array(64);
  stack = new Int32Array(64 * 2 + 2);
  gen = 0;
  cgen = 0;

  ensure(n: number): void {
    if (this.mark.length >= n) return;
    let size = this.mark.length;
    while (size < n) size *= 2;
    this.mark = new Int32Array(size);
    this.cmark = new Int32Array(size);
    this.a = new Int32Array(size);
    this.b = new Int32Array(size);
    this.stack = new Int32Array(size * 2 + 2);
    this.gen = 0;
    this.cgen = 0;
  }

  nextGen(): number {
    if (this.gen >= 0x7ffffff0) {
      this.mark.fill(0);
      this.gen = 0;
    }
    return ++this.gen;
  }

  nextClosureGen(): number {
    if (this.cgen >= 0x7ffffff0) {
      this.cmark.fill(0);
      this.cgen = 0;
    }
    return ++this.cgen;
  }
}

const scratch = new Scratch();

/** Marker in a closure list: the match state is reachable. */
const REACHES_MATCH = -1;

/**
 * Lazily built DFA over a program's NFA (subset construction on demand, the
 * way Zeek's own matcher works). Transitions are memoised while the global
 * state budget lasts; past it they are computed afresh each time, so memory
 * stays bounded and time stays linear whatever the input.
 */
interface LazyDfa {
  /** Epsilon closures of NFA states, filled lazily. */
  readonly closures: (Int32Array | undefined)[];
  /** NFA state set of each DFA state. */
  readonly sets: Int32Array[];
  /** Per DFA state, 256 transitions: UNKNOWN, DEAD, ACCEPT or target id + 1. */
  readonly trans: Int32Array[];
  readonly ids: Map<string, number>;
  /** DFA state after BOL, or DEAD / ACCEPT; UNKNOWN until first use. */
  start: number;
}

const UNKNOWN = 0;
const DEAD = -1;
const ACCEPT = -2;
/** At most this many DFA states per pattern, and in all. */
const DFA_STATES_PER_PATTERN = 256;
const DFA_STATES_TOTAL = 8192;
let dfaStatesTotal = 0;

const dfas = new WeakMap<MagicProgram, LazyDfa>();

function dfaOf(p: MagicProgram): LazyDfa {
  let d = dfas.get(p);
  if (!d) {
    d = {
      closures: new Array<Int32Array | undefined>(p.op.length),
      sets: [],
      trans: [],
      ids: new Map(),
      start: UNKNOWN,
    };
    dfas.set(p, d);
  }
  return d;
}

/** The consuming states (and REACHES_MATCH) reachable from `s` by epsilon moves. */
function closureOf(p: MagicProgram, cache: (Int32Array | undefined)[], s: number): Int32Array {
  const hit = cache[s];
  if (hit) return hit;
  const { op, out1, out2 } = p;
  const mark = scratch.cmark;
  const stack = scratch.stack;
  const gen = scratch.nextClosureGen();
  const found: number[] = [];
  let sp = 0;
  stack[sp++] = s;
  while (sp > 0) {
    const st = stack[--sp]!;
    if (st < 0 || mark[st] === gen) continue;
    mark[st] = gen;
    const o = op[st]!;
    if (o === OP_SPLIT) {
      stack[sp++] = out2[st]!;
      stack[sp++] = out1[st]!;
    } else if (o === OP_MATCH) {
      found.unshift(REACHES_MATCH);
    } else {
      found.push(st);
    }
  }
  const list = Int32Array.from(found);
  cache[s] = list;
  return list;
}

/**
 * Adds the closure of `s` to `list` (deduplicated by `gen`). Returns the new
 * length, or -1 if the closure reaches the match state.
 */
function addClosure(
  p: MagicProgram,
  cache: (Int32Array | undefined)[],
  s: number,
  list: Int32Array,
  len: number,
  gen: number,
): number {
  const cl = closureOf(p, cache, s);
  const mark = scratch.mark;
  for (let i = 0; i < cl.length; i++) {
    const t = cl[i]!;
    if (t === REACHES_MATCH) return -1;
    if (mark[t] !== gen) {
      mark[t] = gen;
      list[len++] = t;
    }
  }
  return len;
}

/**
 * Interns the NFA state set `list[0..len)` as a DFA state. Returns its id,
 * or -1 when the budget is spent (the caller then works on the set itself).
 */
function intern(d: LazyDfa, list: Int32Array, len: number): number {
  if (d.sets.length >= DFA_STATES_PER_PATTERN) return -1;
  const set = list.slice(0, len).sort();
  const key = set.join(',');
  const hit = d.ids.get(key);
  if (hit !== undefined) return hit;
  if (dfaStatesTotal >= DFA_STATES_TOTAL) return -1;
  dfaStatesTotal++;
  const id = d.sets.length;
  d.sets.push(set);
  d.trans.push(new Int32Array(256));
  d.ids.set(key, id);
  return id;
}

/** Result of one step: a DFA id + 1, DEAD, ACCEPT, or (budget spent) the raw set in scratch. */
function step(p: MagicProgram, d: LazyDfa, set: Int32Array, setLen: number, byte: number, out: Int32Array): number {
  const tables = classes.tables;
  const { op, arg, out1 } = p;
  const gen = scratch.nextGen();
  let k = 0;
  for (let i = 0; i < setLen; i++) {
    const st = set[i]!;
    if (op[st] === OP_CLS && tables[arg[st]!]![byte] === 1) {
      k = addClosure(p, d.closures, out1[st]!, out, k, gen);
      if (k < 0) return ACCEPT;
    }
  }
  if (k === 0) return DEAD;
  const id = intern(d, out, k);
  return id < 0 ? -(k + 10) : id + 1;
}

/** The state after BOL: DEAD, ACCEPT, or a DFA id + 1 (or a raw set, as in {@link step}). */
function startState(p: MagicProgram, d: LazyDfa, out: Int32Array): number {
  const { op, out1 } = p;
  const init = scratch.b;
  // Initial state (the start of `^?(pattern)`).
  let gen = scratch.nextGen();
  const n0 = addClosure(p, d.closures, p.start, init, 0, gen);
  if (n0 < 0) return ACCEPT;
  // Feed BOL: either the optional prefix consumed it (back at the
  // pattern's start) or the pattern's own `^` did.
  gen = scratch.nextGen();
  let m = addClosure(p, d.closures, p.start, out, 0, gen);
  if (m < 0) return ACCEPT;
  for (let i = 0; i < n0; i++) {
    const st = init[i]!;
    if (op[st] === OP_BOL) {
      m = addClosure(p, d.closures, out1[st]!, out, m, gen);
      if (m < 0) return ACCEPT;
    }
  }
  if (m === 0) return DEAD;
  const id = intern(d, out, m);
  return id < 0 ? -(m + 10) : id + 1;
}

/**
 * True if some prefix of BOL + `data[0..len)` is in the pattern's language:
 * exactly when Zeek's file-magic matcher reports the pattern as matched.
 */
export function magicPrefixMatch(p: MagicProgram, data: Uint8Array, len = data.length): boolean {
  return run(p, data, Math.min(len, data.length)) === ACCEPT;
}

/**
 * Feeds BOL + `data[0..end)` to the pattern's automaton, stopping as soon as
 * it accepts or dies: ACCEPT, DEAD, or (every byte read) a live state.
 */
function run(p: MagicProgram, data: Uint8Array, end: number): number {
  scratch.ensure(p.op.length);
  const d = dfaOf(p);
  let cur = scratch.a;
  let nxt = scratch.b;
  // `state`: DFA id + 1, DEAD, ACCEPT, or -(n + 10) for a raw set of n NFA
  // states held in `cur` (only once the DFA budget is spent).
  let state = d.start;
  if (state === UNKNOWN) {
    state = startState(p, d, cur);
    if (state >= DEAD || state === ACCEPT) d.start = state;
  }
  for (let pos = 0; pos < end && state !== ACCEPT && state !== DEAD; pos++) {
    const byte = data[pos]!;
    if (state > 0) {
      const row = d.trans[state - 1]!;
      const t = row[byte]!;
      if (t !== UNKNOWN) {
        state = t;
        continue;
      }
      const set = d.sets[state - 1]!;
      const next = step(p, d, set, set.length, byte, nxt);
      if (next > 0 || next === DEAD || next === ACCEPT) row[byte] = next;
      state = next;
    } else {
      state = step(p, d, cur, -state - 10, byte, nxt);
    }
    if (state < ACCEPT) [cur, nxt] = [nxt, cur];
  }
  return state;
}

/**
 * For each byte value, whether some match of the pattern can begin with it:
 * the bytes of the classes the automaton can read first (after BOL), every
 * byte when it can match before reading any. A signature whose set does not
 * hold a buffer's first byte cannot match it. (Read off the automaton's start
 * states instead of running it on each of the 256 bytes; a class followed
 * only by an assertion that can never hold leaves its bytes in the set,
 * which is safe: the set only decides which signatures are tried.)
 */
export function firstByteSet(p: MagicProgram): Uint8Array {
  const out = new Uint8Array(256);
  const walk = new StateWalk(p);
  const states = walk.startStates();
  if (!states) return out.fill(1);
  for (const st of states) {
    const table = walk.classOf(st);
    if (table) for (let b = 0; b < 256; b++) if (table[b] === 1) out[b] = 1;
  }
  return out;
}

/** The NFA's states followed position by position over any byte (for the sets and probes above and below). */
class StateWalk {
  private readonly cache: (Int32Array | undefined)[];

  constructor(private readonly p: MagicProgram) {
    this.cache = new Array(p.op.length);
    scratch.ensure(p.op.length);
  }

  /** Adds the consuming states `s` leads to; false when it reaches the match state. */
  add(into: Set<number>, s: number): boolean {
    for (const t of closureOf(this.p, this.cache, s)) {
      if (t === REACHES_MATCH) return false;
      into.add(t);
    }
    return true;
  }

  /** The states before the first byte: the start, and past a `^` (BOL is fed first); undefined when a match needs no byte. */
  startStates(): Set<number> | undefined {
    const { op, out1 } = this.p;
    const states = new Set<number>();
    if (!this.add(states, this.p.start)) return undefined;
    for (const st of [...states]) if (op[st] === OP_BOL && !this.add(states, out1[st]!)) return undefined;
    return states;
  }

  /** The bytes state `st` consumes, or undefined for a state that consumes none (BOL, EOL). */
  classOf(st: number): Uint8Array | undefined {
    return this.p.op[st] === OP_CLS ? classes.tables[this.p.arg[st]!] : undefined;
  }
}

/** A byte position every match reads, and the bytes a match can have there. */
export interface MagicProbe {
  readonly pos: number;
  readonly set: Uint8Array;
}

/**
 * The most selective position among the first `depth` bytes that every
 * match of the pattern reads, with the byte values a match can have there
 * (a necessary condition: a buffer whose byte at `pos` is not in `set`, or
 * that is not longer than `pos`, cannot match). Found by following the NFA
 * position by position over any byte; undefined when no position before the
 * first possible match narrows the bytes to fewer than `maxSet` values.
 */
export function magicProbe(p: MagicProgram, depth = 32, maxSet = 64): MagicProbe | undefined {
  const walk = new StateWalk(p);
  let states = walk.startStates();
  if (!states) return undefined;
  let best: MagicProbe | undefined;
  let bestCount = maxSet;
  for (let pos = 0; pos < depth && states.size > 0; pos++) {
    const set = new Uint8Array(256);
    const next = new Set<number>();
    let matchable = false;
    for (const st of states) {
      const table = walk.classOf(st);
      if (!table) continue; // BOL and EOL consume no byte here
      for (let b = 0; b < 256; b++) if (table[b] === 1) set[b] = 1;
      if (!walk.add(next, p.out1[st]!)) matchable = true;
    }
    let count = 0;
    for (let b = 0; b < 256; b++) count += set[b]!;
    if (count < bestCount) {
      best = { pos, set };
      bestCount = count;
      if (count <= 1) break; // no position can narrow it further
    }
    // a match may end after this byte: later positions are not read by every match
    if (matchable) break;
    states = next;
  }
  return best;
}
