/**
 * One bound on the bytes smbscope buffers for all connections together:
 * out-of-order TCP data, partial SMB messages and out-of-order file data.
 * Per-connection limits keep one connection in check; this keeps many
 * connections that each stay under their own limit from adding up.
 *
 * Takers charge what they hold (plus a fixed overhead per piece, so a flood
 * of tiny pieces is bounded too) and give it back when they let go. A
 * refused take is counted and the taker handles it as its own limit.
 */
export class ByteBudget {
  used = 0;
  /** requests refused because the budget was spent */
  refused = 0;

  constructor(readonly max: number) {}

  take(n: number): boolean {
    if (this.used + n > this.max) {
      this.refused++;
      return false;
    }
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used -= n;
  }
}

/** Bookkeeping cost charged per held piece, besides its bytes. */
export const PIECE_OVERHEAD = 64;
