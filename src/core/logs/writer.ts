/**
 * Log writers: each log is a declared schema written in Zeek's TSV or JSON
 * format to a sink (a file, a browser buffer). A log with no records is
 * never created; every opened log is closed with its footer.
 */

import { jsonLine, type LogSchema, type LogValue, tsvFooter, tsvHeader, tsvLine } from './format.js';
import { TsvEncoder } from './tsv-bytes.js';

export type LogFormat = 'tsv' | 'json';

/** Where a log's text goes; `write` may buffer. */
export interface LogSink {
  write(text: string): void;
  /** UTF-8 bytes of text, copied before returning (optional: sinks that take bytes skip building strings) */
  writeBytes?(bytes: Uint8Array): void;
  close(): void;
}

/** Opens the sink of a log file (e.g. "smb_files.log"). */
export type SinkFactory = (filename: string) => LogSink;

export class LogWriter {
  private sink: LogSink | undefined;
  private encoder: TsvEncoder | undefined;
  records = 0;

  constructor(
    readonly schema: LogSchema,
    private readonly format: LogFormat,
    private readonly open: SinkFactory,
    private readonly clock: () => Date,
  ) {}

  write(values: readonly LogValue[]): void {
    if (!this.sink) {
      this.sink = this.open(`${this.schema.path}.log`);
      if (this.format === 'tsv') this.sink.write(tsvHeader(this.schema, this.clock()));
    }
    this.records++;
    if (this.format !== 'tsv') this.sink.write(jsonLine(this.schema, values));
    else if (this.sink.writeBytes) {
      this.encoder ??= new TsvEncoder();
      this.sink.writeBytes(this.encoder.line(this.schema, values));
    } else this.sink.write(tsvLine(this.schema, values));
  }

  close(): void {
    if (!this.sink) return;
    if (this.format === 'tsv') this.sink.write(tsvFooter(this.clock()));
    this.sink.close();
    this.sink = undefined;
  }
}

/** The set of logs of one run. */
export class LogSet {
  private readonly writers = new Map<string, LogWriter>();

  constructor(
    private readonly format: LogFormat,
    private readonly open: SinkFactory,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  writer(schema: LogSchema): LogWriter {
    let w = this.writers.get(schema.path);
    if (!w) {
      w = new LogWriter(schema, this.format, this.open, this.clock);
      this.writers.set(schema.path, w);
    }
    return w;
  }

  /** Records written per log path. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [p, w] of this.writers) if (w.records > 0) out[p] = w.records;
    return out;
  }

  closeAll(): void {
    for (const w of this.writers.values()) w.close();
  }
}
