/**
 * The `--events` stream: one JSON object per event (see CONTRACT.md).
 *
 *   {"ts":...,"event":"...","uid":"...","id":{...},"args":{...}}
 *
 * Values are encoded from their runtime type, which the catalogue fixes per
 * Zeek type: bigint -> exact integer; number -> shortest round-trip text
 * (counts, times, doubles); Uint8Array -> lowercase hex (opaque strings);
 * string -> JSON string; arrays and records recursively, with unset
 * optional fields (undefined) left out.
 */

import { hex } from '../bytes/read.js';
import { EVENT_PARAMS, type EventName } from './catalogue.js';

export function encodeValue(v: unknown): string {
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      // unpaired surrogates become U+FFFD (CONTRACT.md)
      return JSON.stringify(v.isWellFormed() ? v : v.toWellFormed());
    case 'object': {
      if (v === null) return 'null';
      if (v instanceof Uint8Array) return `"${hex(v)}"`;
      if (Array.isArray(v)) return `[${v.map(encodeValue).join(',')}]`;
      let s = '{';
      const rec = v as Record<string, unknown>;
      for (const k in rec) {
        const x = rec[k];
        if (x === undefined) continue;
        s += `${s.length > 1 ? ',' : ''}${keyText(k)}${encodeValue(x)}`;
      }
      return `${s}}`;
    }
    default:
      return 'null';
  }
}

/** `"key":` for a record field or parameter name (names are few: cached). */
const keys = new Map<string, string>();
function keyText(k: string): string {
  let t = keys.get(k);
  if (t === undefined) {
    t = `${JSON.stringify(k)}:`;
    if (keys.size < 4096) keys.set(k, t);
  }
  return t;
}

/** `"uid":...,"id":{...}` of a connection, encoded once per connection. */
const connTexts = new WeakMap<object, string>();
function connText(c: { uid: string; id: unknown }): string {
  let t = connTexts.get(c);
  if (t === undefined) {
    t = `,"uid":${JSON.stringify(c.uid)},"id":${encodeValue(c.id)}`;
    connTexts.set(c, t);
  }
  return t;
}

/** One event as a line of the stream (without the newline). */
export function encodeEvent(name: EventName, ts: number, args: readonly unknown[]): string {
  const names = EVENT_PARAMS[name] as readonly string[];
  let head = `{"ts":${String(ts)},"event":"${name}"`;
  let body = '';
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!;
    const v = args[i];
    if (n === 'c') {
      head += connText(v as { uid: string; id: unknown });
      continue;
    }
    if (v === undefined) continue;
    body += `${body ? ',' : ''}${keyText(n)}${encodeValue(v)}`;
  }
  return `${head},"args":{${body}}}`;
}
