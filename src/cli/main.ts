/**
 * The smbscope command: reads a capture (or a live interface), writes Zeek's
 * logs and optionally the event stream, and prints a short summary.
 * Exit status: 0 read to the end; 1 input problem; 2 bad command line.
 */

import { readFileSync } from 'node:fs';
import { type AnalysisResult, Analyzer } from '../core/analyzer.js';
import { encodeEvent } from '../core/events/json.js';
import type { LogSink } from '../core/logs/writer.js';
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
  if (opts.iface !== undefined) {
    err('live capture (-i) is not available yet');
    return 1;
  }
  if (opts.filter !== undefined) {
    err('BPF filters (-f) are not available yet');
    return 1;
  }
  return readCapture(opts, opts.read!);
}

async function readCapture(opts: CliOptions, path: string): Promise<number> {
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
  const analyzer = new Analyzer({
    verifyChecksums: opts.verifyChecksums,
    seed: opts.seed,
    localNets: opts.localNets,
    logs: { format: opts.logFormat, open: logDirSinks(opts.logdir) },
  });
  let events: LogSink | undefined;
  if (opts.events !== undefined) {
    try {
      events = opts.events === '-' ? new StdoutSink() : new FileSink(opts.events);
    } catch (e) {
      err(`cannot write ${opts.events}: ${(e as Error).message}`);
      return 1;
    }
    const sink = events;
    analyzer.onAny((name, ts, args) => sink.write(`${encodeEvent(name, ts, args)}\n`));
  }
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

function summary(analyzer: Analyzer, result: AnalysisResult): void {
  const s = analyzer.engine.stats;
  const logs = Object.entries(result.logs)
    .map(([p, n]) => `${p}.log ${n}`)
    .join(', ');
  process.stderr.write(
    `smbscope: ${s.packets} packets, ${s.connections} connections (${s.smbConnections} SMB), ` +
      `${s.smb2Messages} SMB2 messages, ${s.closes} closes, ${s.weirds} weirds` +
      `${logs ? `; logs: ${logs}` : '; no logs written'}\n`,
  );
}
