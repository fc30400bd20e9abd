/**
 * The `--events` stream encoded straight to UTF-8 bytes: the bytes of
 * `encodeEvent(...) + "\n"` (json.ts, which stays the definition; see
 * test/unit/json-bytes.test.ts), without building each line as a string of
 * concatenated pieces first. Counts, plain ASCII text, byte strings (hex)
 * and the names of events, parameters, fields and connections are written
 * byte by byte or copied from per-name caches; non-integral numbers, very
 * large integers and text that needs escaping go through the same
 * conversions as json.ts.
 */

import { ByteWriter } from '../bytes/writer.js';
import { EVENT_PARAMS, type EventName } from './catalogue.js';
import { encodeValue } from './json.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const NEWLINE = 0x0a;
const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

const utf8 = new TextEncoder();
const bytesOf = (s: string): Uint8Array => utf8.encode(s);

const TS = bytesOf('{"ts":');
const ARGS = bytesOf(',"args":{');
const NULL = bytesOf('null');
const TRUE = bytesOf('true');
const FALSE = bytesOf('false');

export class EventEncoder extends ByteWriter {
  /** `,"event":"name"` per event name */
  private readonly names = new Map<string, Uint8Array>();
  /** `"key":` per parameter or field name (names are few; capped against hostile records) */
  private readonly keys = new Map<string, Uint8Array>();
  /** `,"uid":...,"id":{...}` per connection */
  private readonly conns = new WeakMap<object, Uint8Array>();

  constructor() {
    super(64 * 1024);
  }

  /** One event as a line of the stream, newline included; the view is valid until the next call. */
  line(name: EventName, ts: number, args: readonly unknown[]): Uint8Array {
    this.pos = 0;
    const params = EVENT_PARAMS[name] as readonly string[];
    this.raw(TS);
    if (Number.isFinite(ts)) this.number(ts);
    else this.ascii(String(ts));
    let head = this.names.get(name);
    if (!head) {
      head = bytesOf(`,"event":${JSON.stringify(name)}`);
      this.names.set(name, head);
    }
    this.raw(head);
    // the connection goes in the head, before "args", wherever its parameter stands
    for (let i = 0; i < params.length; i++) {
      if (params[i] === 'c') this.raw(this.connOf(args[i] as { uid: string; id: unknown }));
    }
    this.raw(ARGS);
    let first = true;
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      const v = args[i];
      if (p === 'c' || v === undefined) continue;
      if (!first) this.byte(COMMA);
      first = false;
      this.raw(this.keyOf(p));
      this.value(v);
    }
    this.ensure(3);
    this.buf[this.pos++] = CLOSE_BRACE;
    this.buf[this.pos++] = CLOSE_BRACE;
    this.buf[this.pos++] = NEWLINE;
    return this.written();
  }

  private connOf(c: { uid: string; id: unknown }): Uint8Array {
    let t = this.conns.get(c);
    if (!t) {
      t = bytesOf(`,"uid":${JSON.stringify(c.uid)},"id":${encodeValue(c.id)}`);
      this.conns.set(c, t);
    }
    return t;
  }

  private keyOf(k: string): Uint8Array {
    let t = this.keys.get(k);
    if (!t) {
      t = bytesOf(`${JSON.stringify(k)}:`);
      if (this.keys.size < 4096) this.keys.set(k, t);
    }
    return t;
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case 'bigint':
        if (!this.count(v)) this.ascii(v.toString());
        return;
      case 'number':
        this.number(v);
        return;
      case 'boolean':
        this.raw(v ? TRUE : FALSE);
        return;
      case 'string':
        this.string(v);
        return;
      case 'object':
        if (v === null) this.raw(NULL);
        else if (v instanceof Uint8Array) this.hex(v);
        else if (Array.isArray(v)) this.array(v);
        else this.record(v as Record<string, unknown>);
        return;
      default:
        this.raw(NULL);
    }
  }

  private array(a: readonly unknown[]): void {
    this.byte(OPEN_BRACKET);
    for (let i = 0; i < a.length; i++) {
      if (i > 0) this.byte(COMMA);
      this.value(a[i]);
    }
    this.byte(CLOSE_BRACKET);
  }

  private record(rec: Record<string, unknown>): void {
    this.byte(OPEN_BRACE);
    let first = true;
    for (const k in rec) {
      const x = rec[k];
      if (x === undefined) continue;
      if (!first) this.byte(COMMA);
      first = false;
      this.raw(this.keyOf(k));
      this.value(x);
    }
    this.byte(CLOSE_BRACE);
  }

  /** A number as json.ts writes it: String(v) (shortest round trip), null when not finite. */
  private number(v: number): void {
    if (this.count(v)) return;
    if (Number.isFinite(v)) this.ascii(String(v));
    else this.raw(NULL);
  }

  /** A JSON string: printable ASCII without quote or backslash as it is, anything else as JSON.stringify writes it. */
  private string(s: string): void {
    const n = s.length;
    this.ensure(n + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c >= 0x7f || c === QUOTE || c === BACKSLASH) {
        // unpaired surrogates become U+FFFD (CONTRACT.md)
        this.text(JSON.stringify(s.isWellFormed() ? s : s.toWellFormed()));
        return;
      }
      b[p++] = c;
    }
    b[p++] = QUOTE;
    this.pos = p;
  }

  private hex(v: Uint8Array): void {
    this.ensure(2 * v.length + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = QUOTE;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      b[p++] = HEX[x >> 4]!;
      b[p++] = HEX[x & 15]!;
    }
    b[p++] = QUOTE;
    this.pos = p;
  }
}
