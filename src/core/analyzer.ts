/**
 * smbscope as a library: an Analyzer reads a capture (any iterable of byte
 * chunks, so it runs in Node and in browsers), raises Zeek's events to
 * typed handlers and, when given a sink factory, writes Zeek's logs.
 *
 *   const a = new Analyzer({ verifyChecksums: false });
 *   a.on('smb2_close_response', (c, hdr, response) => console.log(c.uid, response.eof));
 *   const result = await a.analyze(chunks);
 */

import { Engine, type EngineOptions } from './engine.js';
import type { AnyHandler, Handler } from './events/bus.js';
import type { EventName } from './events/catalogue.js';
import { connRecord } from './logs/conn.js';
import { CONN_LOG, WEIRD_LOG } from './logs/schemas.js';
import { LocalNets, type Subnet } from './logs/site.js';
import { connWeirdRecord, netWeirdRecord } from './logs/weird.js';
import { type LogFormat, LogSet, type SinkFactory } from './logs/writer.js';
import { type CaptureError, type CaptureNotice, CaptureReader } from './source/capture.js';

export interface AnalyzerOptions extends EngineOptions {
  /** write Zeek's logs through this factory (one sink per log file) */
  logs?: { format?: LogFormat; open: SinkFactory; clock?: () => Date } | undefined;
  /** networks counted as local besides the private address space */
  localNets?: readonly Subnet[];
}

export interface AnalysisResult {
  /** why reading stopped early, if it did */
  error: CaptureError | undefined;
  notices: readonly CaptureNotice[];
  format: 'pcap' | 'pcapng' | undefined;
  packets: number;
  bytes: number;
  /** records written per log */
  logs: Record<string, number>;
}

export class Analyzer {
  readonly engine: Engine;
  private readonly reader: CaptureReader;
  private readonly logSet: LogSet | undefined;
  private readonly localNets: LocalNets;
  private finished = false;

  constructor(options: AnalyzerOptions = {}) {
    this.engine = new Engine(options);
    this.reader = new CaptureReader(this.engine);
    this.localNets = new LocalNets(options.localNets ?? []);
    if (options.logs) {
      this.logSet = new LogSet(options.logs.format ?? 'tsv', options.logs.open, options.logs.clock);
      this.installLogs(this.logSet);
    }
  }

  /** Registers a handler for one event. */
  on<K extends EventName>(name: K, handler: Handler<K>): this {
    this.engine.bus.on(name, handler);
    return this;
  }

  /** Registers a handler for every event (name, network time, arguments). */
  onAny(handler: AnyHandler): this {
    this.engine.bus.onAny(handler);
    return this;
  }

  /** Feeds the next chunk of a capture; false once reading has stopped on an error. */
  push(chunk: Uint8Array): boolean {
    this.reader.push(chunk);
    return this.reader.error === undefined;
  }

  /** Ends the input: finishes every connection, flushes events and closes logs. */
  end(): AnalysisResult {
    if (!this.finished) {
      this.finished = true;
      if (!this.reader.error) this.reader.end();
      this.engine.finish();
      this.logSet?.closeAll();
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
      logs: this.logSet?.counts() ?? {},
    };
  }

  private installLogs(logs: LogSet): void {
    const weird = logs.writer(WEIRD_LOG);
    this.engine.bus.on('conn_weird', (name, c, addl, source) =>
      weird.write(connWeirdRecord(this.engine.now, name, c, addl, source)),
    );
    this.engine.bus.on('net_weird', (name, addl, source) =>
      weird.write(netWeirdRecord(this.engine.now, name, addl, source)),
    );
    const conn = logs.writer(CONN_LOG);
    this.engine.onConnectionDone = (c) => conn.write(connRecord(c, this.localNets));
  }
}
