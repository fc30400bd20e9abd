/**
 * Zeek logs as text: run the Analyzer with in-memory sinks, parse Zeek's TSV
 * and JSON log formats (docs/zeek-behaviour.md section 5), compare the two
 * formats record by record, and set uids and #open/#close aside for
 * comparing two runs.
 *
 * The parsers follow Zeek's documented formats, not smbscope's writer: a
 * TSV record is split on TAB, `-` is unset, `(empty)` an empty string or
 * set; a JSON record is one object per line with numbers kept as written.
 */

import { Analyzer, type AnalyzerOptions } from '../../src/core/analyzer.js';
import type { ExtractorFactory } from '../../src/core/files/manager.js';
import type { SinkFactory } from '../../src/core/logs/writer.js';

// ---------------------------------------------------------------------------
// running

/** Log file name → its whole text. */
export type LogTexts = Map<string, string>;

export function memorySinks(): { open: SinkFactory; texts: LogTexts; closed: Set<string> } {
  const texts: LogTexts = new Map();
  const closed = new Set<string>();
  const open: SinkFactory = (name) => {
    texts.set(name, '');
    return {
      write: (t) => {
        texts.set(name, texts.get(name) + t);
      },
      close: () => {
        closed.add(name);
      },
    };
  };
  return { open, texts, closed };
}

export function memoryExtractor(): { factory: ExtractorFactory; files: Map<string, Buffer> } {
  const files = new Map<string, Buffer>();
  const factory: ExtractorFactory = (first) => {
    const parts: Buffer[] = [];
    let name = first;
    files.set(name, Buffer.alloc(0));
    return {
      write: (b) => {
        parts.push(Buffer.from(b));
      },
      rename: (next) => {
        files.delete(name);
        name = next;
        files.set(name, Buffer.alloc(0));
      },
      close: () => {
        files.set(name, Buffer.concat(parts));
      },
    };
  };
  return { factory, files };
}

/** Runs the Analyzer over a whole capture, logs in memory. */
export function runLogs(
  capture: Uint8Array,
  format: 'tsv' | 'json',
  options: Omit<AnalyzerOptions, 'logs'> = {},
): { texts: LogTexts; closed: Set<string> } {
  const sinks = memorySinks();
  const a = new Analyzer({
    verifyChecksums: false,
    seed: 7,
    ...options,
    logs: { format, open: sinks.open, clock: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) },
  });
  a.push(capture);
  a.end();
  return { texts: sinks.texts, closed: sinks.closed };
}

// ---------------------------------------------------------------------------
// TSV

export interface TsvLog {
  path: string;
  fields: string[];
  types: string[];
  /** record lines split on TAB, values still escaped */
  rows: string[][];
  /** the header lines before #fields/#types, as written */
  header: string[];
  open: string | undefined;
  close: string | undefined;
}

export function parseTsv(text: string): TsvLog {
  const log: TsvLog = { path: '', fields: [], types: [], rows: [], header: [], open: undefined, close: undefined };
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    if (line.startsWith('#')) {
      const [key, ...rest] = line.split('\t');
      if (key === '#fields') log.fields = rest;
      else if (key === '#types') log.types = rest;
      else if (key === '#path') log.path = rest[0] ?? '';
      else if (key === '#open') log.open = rest[0];
      else if (key === '#close') log.close = rest[0];
      if (key !== '#fields' && key !== '#types') log.header.push(line);
      continue;
    }
    const row = line.split('\t');
    if (row.length !== log.fields.length) {
      throw new Error(`${log.path}: a record with ${row.length} values for ${log.fields.length} fields: ${line}`);
    }
    log.rows.push(row);
  }
  return log;
}

/** The records of a TSV log as objects (values still escaped; `-` kept). */
export function records(log: TsvLog): Record<string, string>[] {
  return log.rows.map((r) => Object.fromEntries(log.fields.map((f, i) => [f, r[i]!])));
}

/** Parses the TSV text of a log (or returns an empty log when the file was not written). */
export function tsvRecords(texts: LogTexts, file: string): Record<string, string>[] {
  const t = texts.get(file);
  return t === undefined ? [] : records(parseTsv(t));
}

/** Unescapes a TSV string value (backslash escapes as Zeek writes them; `\xNN` → the byte). */
export function unescapeTsv(s: string): string {
  if (s === '\\x2d') return '-';
  return s.replace(/\\(\\|x([0-9a-f]{2}))/g, (_m, a: string, hex: string | undefined) =>
    hex === undefined ? a : String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** A TSV time/interval ("1795511268.393803") as a number. */
export function tsvTime(s: string): number {
  assertFixed6(s);
  return Number(s);
}

function assertFixed6(s: string): void {
  if (!/^-?\d+\.\d{6}$/.test(s)) throw new Error(`not a Zeek TSV time: ${JSON.stringify(s)}`);
}

// ---------------------------------------------------------------------------
// JSON lines

/** A JSON number with its text (exact for 64-bit counts). */
export class JsonNum {
  constructor(readonly text: string) {}
  get value(): number {
    return Number(this.text);
  }
}
export type JsonVal = string | boolean | null | JsonNum | JsonVal[] | { [k: string]: JsonVal };

/** Parses one JSON text keeping numbers as written and object keys in order. */
export function parseJson(text: string): JsonVal {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`JSON: ${what} at ${i} in ${text.slice(0, 200)}`);
  };
  const value = (): JsonVal => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: { [k: string]: JsonVal } = {};
      ws();
      if (text[i] === '}') {
        i++;
        return o;
      }
      for (;;) {
        ws();
        const k = value();
        if (typeof k !== 'string') fail('object key');
        ws();
        if (text[i++] !== ':') fail('expected :');
        if (Object.hasOwn(o, k as string)) fail(`duplicate key ${k as string}`);
        o[k as string] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return o;
        } else fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const a: JsonVal[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return a;
        } else fail('expected , or ]');
      }
    }
    if (c === '"') {
      const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(text.slice(i));
      if (!m) return fail('bad string');
      i += m[0].length;
      return JSON.parse(m[0]) as string;
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(text.slice(i));
    if (m) {
      i += m[0].length;
      return new JsonNum(m[0]);
    }
    for (const [w, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(w, i)) {
        i += w.length;
        return v;
      }
    }
    return fail('unexpected character');
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing text');
  return v;
}

/** One object per line. */
export function parseJsonLog(text: string): { [k: string]: JsonVal }[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const v = parseJson(l);
      if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof JsonNum) {
        throw new Error(`not a JSON object: ${l}`);
      }
      return v;
    });
}

// ---------------------------------------------------------------------------
// TSV vs JSON (docs/zeek-behaviour.md 5.2, 5.3)

/** The form Zeek's JSON writer gives a string (HEX policy): control bytes as \xNN text, others as they are. */
function tsvStringAsJson(escaped: string, inSet: boolean): string {
  if (!inSet && escaped === '(empty)') return '';
  if (escaped === '\\x28empty)') return '(empty)';
  // TSV: "\\" is a backslash, "\xNN" a byte (control, invalid UTF-8, a leading '#', '-' alone, ',' in sets)
  return escaped.replace(/\\(\\|x([0-9a-f]{2}))/g, (_m, a: string, hex: string | undefined) => {
    if (hex === undefined) return a;
    const b = Number.parseInt(hex, 16);
    // printable bytes that TSV escapes for its own syntax come back as themselves
    if (b >= 0x20 && b < 0x7f) return String.fromCharCode(b);
    // \b \f \n \r \t are JSON short escapes (the string holds the character)
    if ([8, 9, 10, 12, 13].includes(b)) return String.fromCharCode(b);
    return `\\x${hex}`;
  });
}

/** rapidjson's layout of a double (JS shortest round trip, ".0" for integral values, no "+" in exponents). */
function zeekJsonDouble(n: number): string {
  if (Object.is(n, -0)) return '-0.0';
  const s = String(n).replace('e+', 'e');
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/**
 * Differences between the records of a TSV log and the same log in JSON, by
 * Zeek's rules: same records in the same order; a JSON object has exactly
 * the set fields, in column order; unset (`-`) is absent; bool, count, int,
 * port as JSON literals; time/interval/double as numbers within the TSV's
 * 6-decimal rounding and in rapidjson's layout; sets/vectors as arrays;
 * strings with the same content.
 */
export function tsvJsonDifferences(tsv: TsvLog, json: { [k: string]: JsonVal }[]): string[] {
  const out: string[] = [];
  if (tsv.rows.length !== json.length) {
    out.push(`${tsv.path}: ${tsv.rows.length} TSV records, ${json.length} JSON records`);
    return out;
  }
  tsv.rows.forEach((row, r) => {
    const obj = json[r]!;
    const where = (f: string) => `${tsv.path} record ${r + 1} ${f}`;
    const setFields = tsv.fields.filter((_f, i) => row[i] !== '-');
    const keys = Object.keys(obj);
    if (keys.join(',') !== setFields.join(',')) {
      out.push(`${tsv.path} record ${r + 1}: JSON keys [${keys}] but set TSV fields [${setFields}]`);
    }
    tsv.fields.forEach((f, i) => {
      const t = row[i]!;
      const type = tsv.types[i]!;
      if (t === '-') return;
      const j = obj[f];
      if (j === undefined) return; // reported above
      const diff = compareValue(type, t, j);
      if (diff) out.push(`${where(f)}: ${diff}`);
    });
  });
  return out;
}

function compareValue(type: string, t: string, j: JsonVal): string | undefined {
  const container = /^(set|vector)\[(.+)\]$/.exec(type);
  if (container) {
    if (!Array.isArray(j)) return `TSV ${t}, JSON not an array: ${JSON.stringify(j)}`;
    const elems = t === '(empty)' ? [] : t.split(',');
    if (elems.length !== j.length) return `TSV ${t} (${elems.length} elements), JSON ${JSON.stringify(j)}`;
    for (let k = 0; k < elems.length; k++) {
      const d = compareScalar(container[2]!, elems[k]!, j[k]!, true);
      if (d) return `element ${k}: ${d}`;
    }
    return undefined;
  }
  return compareScalar(type, t, j, false);
}

function compareScalar(type: string, t: string, j: JsonVal, inSet: boolean): string | undefined {
  switch (type) {
    case 'bool':
      if (t !== 'T' && t !== 'F') return `TSV bool ${t}`;
      return j === (t === 'T') ? undefined : `TSV ${t}, JSON ${JSON.stringify(j)}`;
    case 'count':
    case 'int':
    case 'port':
      if (!(j instanceof JsonNum)) return `TSV ${t}, JSON not a number: ${JSON.stringify(j)}`;
      return j.text === t ? undefined : `TSV ${t}, JSON ${j.text}`;
    case 'time':
    case 'interval':
    case 'double': {
      if (!(j instanceof JsonNum)) return `TSV ${t}, JSON not a number: ${JSON.stringify(j)}`;
      if (j.text !== zeekJsonDouble(j.value))
        return `JSON ${j.text} is not rapidjson's form ${zeekJsonDouble(j.value)}`;
      if (type !== 'double') {
        try {
          assertFixed6(t);
        } catch (e) {
          return (e as Error).message;
        }
        // TSV keeps 6 decimals: the JSON value rounds to it (half a microsecond, plus the doubles' spacing)
        if (Math.abs(Number(t) - j.value) > 5e-7 + Math.abs(j.value) * 2.3e-16) return `TSV ${t}, JSON ${j.text}`;
      } else if (Math.abs(Number(t) - j.value) > 5e-7) return `TSV ${t}, JSON ${j.text}`;
      return undefined;
    }
    default: {
      // string, enum, addr, subnet, pattern
      if (typeof j !== 'string') return `TSV ${t}, JSON not a string: ${JSON.stringify(j)}`;
      const want = tsvStringAsJson(t, inSet);
      return want === j
        ? undefined
        : `TSV ${JSON.stringify(t)} means ${JSON.stringify(want)}, JSON ${JSON.stringify(j)}`;
    }
  }
}

// ---------------------------------------------------------------------------
// comparing two runs (live vs file)

const UID_FIELD = /(^|\.)(uid|fuid|parent_fuid|conn_uids|fuids|uids)$/;

/**
 * The lines of every log with #open/#close left out and connection and file
 * uids renamed C#1, C#2, ... / F#1, ... in order of first appearance across
 * the logs (taken in the order given), as the conformance harness does.
 * Extracted file names carry a fuid: it is renamed there too.
 */
export function canonicalLogs(texts: LogTexts, order: readonly string[]): Map<string, string[]> {
  const names = new Map<string, string>();
  const count = { C: 0, F: 0, X: 0 };
  const rename = (u: string): string => {
    let v = names.get(u);
    if (v === undefined) {
      const p = u[0] === 'C' || u[0] === 'F' ? u[0] : 'X';
      v = `${p}#${++count[p]}`;
      names.set(u, v);
    }
    return v;
  };
  const out = new Map<string, string[]>();
  const files = [...order.filter((f) => texts.has(f)), ...[...texts.keys()].filter((f) => !order.includes(f)).sort()];
  for (const file of files) {
    const lines: string[] = [];
    let uidCols: number[] = [];
    let extractedCol = -1;
    for (const line of texts.get(file)!.split('\n')) {
      if (line === '' || line.startsWith('#open\t') || line.startsWith('#close\t')) continue;
      if (line.startsWith('#fields\t')) {
        const fields = line.split('\t').slice(1);
        uidCols = fields.map((f, i) => (UID_FIELD.test(f) ? i : -1)).filter((i) => i >= 0);
        extractedCol = fields.indexOf('extracted');
        lines.push(line);
        continue;
      }
      if (line.startsWith('#')) {
        lines.push(line);
        continue;
      }
      const v = line.split('\t');
      for (const i of uidCols) {
        if (v[i] === undefined || v[i] === '-' || v[i] === '(empty)') continue;
        v[i] = v[i]!.split(',').map(rename).join(',');
      }
      if (extractedCol >= 0 && v[extractedCol] && v[extractedCol] !== '-') {
        v[extractedCol] = v[extractedCol]!.replace(/F[0-9A-Za-z]{10,}$/, (u) => rename(u));
      }
      lines.push(v.join('\t'));
    }
    out.set(file, lines);
  }
  return out;
}
