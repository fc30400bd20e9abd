/**
 * RecentDigests (smb_files.log de-duplication) must behave exactly as the
 * Map it replaced: digest -> time of last lookup, a lookup moving the key to
 * the back, the oldest at the front, whatever the sequence of lookups and
 * removals, across growth, bucket collisions and emptying.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RecentDigests } from '../../src/core/policy/recent.js';

type Digest = [number, number, number, number];

// digests from a small pool (lookups hit), some sharing a bucket (the words' XOR), some differing in one word only
const word = fc.constantFrom(0, 1, 2, -1, 0x7fffffff, -0x80000000, 12345);
const digest = fc.tuple(word, word, word, word) as fc.Arbitrary<Digest>;
const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('touch' as const), d: digest }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), d: digest }) },
);

function check(ops: { kind: 'touch' | 'drop'; d: Digest }[], set = new RecentDigests()): void {
  const model = new Map<string, number>();
  let t = 0;
  for (const o of ops) {
    t++;
    if (o.kind === 'touch') {
      const key = o.d.join(',');
      const last = model.get(key);
      if (last !== undefined) model.delete(key);
      model.set(key, t);
      assert.equal(set.touch(o.d[0], o.d[1], o.d[2], o.d[3], t), last);
    } else {
      const first = model.keys().next();
      if (!first.done) model.delete(first.value);
      set.dropOldest();
    }
    assert.equal(set.size, model.size);
    const oldest = model.keys().next();
    assert.equal(set.oldestTime(), oldest.done ? undefined : model.get(oldest.value));
  }
}

test('RecentDigests behaves as a Map with lookups moving keys to the back', () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 300, size: 'max' }), (ops) => check(ops)),
    { numRuns: 300 },
  );
});

test('RecentDigests grows past its first arrays and empties, keeping the order', () => {
  // thousands of distinct digests (growth by doubling several times), then every one dropped, then reused
  const ops: { kind: 'touch' | 'drop'; d: Digest }[] = [];
  for (let i = 0; i < 3000; i++) ops.push({ kind: 'touch', d: [i, i * 7, -i, i & 3] });
  for (let i = 0; i < 3000; i += 3) ops.push({ kind: 'touch', d: [i, i * 7, -i, i & 3] });
  for (let i = 0; i < 3100; i++) ops.push({ kind: 'drop', d: [0, 0, 0, 0] });
  for (let i = 0; i < 200; i++) ops.push({ kind: 'touch', d: [i % 50, 1, 2, 3] });
  check(ops);
  // arrays sized to a bound below what is held (and a bound that is not a power of two)
  check(ops, new RecentDigests(100));
  check(ops, new RecentDigests(1));
});
