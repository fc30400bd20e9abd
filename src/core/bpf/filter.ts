/**
 * A packet filter over a capture whose packets may come with several link
 * types (pcapng interfaces): one compiled program per link type, compiled on
 * first use through a callback (in Node: libpcap's compiler via tcpdump, see
 * src/node/bpf-compile.ts) and run with `runFilter`.
 *
 * BSD loopback (NULL) and OpenBSD enc (ENC) headers carry the address family
 * in the byte order of the capturing host, and libpcap compiles a different
 * program for a file written in the other byte order. The sink interface
 * does not say which byte order the file has, so for these two link types
 * the order is read off each packet's header (an AF_ value is below 256: a
 * zero first byte and a non-zero fourth byte mean big-endian); the program
 * for that order is compiled and run.
 */

import { BpfError, type BpfProgram, isBpfError, runFilter } from './bpf.js';

/** Compiles the filter for a link type (LINKTYPE_* value), snap length and file byte order. */
export type CompileFilter = (linktype: number, snaplen: number, bigEndian: boolean) => BpfProgram | BpfError;

export interface PacketFilterOptions {
  /** snap length given to the compiler (only changes the accept length, never the decision); default 262144 */
  snaplen?: number;
  /**
   * called once for each link type the filter cannot be compiled for (and
   * once with link type -1 when there are too many link types); its packets
   * are dropped. Throwing from here aborts reading: the exception leaves
   * `accept`, and so CaptureReader.push / Analyzer.push.
   */
  onError?: (error: BpfError, linktype: number) => void;
  /** most link types compiled for; packets of further link types are dropped (default 16) */
  maxLinktypes?: number;
}

/** libpcap's MAXIMUM_SNAPLEN, what `-s 0` means. */
export const DEFAULT_SNAPLEN = 262144;

const LINKTYPE_NULL = 0;
const LINKTYPE_ENC = 109;

export class PacketFilter {
  /** packets kept so far */
  accepted = 0;
  /** packets dropped so far (including those of link types the filter could not be compiled for) */
  rejected = 0;
  /** link types the filter could not be compiled for, with the reason */
  readonly errors = new Map<number, BpfError>();

  private readonly compile: CompileFilter;
  private readonly snaplen: number;
  private readonly onError: ((error: BpfError, linktype: number) => void) | undefined;
  private readonly maxLinktypes: number;
  /** key: linktype * 2 + (big-endian ? 1 : 0) */
  private readonly programs = new Map<number, BpfProgram | BpfError>();
  private lastKey = -1;
  private lastProgram: BpfProgram | BpfError | undefined;
  private tooManyReported = false;

  constructor(compile: CompileFilter, options: PacketFilterOptions = {}) {
    this.compile = compile;
    this.snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
    this.onError = options.onError;
    this.maxLinktypes = options.maxLinktypes ?? 16;
  }

  /** True when the packet passes the filter. Arguments as in PacketSink.packet. */
  accept(linktype: number, buf: Uint8Array, off: number, caplen: number, wirelen: number): boolean {
    let bigEndian = false;
    if ((linktype === LINKTYPE_NULL || linktype === LINKTYPE_ENC) && caplen >= 4 && off + 4 <= buf.length)
      bigEndian = buf[off] === 0 && buf[off + 3] !== 0;
    const key = linktype * 2 + (bigEndian ? 1 : 0);
    const prog = key === this.lastKey ? this.lastProgram! : this.lookup(key, linktype, bigEndian);
    const ok = !isBpfError(prog) && runFilter(prog, buf, off, caplen, wirelen) !== 0;
    if (ok) this.accepted++;
    else this.rejected++;
    return ok;
  }

  /**
   * Compiles the program for a link type now (for example as soon as a live
   * capture says its link type) instead of at its first packet; returns the
   * error if it cannot be compiled.
   */
  prepare(linktype: number, bigEndian = false): BpfError | undefined {
    const p = this.lookup(linktype * 2 + (bigEndian ? 1 : 0), linktype, bigEndian);
    return isBpfError(p) ? p : undefined;
  }

  private lookup(key: number, linktype: number, bigEndian: boolean): BpfProgram | BpfError {
    let prog = this.programs.get(key);
    if (prog === undefined) {
      if (this.programs.size >= this.maxLinktypes) {
        const e = this.tooManyError();
        this.lastKey = -1;
        return e;
      }
      prog = this.compile(linktype, this.snaplen, bigEndian);
      this.programs.set(key, prog);
      if (isBpfError(prog) && !this.errors.has(linktype)) {
        this.errors.set(linktype, prog);
        this.onError?.(prog, linktype);
      }
    }
    this.lastKey = key;
    this.lastProgram = prog;
    return prog;
  }

  private tooManyError(): BpfError {
    const err = new BpfError(
      `the capture has more than ${this.maxLinktypes} link types; packets of the others are dropped`,
    );
    if (!this.tooManyReported) {
      this.tooManyReported = true;
      this.onError?.(err, -1);
    }
    return err;
  }
}
