/**
 * smbscope as a library: an Analyzer reads a capture (any iterable of byte
 * chunks, so it runs in Node and in browsers), raises Zeek's events to
 * typed handlers and, when given a sink factory, writes Zeek's logs.
 *
 *   const a = new Analyzer({ verifyChecksums: false });
 *   a.on('smb2_close_response', (c, hdr, response) => console.log(c.uid, response.eof));
 *   const result = await a.analyze(chunks);
 *
 * Wiring: the Engine (packets to events) feeds the event bus; the policy
 * (Zeek's base scripts: SMB state, weirds) and file analysis subscribe to
 * it and write the logs.
 */

import { Engine, type EngineOptions } from './engine.js';
import type { AnyHandler, Handler } from './events/bus.js';
import type { EventName } from './events/catalogue.js';
import { type FileHashing, type HashAlgorithm, type HasherFactory, syncHashing } from './files/hashing.js';
import { type AnalyzedFile, type ExtractorFactory, type FileLimits, FileManager } from './files/manager.js';
import { connRecord } from './logs/conn.js';
import {
  CONN_LOG,
  FILES_LOG,
  NTLM_LOG,
  SMB_CMD_LOG,
  SMB_FILES_LOG,
  SMB_MAPPING_LOG,
  WEIRD_LOG,
} from './logs/schemas.js';
import { LocalNets, type Subnet } from './logs/site.js';
import { type LogFormat, LogSet, type SinkFactory } from './logs/writer.js';
import { fileRows } from './policy/files-log.js';
import { NtlmPolicy } from './policy/ntlm.js';
import { SmbPolicy } from './policy/smb.js';
import { DEFAULT_LOGGED_FILE_ACTIONS } from './policy/smb-consts.js';
import { WeirdPolicy } from './policy/weird.js';
import { type CaptureError, type CaptureNotice, CaptureReader } from './source/capture.js';

export interface AnalyzerOptions extends EngineOptions {
  /** write Zeek's logs through this factory (one sink per log file) */
  logs?: { format?: LogFormat; open: SinkFactory; clock?: () => Date } | undefined;
  /** networks counted as local besides the private address space */
  localNets?: readonly Subnet[];
  /** SMB::logged_file_actions (names with or without "SMB::") */
  loggedFileActions?: readonly string[];
  /** write smb_cmd.log (Zeek's policy/protocols/smb/log-cmds) */
  logCmds?: boolean;
  /** Zeek's SMB::max_pending_messages (default 1000; 0 = no bound) */
  maxPendingMessages?: number;
  /** hash transferred files (needs `hasher` or `hashing`) */
  hashes?: readonly HashAlgorithm[];
  /** hashes files on the calling thread */
  hasher?: HasherFactory;
  /** hashes files elsewhere (e.g. another thread); takes precedence over `hasher`, closed by end() */
  hashing?: FileHashing;
  /** write transferred files through this factory */
  extractor?: ExtractorFactory;
  fileLimits?: Partial<FileLimits>;
  /** keep only the packets this accepts (`-f`): a BPF PacketFilter */
  packetFilter?: { accept(linktype: number, buf: Uint8Array, off: number, caplen: number, wirelen: number): boolean };
}

export interface AnalysisResult {
  /** why reading stopped early, if it did */
  error: CaptureError | undefined;
  notices: readonly CaptureNotice[];
  format: 'pcap' | 'pcapng' | undefined;
  packets: number;
  bytes: number;
  /** files analyzed */
  files: number;
  /** records written per log */
  logs: Record<string, number>;
}

export class Analyzer {
  readonly engine: Engine;
  readonly policy: SmbPolicy;
  /** weird.log's policy; `weirds.raised` counts the weirds of every source */
  readonly weirds: WeirdPolicy;
  readonly files: FileManager | undefined;
  private readonly reader: CaptureReader;
  private readonly logSet: LogSet | undefined;
  private readonly localNets: LocalNets;
  private readonly hashing: FileHashing | undefined;
  /** removed files whose files.log rows are not written yet: the first waits for its digests */
  private readonly fileRowQueue: AnalyzedFile[] = [];
  private fileRowHead = 0;
  private readonly filesLogRows: ((f: AnalyzedFile) => void) | undefined;
  private finished = false;

  constructor(options: AnalyzerOptions = {}) {
    const limits =
      options.maxPendingMessages === undefined
        ? options.limits
        : { ...options.limits, maxPendingMessages: options.maxPendingMessages };
    const engine = new Engine({ ...options, limits });
    this.engine = engine;
    const pf = options.packetFilter;
    this.reader = new CaptureReader(
      pf
        ? {
            packet: (lt, ts, buf, off, cap, wire) => {
              if (pf.accept(lt, buf, off, cap, wire)) engine.packet(lt, ts, buf, off, cap, wire);
            },
            notice: (n) => engine.notice(n),
          }
        : engine,
    );
    this.localNets = new LocalNets(options.localNets ?? []);
    const logs = options.logs
      ? new LogSet(options.logs.format ?? 'tsv', options.logs.open, options.logs.clock)
      : undefined;
    this.logSet = logs;
    const now = () => engine.now;
    const bus = engine.bus;

    const weirds = new WeirdPolicy(logs?.writer(WEIRD_LOG), now);
    this.weirds = weirds;
    bus.on('conn_weird', (name, c, addl, source) => weirds.conn(name, c, addl, source));
    bus.on('net_weird', (name, addl, source) => weirds.net(name, addl, source));

    const actions = (options.loggedFileActions ?? DEFAULT_LOGGED_FILE_ACTIONS).map((a) =>
      a.startsWith('SMB::') ? a : `SMB::${a}`,
    );
    const ntlm = new NtlmPolicy(logs?.writer(NTLM_LOG), now, (c, service) =>
      engine.connectionOf(c)?.addService(service),
    );
    engine.onSecurityBlob = (c, hdr, _isOrig, blob) => ntlm.blob(c, hdr.session_id, blob);
    const policy = new SmbPolicy({
      bus,
      now,
      chainPrevious: (hdr) => engine.chainLinks.get(hdr),
      weird: (c, name, addl, source) => weirds.conn(name, c, addl, source),
      smbFiles: logs?.writer(SMB_FILES_LOG),
      smbMapping: logs?.writer(SMB_MAPPING_LOG),
      smbCmd: options.logCmds ? logs?.writer(SMB_CMD_LOG) : undefined,
      loggedFileActions: new Set(actions),
      userOf: (c, sessionId) => ntlm.userOf(c, sessionId),
      maxOpenFiles: engine.limits.maxOpenFiles,
      maxTrees: engine.limits.maxTrees,
    });
    this.policy = policy;

    const hashing = options.hashes?.length
      ? (options.hashing ?? (options.hasher ? syncHashing(options.hasher) : undefined))
      : undefined;
    this.hashing = hashing;
    if (logs || options.extractor || hashing) {
      const filesLog = logs?.writer(FILES_LOG);
      if (filesLog) {
        this.filesLogRows = (f) => {
          for (const row of fileRows(f, this.localNets)) filesLog.write(row);
        };
      }
      const files = new FileManager(
        bus,
        now,
        {
          handle: (ref) => policy.fileHandle(ref),
          overNewConnection: (f, fc) => policy.overNewConnection(f, fc),
          stateRemove: (f) => {
            policy.fileStateRemove(f);
            if (filesLog) {
              this.fileRowQueue.push(f);
              this.writeFileRows(false);
            }
          },
          weird: (fc, name, addl) => (fc ? weirds.conn(name, fc.ref, addl, 'FILES') : weirds.net(name, addl, 'FILES')),
        },
        {
          hashes: options.hashes ?? [],
          ...(hashing ? { hashing } : {}),
          ...(options.extractor ? { extractor: options.extractor } : {}),
          ...(options.fileLimits ? { limits: options.fileLimits } : {}),
          key: options.seed === undefined ? 0 : Number(BigInt.asUintN(32, BigInt(options.seed))),
          budget: engine.budget,
        },
      );
      this.files = files;
      engine.smbFiles = {
        dataIn: (c, isOrig, buf, off, len, offset) => files.dataIn(c, isOrig, buf, off, len, offset),
        endOfFile: (c, isOrig) => files.endOfFile(c, isOrig),
        openStream: (c, hdr, fid, discardPending, offset) =>
          files.openStream(policy.prospectiveHandle(c, hdr, fid, discardPending), offset),
        streamData: (s, buf, off, len) => files.streamData(s as never, buf, off, len),
        streamGap: (s, len) => files.streamGap(s as never, len),
        commitStream: (s, c, isOrig) => files.commitStream(s as never, c, isOrig),
      };
      engine.onSweep = () => {
        files.sweep();
        if (this.fileRowHead < this.fileRowQueue.length) this.writeFileRows(false);
      };
    }

    const conn = logs?.writer(CONN_LOG);
    engine.onConnectionDone = (c) => {
      ntlm.connectionDone(engine.ref(c));
      conn?.write(connRecord(c, this.localNets));
    };
  }

  /**
   * files.log rows of removed files, in the order they were removed, as far as their digests are
   * known (all of them with `wait`).
   */
  private writeFileRows(wait: boolean): void {
    const q = this.fileRowQueue;
    if (this.fileRowHead === q.length) return;
    this.hashing?.poll(wait);
    let k = this.fileRowHead;
    while (k < q.length && !q[k]!.hashesPending) this.filesLogRows!(q[k++]!);
    if (k === q.length) {
      q.length = 0;
      k = 0;
    } else if (k > 1024 && k * 2 > q.length) {
      q.splice(0, k);
      k = 0;
    }
    this.fileRowHead = k;
  }

  /** Registers a handler for one event (priority as in Zeek: higher runs first; Zeek's base scripts use 5 and -5). */
  on<K extends EventName>(name: K, handler: Handler<K>, priority = 0): this {
    this.engine.bus.on(name, handler, priority);
    return this;
  }

  /** Registers a handler for every event (name, network time, arguments). */
  onAny(handler: AnyHandler, priority = 0): this {
    this.engine.bus.onAny(handler, priority);
    return this;
  }

  /** Feeds the next chunk of a capture; false once reading has stopped on an error. */
  push(chunk: Uint8Array): boolean {
    this.reader.push(chunk);
    if (this.fileRowHead < this.fileRowQueue.length) this.writeFileRows(false);
    return this.reader.error === undefined;
  }

  /** Ends the input: finishes every connection and file, flushes events and closes logs. */
  end(): AnalysisResult {
    if (!this.finished) {
      this.finished = true;
      try {
        if (!this.reader.error) this.reader.end();
        this.engine.finish();
        this.files?.finish();
        this.engine.bus.drain();
        this.writeFileRows(true);
      } finally {
        // even after an internal error: what was written so far stays, in complete logs
        try {
          this.logSet?.closeAll();
        } finally {
          this.hashing?.close();
        }
      }
    }
    return this.result();
  }

  /** Reads a whole capture from an iterable of chunks. */
  async analyze(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<AnalysisResult> {
    try {
      for await (const chunk of chunks) if (!this.push(chunk)) break;
    } finally {
      this.end();
    }
    return this.result();
  }

  result(): AnalysisResult {
    return {
      error: this.reader.error,
      notices: this.reader.notices,
      format: this.reader.format,
      packets: this.reader.packets,
      bytes: this.engine.stats.bytes,
      files: this.files?.count ?? 0,
      logs: this.logSet?.counts() ?? {},
    };
  }
}
