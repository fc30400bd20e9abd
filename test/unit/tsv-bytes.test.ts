/**
 * The byte encoder of TSV records (tsv-bytes.ts) is a fast path of tsvLine:
 * for any record of any schema its bytes must be the UTF-8 of tsvLine's
 * string, including times next to a rounding tie, escapes, non-ASCII and
 * lone surrogates, huge and negative numbers.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type LogSchema, type LogValue, tsvLine, type ZeekType } from '../../src/core/logs/format.js';
import { TsvEncoder } from '../../src/core/logs/tsv-bytes.js';

const SCALAR: ZeekType[] = ['time', 'interval', 'double', 'count', 'int', 'bool', 'port', 'addr', 'string', 'enum'];
const CONTAINER: ZeekType[] = ['set[string]', 'set[enum]', 'vector of string', 'vector of count'];

const time = fc.oneof(
  fc.double({ min: 0, max: 2e9, noNaN: true }),
  // capture-like times, and values a hair away from a half-microsecond tie
  fc
    .integer({ min: 1_000_000_000, max: 1_900_000_000 })
    .map((s) => s + 0.7593905),
  fc.integer({ min: 0, max: 999_999 }).map((u) => 1_795_528_805 + (u + 0.5) / 1e6),
  fc.integer({ min: 0, max: 999_999 }).map((u) => (u + 0.5) / 1e6),
  fc.constantFrom(0, 0.9999995, 0.0000005, 4294967295.9999995, 2 ** 32, 1e300, -0.5, -1.2345675),
  fc.double(),
);
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '-', '(empty)', '\\', 'a,b', 'dir\\file.dat', '\ud800x', 'é', '\u007f'),
);
const count = fc.oneof(
  fc.nat(),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.constantFrom(0, 9, 10, 99, 100, Number.MAX_SAFE_INTEGER, 2 ** 53, -1, 1.5),
);

function fieldValue(type: ZeekType): fc.Arbitrary<LogValue> {
  switch (type) {
    case 'time':
    case 'interval':
    case 'double':
      return time;
    case 'count':
    case 'int':
    case 'port':
      return count;
    case 'bool':
      return fc.boolean();
    case 'vector of count':
      return fc.array(count, { maxLength: 4 });
    case 'set[string]':
    case 'set[enum]':
    case 'vector of string':
      return fc.array(text, { maxLength: 4 });
    default:
      return text;
  }
}

const record = fc
  .array(fc.constantFrom(...SCALAR, ...CONTAINER), { minLength: 1, maxLength: 12 })
  .chain((types) =>
    fc.tuple(fc.constant(types), fc.tuple(...types.map((t) => fc.option(fieldValue(t), { nil: undefined })))),
  );

test('TsvEncoder writes the UTF-8 bytes of tsvLine for any record', () => {
  const enc = new TsvEncoder();
  fc.assert(
    fc.property(record, ([types, values]) => {
      const schema: LogSchema = { path: 'x', fields: types.map((_, i) => `f${i}`), types };
      const want = Buffer.from(tsvLine(schema, values as LogValue[]), 'utf8');
      assert.deepEqual(Buffer.from(enc.line(schema, values as LogValue[])), want);
    }),
    { numRuns: 3000 },
  );
});

test('TsvEncoder rounds times as %.6f does, tie by tie', () => {
  const enc = new TsvEncoder();
  const schema: LogSchema = { path: 'x', fields: ['ts'], types: ['time'] };
  // every half-microsecond point of one second of capture time, and its neighbours
  for (let u = 0; u < 1_000_000; u += 997) {
    for (const d of [1_795_528_805 + (u + 0.5) / 1e6, (u + 0.5) / 1e6, 1_795_528_805 + u / 1e6]) {
      const got = new TextDecoder().decode(enc.line(schema, [d]));
      assert.equal(got, `${d.toFixed(6)}\n`, String(d));
    }
  }
});
