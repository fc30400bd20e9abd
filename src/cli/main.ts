/**
 * The smbscope command: reads a capture (or a live interface), writes Zeek's
 * logs and optionally the event stream, and prints a short summary.
 * Exit status: 0 read to the end; 1 input problem; 2 bad command line.
 */

import { readFileSync } from 'node:fs';
import { type AnalysisResult, Analyzer } from '../core/analyzer.js';
import { isBpfError } from '../core/bpf/bpf.js';
import { PacketFilter } from '../core/bpf/filter.js';
import { DEFAULT_LIMITS, type EngineLimits } from '../core/engine.js';
import { EventEncoder } from '../core/events/json-bytes.js';
import type { HashAlgorithm } from '../core/files/manager.js';
import type { LogSink } from '../core/logs/writer.js';
import { filterCompiler } from '../node/bpf-compile.js';
import { extractToDir, nodeHasher } from '../node/files.js';
import { ThreadHashing } from '../node/hash-thread.js';
import { applyHeapFlags } from '../node/heap-flags.js';
import { type LiveCapture, openLive } from '../node/live.js';
import { FileSink, logDirSinks, StdoutSink } from '../node/sinks.js';
import { InputError, openCapture } from '../node/source.js';
import { type CliOptions, parseCli, USAGE, UsageError } from './args.js';
import { Progress } from './progress.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

function err(line: string): void {
  process.stderr.write(`smbscope: ${line}\n`);
}

export async function main(argv: string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message} (see smbscope --help)`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`smbscope ${version()}\n`);
    return 0;
  }
  let packetFilter: PacketFilter | undefined;
  if (opts.filter !== undefined) {
    const compile = filterCompiler(opts.filter);
    if (isBpfError(compile)) {
      err(compile.message);
      return 1;
    }
    // a filter that does not compile for the input's link type stops reading with one line
    packetFilter = new PacketFilter(compile, {
      onError: (e) => {
        throw new InputError(e.message);
      },
    });
  }
  if (opts.iface !== undefined) return liveCapture(opts, opts.iface, packetFilter);
  return readCapture(opts, opts.read!, packetFilter);
}

/**
 * Captures from this size on (and standard input and live capture, of unknown length) are hashed on
 * worker threads unless --no-hash-thread says otherwise. Starting the threads costs 40-70 ms, and on
 * traffic of small files alone the analysis thread, not the hashing, sets the pace (a 139 MB stretch of
 * the benchmark capture with 13,305 files: 1.04 s on threads against 0.96-1.0 s without); the threads
 * win where large files move (the 1.12 GB benchmark capture: 3.2 s against 4.1).
 */
const HASH_THREADS_FROM_BYTES = 128e6;

/** `inputSize`: the capture file's size, undefined for a pipe or a live interface. */
function newAnalyzer(
  opts: CliOptions,
  packetFilter: PacketFilter | undefined,
  inputSize: number | undefined,
): Analyzer {
  const threads =
    opts.hashes.length > 0 && (opts.hashThread ?? (inputSize === undefined || inputSize >= HASH_THREADS_FROM_BYTES));
  return new Analyzer({
    verifyChecksums: opts.verifyChecksums,
    seed: opts.seed,
    localNets: opts.localNets,
    logs: { format: opts.logFormat, open: logDirSinks(opts.logdir) },
    ...(opts.loggedFileActions ? { loggedFileActions: opts.loggedFileActions } : {}),
    logCmds: opts.logCmds,
    maxPendingMessages: opts.maxPendingMessages,
    limits: engineLimits(opts),
    fileLimits: opts.fileLimits,
    hashes: opts.hashes as HashAlgorithm[],
    hasher: nodeHasher,
    ...(threads ? { hashing: hashingThreads(opts.hashes as HashAlgorithm[]) } : {}),
    ...(opts.extractFiles !== undefined ? { extractor: extractToDir(opts.extractFiles) } : {}),
    ...(packetFilter ? { packetFilter } : {}),
  });
}

/** Hashing threads for --hash, or undefined (hashing on this thread) when they cannot be started. */
function hashingThreads(algs: HashAlgorithm[]): ThreadHashing | undefined {
  try {
    const threads = new ThreadHashing(algs);
    // starting the threads put V8's flags back to their defaults
    applyHeapFlags();
    return threads;
  } catch (e) {
    err(`hashing on the analysis thread: ${(e as Error).message}`);
    return undefined;
  }
}

/** The engine's limits from --limit and --gap-recovery (fragment limits completed from the defaults). */
function engineLimits(opts: CliOptions): Partial<EngineLimits> {
  const { fragments, ...rest } = opts.limits;
  return {
    ...rest,
    gapRecovery: opts.gapRecovery,
    ...(fragments ? { fragments: { ...DEFAULT_LIMITS.fragments, ...fragments } } : {}),
  };
}

/** --events: every event as a JSON line; undefined (after the error line) when the file cannot be written. */
function openEvents(opts: CliOptions, analyzer: Analyzer): LogSink | undefined | false {
  if (opts.events === undefined) return undefined;
  let sink: FileSink | StdoutSink;
  try {
    sink = opts.events === '-' ? new StdoutSink() : new FileSink(opts.events);
  } catch (e) {
    err(`cannot write ${opts.events}: ${(e as Error).message}`);
    return false;
  }
  const encoder = new EventEncoder();
  analyzer.onAny((name, ts, args) => sink.writeBytes(encoder.line(name, ts, args)));
  return sink;
}

async function readCapture(opts: CliOptions, path: string, packetFilter: PacketFilter | undefined): Promise<number> {
  let input: ReturnType<typeof openCapture>;
  try {
    input = openCapture(path);
  } catch (e) {
    if (e instanceof InputError) {
      err(e.message);
      return 1;
    }
    throw e;
  }
  const analyzer = newAnalyzer(opts, packetFilter, input.size);
  const events = openEvents(opts, analyzer);
  if (events === false) return 1;
  const showProgress = opts.progress ?? (process.stderr.isTTY === true && !opts.quiet);
  const progress = showProgress ? new Progress(input.size, input.consumed) : undefined;
  let result: AnalysisResult;
  let inputError: string | undefined;
  try {
    result = await analyzer.analyze(progress ? progress.wrap(input.chunks) : input.chunks);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    inputError = e.message;
    result = analyzer.end();
  } finally {
    progress?.clear();
    events?.close();
  }
  const name = path === '-' ? 'standard input' : path;
  let code = 0;
  if (inputError) {
    err(inputError);
    code = 1;
  } else if (result.error) {
    err(`${name}: ${result.error.message}`);
    code = 1;
  }
  if (!opts.quiet) summary(analyzer, result);
  if (opts.verifyChecksums && analyzer.engine.checksumsMostlyBad) {
    err(
      'most packets had bad IP/TCP checksums and were not analyzed (checksum offloading on the capture host?); run again with -C to skip checksum verification',
    );
  }
  return code;
}

async function liveCapture(opts: CliOptions, iface: string, packetFilter: PacketFilter | undefined): Promise<number> {
  let live: LiveCapture;
  try {
    live = openLive(iface);
  } catch (e) {
    if (e instanceof InputError) {
      err(e.message);
      return 1;
    }
    throw e;
  }
  const analyzer = newAnalyzer(opts, packetFilter, undefined);
  const events = openEvents(opts, analyzer);
  if (events === false) {
    live.stop();
    return 1;
  }
  const onSignal = () => live.stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: AnalysisResult;
  try {
    const info = await live.ready;
    const bad = packetFilter?.prepare(info.linktype);
    if (bad) {
      live.stop();
      err(bad.message);
      analyzer.end();
      return 1;
    }
    result = await analyzer.analyze(live.chunks);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    err(e.message);
    analyzer.end();
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    events?.close();
  }
  if (!opts.quiet) {
    summary(analyzer, result);
    const s = live.stats();
    process.stderr.write(
      `smbscope: ${s.captured ?? '?'} packets captured on ${iface}, ${s.droppedByKernel ?? '?'} dropped by the kernel` +
        `${s.droppedByInterface ? `, ${s.droppedByInterface} by the interface` : ''}\n`,
    );
  }
  return 0;
}

function summary(analyzer: Analyzer, result: AnalysisResult): void {
  const s = analyzer.engine.stats;
  const logs = Object.entries(result.logs)
    .map(([p, n]) => `${p}.log ${n}`)
    .join(', ');
  process.stderr.write(
    `smbscope: ${s.packets} packets, ${s.connections} connections (${s.smbConnections} SMB), ` +
      `${s.smb2Messages} SMB2 messages, ${s.closes} closes, ${analyzer.weirds.raised} weirds` +
      `${logs ? `; logs: ${logs}` : '; no logs written'}\n`,
  );
}
