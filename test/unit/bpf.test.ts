/**
 * Classic BPF validator and interpreter on crafted programs: every opcode
 * class, libpcap's run-time rules (loads past the captured length, division
 * by zero, shifts of 32+, 32-bit wrap-around), and the validator's
 * rejections. Expected values follow libpcap's documented bpf_filter
 * semantics (bpf(4), pcap-filter(7)); the same interpreter is compared with
 * tcpdump on real captures in bpf-tcpdump.test.ts.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BPF_MAX_BACKWARD_JUMPS,
  BPF_MAXINSNS,
  BpfError,
  type BpfInsn,
  BpfProgram,
  isBpfError,
  OPCODES as O,
  parseBpfText,
  runFilter,
  validateProgram,
} from '../../src/core/bpf/bpf.js';
import { PacketFilter } from '../../src/core/bpf/filter.js';

type I = [code: number, jt: number, jf: number, k: number];

function insns(list: I[]): BpfInsn[] {
  return list.map(([code, jt, jf, k]) => ({ code, jt, jf, k }));
}

function prog(...list: I[]): BpfProgram {
  const p = validateProgram(insns(list));
  if (isBpfError(p)) assert.fail(p.message);
  return p;
}

function reject(list: I[], pattern: RegExp): BpfError {
  const p = validateProgram(insns(list));
  assert.ok(isBpfError(p), `expected a validation error matching ${pattern}`);
  assert.match(p.message, pattern);
  return p;
}

/** Runs `body` (ending with the result in A) and returns A via RET A. */
function evalA(pkt: Uint8Array, ...body: I[]): number {
  return runFilter(prog(...body, [O.ret_a, 0, 0, 0]), pkt, 0, pkt.length, pkt.length);
}

const PKT = Uint8Array.from([
  0x45,
  0x00,
  0x00,
  0x3c, // 0: ip version/ihl, tos, total length 60
  0x12,
  0x34,
  0x40,
  0x00, // 4: id, flags DF
  0x40,
  0x06,
  0xab,
  0xcd, // 8: ttl 64, proto tcp, checksum
  0x0a,
  0x00,
  0x00,
  0x01, // 12: src 10.0.0.1
  0xc0,
  0xa8,
  0x01,
  0x02, // 16: dst 192.168.1.2
  0xde,
  0xad,
  0xbe,
  0xef, // 20: payload
]);

describe('BPF interpreter: loads', () => {
  it('absolute loads are big-endian words, halfwords and bytes', () => {
    assert.equal(evalA(PKT, [O.ld_w_abs, 0, 0, 12]), 0x0a000001);
    assert.equal(evalA(PKT, [O.ld_w_abs, 0, 0, 20]), 0xdeadbeef); // above 2^31: unsigned
    assert.equal(evalA(PKT, [O.ld_h_abs, 0, 0, 2]), 0x003c);
    assert.equal(evalA(PKT, [O.ld_h_abs, 0, 0, 22]), 0xbeef);
    assert.equal(evalA(PKT, [O.ld_b_abs, 0, 0, 9]), 6);
    assert.equal(evalA(PKT, [O.ld_b_abs, 0, 0, 23]), 0xef);
  });

  it('indirect loads add X to k', () => {
    assert.equal(evalA(PKT, [O.ldx_imm, 0, 0, 8], [O.ld_w_ind, 0, 0, 4]), 0x0a000001);
    assert.equal(evalA(PKT, [O.ldx_imm, 0, 0, 20], [O.ld_h_ind, 0, 0, 0]), 0xdead);
    assert.equal(evalA(PKT, [O.ldx_imm, 0, 0, 1], [O.ld_b_ind, 0, 0, 8]), 6);
  });

  it('LDX MSH takes 4 * (low nibble of a byte): the IPv4 header length', () => {
    assert.equal(evalA(PKT, [O.ldx_msh, 0, 0, 0], [O.txa, 0, 0, 0]), 20);
    assert.equal(evalA(Uint8Array.from([0x4f]), [O.ldx_msh, 0, 0, 0], [O.txa, 0, 0, 0]), 60);
  });

  it('len is the length on the wire, not the captured length', () => {
    const p = prog([O.ld_len, 0, 0, 0], [O.ret_a, 0, 0, 0]);
    assert.equal(runFilter(p, PKT, 0, 10, 1514), 1514);
    const q = prog([O.ldx_len, 0, 0, 0], [O.txa, 0, 0, 0], [O.ret_a, 0, 0, 0]);
    assert.equal(runFilter(q, PKT, 0, 10, 70000), 70000);
  });

  it('immediates, scratch memory (starting at 0), ST/STX', () => {
    assert.equal(evalA(PKT, [O.ld_imm, 0, 0, 0xffffffff]), 0xffffffff);
    assert.equal(evalA(PKT, [O.ldx_imm, 0, 0, 7], [O.txa, 0, 0, 0]), 7);
    assert.equal(evalA(PKT, [O.ld_mem, 0, 0, 15]), 0);
    assert.equal(evalA(PKT, [O.ld_imm, 0, 0, 99], [O.st, 0, 0, 3], [O.ld_imm, 0, 0, 0], [O.ld_mem, 0, 0, 3]), 99);
    assert.equal(
      evalA(
        PKT,
        [O.ldx_imm, 0, 0, 42],
        [O.stx, 0, 0, 15],
        [O.ldx_imm, 0, 0, 0],
        [O.ldx_mem, 0, 0, 15],
        [O.txa, 0, 0, 0],
      ),
      42,
    );
  });

  it('the buffer is read at `off`', () => {
    const framed = new Uint8Array(100);
    framed.set(PKT, 50);
    const p = prog([O.ld_w_abs, 0, 0, 12], [O.ret_a, 0, 0, 0]);
    assert.equal(runFilter(p, framed, 50, PKT.length, PKT.length), 0x0a000001);
  });
});

describe('BPF interpreter: loads past the captured length reject the packet', () => {
  // the buffer holds 24 bytes, but only 10 were captured
  const accept = (...body: I[]) => runFilter(prog(...body, [O.ret_k, 0, 0, 1]), PKT, 0, 10, 60);
  it('absolute loads', () => {
    assert.equal(accept([O.ld_w_abs, 0, 0, 6]), 1); // bytes 6..9: inside
    assert.equal(accept([O.ld_w_abs, 0, 0, 7]), 0); // bytes 7..10: one past
    assert.equal(accept([O.ld_h_abs, 0, 0, 8]), 1);
    assert.equal(accept([O.ld_h_abs, 0, 0, 9]), 0);
    assert.equal(accept([O.ld_b_abs, 0, 0, 9]), 1);
    assert.equal(accept([O.ld_b_abs, 0, 0, 10]), 0);
    assert.equal(accept([O.ld_w_abs, 0, 0, 0xffdffffc]), 0); // no wrap-around
  });
  it('indirect loads, with no 32-bit wrap of X + k', () => {
    assert.equal(accept([O.ldx_imm, 0, 0, 6], [O.ld_w_ind, 0, 0, 0]), 1);
    assert.equal(accept([O.ldx_imm, 0, 0, 6], [O.ld_w_ind, 0, 0, 1]), 0);
    assert.equal(accept([O.ldx_imm, 0, 0, 8], [O.ld_h_ind, 0, 0, 1]), 0);
    assert.equal(accept([O.ldx_imm, 0, 0, 9], [O.ld_b_ind, 0, 0, 0]), 1);
    assert.equal(accept([O.ldx_imm, 0, 0, 9], [O.ld_b_ind, 0, 0, 1]), 0);
    assert.equal(accept([O.ldx_imm, 0, 0, 0xffffffff], [O.ld_b_ind, 0, 0, 1]), 0);
    assert.equal(accept([O.ldx_imm, 0, 0, 1], [O.ld_b_ind, 0, 0, 0xffdfffff]), 0);
  });
  it('LDX MSH', () => {
    assert.equal(accept([O.ldx_msh, 0, 0, 9]), 1);
    assert.equal(accept([O.ldx_msh, 0, 0, 10]), 0);
  });
  it('a caplen beyond the buffer is clamped to the buffer', () => {
    const p = prog([O.ld_b_abs, 0, 0, 24], [O.ret_k, 0, 0, 1]);
    assert.equal(runFilter(p, PKT, 0, 1000, 1000), 0);
    assert.equal(runFilter(p, PKT, 30, 10, 10), 0); // off past the end
  });
  it('an empty packet', () => {
    assert.equal(runFilter(prog([O.ld_b_abs, 0, 0, 0], [O.ret_k, 0, 0, 1]), new Uint8Array(0), 0, 0, 0), 0);
    assert.equal(runFilter(prog([O.ret_k, 0, 0, 7]), new Uint8Array(0), 0, 0, 0), 7);
  });
});

describe('BPF interpreter: ALU', () => {
  const alu = (a: number, op: number, k: number) => evalA(PKT, [O.ld_imm, 0, 0, a], [op, 0, 0, k]);
  const aluX = (a: number, op: number, x: number) =>
    evalA(PKT, [O.ldx_imm, 0, 0, x], [O.ld_imm, 0, 0, a], [op, 0, 0, 0]);
  it('add, sub, mul wrap at 32 bits', () => {
    assert.equal(alu(0xffffffff, O.add_k, 2), 1);
    assert.equal(alu(1, O.sub_k, 2), 0xffffffff);
    assert.equal(alu(0x10001, O.mul_k, 0x10001), 0x20001); // 0x100020001 mod 2^32
    assert.equal(alu(0xffffffff, O.mul_k, 0xffffffff), 1);
    assert.equal(aluX(0xfffffff0, O.add_x, 0x20), 0x10);
    assert.equal(aluX(0, O.sub_x, 1), 0xffffffff);
    assert.equal(aluX(0x80000000, O.mul_x, 2), 0);
  });
  it('div and mod are unsigned and truncate', () => {
    assert.equal(alu(0xffffffff, O.div_k, 2), 0x7fffffff);
    assert.equal(alu(7, O.div_k, 8), 0);
    assert.equal(alu(0xfffffffe, O.div_k, 0xffffffff), 0);
    assert.equal(alu(0xffffffff, O.mod_k, 10), 5);
    assert.equal(aluX(100, O.div_x, 7), 14);
    assert.equal(aluX(100, O.mod_x, 7), 2);
  });
  it('division or modulo by a zero X rejects the packet', () => {
    const p = prog([O.ldx_imm, 0, 0, 0], [O.ld_imm, 0, 0, 5], [O.div_x, 0, 0, 0], [O.ret_k, 0, 0, 1]);
    assert.equal(runFilter(p, PKT, 0, PKT.length, PKT.length), 0);
    const q = prog([O.ldx_imm, 0, 0, 0], [O.ld_imm, 0, 0, 5], [O.mod_x, 0, 0, 0], [O.ret_k, 0, 0, 1]);
    assert.equal(runFilter(q, PKT, 0, PKT.length, PKT.length), 0);
  });
  it('and, or, xor keep 32 unsigned bits', () => {
    assert.equal(alu(0xf0f0f0f0, O.and_k, 0xff00ff00), 0xf000f000);
    assert.equal(alu(0x80000000, O.or_k, 1), 0x80000001);
    assert.equal(alu(0xffffffff, O.xor_k, 0x0f0f0f0f), 0xf0f0f0f0);
    assert.equal(aluX(0xf0f0f0f0, O.and_x, 0x0ff00ff0), 0x00f000f0);
    assert.equal(aluX(0x0000ffff, O.or_x, 0xffff0000), 0xffffffff);
    assert.equal(aluX(0xaaaaaaaa, O.xor_x, 0xffffffff), 0x55555555);
  });
  it('shifts: logical, and by 32 or more (X) give 0', () => {
    assert.equal(alu(0x80000001, O.lsh_k, 1), 2);
    assert.equal(alu(0x80000000, O.rsh_k, 31), 1);
    assert.equal(alu(1, O.lsh_k, 31), 0x80000000);
    assert.equal(aluX(0xffffffff, O.rsh_x, 4), 0x0fffffff);
    assert.equal(aluX(3, O.lsh_x, 4), 0x30);
    assert.equal(aluX(0xffffffff, O.lsh_x, 32), 0);
    assert.equal(aluX(0xffffffff, O.rsh_x, 32), 0);
    assert.equal(aluX(0xffffffff, O.lsh_x, 0xffffffff), 0);
  });
  it('neg is two’s complement', () => {
    assert.equal(evalA(PKT, [O.ld_imm, 0, 0, 1], [O.neg, 0, 0, 0]), 0xffffffff);
    assert.equal(evalA(PKT, [O.ld_imm, 0, 0, 0x80000000], [O.neg, 0, 0, 0]), 0x80000000);
    assert.equal(evalA(PKT, [O.ld_imm, 0, 0, 0], [O.neg, 0, 0, 0]), 0);
  });
  it('tax and txa copy between A and X', () => {
    assert.equal(evalA(PKT, [O.ld_imm, 0, 0, 9], [O.tax, 0, 0, 0], [O.ld_imm, 0, 0, 0], [O.txa, 0, 0, 0]), 9);
  });
});

describe('BPF interpreter: jumps and returns', () => {
  // A = value; if (A op operand) return 1 else return 2
  const cond = (op: number, a: number, operand: number, x = false) =>
    runFilter(
      prog(
        [O.ldx_imm, 0, 0, x ? operand : 0],
        [O.ld_imm, 0, 0, a],
        [op, 0, 1, x ? 0 : operand],
        [O.ret_k, 0, 0, 1],
        [O.ret_k, 0, 0, 2],
      ),
      PKT,
      0,
      PKT.length,
      PKT.length,
    );
  it('jeq, jgt, jge, jset with k, unsigned', () => {
    assert.equal(cond(O.jeq_k, 5, 5), 1);
    assert.equal(cond(O.jeq_k, 5, 6), 2);
    assert.equal(cond(O.jgt_k, 0xffffffff, 1), 1); // unsigned: 2^32-1 > 1
    assert.equal(cond(O.jgt_k, 5, 5), 2);
    assert.equal(cond(O.jge_k, 5, 5), 1);
    assert.equal(cond(O.jge_k, 4, 5), 2);
    assert.equal(cond(O.jset_k, 0x12, 0x02), 1);
    assert.equal(cond(O.jset_k, 0x12, 0x01), 2);
    assert.equal(cond(O.jset_k, 0x80000000, 0x80000000), 1);
  });
  it('jeq, jgt, jge, jset with X', () => {
    assert.equal(cond(O.jeq_x, 7, 7, true), 1);
    assert.equal(cond(O.jeq_x, 7, 8, true), 2);
    assert.equal(cond(O.jgt_x, 0x80000000, 0x7fffffff, true), 1);
    assert.equal(cond(O.jgt_x, 1, 1, true), 2);
    assert.equal(cond(O.jge_x, 1, 1, true), 1);
    assert.equal(cond(O.jge_x, 0, 1, true), 2);
    assert.equal(cond(O.jset_x, 6, 4, true), 1);
    assert.equal(cond(O.jset_x, 6, 1, true), 2);
  });
  it('ja skips k instructions', () => {
    const p = prog([O.ja, 0, 0, 1], [O.ret_k, 0, 0, 1], [O.ret_k, 0, 0, 2]);
    assert.equal(runFilter(p, PKT, 0, PKT.length, PKT.length), 2);
  });
  it('jt/jf count from the next instruction', () => {
    const p = prog(
      [O.ld_imm, 0, 0, 1],
      [O.jeq_k, 2, 0, 1],
      [O.ret_k, 0, 0, 10],
      [O.ret_k, 0, 0, 11],
      [O.ret_k, 0, 0, 12],
    );
    assert.equal(runFilter(p, PKT, 0, PKT.length, PKT.length), 12);
  });
  it('ret k and ret a return unsigned 32-bit accept lengths', () => {
    assert.equal(runFilter(prog([O.ret_k, 0, 0, 0xffffffff]), PKT, 0, 1, 1), 0xffffffff);
    assert.equal(runFilter(prog([O.ret_k, 0, 0, 0]), PKT, 0, 1, 1), 0);
    assert.equal(evalA(PKT, [O.ld_imm, 0, 0, 0x80000000]), 0x80000000);
  });
  it('a backward ja (libpcap protochain) runs, and a loop ends after 64 backward jumps', () => {
    // count down X from 3 with a backward jump; then return A = number of loops
    const p = prog(
      [O.ldx_imm, 0, 0, 3], // 0
      [O.ld_mem, 0, 0, 0], // 1: A = mem[0]
      [O.add_k, 0, 0, 1], // 2
      [O.st, 0, 0, 0], // 3: mem[0]++
      [O.txa, 0, 0, 0], // 4
      [O.sub_k, 0, 0, 1], // 5
      [O.tax, 0, 0, 0], // 6: X--
      [O.jeq_k, 1, 0, 0], // 7: X == 0 -> 9
      [O.ja, 0, 0, -8 >>> 0], // 8: back to 1
      [O.ld_mem, 0, 0, 0], // 9
      [O.ret_a, 0, 0, 0], // 10
    );
    assert.equal(runFilter(p, PKT, 0, PKT.length, PKT.length), 3);
    // an endless loop: ld; ja -2
    const loop = prog([O.ld_imm, 0, 0, 1], [O.ja, 0, 0, -2 >>> 0], [O.ret_k, 0, 0, 1]);
    assert.equal(runFilter(loop, PKT, 0, PKT.length, PKT.length), 0);
    // exactly 64 backward jumps are allowed
    const body: I[] = [
      [O.ldx_imm, 0, 0, BPF_MAX_BACKWARD_JUMPS], // 0
      [O.txa, 0, 0, 0], // 1
      [O.jeq_k, 3, 0, 0], // 2: X == 0 -> 6
      [O.sub_k, 0, 0, 1], // 3
      [O.tax, 0, 0, 0], // 4
      [O.ja, 0, 0, -5 >>> 0], // 5: back to 1
      [O.ret_k, 0, 0, 1], // 6
    ];
    assert.equal(runFilter(prog(...body), PKT, 0, 1, 1), 1);
    body[0] = [O.ldx_imm, 0, 0, BPF_MAX_BACKWARD_JUMPS + 1];
    assert.equal(runFilter(prog(...body), PKT, 0, 1, 1), 0);
  });
});

describe('BPF validator', () => {
  it('accepts the smallest program', () => {
    assert.equal(prog([O.ret_k, 0, 0, 0]).length, 1);
  });
  it('rejects an empty program', () => {
    reject([], /empty/);
  });
  it('rejects a program longer than BPF_MAXINSNS', () => {
    const many: I[] = Array.from({ length: BPF_MAXINSNS + 1 }, () => [O.ret_k, 0, 0, 0] as I);
    reject(many, /too long: 4097 instructions, at most 4096/);
    assert.equal(prog(...many.slice(1)).length, BPF_MAXINSNS);
  });
  it('rejects unknown opcodes, including non-canonical encodings', () => {
    for (const code of [
      0xff, 0x0e /* ret x */, 0x88 /* ld h len */, 0x8c /* neg x */, 0x18 /* ld dw */, 0x27, 0xffff,
    ]) {
      const e = reject(
        [
          [code, 0, 0, 0],
          [O.ret_k, 0, 0, 0],
        ],
        /unknown opcode/,
      );
      assert.equal(e.insn, 0);
    }
  });
  it('rejects jumps past the end', () => {
    reject(
      [
        [O.jeq_k, 1, 0, 0],
        [O.ret_k, 0, 0, 0],
      ],
      /instruction 0: jump past the end/,
    );
    reject(
      [
        [O.jeq_k, 0, 1, 0],
        [O.ret_k, 0, 0, 0],
      ],
      /jump past the end/,
    );
    reject(
      [
        [O.ja, 0, 0, 1],
        [O.ret_k, 0, 0, 0],
      ],
      /jump past the end/,
    );
    reject(
      [
        [O.ja, 0, 0, 0x7fffffff],
        [O.ret_k, 0, 0, 0],
      ],
      /jump past the end/,
    );
    // jt/jf of 255 to the last instruction is fine
    const far: I[] = [[O.jeq_k, 255, 255, 0], ...Array.from({ length: 255 }, () => [O.ret_k, 0, 0, 0] as I)];
    far.push([O.ret_k, 0, 0, 1]);
    assert.equal(prog(...far).length, 257);
  });
  it('rejects backward jumps that leave the program or loop on themselves', () => {
    reject(
      [
        [O.ja, 0, 0, -2 >>> 0],
        [O.ret_k, 0, 0, 0],
      ],
      /jump before the start/,
    );
    reject(
      [
        [O.ld_imm, 0, 0, 0],
        [O.ja, 0, 0, 0xffffffff],
        [O.ret_k, 0, 0, 0],
      ],
      /jump to itself/,
    );
    reject(
      [
        [O.ld_imm, 0, 0, 0],
        [O.ja, 0, 0, 0x80000000],
        [O.ret_k, 0, 0, 0],
      ],
      /jump before the start/,
    );
  });
  it('rejects a program whose last instruction is not a return', () => {
    reject(
      [
        [O.ret_k, 0, 0, 0],
        [O.ld_imm, 0, 0, 0],
      ],
      /does not end with a return/,
    );
    reject([[O.ld_imm, 0, 0, 0]], /does not end with a return/);
  });
  it('rejects scratch memory indexes of 16 and above', () => {
    for (const code of [O.ld_mem, O.ldx_mem, O.st, O.stx])
      reject(
        [
          [code, 0, 0, 16],
          [O.ret_k, 0, 0, 0],
        ],
        /scratch memory index 16/,
      );
  });
  it('rejects division and modulo by constant zero and shifts by 32+', () => {
    reject(
      [
        [O.div_k, 0, 0, 0],
        [O.ret_k, 0, 0, 0],
      ],
      /division by constant zero/,
    );
    reject(
      [
        [O.mod_k, 0, 0, 0],
        [O.ret_k, 0, 0, 0],
      ],
      /modulo by constant zero/,
    );
    reject(
      [
        [O.lsh_k, 0, 0, 32],
        [O.ret_k, 0, 0, 0],
      ],
      /shift by 32 bits/,
    );
    reject(
      [
        [O.rsh_k, 0, 0, 0xffffffff],
        [O.ret_k, 0, 0, 0],
      ],
      /shift by/,
    );
  });
  it('rejects Linux-only ancillary and negative-offset loads', () => {
    // SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT (48), as libpcap emits for live Linux captures
    reject(
      [
        [O.ld_b_abs, 0, 0, 0xfffff000 + 48],
        [O.ret_k, 0, 0, 0],
      ],
      /Linux ancillary data \(SKF_AD_OFF\+48\)/,
    );
    reject(
      [
        [O.ld_w_abs, 0, 0, 0xfffff000],
        [O.ret_k, 0, 0, 0],
      ],
      /Linux ancillary/,
    );
    reject(
      [
        [O.ld_h_abs, 0, 0, 0xfff00000],
        [O.ret_k, 0, 0, 0],
      ],
      /Linux-only negative offset/,
    );
    reject(
      [
        [O.ld_b_ind, 0, 0, 0xffe00000],
        [O.ret_k, 0, 0, 0],
      ],
      /Linux-only negative offset/,
    );
  });
  it('rejects fields out of range', () => {
    reject([[O.ret_k, 256, 0, 0]], /out of range/);
    reject([[O.ret_k, 0, 0, -1]], /out of range/);
    reject([[O.ret_k, 0, 0, 2 ** 32]], /out of range/);
    reject([[O.ret_k, 0, 0, 1.5]], /out of range/);
    reject([[0x10000, 0, 0, 0]], /out of range/);
  });
  it('programs cannot be built without validation', () => {
    assert.throws(() => new BpfProgram(Symbol('fake') as never, []), TypeError);
  });
});

describe('BPF text (tcpdump -ddd)', () => {
  it('parses the count and the instructions', () => {
    const p = parseBpfText('4\n40 0 0 12\n21 0 1 2048\n6 0 0 262144\n6 0 0 0\n');
    assert.ok(!isBpfError(p));
    assert.deepEqual(p.insns()[1], { code: 21, jt: 0, jf: 1, k: 2048 });
  });
  it('accepts the comma-separated form', () => {
    assert.ok(!isBpfError(parseBpfText('2,40 0 0 12,6 0 0 0')));
  });
  it('rejects a wrong count, garbage and bad programs', () => {
    assert.match((parseBpfText('3\n6 0 0 0\n') as BpfError).message, /says 3 instructions but has 1/);
    assert.match((parseBpfText('') as BpfError).message, /empty/);
    assert.match((parseBpfText('x') as BpfError).message, /not an instruction count/);
    assert.match((parseBpfText('1\n6 0 0\n') as BpfError).message, /not "code jt jf k"/);
    assert.match((parseBpfText('1\n6 0 0 4294967296\n') as BpfError).message, /out of range/);
    assert.match((parseBpfText('99999\n') as BpfError).message, /too long/);
    assert.match((parseBpfText('1\n40 0 0 12\n') as BpfError).message, /does not end with a return/);
  });
});

describe('PacketFilter', () => {
  const ipv4 = prog([O.ld_h_abs, 0, 0, 12], [O.jeq_k, 0, 1, 0x0800], [O.ret_k, 0, 0, 262144], [O.ret_k, 0, 0, 0]);
  const eth = (type: number) => {
    const f = new Uint8Array(20);
    f[12] = type >> 8;
    f[13] = type & 0xff;
    return f;
  };

  it('compiles once per link type and runs the program', () => {
    const calls: [number, number, boolean][] = [];
    const f = new PacketFilter((lt, snap, be) => {
      calls.push([lt, snap, be]);
      return lt === 1 ? ipv4 : prog([O.ret_k, 0, 0, 1]);
    });
    assert.equal(f.accept(1, eth(0x0800), 0, 20, 20), true);
    assert.equal(f.accept(1, eth(0x86dd), 0, 20, 20), false);
    assert.equal(f.accept(101, eth(0x86dd), 0, 20, 20), true);
    assert.equal(f.accept(1, eth(0x0800), 0, 20, 20), true);
    assert.equal(f.accept(1, eth(0x0800), 0, 13, 20), false); // ethertype not captured
    assert.deepEqual(calls, [
      [1, 262144, false],
      [101, 262144, false],
    ]);
    assert.equal(f.accepted, 3);
    assert.equal(f.rejected, 2);
  });

  it('drops the packets of a link type it cannot compile for, and reports it once', () => {
    const errors: [string, number][] = [];
    const f = new PacketFilter((lt) => (lt === 1 ? ipv4 : new BpfError(`no filter for ${lt}`)), {
      onError: (e, lt) => errors.push([e.message, lt]),
    });
    assert.equal(f.accept(147, eth(0x0800), 0, 20, 20), false);
    assert.equal(f.accept(147, eth(0x0800), 0, 20, 20), false);
    assert.equal(f.accept(1, eth(0x0800), 0, 20, 20), true);
    assert.deepEqual(errors, [['no filter for 147', 147]]);
    assert.equal(f.errors.get(147)?.message, 'no filter for 147');
    assert.equal(f.prepare(1), undefined);
    assert.equal(f.prepare(148)?.message, 'no filter for 148');
  });

  it('compiles for at most maxLinktypes link types', () => {
    const errors: number[] = [];
    let compiled = 0;
    const f = new PacketFilter(
      () => {
        compiled++;
        return prog([O.ret_k, 0, 0, 1]);
      },
      { maxLinktypes: 3, onError: (_e, lt) => errors.push(lt) },
    );
    for (let lt = 0; lt < 1000; lt++) f.accept(lt + 1000, eth(0), 0, 20, 20);
    assert.equal(compiled, 3);
    assert.equal(f.accepted, 3);
    assert.deepEqual(errors, [-1]);
  });

  it('reads the byte order of BSD loopback headers off each packet', () => {
    const seen: boolean[] = [];
    const f = new PacketFilter((_lt, _snap, be) => {
      seen.push(be);
      return prog([O.ret_k, 0, 0, 1]);
    });
    f.accept(0, Uint8Array.from([2, 0, 0, 0, 0x45]), 0, 5, 5); // AF_INET little-endian
    f.accept(0, Uint8Array.from([0, 0, 0, 30, 0x60]), 0, 5, 5); // AF_INET6 (30) big-endian
    f.accept(0, Uint8Array.from([2, 0, 0, 0, 0x45]), 0, 5, 5);
    f.accept(0, Uint8Array.from([0, 0]), 0, 2, 2); // too short to tell: little-endian
    f.accept(1, Uint8Array.from([0, 0, 0, 30, 0x60]), 0, 5, 5); // Ethernet: never
    assert.deepEqual(seen, [false, true, false]);
  });
});
