/**
 * File analysis (Zeek's file analysis framework, as SMB uses it).
 *
 * Protocol analyzers hand over file data with its offset (`dataIn`) and say
 * when a file ends (`endOfFile`). Each delivery first drains the event queue
 * and then asks the protocol's policy for the file handle, exactly as Zeek
 * does; the handle names the file, and equal handles are the same file (same
 * "F..." id) on any connection.
 *
 * Per file: bytes are put back in offset order (out-of-order pieces held up
 * to `reassemblyBuffer` bytes; beyond that the hole is skipped and counted as
 * overflow), the first `bofSize` bytes are kept for MIME detection, hashes
 * and extraction see the in-order stream. A file ends at `endOfFile`, as soon
 * as `total_bytes` is reached, after `timeout` seconds without data, or when
 * analysis finishes (then it counts as timed out).
 *
 * Large messages are streamed (`openStream`): their bytes are processed as
 * they arrive, while everything Zeek ties to the message (events, the file
 * handle, file creation, timestamps) happens when the message is complete
 * (`commitStream`).
 */

import { type ByteBudget, PIECE_OVERHEAD } from '../budget.js';
import type { EventBus } from '../events/bus.js';
import type { ConnRef } from '../events/catalogue.js';
import { fileIdFromHandle } from './hashid.js';
import type { Digests, FileHashing, HashAlgorithm } from './hashing.js';
import { detectMime } from './mime.js';

export type { Digests, FileHashing, HashAlgorithm, Hasher, HasherFactory } from './hashing.js';

export interface Extractor {
  write(b: Uint8Array): void;
  /** Gives the file its final name (known once the file is announced). */
  rename(name: string): void;
  close(): void;
}

/** Opens the sink of an extracted file under a provisional name; names are safe as file names. */
export type ExtractorFactory = (name: string) => Extractor;

export interface FileLimits {
  /** bytes kept from the start of a file for MIME detection (Zeek's default_file_bof_buffer_size) */
  bofSize: number;
  /** out-of-order bytes held per file (Zeek's Files::reassembly_buffer_size) */
  reassemblyBuffer: number;
  /** seconds without data before a file times out (Zeek's default_file_timeout_interval) */
  timeout: number;
  /** files under analysis at once; beyond it the least recently active one is ended */
  maxFiles: number;
}

export const DEFAULT_FILE_LIMITS: FileLimits = {
  bofSize: 4096,
  reassemblyBuffer: 524288,
  timeout: 120,
  maxFiles: 10000,
};

export interface FileOptions {
  hashes?: readonly HashAlgorithm[];
  /** where the files are hashed (needed for `hashes`) */
  hashing?: FileHashing;
  extractor?: ExtractorFactory;
  limits?: Partial<FileLimits>;
  /** key of the file-id hash (from --seed) */
  key?: number;
  /** the run's shared bound of buffered bytes (out-of-order file data is charged to it) */
  budget?: ByteBudget;
}

/** One connection a file was seen on. */
export interface FileConn {
  ref: ConnRef;
  isOrig: boolean;
}

/** The policy of the protocol that carries files (SMB). */
export interface FileHooks {
  /** Zeek's get_file_handle: "" means the data belongs to no file */
  handle(ref: ConnRef, isOrig: boolean): string;
  /** Zeek's file_over_new_connection (runs at once) */
  overNewConnection(f: AnalyzedFile, fc: FileConn): void;
  /** Zeek's file_state_remove (runs in event order) */
  stateRemove(f: AnalyzedFile): void;
  /** a limit was hit (reported as a weird) */
  weird(fc: FileConn | undefined, name: string, addl: string): void;
}

enum Room {
  Ok,
  /** Zeek's reassembly buffer is full */
  Zeek,
  /** one of smbscope's own bounds is reached */
  Own,
}

/** Most out-of-order pieces held per file (tiny pieces are bounded by count as well as bytes). */
const MAX_HELD_PIECES = 4096;

interface Held {
  offset: number;
  bytes: Uint8Array;
}

export class AnalyzedFile {
  readonly source = 'SMB';
  /** network time of the first delivery (files.log ts); set when announced */
  ts = 0;
  lastActive = 0;
  announced = false;
  removed = false;
  readonly conns: FileConn[] = [];
  seenBytes = 0;
  totalBytes: number | undefined;
  missingBytes = 0;
  overflowBytes = 0;
  /** one of smbscope's own reassembly bounds was reported for this file */
  limitReported = false;
  timedout = false;
  filename: string | undefined;
  mimeType: string | undefined;
  /** next in-order offset */
  streamOffset = 0;
  held: Held[] = [];
  heldBytes = 0;
  /** the first bytes, kept for MIME detection (allocated only when they arrive in pieces) */
  bof: Uint8Array | undefined;
  bofLen = 0;
  mimeDone = false;
  /** the file's id in the hashing while it is hashed, else -1 */
  hashId = -1;
  hashes: Digests = {};
  /** ended, its digests not yet handed over (its files.log rows wait for them) */
  hashesPending = false;
  extractor: Extractor | undefined;
  extractedName: string | undefined;
  extractedSize = 0;
  readonly analyzers: string[] = [];

  constructor(
    readonly fuid: string,
    readonly handle: string,
    readonly bofSize: number,
  ) {}

  get duration(): number {
    return this.lastActive - this.ts;
  }
}

/** An in-progress delivery of one large message's data. */
export interface FileStream {
  handle: string;
  file: AnalyzedFile | undefined;
  offset: number;
}

/** BOF buffers up to this size come whole from a pool of at most BOF_POOL_SIZE free ones. */
const POOLED_BOF_MAX = 8192;
const BOF_POOL_SIZE = 64;

export class FileManager {
  private readonly files = new Map<string, AnalyzedFile>();
  /** free BOF buffers of bofSize bytes, reused from one sniffed file to the next */
  private readonly bofPool: Uint8Array[] = [];
  private readonly limits: FileLimits;
  private readonly hashes: readonly HashAlgorithm[];
  private lastSweep = 0;
  /** files seen, for the summary */
  count = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly now: () => number,
    private readonly hooks: FileHooks,
    private readonly options: FileOptions = {},
  ) {
    this.limits = { ...DEFAULT_FILE_LIMITS, ...options.limits };
    this.hashes = options.hashing ? (options.hashes ?? []) : [];
  }

  get active(): number {
    return this.files.size;
  }

  /** Zeek's file_mgr->DataIn: `len` bytes of file data at `offset`, from one message. */
  dataIn(ref: ConnRef, isOrig: boolean, buf: Uint8Array, off: number, len: number, offset: number): void {
    this.bus.drain();
    const handle = this.hooks.handle(ref, isOrig);
    if (handle === '') return;
    const f = this.fileFor(handle);
    this.touch(f, ref, isOrig);
    this.deliver(f, buf, off, len, offset);
    this.checkComplete(f);
  }

  /** Zeek's file_mgr->EndOfFile for the file now current on the connection. */
  endOfFile(ref: ConnRef, isOrig: boolean): void {
    this.bus.drain();
    const handle = this.hooks.handle(ref, isOrig);
    if (handle === '') return;
    const f = this.files.get(handle);
    if (f) this.remove(f);
  }

  /** Starts streaming one message's file data, under the handle its events will give. */
  openStream(handle: string, offset: number): FileStream {
    if (handle === '') return { handle, file: undefined, offset };
    return { handle, file: this.fileFor(handle), offset };
  }

  streamData(s: FileStream, buf: Uint8Array, off: number, len: number): void {
    if (s.file && !s.file.removed) this.deliver(s.file, buf, off, len, s.offset);
    s.offset += len;
  }

  /** `len` bytes of the streamed data were not seen. */
  streamGap(s: FileStream, len: number): void {
    s.offset += len;
  }

  /** The streamed message is complete and its events are queued. */
  commitStream(s: FileStream, ref: ConnRef, isOrig: boolean): void {
    this.bus.drain();
    if (!s.file) return;
    const handle = this.hooks.handle(ref, isOrig);
    if (handle !== s.handle) {
      this.hooks.weird(undefined, 'file_handle_changed_during_message', `${s.handle} -> ${handle}`);
    }
    const f = s.file.removed ? this.fileFor(s.handle) : s.file;
    this.touch(f, ref, isOrig);
    this.checkComplete(f);
  }

  /** Times out idle files (called as network time advances). */
  sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 1) return;
    this.lastSweep = now;
    for (const f of [...this.files.values()]) {
      if (f.announced && now - f.lastActive > this.limits.timeout) {
        f.timedout = true;
        this.remove(f);
      }
    }
  }

  /** End of analysis: every file still open ends, as timed out. */
  finish(): void {
    for (const f of [...this.files.values()]) {
      f.timedout = true;
      this.remove(f);
    }
    this.bus.drain();
  }

  private fileFor(handle: string): AnalyzedFile {
    let f = this.files.get(handle);
    if (f) return f;
    if (this.files.size >= this.limits.maxFiles) {
      // the map is kept in order of last activity (see touch): the first file is the least recently active
      const oldest = this.files.values().next().value;
      if (oldest) {
        this.hooks.weird(oldest.conns[0], 'file_analysis_limit', `more than ${this.limits.maxFiles} open files`);
        this.remove(oldest);
      }
    }
    f = new AnalyzedFile(fileIdFromHandle(handle, this.options.key ?? 0), handle, this.limits.bofSize);
    this.files.set(handle, f);
    this.count++;
    if (this.hashes.length > 0) {
      f.hashId = this.options.hashing!.open(this.hashes);
      for (const alg of this.hashes) f.analyzers.push(alg.toUpperCase());
    }
    if (this.options.extractor) {
      f.extractor = this.options.extractor(`extract-pending-${f.fuid}-${this.count}`);
      f.analyzers.push('EXTRACT');
    }
    f.analyzers.sort();
    return f;
  }

  /** A delivery on a connection: announce the file and the connection when new. */
  private touch(f: AnalyzedFile, ref: ConnRef, isOrig: boolean): void {
    const now = this.now();
    if (!f.announced) {
      f.announced = true;
      f.ts = now;
      if (f.extractor) {
        // named as Zeek names it: after the file's ts (its first complete delivery)
        f.extractedName = `extract-${now.toFixed(6)}-${f.source}-${f.fuid}`;
        f.extractor.rename(f.extractedName);
      }
    }
    if (f.lastActive !== now) {
      f.lastActive = now;
      // most recently active last
      this.files.delete(f.handle);
      this.files.set(f.handle, f);
    }
    if (!f.conns.some((c) => c.ref.uid === ref.uid)) {
      const fc = { ref, isOrig };
      f.conns.push(fc);
      this.hooks.overNewConnection(f, fc);
    }
  }

  private deliver(f: AnalyzedFile, buf: Uint8Array, off: number, len: number, offset: number): void {
    const end = offset + len;
    if (end <= f.streamOffset || len === 0) return;
    if (offset > f.streamOffset) {
      this.hold(f, buf, off, len, offset);
      return;
    }
    const skip = f.streamOffset - offset;
    this.stream(f, buf, off + skip, len - skip);
    this.drainHeld(f);
  }

  private hold(f: AnalyzedFile, buf: Uint8Array, off: number, len: number, offset: number): void {
    // bytes count against the file's buffer as in Zeek; the shared budget also charges each piece's overhead
    const cost = len + PIECE_OVERHEAD;
    let full = this.room(f, len, cost);
    if (full !== Room.Ok) {
      // flush past the first hole, counting it as overflow
      const first = f.held.length > 0 ? f.held[0]!.offset : offset;
      const hole = Math.min(first, offset) - f.streamOffset;
      if (hole > 0) {
        this.overflow(f, hole, full === Room.Own);
        this.skip(f, hole);
      }
      this.drainHeld(f);
      if (offset <= f.streamOffset) {
        this.deliver(f, buf, off, len, offset);
        return;
      }
      full = this.room(f, len, cost);
      if (full !== Room.Ok) {
        this.overflow(f, len, full === Room.Own);
        return;
      }
    }
    // after the last piece starting at or before `offset` (pieces stay in arrival order for equal offsets)
    const h = f.held;
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (h[mid]!.offset <= offset) lo = mid + 1;
      else hi = mid;
    }
    h.splice(lo, 0, { offset, bytes: buf.slice(off, off + len) });
    f.heldBytes += len;
  }

  /**
   * Whether a piece can be held: Zeek's bound (the file's reassembly buffer in bytes,
   * Files::reassembly_buffer_size), then smbscope's own (pieces per file, the run's shared
   * budget, which is charged when there is room).
   */
  private room(f: AnalyzedFile, len: number, cost: number): Room {
    if (f.heldBytes + len > this.limits.reassemblyBuffer) return Room.Zeek;
    if (f.held.length >= MAX_HELD_PIECES || !this.takeBudget(cost)) return Room.Own;
    return Room.Ok;
  }

  /**
   * Bytes given up because a reassembly bound was reached: counted in files.log's overflow_bytes, as
   * Zeek counts them. Zeek's own buffer overflows on ordinary traffic (pipelined reads of large files)
   * and Zeek raises no weird for it; smbscope's extra bounds are reported once per file.
   */
  private overflow(f: AnalyzedFile, n: number, own: boolean): void {
    if (own && !f.limitReported) {
      f.limitReported = true;
      this.hooks.weird(
        f.conns[0],
        'file_reassembly_limit',
        `${f.fuid}: more than ${MAX_HELD_PIECES} out-of-order pieces or the shared buffer budget, ${n} bytes skipped at offset ${f.streamOffset}`,
      );
    }
    f.overflowBytes += n;
  }

  private takeBudget(n: number): boolean {
    return this.options.budget ? this.options.budget.take(n) : true;
  }

  private drainHeld(f: AnalyzedFile): void {
    const h = f.held;
    let k = 0;
    while (k < h.length && h[k]!.offset <= f.streamOffset) {
      const piece = h[k++]!;
      f.heldBytes -= piece.bytes.length;
      this.options.budget?.give(piece.bytes.length + PIECE_OVERHEAD);
      const end = piece.offset + piece.bytes.length;
      if (end > f.streamOffset) {
        const skip = f.streamOffset - piece.offset;
        this.stream(f, piece.bytes, skip, piece.bytes.length - skip);
      }
    }
    if (k > 0) h.splice(0, k);
  }

  /** In-order bytes. */
  private stream(f: AnalyzedFile, buf: Uint8Array, off: number, len: number): void {
    f.seenBytes += len;
    f.streamOffset += len;
    if (!f.mimeDone) {
      if (f.bofLen === 0 && len >= f.bofSize) {
        // the whole BOF buffer in one piece: sniff it where it is
        f.mimeDone = true;
        f.mimeType = detectMime(buf.subarray(off, off + f.bofSize), false);
      } else {
        const n = Math.min(len, f.bofSize - f.bofLen);
        const need = f.bofLen + n;
        // a small BOF buffer is taken whole from the pool (allocating typed arrays is slow), a large one
        // is sized to the bytes that came (most small files arrive whole) and grown up to bofSize
        if (!f.bof && f.bofSize <= POOLED_BOF_MAX) f.bof = this.bofPool.pop() ?? new Uint8Array(f.bofSize);
        if (!f.bof || f.bof.length < need) {
          const grown = new Uint8Array(f.bof ? Math.min(f.bofSize, Math.max(need, f.bof.length * 2)) : need);
          if (f.bof) grown.set(f.bof.subarray(0, f.bofLen));
          f.bof = grown;
        }
        f.bof.set(buf.subarray(off, off + n), f.bofLen);
        f.bofLen = need;
        if (f.bofLen === f.bofSize) this.sniff(f, false);
      }
    }
    if (f.hashId >= 0) this.options.hashing!.update(f.hashId, buf.subarray(off, off + len));
    if (f.extractor) {
      f.extractor.write(buf.subarray(off, off + len));
      f.extractedSize += len;
    }
  }

  /** A hole of `n` bytes in the stream. */
  private skip(f: AnalyzedFile, n: number): void {
    f.streamOffset += n;
    if (!f.mimeDone) this.sniff(f, false);
    // a hole stops the hashes: the file gets none
    if (f.hashId >= 0) {
      this.options.hashing!.drop(f.hashId);
      f.hashId = -1;
    }
  }

  private sniff(f: AnalyzedFile, complete: boolean): void {
    f.mimeDone = true;
    f.mimeType = f.bof ? detectMime(f.bof.subarray(0, f.bofLen), complete) : undefined;
    if (f.bof?.length === f.bofSize && f.bofSize <= POOLED_BOF_MAX && this.bofPool.length < BOF_POOL_SIZE) {
      this.bofPool.push(f.bof);
    }
    f.bof = undefined;
  }

  private checkComplete(f: AnalyzedFile): void {
    if (f.totalBytes !== undefined && f.streamOffset >= f.totalBytes) this.remove(f);
  }

  private remove(f: AnalyzedFile): void {
    if (f.removed) return;
    f.removed = true;
    this.files.delete(f.handle);
    while (f.held.length > 0) {
      const hole = f.held[0]!.offset - f.streamOffset;
      if (hole > 0) {
        f.missingBytes += hole;
        this.skip(f, hole);
      }
      this.drainHeld(f);
    }
    if (!f.mimeDone) this.sniff(f, true);
    if (f.hashId >= 0) {
      const id = f.hashId;
      f.hashId = -1;
      f.hashesPending = true;
      this.options.hashing!.end(id, (d) => {
        f.hashes = d;
        f.hashesPending = false;
      });
    }
    f.extractor?.close();
    if (!f.announced) return; // data of a message that never completed: no file
    this.bus.schedule(() => this.hooks.stateRemove(f));
  }
}
