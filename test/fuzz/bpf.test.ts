/**
 * Property tests of the BPF interpreter (src/core/bpf/bpf.ts): random valid
 * programs (every opcode, forward and backward jumps, scratch memory) always
 * validate, always end, and compute exactly what an independent reference
 * interpreter (BigInt arithmetic, field-by-field decoding) computes on random
 * packets; random instruction words never make validation or a run throw;
 * the tcpdump -ddd text form round-trips.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BpfInsn,
  BpfProgram,
  isBpfError,
  OPCODES,
  parseBpfText,
  runFilter,
  validateProgram,
} from '../../src/core/bpf/bpf.js';
import fc from './fc.js';

const O = OPCODES;

/** The reference interpreter: classic BPF decoded from the opcode fields, 32-bit arithmetic in BigInt. */
function reference(insns: readonly BpfInsn[], pkt: Uint8Array, caplen: number, wirelen: number): number {
  const U = (v: bigint) => BigInt.asUintN(32, v);
  const buflen = BigInt(Math.max(0, Math.min(caplen, pkt.length)));
  let A = 0n;
  let X = 0n;
  const M: bigint[] = new Array(16).fill(0n);
  let backward = 0;
  const load = (off: bigint, size: number): bigint | undefined => {
    if (off + BigInt(size) > buflen) return undefined;
    let v = 0n;
    for (let i = 0; i < size; i++) v = v * 256n + BigInt(pkt[Number(off) + i]!);
    return v;
  };
  for (let pc = 0; pc < insns.length; pc++) {
    const { code, jt, jf, k } = insns[pc]!;
    const K = BigInt(k);
    const cls = code & 0x07;
    if (cls === 0x06) return Number((code & 0x18) === 0x10 ? A : K);
    if (cls === 0x00 || cls === 0x01) {
      const mode = code & 0xe0;
      const size = [4, 2, 1, 0][(code >> 3) & 3]!;
      let v: bigint | undefined;
      if (mode === 0x00) v = K;
      else if (mode === 0x20) v = load(K, size);
      else if (mode === 0x40) v = load(X + K, size);
      else if (mode === 0x60) v = M[k]!;
      else if (mode === 0x80) v = BigInt(wirelen >>> 0);
      else if (mode === 0xa0) {
        const b = load(K, 1);
        v = b === undefined ? undefined : (b & 0x0fn) * 4n;
      }
      if (v === undefined) return 0;
      if (cls === 0x00) A = v;
      else X = v;
    } else if (cls === 0x02) M[k] = A;
    else if (cls === 0x03) M[k] = X;
    else if (cls === 0x04) {
      const op = code & 0xf0;
      const src = code & 0x08 ? X : K;
      if (op === 0x80) A = U(-A);
      else if (op === 0x00) A = U(A + src);
      else if (op === 0x10) A = U(A - src);
      else if (op === 0x20) A = U(A * src);
      else if (op === 0x30 || op === 0x90) {
        if (src === 0n) return 0;
        A = op === 0x30 ? A / src : A % src;
      } else if (op === 0x40) A = A | src;
      else if (op === 0x50) A = A & src;
      else if (op === 0xa0) A = A ^ src;
      else if (op === 0x60) A = src >= 32n ? 0n : U(A << src);
      else if (op === 0x70) A = src >= 32n ? 0n : A >> src;
    } else if (cls === 0x05) {
      const op = code & 0xf0;
      if (op === 0x00) {
        const d = k | 0;
        if (d < 0 && ++backward > 64) return 0;
        pc += d;
      } else {
        const src = code & 0x08 ? X : K;
        const t = op === 0x10 ? A === src : op === 0x20 ? A > src : op === 0x30 ? A >= src : (A & src) !== 0n;
        pc += t ? jt : jf;
      }
    } else if (cls === 0x07) {
      if (code & 0x80) A = X;
      else X = A;
    }
  }
  throw new Error('the program ran off its end');
}

const NON_JUMP = Object.entries(O)
  .filter(([n]) => !n.startsWith('j') && !n.startsWith('ret'))
  .map(([, c]) => c);
const COND_JUMPS = [O.jeq_k, O.jgt_k, O.jge_k, O.jset_k, O.jeq_x, O.jgt_x, O.jge_x, O.jset_x];

/** A valid program of n instructions drawn from `rnd` (numbers in [0, 2^32)). */
function program(n: number, rnd: readonly number[]): BpfInsn[] {
  let r = 0;
  const next = () => rnd[r++ % rnd.length]!;
  const insns: BpfInsn[] = [];
  for (let i = 0; i < n - 1; i++) {
    const kind = next() % 10;
    const left = n - 2 - i; // instructions after this one, before the last
    if (kind === 0) {
      insns.push({
        code: COND_JUMPS[next() % COND_JUMPS.length]!,
        jt: next() % (left + 1),
        jf: next() % (left + 1),
        k: next() % 2 === 0 ? next() % 256 : next(),
      });
    } else if (kind === 1 && i > 0 && next() % 3 === 0) {
      // a backward jump (never to itself)
      const target = next() % i;
      insns.push({ code: O.ja, jt: 0, jf: 0, k: (target - i - 1) >>> 0 });
    } else if (kind === 1) {
      insns.push({ code: O.ja, jt: 0, jf: 0, k: next() % (left + 1) });
    } else if (kind === 2) {
      insns.push({ code: next() % 2 ? O.ret_k : O.ret_a, jt: 0, jf: 0, k: next() % 0x10000 });
    } else {
      const code = NON_JUMP[next() % NON_JUMP.length]!;
      let k = next() % 3 === 0 ? next() : next() % 64;
      if ([O.ld_mem, O.ldx_mem, O.st, O.stx].includes(code as never)) k %= 16;
      if (code === O.lsh_k || code === O.rsh_k) k %= 32;
      if ((code === O.div_k || code === O.mod_k) && k === 0) k = 1;
      if ([O.ld_w_abs, O.ld_h_abs, O.ld_b_abs, O.ld_w_ind, O.ld_h_ind, O.ld_b_ind, O.ldx_msh].includes(code as never))
        k %= 0x1000;
      insns.push({ code, jt: 0, jf: 0, k });
    }
  }
  insns.push({ code: next() % 2 ? O.ret_k : O.ret_a, jt: 0, jf: 0, k: next() % 0x40000 });
  return insns;
}

describe('BPF interpreter: properties', () => {
  it('random valid programs validate, end, and agree with the reference interpreter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.nat(0xffffffff), { minLength: 1, maxLength: 300 }),
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 100 }), fc.nat(120), fc.nat(0xffffffff)), {
          minLength: 1,
          maxLength: 6,
        }),
        (n, rnd, pkts) => {
          const insns = program(n, rnd);
          const prog = validateProgram(insns);
          assert.ok(!isBpfError(prog), isBpfError(prog) ? prog.message : '');
          assert.ok(prog instanceof BpfProgram);
          for (const [pkt, cap, wire] of pkts) {
            const got = runFilter(prog, pkt, 0, cap, wire);
            assert.ok(Number.isInteger(got) && got >= 0 && got <= 0xffffffff);
            assert.equal(got, reference(insns, pkt, cap, wire));
            // the same packet inside a larger buffer
            const big = new Uint8Array(pkt.length + 9).fill(0xee);
            big.set(pkt, 5);
            assert.equal(
              runFilter(prog, big, 5, Math.min(cap, pkt.length), wire),
              reference(insns, pkt, Math.min(cap, pkt.length), wire),
            );
          }
          // the tcpdump -ddd text form
          const text = `${insns.length}\n${insns.map((i) => `${i.code} ${i.jt} ${i.jf} ${i.k}`).join('\n')}\n`;
          const parsed = parseBpfText(text);
          assert.ok(!isBpfError(parsed));
          assert.deepEqual(parsed.insns(), insns);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('random instruction words never make validation or a run throw', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            code: fc.oneof(fc.constantFrom(...Object.values(O)), fc.nat(0xffff)),
            jt: fc.nat(0xff),
            jf: fc.nat(0xff),
            k: fc.oneof(fc.nat(0xffffffff), fc.nat(40), fc.constantFrom(0, 31, 32, 0xfffff000, 0xffe00000, 0xffffffff)),
          }),
          { minLength: 0, maxLength: 30 },
        ),
        fc.uint8Array({ maxLength: 64 }),
        (insns, pkt) => {
          const prog = validateProgram(insns);
          if (!isBpfError(prog)) {
            const got = runFilter(prog, pkt, 0, pkt.length, pkt.length);
            assert.equal(got, reference(insns, pkt, pkt.length, pkt.length));
          } else assert.ok(prog.message.length > 0);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
