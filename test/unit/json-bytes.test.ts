/**
 * The byte encoder of the `--events` stream (json-bytes.ts) is a fast path
 * of encodeEvent: for every event of the fixture captures, and for events
 * whose arguments are arbitrary values (bigints of any size, integers,
 * fractions, -0, NaN, text with quotes, controls, non-ASCII and lone
 * surrogates, byte strings, nested records and arrays with unset fields),
 * its bytes must be the UTF-8 of `encodeEvent(...) + "\n"`.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { EVENT_PARAMS, type EventName } from '../../src/core/events/catalogue.js';
import { encodeEvent } from '../../src/core/events/json.js';
import { EventEncoder } from '../../src/core/events/json-bytes.js';
import { FIXTURES } from '../helpers/paths.js';
import { runChunks } from '../helpers/run.js';

const expected = (name: EventName, ts: number, args: readonly unknown[]) =>
  Buffer.from(`${encodeEvent(name, ts, args)}\n`, 'utf8');

test('every event of the fixture captures encodes to the same bytes', () => {
  const enc = new EventEncoder();
  let n = 0;
  for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.pcap'))) {
    const { events } = runChunks([readFileSync(join(FIXTURES, f))]);
    for (const e of events) {
      assert.deepEqual(Buffer.from(enc.line(e.name, e.ts, e.args)), expected(e.name, e.ts, e.args), `${f} ${e.name}`);
      n++;
    }
  }
  assert.ok(n > 1000, `only ${n} events`);
});

const scalar = fc.oneof(
  fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
  fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) + 10n }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 2 ** 53, 2 ** 53 + 2, 1e21, 1795528805.75939, Number.NaN, Number.POSITIVE_INFINITY),
  fc.boolean(),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('"', '\\', 'a\u0000b', '\ud800', 'é\udc00', '\u007f', 'dir\\file "x"'),
  fc.uint8Array({ maxLength: 20 }),
  fc.constant(null),
  fc.constant(undefined),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, tie('arr'), tie('rec')),
  arr: fc.array(tie('v'), { maxLength: 4 }),
  rec: fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 4 }),
})).v;

const NAMES = Object.keys(EVENT_PARAMS) as EventName[];
const conn = fc.record({
  uid: fc.string({ maxLength: 20 }),
  id: fc.record({ orig_h: fc.string(), orig_p: fc.nat(65535), resp_h: fc.string(), resp_p: fc.nat(65535) }),
});

test('events with arbitrary arguments encode to the same bytes', () => {
  const enc = new EventEncoder();
  fc.assert(
    fc.property(
      fc.constantFrom(...NAMES),
      fc.oneof(fc.double({ min: 0, max: 4e9, noNaN: true }), fc.double()),
      conn,
      fc.array(value, { minLength: 8, maxLength: 8 }),
      (name, ts, c, vals) => {
        const params = EVENT_PARAMS[name] as readonly string[];
        const args = params.map((p, i) => (p === 'c' ? c : vals[i % vals.length]));
        assert.deepEqual(Buffer.from(enc.line(name, ts, args)), expected(name, ts, args));
      },
    ),
    { numRuns: 2000 },
  );
});
