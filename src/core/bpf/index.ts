// Classic BPF packet filters: validation, interpretation, per-link-type filtering.
export {
  BPF_MAX_BACKWARD_JUMPS,
  BPF_MAXINSNS,
  BPF_MEMWORDS,
  BpfError,
  type BpfInsn,
  BpfProgram,
  isBpfError,
  OPCODES,
  parseBpfText,
  runFilter,
  validateProgram,
} from './bpf.js';
export { type CompileFilter, DEFAULT_SNAPLEN, PacketFilter, type PacketFilterOptions } from './filter.js';
