/**
 * Log and event-stream sinks for Node: files written through a large
 * in-memory buffer (a few big writes instead of one per record).
 */

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogSink, SinkFactory } from '../core/logs/writer.js';

const BUFFER_SIZE = 1 << 20;

/**
 * Text written into one reused byte buffer and handed to the descriptor when
 * it fills: no per-record strings kept alive, a few large writes.
 */
class BufferedWriter {
  private readonly buf = Buffer.allocUnsafe(BUFFER_SIZE);
  private pos = 0;

  constructor(private fd: number) {}

  write(text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit
    if (text.length * 3 > BUFFER_SIZE - this.pos) {
      this.flush();
      if (text.length * 3 > BUFFER_SIZE) {
        writeAllSync(this.fd, Buffer.from(text));
        return;
      }
    }
    this.pos += this.buf.write(text, this.pos);
  }

  writeBytes(bytes: Uint8Array): void {
    if (bytes.length > BUFFER_SIZE - this.pos) {
      this.flush();
      if (bytes.length > BUFFER_SIZE) {
        writeAllSync(this.fd, bytes);
        return;
      }
    }
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  flush(): void {
    if (this.pos === 0) return;
    writeAllSync(this.fd, this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}

export class FileSink implements LogSink {
  private fd: number;
  private readonly out: BufferedWriter;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
    this.out = new BufferedWriter(this.fd);
  }

  write(text: string): void {
    this.out.write(text);
  }

  writeBytes(bytes: Uint8Array): void {
    this.out.writeBytes(bytes);
  }

  flush(): void {
    this.out.flush();
  }

  close(): void {
    if (this.fd < 0) return;
    this.out.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** Standard output as a sink (for `--events -`). */
export class StdoutSink implements LogSink {
  private readonly out = new BufferedWriter(1);

  write(text: string): void {
    this.out.write(text);
  }

  writeBytes(bytes: Uint8Array): void {
    this.out.writeBytes(bytes);
  }

  flush(): void {
    this.out.flush();
  }

  close(): void {
    this.out.flush();
  }
}

function writeAllSync(fd: number, buf: Uint8Array): void {
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
