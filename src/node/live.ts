/**
 * Live capture without native addons: tcpdump (or, failing that, Wireshark's
 * dumpcap) captures on the interface and writes a pcap stream to a pipe,
 * which is handed on as byte chunks for the Analyzer.
 *
 *   tcpdump -i IFACE -w - -U --immediate-mode -s 0       (promiscuous, as tcpdump and Zeek)
 *   dumpcap -i IFACE -w - -P                              (pcap, not pcapng)
 *
 * The capture is unfiltered: smbscope applies `-f` itself, on live packets
 * as on files. The pcap stream is in the capturing host's byte order, which
 * CaptureReader reads either way.
 *
 * `stop()` sends SIGTERM: tcpdump (and dumpcap) then flush, print their
 * packet counts and exit, so the chunk stream ends cleanly; the counts are
 * read into `stats()` before the stream ends. A tool that has not exited
 * a few seconds after `stop()` is killed.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { findTool } from './bpf-compile.js';
import { InputError } from './source.js';

/** A live capture problem, as one line (an InputError, so the CLI reports it like a bad file). */
export class LiveError extends InputError {}

export type LiveTool = 'tcpdump' | 'dumpcap';

export interface LiveOptions {
  /** which tool to run (default: tcpdump when installed, else dumpcap) */
  tool?: LiveTool;
  /** path of tcpdump (default: found on PATH or in the sbin directories) */
  tcpdump?: string;
  /** path of dumpcap */
  dumpcap?: string;
  /** put the interface in promiscuous mode (default true, as tcpdump and Zeek do) */
  promiscuous?: boolean;
  /** bytes kept of each packet; 0 = all (default 0, which the tools read as 262144) */
  snaplen?: number;
  /** after stop(), how long to wait for the tool to exit before killing it (default 3000 ms) */
  stopTimeoutMs?: number;
}

/** The tool's final packet counts (undefined until it has exited, and for counts it did not print). */
export interface LiveStats {
  /** packets written to the stream */
  captured?: number;
  /** packets the kernel handed to the capture (tcpdump's "received by filter") */
  received?: number;
  /** packets the kernel dropped for lack of buffer space */
  droppedByKernel?: number;
  /** packets the interface (driver) dropped */
  droppedByInterface?: number;
}

/** What `ready` resolves to. */
export interface LiveInfo {
  tool: LiveTool;
  /** the capture's link type (LINKTYPE_* value, from the pcap header) */
  linktype: number;
  snaplen: number;
}

export interface LiveCapture {
  /** the pcap byte stream; ends after stop() or when the tool exits, throws LiveError if it fails */
  chunks: AsyncIterable<Uint8Array>;
  /** resolves once the tool captures (its pcap header arrived); rejects with LiveError if it cannot */
  ready: Promise<LiveInfo>;
  /** asks the tool to flush and exit (idempotent); the chunk stream then ends */
  stop(): void;
  /** the tool's final counts (complete once `chunks` has ended) */
  stats(): LiveStats;
  readonly tool: LiveTool;
  /** process id of the tool */
  readonly pid: number | undefined;
}

export const CAPTURE_TOOL_MISSING =
  '-i needs tcpdump (or dumpcap) to capture; install tcpdump (Debian: apt install tcpdump)';

/** Pause reading the pipe when this much is waiting for the consumer (the tool then blocks, the kernel buffers). */
const HIGH_WATER = 8 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
/** stderr kept for messages and counts */
const MAX_STDERR = 64 * 1024;

/**
 * Starts capturing on `iface`. Throws LiveError at once when no capture tool
 * is installed; problems with the interface (missing, down, not permitted)
 * reject `ready` and make `chunks` throw.
 */
export function openLive(iface: string, options: LiveOptions = {}): LiveCapture {
  if (iface === '') throw new LiveError('-i needs an interface name');
  let tool: LiveTool;
  let path: string | undefined;
  if (options.tool === 'dumpcap') {
    tool = 'dumpcap';
    path = options.dumpcap ?? findTool('dumpcap');
  } else if (options.tool === 'tcpdump') {
    tool = 'tcpdump';
    path = options.tcpdump ?? findTool('tcpdump');
  } else {
    path = options.tcpdump ?? findTool('tcpdump');
    tool = 'tcpdump';
    if (path === undefined) {
      path = options.dumpcap ?? findTool('dumpcap');
      tool = 'dumpcap';
    }
  }
  if (path === undefined) throw new LiveError(CAPTURE_TOOL_MISSING);
  const snaplen = Math.max(0, Math.floor(options.snaplen ?? 0));
  const args =
    tool === 'tcpdump'
      ? // -B: a 64 MiB kernel buffer (KiB); the default 2 MiB overflows with 64 KiB loopback segments
        ['-i', iface, '-w', '-', '-U', '--immediate-mode', '-B', '65536', '-s', String(snaplen)]
      : ['-i', iface, '-w', '-', '-P', '-B', '64', ...(snaplen > 0 ? ['-s', String(snaplen)] : [])];
  if (options.promiscuous === false) args.push('-p');
  const child = spawn(path, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    windowsHide: true,
  });
  return new Live(child, tool, path, iface, options.stopTimeoutMs ?? 3000);
}

class Live implements LiveCapture {
  readonly chunks: AsyncIterable<Uint8Array>;
  readonly ready: Promise<LiveInfo>;
  readonly tool: LiveTool;

  private readonly child: ChildProcess;
  private readonly path: string;
  private readonly iface: string;
  private readonly stopTimeoutMs: number;
  private stderr = '';
  private stopping = false;
  private exited = false;
  private spawnError: NodeJS.ErrnoException | undefined;
  private exitCode: number | null = null;
  private exitSignal: NodeJS.Signals | null = null;
  private readonly closed: Promise<void>;
  // stdout queue
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private ended = false;
  /** the consumer stopped reading: what still arrives is dropped */
  private abandoned = false;
  private wake: (() => void) | undefined;
  // pcap header
  private head: Uint8Array = new Uint8Array(0);
  private info: LiveInfo | undefined;
  private resolveReady!: (info: LiveInfo) => void;
  private rejectReady!: (e: LiveError) => void;

  constructor(child: ChildProcess, tool: LiveTool, path: string, iface: string, stopTimeoutMs: number) {
    this.child = child;
    this.tool = tool;
    this.path = path;
    this.iface = iface;
    this.stopTimeoutMs = stopTimeoutMs;
    this.ready = new Promise<LiveInfo>((res, rej) => {
      this.resolveReady = res;
      this.rejectReady = rej;
    });
    // nobody has to await `ready`: never an unhandled rejection
    this.ready.catch(() => {});
    this.closed = new Promise<void>((res) => {
      child.on('error', (e: NodeJS.ErrnoException) => {
        // spawn failure: no 'exit' follows; the pipes close by themselves
        this.spawnError = e;
        this.exited = true;
        res();
      });
      child.on('close', (code, signal) => {
        this.exited = true;
        this.exitCode = code;
        this.exitSignal = signal;
        res();
      });
    });
    void this.closed.then(() => {
      if (!this.info)
        this.rejectReady(this.failure() ?? new LiveError(`${this.tool} on '${iface}' ended before capturing`));
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      if (this.stderr.length < MAX_STDERR) this.stderr += s;
    });
    const out = child.stdout!;
    out.on('data', (b: Buffer) => {
      if (!this.info) this.sniffHeader(b);
      if (this.abandoned) return;
      this.queue.push(b);
      this.queued += b.length;
      if (this.queued > HIGH_WATER) out.pause();
      this.notify();
    });
    out.on('end', () => {
      this.ended = true;
      this.notify();
    });
    out.on('error', () => {
      this.ended = true;
      this.notify();
    });
    this.chunks = this.generate();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => {
      if (!this.exited) this.child.kill('SIGKILL');
    }, this.stopTimeoutMs);
    t.unref();
  }

  stats(): LiveStats {
    return this.tool === 'tcpdump' ? tcpdumpStats(this.stderr) : dumpcapStats(this.stderr);
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async *generate(): AsyncGenerator<Uint8Array> {
    const out = this.child.stdout!;
    try {
      for (;;) {
        const c = this.queue.shift();
        if (c !== undefined) {
          this.queued -= c.length;
          if (this.queued < LOW_WATER && out.isPaused()) out.resume();
          yield c;
          continue;
        }
        if (this.ended) break;
        await new Promise<void>((res) => {
          this.wake = res;
        });
      }
      await this.closed;
      const f = this.failure();
      if (f) throw f;
    } finally {
      if (!this.exited) {
        // the consumer gave up early: stop the tool and drop what it still writes
        this.abandoned = true;
        this.queue.length = 0;
        this.stop();
        out.resume();
      }
    }
  }

  private sniffHeader(b: Uint8Array): void {
    const h = new Uint8Array(this.head.length + b.length);
    h.set(this.head);
    h.set(b, this.head.length);
    this.head = h.length > 24 ? h.subarray(0, 24) : h;
    if (this.head.length < 24) return;
    const v = new DataView(this.head.buffer, this.head.byteOffset, 24);
    const m = v.getUint32(0, true);
    const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
    const be = m === 0xd4c3b2a1 || m === 0x4d3cb2a1;
    this.info = {
      tool: this.tool,
      linktype: le || be ? v.getUint32(20, le) & 0x03ffffff : -1,
      snaplen: le || be ? v.getUint32(16, le) : 0,
    };
    this.head = new Uint8Array(0);
    this.resolveReady(this.info);
  }

  /** Why the tool ended, or undefined when it ended as asked (or on its own after a signal). */
  private failure(): LiveError | undefined {
    if (this.spawnError) {
      const code = this.spawnError.code;
      if (code === 'ENOENT') return new LiveError(CAPTURE_TOOL_MISSING);
      if (code === 'EACCES') return new LiveError(`cannot run ${this.path}: permission denied`);
      return new LiveError(`cannot run ${this.path}: ${this.spawnError.message}`);
    }
    if (this.stopping && this.info) return undefined;
    if (this.exitCode === 0) return undefined;
    // a signal we did not send (the terminal's Ctrl-C reaches the tool too) ends the capture normally
    if (this.exitSignal === 'SIGINT' || this.exitSignal === 'SIGTERM') return undefined;
    if (this.stopping && this.exitSignal === 'SIGKILL') return undefined;
    return new LiveError(
      captureReason(this.tool, this.iface, this.stderr, this.exitCode, this.exitSignal, !!this.info),
    );
  }
}

/** One line for a failed capture, from the tool's stderr. */
export function captureReason(
  tool: LiveTool,
  iface: string,
  stderr: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  started: boolean,
): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const prefix = `${tool}: `;
  const own = lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
  const text = own.join(' ') || lines.filter((l) => !/^(Capturing on|File:|Packets)/.test(l)).join(' ');
  const where = started ? `capture on '${iface}' failed` : `cannot capture on '${iface}'`;
  if (/no such device|there is no device named|no suitable device|doesn't exist|not found/i.test(text))
    return `${where}: no such interface (list them with: ip link)`;
  if (/permission|not permitted|operation not permitted/i.test(text))
    return `${where}: permission denied (run as root, or give ${tool} the capabilities cap_net_raw,cap_net_admin)`;
  if (/not up|is down/i.test(text)) return `${where}: the interface is down`;
  if (/interface disappeared|went down/i.test(text)) return `${where}: the interface went away`;
  if (text !== '') {
    const t = text.replace(new RegExp(`^${escapeRe(iface)}: `), '');
    return `${where}: ${t.length > 300 ? `${t.slice(0, 300)}...` : t}`;
  }
  if (signal) return `${where}: ${tool} was killed by ${signal}`;
  return `${where}: ${tool} exited with status ${code}`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** tcpdump's "N packets captured / received by filter / dropped by kernel / dropped by interface". */
export function tcpdumpStats(stderr: string): LiveStats {
  const s: LiveStats = {};
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(stderr);
    return m ? Number(m[1]) : undefined;
  };
  const captured = num(/^(\d+) packets? captured$/m);
  const received = num(/^(\d+) packets? received by filter$/m);
  const kernel = num(/^(\d+) packets? dropped by kernel$/m);
  const iface = num(/^(\d+) packets? dropped by interface$/m);
  if (captured !== undefined) s.captured = captured;
  if (received !== undefined) s.received = received;
  if (kernel !== undefined) s.droppedByKernel = kernel;
  if (iface !== undefined) s.droppedByInterface = iface;
  return s;
}

/** dumpcap's "Packets captured: N" and "Packets received/dropped on interface 'X': R/D (pcap:P/dumpcap:D/flushed:F/ps_ifdrop:I)". */
export function dumpcapStats(stderr: string): LiveStats {
  const s: LiveStats = {};
  const c = /^Packets captured: (\d+)$/m.exec(stderr);
  if (c) s.captured = Number(c[1]);
  const r =
    /Packets received\/dropped on interface .*: (\d+)\/(\d+) \(pcap:(\d+)\/dumpcap:(\d+)\/flushed:(\d+)\/ps_ifdrop:(\d+)\)/.exec(
      stderr,
    );
  if (r) {
    s.received = Number(r[1]);
    s.droppedByKernel = Number(r[3]);
    s.droppedByInterface = Number(r[6]);
  }
  return s;
}
