/**
 * A progress line on a terminal (stderr) for long reads: bytes read, percent
 * of the file when its size is known, and throughput. Redrawn at most four
 * times a second; erased at the end.
 */

export class Progress {
  private last = 0;
  private readonly start = Date.now();
  private shown = false;

  constructor(
    private readonly size: number | undefined,
    private readonly consumed: () => number,
  ) {}

  async *wrap(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const c of chunks) {
      yield c;
      this.tick();
    }
  }

  private tick(): void {
    const now = Date.now();
    if (now - this.last < 250) return;
    this.last = now;
    const done = this.consumed();
    const secs = Math.max(0.001, (now - this.start) / 1000);
    const mb = done / 1e6;
    const pct = this.size ? ` ${((100 * done) / this.size).toFixed(1)}%` : '';
    process.stderr.write(`\rsmbscope: ${mb.toFixed(0)} MB read${pct} (${(mb / secs).toFixed(0)} MB/s)   `);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
  }
}
