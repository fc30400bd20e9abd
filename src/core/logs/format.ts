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
  let s = '';
  const types = schema.types;
  for (let i = 0; i < types.length; i++) {
    if (i > 0) s += SEPARATOR;
    s += tsvValue(types[i]!, values[i]);
  }
  return `${s}\n`;
}

function tsvValue(type: ZeekType, v: LogValue): string {
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

/** Zeek's double formatting in logs (%.6f-like, trailing zeros kept). */
export function zeekDouble(d: number): string {
  return d.toFixed(6);
}

const UTF8 = new TextEncoder();

/**
 * Escapes a string field for TSV: the string's UTF-8 bytes, with "\\" as
 * "\\\\", bytes outside 0x20-0x7e as \xNN (valid multi-byte UTF-8 is kept
 * when `utf8` output is enabled), the separator as \x09, and in containers
 * the set separator as \x2c. A field equal to "-" or "(empty)" is escaped so
 * it cannot be read as unset or empty.
 */
export function escapeTsv(s: string, inSet: boolean): string {
  // fast path: printable ASCII without backslash or separators
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x5c || (inSet && c === 0x2c)) {
      plain = false;
      break;
    }
  }
  if (plain) {
    if (s === UNSET || s === EMPTY) return escapeAll(s);
    return s;
  }
  let out = '';
  const bytes = UTF8.encode(s);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x5c) out += '\\\\';
    else if (inSet && b === 0x2c) out += '\\x2c';
    else if (b < 0x20 || b > 0x7e) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

function escapeAll(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += `\\x${s.charCodeAt(i).toString(16).padStart(2, '0')}`;
  return out;
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
      return `[${(v as readonly (string | number | bigint)[]).map((x) => (typeof x === 'string' ? JSON.stringify(x) : String(x))).join(',')}]`;
    default:
      return JSON.stringify(String(v));
  }
}

/** Zeek's JSON number for time/interval/double: up to six decimals, no trailing zeros. */
function jsonNumber(d: number): string {
  if (!Number.isFinite(d)) return '0';
  const s = d.toFixed(6);
  const t = s.replace(/0+$/, '').replace(/\.$/, '.0');
  return t;
}
