/**
 * A crafted TCP conversation written as a pcap (Ethernet / IPv4 or IPv6 /
 * TCP, correct sequence numbers, acknowledgements and checksums): tests give
 * application payloads, the session turns them into frames.
 */

import { type PcapRecord, pcap } from './capture.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, tcpFrame } from './inet.js';

export interface SessionOptions {
  client?: string;
  server?: string;
  cport?: number;
  sport?: number;
  /** initial sequence numbers */
  cisn?: number;
  sisn?: number;
  /** first timestamp, whole microseconds since the epoch */
  t0us?: number;
  /** microseconds between frames */
  stepUs?: number;
}

export interface SendOptions {
  /** largest payload per segment (default: all in one) */
  segment?: number;
  /** the peer acknowledges afterwards (default true) */
  ack?: boolean;
}

export class TcpSession {
  readonly client: string;
  readonly server: string;
  readonly cport: number;
  readonly sport: number;
  /** next sequence number of each side */
  cseq: number;
  sseq: number;
  /** timestamp of the next frame, whole microseconds */
  tus: number;
  readonly stepUs: number;
  readonly records: PcapRecord[] = [];

  constructor(o: SessionOptions = {}) {
    this.client = o.client ?? '10.0.0.1';
    this.server = o.server ?? '10.0.0.2';
    this.cport = o.cport ?? 49152;
    this.sport = o.sport ?? 445;
    this.cseq = (o.cisn ?? 1000) >>> 0;
    this.sseq = (o.sisn ?? 5000) >>> 0;
    this.tus = o.t0us ?? 1_700_000_000_000_000;
    this.stepUs = o.stepUs ?? 1000;
  }

  /** Timestamp (seconds, as libpcap's sec + usec / 1e6) of the frame added last. */
  get lastTs(): number {
    const r = this.records[this.records.length - 1];
    return r ? r.sec + r.frac / 1e6 : 0;
  }

  /** Adds one frame; `seq` and `ack` are absolute sequence numbers. */
  frame(fromClient: boolean, flags: number, seq: number, ack: number, payload: Uint8Array = new Uint8Array(0)): this {
    const data = tcpFrame(payload, {
      src: fromClient ? this.client : this.server,
      dst: fromClient ? this.server : this.client,
      sport: fromClient ? this.cport : this.sport,
      dport: fromClient ? this.sport : this.cport,
      seq: seq >>> 0,
      ack: ack >>> 0,
      flags,
    });
    this.records.push({ sec: Math.floor(this.tus / 1e6), frac: this.tus % 1e6, data });
    this.tus += this.stepUs;
    return this;
  }

  /** SYN, SYN-ACK, ACK: each side's sequence numbers advance by one. */
  handshake(): this {
    this.frame(true, TCP_SYN, this.cseq, 0);
    this.cseq = (this.cseq + 1) >>> 0;
    this.frame(false, TCP_SYN | TCP_ACK, this.sseq, this.cseq);
    this.sseq = (this.sseq + 1) >>> 0;
    this.frame(true, TCP_ACK, this.cseq, this.sseq);
    return this;
  }

  /** Sends `payload` in order from one side, then (by default) the other side acknowledges it. */
  send(fromClient: boolean, payload: Uint8Array, o: SendOptions = {}): this {
    const seg = o.segment ?? Math.max(1, payload.length);
    for (let off = 0; off < payload.length; off += seg) {
      const part = payload.subarray(off, Math.min(payload.length, off + seg));
      this.segment(fromClient, part);
    }
    if (o.ack ?? true) this.ackFrom(!fromClient);
    return this;
  }

  /** One PSH|ACK data segment at the sender's next sequence number. */
  segment(fromClient: boolean, part: Uint8Array): this {
    if (fromClient) {
      this.frame(true, TCP_PSH | TCP_ACK, this.cseq, this.sseq, part);
      this.cseq = (this.cseq + part.length) >>> 0;
    } else {
      this.frame(false, TCP_PSH | TCP_ACK, this.sseq, this.cseq, part);
      this.sseq = (this.sseq + part.length) >>> 0;
    }
    return this;
  }

  /** A pure ACK from one side for everything the other side sent. */
  ackFrom(fromClient: boolean): this {
    return fromClient
      ? this.frame(true, TCP_ACK, this.cseq, this.sseq)
      : this.frame(false, TCP_ACK, this.sseq, this.cseq);
  }

  /** FIN from both sides, each acknowledged. */
  close(): this {
    this.frame(true, TCP_FIN | TCP_ACK, this.cseq, this.sseq);
    this.cseq = (this.cseq + 1) >>> 0;
    this.frame(false, TCP_FIN | TCP_ACK, this.sseq, this.cseq);
    this.sseq = (this.sseq + 1) >>> 0;
    this.frame(true, TCP_ACK, this.cseq, this.sseq);
    return this;
  }

  /** Adds an already built frame (e.g. an IP fragment) at the next timestamp. */
  raw(data: Uint8Array, wirelen = data.length): this {
    this.records.push({ sec: Math.floor(this.tus / 1e6), frac: this.tus % 1e6, data, wirelen });
    this.tus += this.stepUs;
    return this;
  }

  /** The client's and server's addresses and ports, for building frames by hand. */
  ends(fromClient: boolean): { src: string; dst: string; sport: number; dport: number } {
    return fromClient
      ? { src: this.client, dst: this.server, sport: this.cport, dport: this.sport }
      : { src: this.server, dst: this.client, sport: this.sport, dport: this.cport };
  }

  pcap(): Uint8Array {
    return pcap(this.records);
  }
}
