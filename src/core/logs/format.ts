/**
 * Zeek's log formats: the ASCII (TSV) writer and the JSON writer.
 *
 * TSV: a header (#separator, #set_separator, #empty_field, #unset_field,
 * #path, #open, #fields, #types), one line per record with fields separated
 * by tabs, and a #close footer. Times and intervals have six decimals;
 * unset values are "-", empty strings and containers "(empty)"; strings are
 * escaped byte-wise (see escapeTsv).
 *
 * JSON: one object per line, keys are the flattened field names
 * ("id.orig_h"), unset fields are left out.
 */

export type ZeekType =
  | 'time'
  | 'interval'
  | 'double'
  | 'count'
  | 'int'
  | 'bool'
  | 'port'
  | 'addr'
  | 'subnet'
  | 'string'
  | 'enum'
  | 'set[string]'
  | 'set[enum]'
  | 'vector of string'
  | 'vector of count';

export interface LogSchema {
  path: string;
  fields: readonly string[];
  types: readonly ZeekType[];
}

/** A field value; undefined is an unset field. */
export type LogValue = string | number | bigint | boolean | undefined | readonly (string | number | bigint)[];

const SEPARATOR = '\t';
const SET_SEPARATOR = ',';
const EMPTY = '(empty)';
const UNSET = '-';

export function tsvHeader(schema: LogSchema, openTime: Date): string {
  return (
    `#separator \\x09\n#set_separator${SEPARATOR}${SET_SEPARATOR}\n#empty_field${SEPARATOR}${EMPTY}\n` +
    `#unset_field${SEPARATOR}${UNSET}\n#path${SEPARATOR}${schema.path}\n#open${SEPARATOR}${zeekDate(openTime)}\n` +
    `#fields${SEPARATOR}${schema.fields.join(SEPARATOR)}\n#types${SEPARATOR}${schema.types.join(SEPARATOR)}\n`
  );
}

export function tsvFooter(closeTime: Date): string {
  return `#close${SEPARATOR}${zeekDate(closeTime)}\n`;
}

/** Zeek's #open/#close time: local wall-clock time as YYYY-MM-DD-HH-MM-SS. */
export function zeekDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
}

export function tsvLine(schema: LogSchema, values: readonly LogValue[]): string {
  const types = schema.types;
  const n = types.length;
  // one flat string from the fields (appending would build a rope of two pieces per field)
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = tsvValue(types[i]!, values[i]);
  parts[n - 1] += '\n';
  return parts.join(SEPARATOR);
}

/** One field as TSV text (escaped; "-" when unset). */
export function tsvValue(type: ZeekType, v: LogValue): string {
  if (v === undefined) return UNSET;
  switch (type) {
    case 'time':
    case 'interval':
      return fixed6(v as number);
    case 'double':
      return zeekDouble(v as number);
    case 'bool':
      return v ? 'T' : 'F';
    case 'count':
    case 'int':
    case 'port':
      return String(v);
    case 'set[string]':
    case 'set[enum]':
    case 'vector of string':
    case 'vector of count': {
      const a = v as readonly (string | number | bigint)[];
      if (a.length === 0) return EMPTY;
      return a.map((x) => (typeof x === 'string' ? escapeTsv(x, true) : String(x))).join(SET_SEPARATOR);
    }
    default: {
      const str = String(v);
      if (str.length === 0) return EMPTY;
      return escapeTsv(str, false);
    }
  }
}

/** %.6f of a time or interval (exact decimal rounding of the double, as printf). */
export function fixed6(d: number): string {
  return d.toFixed(6);
}

/** Zeek's double in TSV: up to six decimals, trailing zeros removed, ".0" when integral. */
export function zeekDouble(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (!Number.isFinite(d)) return d > 0 ? 'inf' : '-inf';
  if (Object.is(d, -0)) return '-0.0';
  const s = d.toFixed(6).replace(/0+$/, '');
  return s.endsWith('.') ? `${s}0` : s;
}

/**
 * Escapes a string field for TSV as Zeek's ASCII writer does with UTF-8
 * output enabled (its default): "\\" becomes "\\\\"; control characters
 * (below 0x20) and DEL become \xNN; valid non-ASCII text passes through;
 * bytes that are not valid UTF-8 become \xNN (a lone surrogate, which Zeek
 * holds as the bytes ED xx xx, becomes three escapes); inside a container
 * the set separator "," becomes \x2c. A field that is exactly "-" or
 * "(empty)" is escaped so it cannot be read as unset or empty.
 */
export function escapeTsv(s: string, inSet: boolean): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x5c || (inSet && c === 0x2c)) {
      plain = false;
      break;
    }
  }
  if (plain) {
    if (s === UNSET) return '\\x2d';
    if (s === EMPTY) return '\\x28empty)';
    return s;
  }
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (inSet && c === 0x2c) out += '\\x2c';
    else if (c < 0x20 || c === 0x7f) out += hexEscape(c);
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else out += wtf8Escapes(c);
    } else out += s[i]!;
  }
  return out;
}

function hexEscape(b: number): string {
  return `\\x${b.toString(16).padStart(2, '0')}`;
}

/** The three bytes Zeek holds for a lone surrogate (ED xx xx), escaped. */
function wtf8Escapes(c: number): string {
  return hexEscape(0xe0 | (c >> 12)) + hexEscape(0x80 | ((c >> 6) & 0x3f)) + hexEscape(0x80 | (c & 0x3f));
}

/**
 * A string as Zeek's JSON writer writes it: valid UTF-8 raw, quote and
 * backslash escaped, \b \f \n \r \t as JSON escapes, other control bytes
 * and invalid bytes (lone surrogates) as the text \xNN.
 */
export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c < 0x20) {
      if (c === 0x08) out += '\\b';
      else if (c === 0x0c) out += '\\f';
      else if (c === 0x0a) out += '\\n';
      else if (c === 0x0d) out += '\\r';
      else if (c === 0x09) out += '\\t';
      else out += `\\\\x${c.toString(16).padStart(2, '0')}`;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        for (const b of [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]) {
          out += `\\\\x${b.toString(16)}`;
        }
      }
    } else out += s[i]!;
  }
  return `${out}"`;
}

/** One JSON log line. */
export function jsonLine(schema: LogSchema, values: readonly LogValue[]): string {
  let s = '{';
  let first = true;
  const types = schema.types;
  for (let i = 0; i < types.length; i++) {
    const v = values[i];
    if (v === undefined) continue;
    s += `${first ? '' : ','}"${schema.fields[i]}":${jsonValue(types[i]!, v)}`;
    first = false;
  }
  return `${s}}\n`;
}

function jsonValue(type: ZeekType, v: Exclude<LogValue, undefined>): string {
  switch (type) {
    case 'time':
    case 'interval':
    case 'double':
      return jsonNumber(v as number);
    case 'bool':
      return v ? 'true' : 'false';
    case 'count':
    case 'int':
    case 'port':
      return String(v);
    case 'set[string]':
    case 'set[enum]':
    case 'vector of string':
    case 'vector of count':
      return `[${(v as readonly (string | number | bigint)[]).map((x) => (typeof x === 'string' ? jsonString(x) : String(x))).join(',')}]`;
    default:
      return jsonString(String(v));
  }
}

/**
 * Zeek's JSON number for time/interval/double: the shortest round-trip
 * decimal, ".0" on integral values, exponents without "+", -0 as "-0.0",
 * NaN and infinities as null.
 */
export function jsonNumber(d: number): string {
  if (!Number.isFinite(d)) return 'null';
  if (Object.is(d, -0)) return '-0.0';
  const s = String(d).replace('e+', 'e');
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}
