/**
 * A TCP connection: its 4-tuple (oriented originator -> responder), per-side
 * endpoint state and counters for conn.log, Zeek's history string, the two
 * stream reassemblers and the application analyzer fed by them.
 */

import { addrToString } from '../ip/ip.js';
import { type Reassembler, SegmentResult } from './reassembler.js';

/** Endpoint states (as Zeek's TCP analyzer names them). */
export enum EndpointState {
  Inactive = 0,
  SynSent = 1,
  SynAckSent = 2,
  Partial = 3,
  Established = 4,
  Closed = 5,
  Reset = 6,
}

export class Endpoint {
  state = EndpointState.Inactive;
  pkts = 0;
  ipBytes = 0;
  /** sequence number of the SYN, or of the first byte seen */
  startSeq = 0;
  seqKnown = false;
  /** highest stream position (relative to startSeq) covered by data, SYN or FIN */
  lastPos = 0;
  synSeen = false;
  finSeen = false;
  /** stream position of the FIN */
  finPos = -1;
  rstSeen = false;
  /** number of zero-window advertisements, retransmissions, bad checksums, gaps (history scaling) */
  reasm: Reassembler | undefined;

  /** Payload size in Zeek's sense: sequence space covered, minus SYN and FIN. */
  size(): number {
    if (!this.seqKnown) return 0;
    let n = this.lastPos;
    if (this.synSeen && n > 0) n -= 1;
    if (this.finSeen && n > 0) n -= 1;
    return Math.max(0, n);
  }
}

/** What an application-layer analyzer (SMB) gets from a connection. */
export interface AppAnalyzer {
  data(isOrig: boolean, buf: Uint8Array, off: number, len: number): void;
  gap(isOrig: boolean, len: number): void;
  /** the connection is going away (ended, timed out, or end of input) */
  done(): void;
}

/** History letters that Zeek records again at 10, 100, 1000... occurrences. */
const SCALED = 'CcGgTtWw';

/** Bits of the letters recorded at most once. */
export const LETTER_BITS: ReadonlyMap<string, number> = new Map(
  [...'SHADFRIQshadfriq^'].map((c, i) => [c, 1 << i] as const),
);

function swapCase(c: string): string {
  return c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
}

export class Connection {
  readonly uid: string;
  readonly version: 4 | 6;
  // originator and responder addresses (four 32-bit words each) and ports
  oa0: number;
  oa1: number;
  oa2: number;
  oa3: number;
  ra0: number;
  ra1: number;
  ra2: number;
  ra3: number;
  op: number;
  rp: number;
  readonly start: number;
  last: number;
  readonly orig = new Endpoint();
  readonly resp = new Endpoint();
  history = '';
  /** letters recorded once, as bits (see LETTER_BITS); cheap to test on every packet */
  private seenBits = 0;
  private letterCounts: Record<string, number> | undefined;
  /** service names in the order they were confirmed (conn.log "service") */
  readonly services: string[] = [];
  app: AppAnalyzer | undefined;
  /** true once this connection was judged not to carry SMB */
  notSmb = false;
  /** set when the connection has been finished and logged */
  finished = false;
  // connection table bookkeeping
  hash = 0;
  bucketNext: Connection | undefined;
  lruPrev: Connection | undefined;
  lruNext: Connection | undefined;
  private cachedId: ConnIdText | undefined;

  constructor(
    uid: string,
    version: 4 | 6,
    o: readonly [number, number, number, number],
    op: number,
    r: readonly [number, number, number, number],
    rp: number,
    ts: number,
  ) {
    this.uid = uid;
    this.version = version;
    [this.oa0, this.oa1, this.oa2, this.oa3] = o;
    [this.ra0, this.ra1, this.ra2, this.ra3] = r;
    this.op = op;
    this.rp = rp;
    this.start = ts;
    this.last = ts;
  }

  /** Swaps originator and responder (Zeek's '^' in the history). */
  flip(): void {
    [this.oa0, this.ra0] = [this.ra0, this.oa0];
    [this.oa1, this.ra1] = [this.ra1, this.oa1];
    [this.oa2, this.ra2] = [this.ra2, this.oa2];
    [this.oa3, this.ra3] = [this.ra3, this.oa3];
    [this.op, this.rp] = [this.rp, this.op];
    const o = this.orig;
    (this as { orig: Endpoint }).orig = this.resp;
    (this as { resp: Endpoint }).resp = o;
    // history letters change case with the direction
    this.history = [...this.history].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
    let flipped = 0;
    for (const [letter, bit] of LETTER_BITS) {
      if (this.seenBits & bit) flipped |= LETTER_BITS.get(swapCase(letter)) ?? 0;
    }
    this.seenBits = flipped;
    this.addHistory('^');
    this.cachedId = undefined;
  }

  /** Records a history letter (uppercase for the originator's side). */
  addLetter(letter: string, isOrig: boolean): void {
    const c = isOrig ? letter.toUpperCase() : letter.toLowerCase();
    const bit = LETTER_BITS.get(c);
    if (bit !== undefined && this.seenBits & bit) return; // the common case: nothing to do
    this.addHistory(c);
  }

  /** The same for a letter already in the right case (hot path: no string work). */
  addLetterBit(c: string, bit: number): void {
    if (this.seenBits & bit) return;
    this.addHistory(c);
  }

  private addHistory(c: string): void {
    if (SCALED.includes(c)) {
      this.letterCounts ??= {};
      const counts = this.letterCounts;
      const n = (counts[c] ?? 0) + 1;
      counts[c] = n;
      // recorded at 1, 10, 100, 1000, ... occurrences
      if (n === 1 || isPowerOf10(n)) this.history += c;
      return;
    }
    const bit = LETTER_BITS.get(c) ?? 0;
    if (this.seenBits & bit) return;
    this.seenBits |= bit;
    this.history += c;
  }

  addService(name: string): void {
    if (!this.services.includes(name)) this.services.push(name);
  }

  /** Zeek's c$id as text. */
  id(): ConnIdText {
    if (!this.cachedId) {
      this.cachedId = {
        orig_h: addrToString(this.version, this.oa0, this.oa1, this.oa2, this.oa3),
        orig_p: this.op,
        resp_h: addrToString(this.version, this.ra0, this.ra1, this.ra2, this.ra3),
        resp_p: this.rp,
      };
    }
    return this.cachedId;
  }

  /** Outcome of a data segment for the history (retransmissions are 'T'). */
  noteSegment(result: SegmentResult, isOrig: boolean): void {
    if (result === SegmentResult.Retransmission) this.addLetter('t', isOrig);
  }
}

export interface ConnIdText {
  orig_h: string;
  orig_p: number;
  resp_h: string;
  resp_p: number;
}

function isPowerOf10(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}
