/**
 * Log and event-stream sinks for Node: files written through a large
 * in-memory buffer (a few big writes instead of one per record).
 */

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogSink, SinkFactory } from '../core/logs/writer.js';

const FLUSH_AT = 1 << 20;

export class FileSink implements LogSink {
  private fd: number;
  private parts: string[] = [];
  private pending = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.pending = 0;
  }

  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** Standard output as a sink (for `--events -`). */
export class StdoutSink implements LogSink {
  private parts: string[] = [];
  private pending = 0;

  write(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    writeAllSync(1, this.parts.join(''));
    this.parts = [];
    this.pending = 0;
  }

  close(): void {
    this.flush();
  }
}

function writeAllSync(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      if ((e as { code?: string }).code === 'EAGAIN') continue;
      if ((e as { code?: string }).code === 'EPIPE') return;
      throw e;
    }
  }
}

/** Sinks for log files in `dir` (created if missing). */
export function logDirSinks(dir: string): SinkFactory {
  let made = false;
  const open: SinkFactory = (name) => {
    if (!made) {
      mkdirSync(dir, { recursive: true });
      made = true;
    }
    return new FileSink(join(dir, name));
  };
  return open;
}
