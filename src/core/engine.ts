/**
 * The analysis engine: the packet pipeline from captured frames to events.
 *
 *   frame -> link (link/) -> IP (ip/, fragment reassembly) -> TCP (tcp/)
 *         -> connection table -> stream reassembly -> SMB framing (smb/)
 *         -> SMB2 messages -> events (events/)
 *
 * The engine owns every table and enforces their limits; it knows nothing of
 * logs (those subscribe to events). Data flows one way; the only thing that
 * flows back is time (`now`) and weird reporting.
 */

import { ByteBudget } from './budget.js';
import { EventBus } from './events/bus.js';
import type { ConnRef } from './events/catalogue.js';
import { DEFAULT_FRAGMENT_LIMITS, type FragmentLimits, FragmentReassembler } from './ip/fragments.js';
import { decodeIp, IP_WEIRD, type IpInfo, IpStatus, ipv6UpperLayer, newIpInfo } from './ip/ip.js';
import { decodeLink, type LinkResult, LinkStatus } from './link/link.js';
import { SmbConnectionAnalyzer } from './smb/analyzer.js';
import { DEFAULT_SMB_LIMITS, type SmbContext, type SmbFiles, type SmbLimits } from './smb/context.js';
import type { SMB2Header } from './smb/smb2/types.js';
import type { CaptureNotice } from './source/capture.js';
import { Connection, type Endpoint, EndpointState, LETTER_BITS } from './tcp/conn.js';
import { Reassembler, SegmentResult, type StreamConsumer } from './tcp/reassembler.js';
import { ConnectionTable } from './tcp/table.js';
import { ACK, decodeTcp, FIN, newTcpInfo, RST, SYN, type TcpInfo, TcpStatus, tcpChecksumOk } from './tcp/tcp.js';
import { UidGenerator } from './tcp/uid.js';

export interface EngineLimits extends SmbLimits {
  /** connections tracked at once; the least recently active is evicted beyond it */
  maxConnections: number;
  /** out-of-order bytes held per direction of a connection */
  maxOutOfOrder: number;
  /**
   * bytes buffered for all connections together: out-of-order TCP data and
   * partial SMB messages (each piece also costs a fixed overhead)
   */
  maxBufferedBytes: number;
  fragments: FragmentLimits;
}

export const DEFAULT_LIMITS: EngineLimits = {
  ...DEFAULT_SMB_LIMITS,
  maxConnections: 40_000,
  maxOutOfOrder: 4 * 1024 * 1024,
  maxBufferedBytes: 64 * 1024 * 1024,
  fragments: DEFAULT_FRAGMENT_LIMITS,
};

export interface EngineOptions {
  /** verify IP and TCP checksums (Zeek's default; `-C` turns it off) */
  verifyChecksums?: boolean;
  /** seed for reproducible uids */
  seed?: number | bigint | undefined;
  /** TCP ports always analyzed as SMB (default 139 and 445) */
  smbPorts?: readonly number[];
  limits?: Partial<EngineLimits>;
  /** seconds without packets before a TCP connection is expired (Zeek's tcp_inactivity_timeout) */
  tcpInactivityTimeout?: number;
  /** seconds a closed or reset connection is kept for late packets (Zeek's tcp_close_delay) */
  tcpCloseDelay?: number;
}

export interface EngineStats {
  packets: number;
  bytes: number;
  nonIp: number;
  nonTcp: number;
  badChecksums: number;
  tcpPackets: number;
  connections: number;
  smbConnections: number;
  smb2Messages: number;
  closes: number;
  weirds: number;
}

/** Weirds sampled per name and connection as Zeek does: the first 1000, then 1 in 1000. */
const WEIRD_SAMPLING_THRESHOLD = 1000;
const WEIRD_SAMPLING_RATE = 1000;

interface ConnExtra {
  ref: ConnRef;
  weirdCounts?: Map<string, number>;
  smbChunks: number;
}

export class Engine {
  readonly bus = new EventBus();
  readonly stats: EngineStats = {
    packets: 0,
    bytes: 0,
    nonIp: 0,
    nonTcp: 0,
    badChecksums: 0,
    tcpPackets: 0,
    connections: 0,
    smbConnections: 0,
    smb2Messages: 0,
    closes: 0,
    weirds: 0,
  };
  /** network time of the current packet */
  now = 0;
  readonly limits: EngineLimits;
  readonly conns = new ConnectionTable();

  private readonly verify: boolean;
  private readonly smbPorts: ReadonlySet<number>;
  private readonly uids: UidGenerator;
  private readonly frags: FragmentReassembler;
  /** the bound of buffered bytes shared by every connection */
  readonly budget: ByteBudget;
  private readonly smbLimits: SmbLimits;
  private smbCtx: SmbContext | undefined;
  private readonly inactivity: number;
  private readonly closeDelay: number;
  private readonly link: LinkResult = { ethertype: 0, off: 0 };
  private readonly ip: IpInfo = newIpInfo();
  private readonly tcp: TcpInfo = newTcpInfo();
  private readonly extra = new WeakMap<Connection, ConnExtra>();
  private readonly conns_ = new WeakMap<ConnRef, Connection>();
  private readonly netWeirdCounts = new Map<string, number>();
  private readonly unknownLinktypes = new Set<number>();
  private lastSweep = 0;
  /** checksum failures and verified packets, to suggest -C when most fail */
  private checksumFailures = 0;
  private checksumsVerified = 0;
  /** called when a connection is removed (finished, expired, evicted or at the end) */
  onConnectionDone: ((c: Connection) => void) | undefined;
  /** called about once a second of network time (timeouts of other components) */
  onSweep: (() => void) | undefined;
  /** file analysis for SMB file data, when enabled (set by the Analyzer) */
  smbFiles: SmbFiles | undefined;
  /** security blobs of SMB2 NEGOTIATE and SESSION_SETUP (set by the Analyzer) */
  onSecurityBlob: ((c: ConnRef, hdr: SMB2Header, isOrig: boolean, blob: Uint8Array) => void) | undefined;
  /** compound chain links, shared by the SMB analyzers and the SMB policy */
  readonly chainLinks = new WeakMap<SMB2Header, SMB2Header>();

  constructor(options: EngineOptions = {}) {
    this.verify = options.verifyChecksums ?? true;
    this.smbPorts = new Set(options.smbPorts ?? [139, 445]);
    this.uids = new UidGenerator(options.seed);
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.frags = new FragmentReassembler(this.limits.fragments);
    this.budget = new ByteBudget(this.limits.maxBufferedBytes);
    this.smbLimits = { ...this.limits, budget: this.budget };
    this.inactivity = options.tcpInactivityTimeout ?? 300;
    this.closeDelay = options.tcpCloseDelay ?? 5;
  }

  /** The uid generator, shared with file analysis so `--seed` covers file ids too. */
  get uidGenerator(): UidGenerator {
    return this.uids;
  }

  /** Most packets failed checksum verification (a sign of checksum offloading). */
  get checksumsMostlyBad(): boolean {
    return this.checksumsVerified >= 10 && this.checksumFailures * 2 > this.checksumsVerified;
  }

  /** One captured frame; `buf` is only valid during the call. */
  packet(linktype: number, ts: number, buf: Uint8Array, off: number, caplen: number, wirelen: number): void {
    this.now = ts;
    this.stats.packets++;
    this.stats.bytes += caplen;
    void wirelen;
    if (ts - this.lastSweep >= 1) this.sweep();
    const st = decodeLink(linktype, buf, off, off + caplen, this.link);
    if (st !== LinkStatus.Ok) {
      if (st === LinkStatus.UnknownLinkType) {
        if (!this.unknownLinktypes.has(linktype)) {
          this.unknownLinktypes.add(linktype);
          this.netWeird('unknown_link_type', `link type ${linktype}`);
        }
      } else if (st === LinkStatus.Truncated) this.netWeird('truncated_link_header');
      this.stats.nonIp++;
      this.bus.drain();
      return;
    }
    this.network(buf, this.link.off, off + caplen);
    this.bus.drain();
  }

  /** A capture-file anomaly that does not stop reading: a weird (CONTRACT: anomalies in weird.log). */
  notice(n: CaptureNotice): void {
    this.netWeird(n.kind === 'unknown-block' ? 'pcapng_unknown_block' : 'pcapng_bad_interface', n.message, 'CAPTURE');
    this.bus.drain();
  }

  /** End of input: every connection is finished and every event delivered. */
  finish(): void {
    for (const c of [...this.conns.all()]) this.remove(c);
    this.bus.drain();
  }

  private network(buf: Uint8Array, off: number, end: number): void {
    const ip = this.ip;
    const st = decodeIp(buf, off, end, this.verify, ip);
    if (st !== IpStatus.Ok && st !== IpStatus.Truncated) {
      this.netWeird(IP_WEIRD[st] ?? 'bad_IP');
      if (st === IpStatus.BadChecksum) this.stats.badChecksums++;
      return;
    }
    if (ip.fragment) {
      const payload = this.frags.add(ip, buf, this.now, (name) => this.netWeird(name));
      if (!payload) return;
      ip.payOff = 0;
      ip.payEnd = payload.length;
      ip.payWire = payload.length;
      ip.fragment = false;
      if (ip.version === 6) {
        // the reassembled part may begin with more extension headers
        const u = ipv6UpperLayer(payload, 0, payload.length, ip.proto);
        if (!u) {
          this.netWeird('bad_IPv6_extension_header');
          return;
        }
        ip.proto = u.proto;
        ip.payOff = u.off;
        ip.payWire = payload.length - u.off;
      }
      if (ip.proto === 6) this.tcpSegment(payload, ip, false);
      else this.stats.nonTcp++;
      return;
    }
    // a datagram cut by the snap length: what was captured is still analyzed, the rest is a gap
    if (st === IpStatus.Truncated)
      this.netWeird('truncated_IP', `${ip.payEnd - ip.hdrOff} of ${ip.totalLen} bytes captured`);
    if (ip.proto === 6) this.tcpSegment(buf, ip, st === IpStatus.Ok);
    else this.stats.nonTcp++;
  }

  private tcpSegment(buf: Uint8Array, ip: IpInfo, whole: boolean): void {
    const t = this.tcp;
    const st = decodeTcp(buf, ip, t);
    if (st !== TcpStatus.Ok) {
      this.netWeird(st === TcpStatus.Truncated ? 'truncated_header' : 'bad_TCP_header_len');
      return;
    }
    this.stats.tcpPackets++;
    const h = ConnectionTable.hash(ip, t.sport, t.dport);
    let c = this.conns.find(h, ip, t.sport, t.dport);
    let isOrig = this.conns.isOrig;
    if (c && (t.flags & (SYN | ACK)) === SYN && isReusable(c)) {
      // a new SYN on a finished 4-tuple: a new connection
      this.remove(c);
      c = undefined;
    }
    if (!c) {
      c = this.newConnection(ip, t, h);
      isOrig = this.conns.isOrig;
    } else {
      this.conns.touch(c);
    }
    c.last = this.now;
    // checksum, verified only when the whole segment was captured
    if (this.verify && whole && ip.payEnd - ip.payOff === ip.payWire) {
      this.checksumsVerified++;
      if (!tcpChecksumOk(buf, ip)) {
        this.checksumFailures++;
        this.stats.badChecksums++;
        c.addLetter('c', isOrig);
        this.connWeird(c, 'bad_TCP_checksum');
        return;
      }
    }
    const ep = isOrig ? c.orig : c.resp;
    const peer = isOrig ? c.resp : c.orig;
    ep.pkts++;
    ep.ipBytes += ip.totalLen;
    this.updateState(c, ep, peer, t, isOrig);
    if (c.app) {
      // as Zeek does: the acknowledgement first (a gap in the peer's stream if it covers unseen bytes),
      // then this packet's own data
      if (t.flags & ACK) {
        const pr =
          peer.reasm ?? (peer.synSeen && t.ack !== (peer.startSeq + 1) >>> 0 ? this.reasmOf(c, !isOrig) : undefined);
        pr?.ack(t.ack);
      }
      // a direction's reassembler is made when it first carries data (or is acknowledged beyond its SYN)
      const reasm = ep.reasm ?? (t.dataWire > 0 || t.flags & FIN ? this.reasmOf(c, isOrig) : undefined);
      if (!reasm) return;
      if (!reasm.started && ep.synSeen) reasm.start((ep.startSeq + 1) >>> 0);
      if (t.dataWire > 0) {
        const r = reasm.segment(syn(t) ? (t.seq + 1) >>> 0 : t.seq, buf, t.dataOff, t.dataLen, t.dataWire);
        if (r === SegmentResult.Retransmission) c.addLetter('t', isOrig);
        else if (r === SegmentResult.Dropped || (reasm.overflowed && !reasm.overflowReported)) {
          reasm.overflowReported = true;
          this.connWeird(c, 'TCP_reassembly_limit', `more than ${this.limits.maxOutOfOrder} out-of-order bytes`, 'TCP');
        }
      }
      if (t.flags & FIN) reasm.fin((t.seq + t.dataWire + (syn(t) ? 1 : 0)) >>> 0);
    } else if (!c.notSmb && t.dataWire > 0 && t.dataLen >= 8) {
      this.detectSmb(c, buf, t, isOrig);
    }
  }

  private newConnection(ip: IpInfo, t: TcpInfo, h: number): Connection {
    if (this.conns.size >= this.limits.maxConnections) {
      const victim = this.conns.oldest();
      if (victim) {
        this.netWeird('connection_table_full', `evicted ${victim.uid} after ${this.limits.maxConnections} connections`);
        this.remove(victim);
      }
    }
    // originator: the SYN's sender; the SYN-ACK's receiver; else the side not on a likely server port
    let flip = false;
    if ((t.flags & (SYN | ACK)) === (SYN | ACK)) flip = true;
    else if ((t.flags & SYN) === 0) {
      const s = this.isServerPort(t.sport);
      const d = this.isServerPort(t.dport);
      flip = s && (!d || t.sport < t.dport);
    }
    const s = [ip.s0, ip.s1, ip.s2, ip.s3] as const;
    const d = [ip.d0, ip.d1, ip.d2, ip.d3] as const;
    const c = flip
      ? new Connection(this.uids.next('C'), ip.version, d, t.dport, s, t.sport, this.now)
      : new Connection(this.uids.next('C'), ip.version, s, t.sport, d, t.dport, this.now);
    if (flip) c.addLetter('^', true);
    this.conns.insert(c, h);
    this.conns.isOrig = !flip;
    this.stats.connections++;
    const ref = { uid: c.uid, id: c.id() };
    this.extra.set(c, { ref, smbChunks: 0 });
    this.conns_.set(ref, c);
    if (this.smbPorts.has(c.rp) || this.smbPorts.has(c.op)) {
      this.attachSmb(c, (t.flags & SYN) === 0);
    }
    return c;
  }

  /** Starts SMB analysis of a connection; `midstream` when its start was not seen. */
  private attachSmb(c: Connection, midstream: boolean): void {
    // one context for every SMB connection (the connection is named by the ConnRef it passes)
    this.smbCtx ??= {
      bus: this.bus,
      limits: this.smbLimits,
      files: this.smbFiles,
      chainLinks: this.chainLinks,
      now: () => this.now,
      weird: (cr, name, addl, source) => {
        const conn = this.conns_.get(cr);
        if (conn) this.connWeirdRef(conn, cr, name, addl, source);
      },
      securityBlob: (cr, hdr, isOrig, blob) => this.onSecurityBlob?.(cr, hdr, isOrig, blob),
    };
    const app = new SmbConnectionAnalyzer(this.ref(c), this.smbCtx, midstream);
    c.app = app;
    this.stats.smbConnections++;
  }

  /** The reassembler of one direction of an SMB connection, made on first need. */
  private reasmOf(c: Connection, isOrig: boolean): Reassembler {
    const ep = isOrig ? c.orig : c.resp;
    if (ep.reasm) return ep.reasm;
    const feed = new SmbFeed(c, c.app as SmbConnectionAnalyzer, this.extra.get(c)!, isOrig);
    const r = new Reassembler(feed, this.limits.maxOutOfOrder, this.budget);
    // a stream whose SYN was seen begins after it
    if (ep.synSeen) r.start((ep.startSeq + 1) >>> 0);
    ep.reasm = r;
    return r;
  }

  /** Zeek's likely_server_ports: the SMB ports and common well-known services. */
  private isServerPort(p: number): boolean {
    return this.smbPorts.has(p) || LIKELY_SERVER_PORTS.has(p);
  }

  /** SMB on a port that is not an SMB port: recognised by its first payload. */
  private detectSmb(c: Connection, buf: Uint8Array, t: TcpInfo, isOrig: boolean): void {
    const o = t.dataOff;
    const b4 = buf[o + 4];
    const isSmb =
      buf[o] === 0 &&
      (b4 === 0xfe || b4 === 0xff || b4 === 0xfd) &&
      buf[o + 5] === 0x53 &&
      buf[o + 6] === 0x4d &&
      buf[o + 7] === 0x42;
    if (!isSmb) {
      c.notSmb = true;
      return;
    }
    this.attachSmb(c, !c.orig.synSeen);
    const seq = syn(t) ? (t.seq + 1) >>> 0 : t.seq;
    this.reasmOf(c, isOrig).segment(seq, buf, t.dataOff, t.dataLen, t.dataWire);
  }

  /** Endpoint state machine (Zeek's TCP endpoint states) and history letters. */
  private updateState(c: Connection, ep: Endpoint, peer: Endpoint, t: TcpInfo, isOrig: boolean): void {
    const f = t.flags;
    const syn = (f & SYN) !== 0;
    const ack = (f & ACK) !== 0;
    const fin = (f & FIN) !== 0;
    const rst = (f & RST) !== 0;
    if (syn && (fin || rst)) c.addLetter('q', isOrig);
    else if (fin && rst) c.addLetter('i', isOrig);
    if (syn) {
      c.addLetter(ack ? 'h' : 's', isOrig);
      if (!ep.seqKnown || !ep.synSeen) {
        ep.startSeq = t.seq >>> 0;
        ep.seqKnown = true;
        ep.synSeen = true;
        ep.lastPos = 1;
      }
      if (ep.state === EndpointState.Inactive) ep.state = ack ? EndpointState.SynAckSent : EndpointState.SynSent;
    } else if (!ep.seqKnown) {
      ep.startSeq = t.seq >>> 0;
      ep.seqKnown = true;
    }
    if (ep.seqKnown) {
      const pos = ((t.seq - ep.startSeq) | 0) + t.dataWire + (syn ? 1 : 0) + (fin ? 1 : 0);
      if (pos > ep.lastPos) ep.lastPos = pos;
    }
    // the peer's size also counts what this side acknowledged of it (bytes lost to the capture included)
    if (ack && peer.seqKnown && !rst) {
      const pos = (t.ack - peer.startSeq) | 0;
      if (pos > peer.lastPos && pos - peer.lastPos < 0x40000000) peer.lastPos = pos;
    }
    if (t.dataWire > 0) {
      if (isOrig) c.addLetterBit('D', BIT_D);
      else c.addLetterBit('d', BIT_d);
    } else if (ack && !syn && !fin && !rst) {
      if (isOrig) c.addLetterBit('A', BIT_A);
      else c.addLetterBit('a', BIT_a);
    }
    if (t.win === 0 && !syn && !rst) c.addLetter('w', isOrig);
    if (fin) {
      c.addLetter('f', isOrig);
      ep.finSeen = true;
      if (ep.state !== EndpointState.Reset) ep.state = EndpointState.Closed;
    }
    if (rst) {
      c.addLetter('r', isOrig);
      ep.rstSeen = true;
      ep.state = EndpointState.Reset;
    }
    if (!syn && !fin && !rst) {
      if (ep.state === EndpointState.Inactive) ep.state = EndpointState.Partial;
      else if ((ep.state === EndpointState.SynSent || ep.state === EndpointState.SynAckSent) && ack && peer.synSeen) {
        ep.state = EndpointState.Established;
        if (peer.state === EndpointState.SynSent || peer.state === EndpointState.SynAckSent) {
          peer.state = EndpointState.Established;
        }
      }
    }
    if (ack && ep.state === EndpointState.SynAckSent && peer.state === EndpointState.Established) {
      ep.state = EndpointState.Established;
    }
  }

  /** Expires idle connections and those closed for longer than the close delay. */
  private sweep(): void {
    this.lastSweep = this.now;
    this.onSweep?.();
    for (;;) {
      const c = this.conns.oldest();
      if (!c) return;
      const idle = this.now - c.last;
      const closed = c.orig.state >= EndpointState.Closed && c.resp.state >= EndpointState.Closed;
      if (idle > this.inactivity || (closed && idle > this.closeDelay)) this.remove(c);
      else return;
    }
  }

  private remove(c: Connection): void {
    if (c.finished) return;
    c.finished = true;
    this.conns.remove(c);
    c.orig.reasm?.flush();
    c.resp.reasm?.flush();
    c.app?.done();
    if (c.app instanceof SmbConnectionAnalyzer) {
      this.stats.smb2Messages += c.app.smb2.messages;
      this.stats.closes += c.app.smb2.closes;
    }
    this.onConnectionDone?.(c);
  }

  ref(c: Connection): ConnRef {
    return this.extra.get(c)!.ref;
  }

  /** The connection behind an event's `c`. */
  connectionOf(ref: ConnRef): Connection | undefined {
    return this.conns_.get(ref);
  }

  connWeird(c: Connection, name: string, addl = '', source = ''): void {
    this.connWeirdRef(c, this.ref(c), name, addl, source);
  }

  private connWeirdRef(c: Connection, ref: ConnRef, name: string, addl = '', source = ''): void {
    const extra = this.extra.get(c);
    let counts = extra?.weirdCounts;
    if (extra && !counts) counts = extra.weirdCounts = new Map();
    if (counts && !sample(counts, name)) return;
    this.stats.weirds++;
    this.bus.raise('conn_weird', this.now, name, ref, addl, source);
  }

  netWeird(name: string, addl = '', source = ''): void {
    if (!sample(this.netWeirdCounts, name)) return;
    this.stats.weirds++;
    this.bus.raise('net_weird', this.now, name, addl, source);
  }
}

/** One direction of an SMB connection's reassembled stream, fed to its analyzer. */
class SmbFeed implements StreamConsumer {
  constructor(
    private readonly c: Connection,
    private readonly app: SmbConnectionAnalyzer,
    private readonly extra: ConnExtra,
    private readonly isOrig: boolean,
  ) {}

  data(buf: Uint8Array, off: number, len: number): void {
    this.app.data(this.isOrig, buf, off, len);
    // Zeek confirms SMB once its third chunk of stream data has been parsed
    if (++this.extra.smbChunks === 3) this.c.addService('smb');
  }

  gap(len: number): void {
    this.c.addLetter('g', this.isOrig);
    this.app.gap(this.isOrig, len);
  }
}

/** Well-known service ports counted as likely servers when orienting a connection. */
const LIKELY_SERVER_PORTS: ReadonlySet<number> = new Set([
  21, 22, 23, 25, 53, 80, 88, 110, 111, 135, 143, 389, 443, 464, 465, 587, 593, 636, 993, 995, 1433, 2049, 3268, 3389,
  5985, 5986, 8080,
]);

const BIT_D = LETTER_BITS.get('D')!;
const BIT_d = LETTER_BITS.get('d')!;
const BIT_A = LETTER_BITS.get('A')!;
const BIT_a = LETTER_BITS.get('a')!;

function syn(t: TcpInfo): boolean {
  return (t.flags & SYN) !== 0;
}

function isReusable(c: Connection): boolean {
  return c.orig.state >= EndpointState.Closed || c.resp.state >= EndpointState.Closed;
}

function sample(counts: Map<string, number>, name: string): boolean {
  const n = (counts.get(name) ?? 0) + 1;
  counts.set(name, n);
  return n <= WEIRD_SAMPLING_THRESHOLD || n % WEIRD_SAMPLING_RATE === 0;
}
