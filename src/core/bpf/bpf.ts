/**
 * Classic BPF: validation and interpretation of `struct bpf_insn` programs
 * (opcode u16, jt u8, jf u8, k u32), as compiled by libpcap (`tcpdump -ddd`).
 *
 * `runFilter` follows libpcap's userland interpreter: the accumulator A, the
 * index register X and the 16 scratch words start at 0; packet loads are
 * big-endian and a load that does not fit inside the captured bytes rejects
 * the packet; `len` is the length on the wire; division or modulo by a zero X
 * rejects the packet; shifts by 32 or more give 0; arithmetic wraps at 32
 * bits. The return value is the accept length (0 = drop).
 *
 * Validation is strict (see `validateProgram`): only opcodes the interpreter
 * knows, jumps inside the program, scratch indexes below 16, no constant
 * division by zero or shift by 32+, and the last instruction a RET, so every
 * path ends in a RET. Conditional jumps can only go forward (their offsets
 * are unsigned bytes). Unconditional jumps may go backward, as libpcap
 * allows because its `protochain` primitive loops over IPv6 extension
 * headers; a jump to itself is rejected and a packet that takes more than
 * 64 backward jumps is dropped (libpcap's own limit), so a program always
 * ends. Linux-only loads (SKF_AD_* ancillary data and the SKF_NET_OFF /
 * SKF_LL_OFF negative offsets) are rejected: only the kernel can run them.
 *
 * Pure: no module state; hostile programs and packets never throw or hang.
 */

/** One instruction as in libpcap's `struct bpf_insn`. */
export interface BpfInsn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** Longest program accepted (the Linux kernel's BPF_MAXINSNS). */
export const BPF_MAXINSNS = 4096;
/** Number of scratch memory words (BPF_MEMWORDS). */
export const BPF_MEMWORDS = 16;
/** Backward jumps allowed per packet before it is dropped (libpcap's MAX_BACKWARD_JUMPS). */
export const BPF_MAX_BACKWARD_JUMPS = 64;

/** Why a program (or a filter expression) could not be used. */
export class BpfError {
  constructor(
    /** one line, e.g. "instruction 3: jump past the end of the program" */
    readonly message: string,
    /** index of the offending instruction, or -1 when not about one instruction */
    readonly insn = -1,
  ) {}
}

export function isBpfError<T>(r: T | BpfError): r is BpfError {
  return r instanceof BpfError;
}

// Opcode values (classic BPF, as in <pcap/bpf.h>).
// classes
const LD = 0x00;
const LDX = 0x01;
const ST = 0x02;
const STX = 0x03;
const ALU = 0x04;
const JMP = 0x05;
const RET = 0x06;
const MISC = 0x07;
// load sizes
const W = 0x00;
const H = 0x08;
const B = 0x10;
// load modes
const IMM = 0x00;
const ABS = 0x20;
const IND = 0x40;
const MEM = 0x60;
const LEN = 0x80;
const MSH = 0xa0;
// ALU operations
const ADD = 0x00;
const SUB = 0x10;
const MUL = 0x20;
const DIV = 0x30;
const OR = 0x40;
const AND = 0x50;
const LSH = 0x60;
const RSH = 0x70;
const NEG = 0x80;
const MOD = 0x90;
const XOR = 0xa0;
// jumps
const JA = 0x00;
const JEQ = 0x10;
const JGT = 0x20;
const JGE = 0x30;
const JSET = 0x40;
// operand source
const K = 0x00;
const X = 0x08;
// return value source
const RA = 0x10;
// misc
const TAX = 0x00;
const TXA = 0x80;

/** The opcodes as written in `tcpdump -d` listings, for messages and tests. */
export const OPCODES = {
  ld_w_abs: LD | W | ABS,
  ld_h_abs: LD | H | ABS,
  ld_b_abs: LD | B | ABS,
  ld_w_ind: LD | W | IND,
  ld_h_ind: LD | H | IND,
  ld_b_ind: LD | B | IND,
  ld_len: LD | W | LEN,
  ld_imm: LD | IMM,
  ld_mem: LD | MEM,
  ldx_imm: LDX | W | IMM,
  ldx_mem: LDX | W | MEM,
  ldx_len: LDX | W | LEN,
  ldx_msh: LDX | B | MSH,
  st: ST,
  stx: STX,
  add_k: ALU | ADD | K,
  sub_k: ALU | SUB | K,
  mul_k: ALU | MUL | K,
  div_k: ALU | DIV | K,
  mod_k: ALU | MOD | K,
  and_k: ALU | AND | K,
  or_k: ALU | OR | K,
  xor_k: ALU | XOR | K,
  lsh_k: ALU | LSH | K,
  rsh_k: ALU | RSH | K,
  add_x: ALU | ADD | X,
  sub_x: ALU | SUB | X,
  mul_x: ALU | MUL | X,
  div_x: ALU | DIV | X,
  mod_x: ALU | MOD | X,
  and_x: ALU | AND | X,
  or_x: ALU | OR | X,
  xor_x: ALU | XOR | X,
  lsh_x: ALU | LSH | X,
  rsh_x: ALU | RSH | X,
  neg: ALU | NEG,
  ja: JMP | JA,
  jeq_k: JMP | JEQ | K,
  jgt_k: JMP | JGT | K,
  jge_k: JMP | JGE | K,
  jset_k: JMP | JSET | K,
  jeq_x: JMP | JEQ | X,
  jgt_x: JMP | JGT | X,
  jge_x: JMP | JGE | X,
  jset_x: JMP | JSET | X,
  ret_k: RET | K,
  ret_a: RET | RA,
  tax: MISC | TAX,
  txa: MISC | TXA,
} as const;

const KNOWN_OPCODES: ReadonlySet<number> = new Set(Object.values(OPCODES));

/** Smallest `k` of an absolute load that Linux treats as a special negative offset (SKF_LL_OFF). */
const LINUX_NEGATIVE_OFFSETS = 0xffe00000;
/** SKF_AD_OFF: Linux ancillary data (protocol, ifindex, VLAN tag, ...). */
const LINUX_ANCILLARY = 0xfffff000;

/** Proof that a program went through validateProgram (not exported). */
const CHECKED: unique symbol = Symbol('checked BPF program');

/** A validated program: what `runFilter` runs. Build one with `validateProgram` or `parseBpfText`. */
export class BpfProgram {
  readonly length: number;
  readonly code: Uint16Array;
  readonly jt: Uint8Array;
  readonly jf: Uint8Array;
  readonly k: Uint32Array;

  /** Use `validateProgram` or `parseBpfText`: the constructor itself checks nothing. */
  constructor(token: typeof CHECKED, insns: readonly BpfInsn[]) {
    if (token !== CHECKED) throw new TypeError('BpfProgram: build programs with validateProgram()');
    const n = insns.length;
    this.length = n;
    this.code = new Uint16Array(n);
    this.jt = new Uint8Array(n);
    this.jf = new Uint8Array(n);
    this.k = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const ins = insns[i]!;
      this.code[i] = ins.code;
      this.jt[i] = ins.jt;
      this.jf[i] = ins.jf;
      this.k[i] = ins.k;
    }
  }

  /** The instructions back as objects (for printing and tests). */
  insns(): BpfInsn[] {
    const out: BpfInsn[] = [];
    for (let i = 0; i < this.length; i++)
      out.push({ code: this.code[i]!, jt: this.jt[i]!, jf: this.jf[i]!, k: this.k[i]! });
    return out;
  }
}

function isUint(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

/**
 * Checks a program and returns it ready to run, or says what is wrong with it
 * (the first problem found).
 */
export function validateProgram(insns: readonly BpfInsn[]): BpfProgram | BpfError {
  const n = insns.length;
  if (n === 0) return new BpfError('empty BPF program');
  if (n > BPF_MAXINSNS) return new BpfError(`BPF program too long: ${n} instructions, at most ${BPF_MAXINSNS}`);
  for (let i = 0; i < n; i++) {
    const ins = insns[i]!;
    const at = `BPF instruction ${i}`;
    if (!isUint(ins.code, 0xffff) || !isUint(ins.jt, 0xff) || !isUint(ins.jf, 0xff) || !isUint(ins.k, 0xffffffff))
      return new BpfError(`${at}: fields out of range (code u16, jt u8, jf u8, k u32)`, i);
    const { code, k } = ins;
    if (!KNOWN_OPCODES.has(code)) return new BpfError(`${at}: unknown opcode 0x${hex(code)}`, i);
    const cls = code & 0x07;
    const mode = code & 0xe0;
    if ((cls === LD && (mode === ABS || mode === IND)) || code === OPCODES.ldx_msh) {
      if (k >= LINUX_ANCILLARY)
        return new BpfError(
          `${at}: loads Linux ancillary data (SKF_AD_OFF+${k - LINUX_ANCILLARY}), which only the Linux kernel provides`,
          i,
        );
      if (k >= LINUX_NEGATIVE_OFFSETS)
        return new BpfError(`${at}: loads from a Linux-only negative offset (SKF_NET_OFF/SKF_LL_OFF)`, i);
    }
    if (((cls === LD || cls === LDX) && mode === MEM) || cls === ST || cls === STX) {
      if (k >= BPF_MEMWORDS) return new BpfError(`${at}: scratch memory index ${k} (there are ${BPF_MEMWORDS})`, i);
    }
    if (code === OPCODES.div_k && k === 0) return new BpfError(`${at}: division by constant zero`, i);
    if (code === OPCODES.mod_k && k === 0) return new BpfError(`${at}: modulo by constant zero`, i);
    if ((code === OPCODES.lsh_k || code === OPCODES.rsh_k) && k >= 32)
      return new BpfError(`${at}: shift by ${k} bits (at most 31)`, i);
    if (cls === JMP) {
      if (code === OPCODES.ja) {
        const target = i + 1 + (k | 0);
        if (target === i) return new BpfError(`${at}: jump to itself (endless loop)`, i);
        if (target < 0) return new BpfError(`${at}: jump before the start of the program`, i);
        if (target >= n) return new BpfError(`${at}: jump past the end of the program`, i);
      } else if (i + 1 + ins.jt >= n || i + 1 + ins.jf >= n) {
        return new BpfError(`${at}: jump past the end of the program`, i);
      }
    }
  }
  if ((insns[n - 1]!.code & 0x07) !== RET)
    return new BpfError(`BPF instruction ${n - 1}: the program does not end with a return`, n - 1);
  return new BpfProgram(CHECKED, insns);
}

function hex(v: number): string {
  return v.toString(16).padStart(2, '0');
}

/**
 * Parses a program in `tcpdump -ddd` form (decimal numbers: first the count,
 * then one "code jt jf k" instruction per line; lines may also be separated
 * by commas, as in iptables' bytecode form) and validates it.
 */
export function parseBpfText(text: string): BpfProgram | BpfError {
  const lines = text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) return new BpfError('no BPF program (empty text)');
  if (!/^\d+$/.test(lines[0]!))
    return new BpfError(`BPF program text: '${clip(lines[0]!)}' is not an instruction count`);
  const count = Number(lines[0]);
  if (count > BPF_MAXINSNS) return new BpfError(`BPF program too long: ${count} instructions, at most ${BPF_MAXINSNS}`);
  if (lines.length - 1 !== count)
    return new BpfError(`BPF program text: says ${count} instructions but has ${lines.length - 1}`);
  const insns: BpfInsn[] = [];
  for (let i = 1; i < lines.length; i++) {
    const m = /^(\d{1,5})\s+(\d{1,3})\s+(\d{1,3})\s+(\d{1,10})$/.exec(lines[i]!);
    if (!m) return new BpfError(`BPF program text: line ${i + 1} '${clip(lines[i]!)}' is not "code jt jf k"`, i - 1);
    insns.push({ code: Number(m[1]), jt: Number(m[2]), jf: Number(m[3]), k: Number(m[4]) });
  }
  return validateProgram(insns);
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

/**
 * Runs a validated program over the captured bytes [off, off + caplen) of
 * `pkt` (a packet `wirelen` bytes long on the wire) and returns the accept
 * length: 0 drops the packet, anything else keeps it. `caplen` is clamped
 * to the bytes actually present in `pkt`.
 */
export function runFilter(prog: BpfProgram, pkt: Uint8Array, off: number, caplen: number, wirelen: number): number {
  const { code, jt, jf, k: ks, length } = prog;
  const buflen = Math.max(0, Math.min(caplen, pkt.length - off));
  const len = wirelen >>> 0;
  let a = 0;
  let x = 0;
  let mem: Uint32Array | undefined;
  let backward = 0;
  let pc = 0;
  while (pc < length) {
    const k = ks[pc]!;
    switch (code[pc]!) {
      case RET | K:
        return k;
      case RET | RA:
        return a;
      case LD | W | ABS:
        if (k + 4 > buflen) return 0;
        a = load32(pkt, off + k);
        break;
      case LD | H | ABS:
        if (k + 2 > buflen) return 0;
        a = (pkt[off + k]! << 8) | pkt[off + k + 1]!;
        break;
      case LD | B | ABS:
        if (k + 1 > buflen) return 0;
        a = pkt[off + k]!;
        break;
      case LD | W | IND:
        if (x + k + 4 > buflen) return 0;
        a = load32(pkt, off + x + k);
        break;
      case LD | H | IND: {
        if (x + k + 2 > buflen) return 0;
        const o = off + x + k;
        a = (pkt[o]! << 8) | pkt[o + 1]!;
        break;
      }
      case LD | B | IND:
        if (x + k + 1 > buflen) return 0;
        a = pkt[off + x + k]!;
        break;
      case LDX | B | MSH:
        if (k + 1 > buflen) return 0;
        x = (pkt[off + k]! & 0x0f) << 2;
        break;
      case LD | W | LEN:
        a = len;
        break;
      case LDX | W | LEN:
        x = len;
        break;
      case LD | IMM:
        a = k;
        break;
      case LDX | W | IMM:
        x = k;
        break;
      case LD | MEM:
        a = mem ? mem[k]! : 0;
        break;
      case LDX | W | MEM:
        x = mem ? mem[k]! : 0;
        break;
      case ST:
        mem ??= new Uint32Array(BPF_MEMWORDS);
        mem[k] = a;
        break;
      case STX:
        mem ??= new Uint32Array(BPF_MEMWORDS);
        mem[k] = x;
        break;
      case JMP | JA: {
        const delta = k | 0;
        if (delta < 0 && ++backward > BPF_MAX_BACKWARD_JUMPS) return 0;
        pc += delta;
        break;
      }
      case JMP | JEQ | K:
        pc += a === k ? jt[pc]! : jf[pc]!;
        break;
      case JMP | JGT | K:
        pc += a > k ? jt[pc]! : jf[pc]!;
        break;
      case JMP | JGE | K:
        pc += a >= k ? jt[pc]! : jf[pc]!;
        break;
      case JMP | JSET | K:
        pc += (a & k) !== 0 ? jt[pc]! : jf[pc]!;
        break;
      case JMP | JEQ | X:
        pc += a === x ? jt[pc]! : jf[pc]!;
        break;
      case JMP | JGT | X:
        pc += a > x ? jt[pc]! : jf[pc]!;
        break;
      case JMP | JGE | X:
        pc += a >= x ? jt[pc]! : jf[pc]!;
        break;
      case JMP | JSET | X:
        pc += (a & x) !== 0 ? jt[pc]! : jf[pc]!;
        break;
      case ALU | ADD | K:
        a = (a + k) >>> 0;
        break;
      case ALU | SUB | K:
        a = (a - k) >>> 0;
        break;
      case ALU | MUL | K:
        a = Math.imul(a, k) >>> 0;
        break;
      case ALU | DIV | K:
        if (k === 0) return 0;
        a = Math.floor(a / k);
        break;
      case ALU | MOD | K:
        if (k === 0) return 0;
        a = a % k;
        break;
      case ALU | AND | K:
        a = (a & k) >>> 0;
        break;
      case ALU | OR | K:
        a = (a | k) >>> 0;
        break;
      case ALU | XOR | K:
        a = (a ^ k) >>> 0;
        break;
      case ALU | LSH | K:
        a = k < 32 ? (a << k) >>> 0 : 0;
        break;
      case ALU | RSH | K:
        a = k < 32 ? a >>> k : 0;
        break;
      case ALU | ADD | X:
        a = (a + x) >>> 0;
        break;
      case ALU | SUB | X:
        a = (a - x) >>> 0;
        break;
      case ALU | MUL | X:
        a = Math.imul(a, x) >>> 0;
        break;
      case ALU | DIV | X:
        if (x === 0) return 0;
        a = Math.floor(a / x);
        break;
      case ALU | MOD | X:
        if (x === 0) return 0;
        a = a % x;
        break;
      case ALU | AND | X:
        a = (a & x) >>> 0;
        break;
      case ALU | OR | X:
        a = (a | x) >>> 0;
        break;
      case ALU | XOR | X:
        a = (a ^ x) >>> 0;
        break;
      case ALU | LSH | X:
        a = x < 32 ? (a << x) >>> 0 : 0;
        break;
      case ALU | RSH | X:
        a = x < 32 ? a >>> x : 0;
        break;
      case ALU | NEG:
        a = (0 - a) >>> 0;
        break;
      case MISC | TAX:
        x = a;
        break;
      case MISC | TXA:
        a = x;
        break;
      default:
        // not reachable for a validated program
        return 0;
    }
    pc++;
  }
  // not reachable for a validated program (it ends with a RET)
  return 0;
}

function load32(b: Uint8Array, o: number): number {
  return b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
}
