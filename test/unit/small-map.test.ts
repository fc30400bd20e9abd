/**
 * SmallMap holds the per-connection request and tree tables: any sequence of
 * operations must leave it exactly where a Map would be (contents, size,
 * order, the oldest key), whether it holds its entry inline or spilled.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SmallMap } from '../../src/core/small-map.js';

type Op = { kind: 'set' | 'delete' | 'get' | 'clear'; key: bigint; value: number };

/** Operations over keys 0..maxKey: few distinct keys make sets overwrite and deletes hit, more make it grow. */
const op = (maxKey: bigint, clears: boolean) =>
  fc.record({
    kind: clears
      ? fc.constantFrom<Op['kind']>('set', 'set', 'delete', 'get', 'clear')
      : fc.constantFrom<Op['kind']>('set', 'set', 'set', 'delete', 'get'),
    key: fc.bigInt({ min: 0n, max: maxKey }),
    value: fc.integer(),
  });

// inline entry only, the arrays (up to 16 entries), and beyond them a Map, and back
const ops = fc.oneof(
  fc.array(op(4n, true), { maxLength: 60 }),
  fc.array(op(24n, false), { minLength: 40, maxLength: 120, size: 'max' }),
  fc.array(op(40n, true), { minLength: 40, maxLength: 200, size: 'max' }),
);

test('SmallMap behaves as Map for any sequence of operations', () => {
  fc.assert(
    fc.property(ops, (ops) => {
      const small = new SmallMap<bigint, number>();
      const ref = new Map<bigint, number>();
      for (const o of ops) {
        switch (o.kind) {
          case 'set':
            small.set(o.key, o.value);
            ref.set(o.key, o.value);
            break;
          case 'delete':
            assert.equal(small.delete(o.key), ref.delete(o.key));
            break;
          case 'get':
            assert.equal(small.get(o.key), ref.get(o.key));
            assert.equal(small.has(o.key), ref.has(o.key));
            break;
          case 'clear':
            small.clear();
            ref.clear();
            break;
        }
        assert.equal(small.size, ref.size);
        assert.equal(small.firstKey(), ref.keys().next().value);
        assert.deepEqual([...small.entries()], [...ref.entries()]);
      }
    }),
    { numRuns: 500 },
  );
});

test('SmallMap compares bigint keys by value, as Map does', () => {
  const m = new SmallMap<bigint, string>();
  m.set(2n ** 64n - 1n, 'a');
  assert.equal(m.get(BigInt('18446744073709551615')), 'a');
  m.set(7n, 'b');
  assert.equal(m.get(BigInt(7)), 'b');
  assert.equal(m.size, 2);
});
