/**
 * Runs the public Analyzer over capture bytes and records every event it
 * raises, in order, with its network time and arguments (and the event's
 * `--events` line, encoded when the event is delivered).
 */

import { type AnalysisResult, Analyzer, type AnalyzerOptions } from '../../src/core/analyzer.js';
import type { EventName } from '../../src/core/events/catalogue.js';
import { encodeEvent } from '../../src/core/events/json.js';

export interface Ev {
  name: EventName;
  ts: number;
  args: readonly unknown[];
  line: string;
}

export interface Run {
  events: Ev[];
  result: AnalysisResult;
  analyzer: Analyzer;
}

const DEFAULTS: AnalyzerOptions = { verifyChecksums: false, seed: 42 };

/** Feeds the chunks through push/end (synchronous). */
export function runChunks(chunks: Iterable<Uint8Array>, options: AnalyzerOptions = {}): Run {
  const analyzer = new Analyzer({ ...DEFAULTS, ...options });
  const events: Ev[] = [];
  analyzer.onAny((name, ts, args) => events.push({ name, ts, args, line: encodeEvent(name, ts, args) }));
  for (const c of chunks) if (!analyzer.push(c)) break;
  const result = analyzer.end();
  return { events, result, analyzer };
}

/** Feeds the chunks through the async `analyze` entry point. */
export async function analyzeChunks(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: AnalyzerOptions = {},
): Promise<Run> {
  const analyzer = new Analyzer({ ...DEFAULTS, ...options });
  const events: Ev[] = [];
  analyzer.onAny((name, ts, args) => events.push({ name, ts, args, line: encodeEvent(name, ts, args) }));
  const result = await analyzer.analyze(chunks);
  return { events, result, analyzer };
}

export function runBytes(bytes: Uint8Array, options: AnalyzerOptions = {}): Run {
  return runChunks([bytes], options);
}

/** Events of one name. */
export function named(events: readonly Ev[], name: EventName): Ev[] {
  return events.filter((e) => e.name === name);
}

/** The names of the weirds raised (conn_weird and net_weird). */
export function weirdNames(events: readonly Ev[]): string[] {
  return events.filter((e) => e.name === 'conn_weird' || e.name === 'net_weird').map((e) => String(e.args[0]));
}
