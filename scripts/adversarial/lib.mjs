// Building blocks of the adversarial captures: a streaming pcap writer
// (Ethernet / IPv4 / TCP with correct checksums, written straight into a
// buffer so that millions of packets take seconds), TCP conversations with
// correct sequence numbers, and SMB2 messages (MS-SMB2) in NBSS framing.
// Plain Node ESM, no dependencies, deterministic.

import { closeSync, openSync, writeSync } from 'node:fs';

const ETH = 14;
const IP = 20;
const TCP = 20;

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

/** IPv4 address `a.b.c.d` as an unsigned 32-bit number. */
export function ip4(a, b, c, d) {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** xorshift32: a small deterministic PRNG. */
export function prng(seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return {
    u32: next,
    /** integer in [0, n) */
    int: (n) => next() % n,
    fill(buf) {
      for (let i = 0; i < buf.length; i++) buf[i] = next() & 0xff;
      return buf;
    },
  };
}

/** Ones'-complement sum of the big-endian 16-bit words of b[s, e) (RFC 1071), not folded. */
function sum16(b, s, e, sum) {
  let i = s;
  for (; i + 1 < e; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < e) sum += b[i] << 8;
  return sum;
}

function fold(sum) {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** A pcap file (microsecond timestamps, Ethernet) written as it is built. */
export class PcapWriter {
  constructor(path, { snaplen = 262144 } = {}) {
    this.path = path;
    this.fd = openSync(path, 'w');
    this.buf = Buffer.allocUnsafe(8 << 20);
    this.pos = 0;
    this.packets = 0;
    this.size = 0;
    /** timestamp of the next packet, microseconds */
    this.t = 1_700_000_000_000_000;
    /** microseconds between packets */
    this.step = 100;
    const h = this.reserve(24);
    this.buf.writeUInt32LE(0xa1b2c3d4, h); // magic
    this.buf.writeUInt16LE(2, h + 4); // major version
    this.buf.writeUInt16LE(4, h + 6); // minor version
    this.buf.writeUInt32LE(0, h + 8); // thiszone
    this.buf.writeUInt32LE(0, h + 12); // sigfigs
    this.buf.writeUInt32LE(snaplen, h + 16); // snaplen
    this.buf.writeUInt32LE(1, h + 20); // LINKTYPE_ETHERNET
  }

  /** Makes room for `n` bytes and returns where they go. */
  reserve(n) {
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    }
    const at = this.pos;
    this.pos += n;
    this.size += n;
    return at;
  }

  flush() {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }

  close() {
    this.flush();
    closeSync(this.fd);
    return { packets: this.packets, size: this.size };
  }

  /** Record header for a frame of `len` bytes; returns the offset of the frame. */
  record(len, wirelen = len) {
    const at = this.reserve(16 + len);
    const b = this.buf;
    const t = this.t;
    b.writeUInt32LE(Math.floor(t / 1e6), at);
    b.writeUInt32LE(t % 1e6, at + 4);
    b.writeUInt32LE(len, at + 8);
    b.writeUInt32LE(wirelen, at + 12);
    this.t += this.step;
    this.packets++;
    return at + 16;
  }

  ethernet(at) {
    const b = this.buf;
    b.writeUInt32BE(0x02000000, at); // destination MAC 02:00:00:00:00:02
    b.writeUInt16BE(0x0002, at + 4);
    b.writeUInt32BE(0x02000000, at + 6); // source MAC 02:00:00:00:00:01
    b.writeUInt16BE(0x0001, at + 10);
    b.writeUInt16BE(0x0800, at + 12); // IPv4
  }

  /** IPv4 header at `at` (checksum filled). */
  ipHeader(at, { src, dst, proto, totalLen, id = 0, mf = false, fragOffset = 0 }) {
    const b = this.buf;
    b[at] = 0x45;
    b[at + 1] = 0;
    b.writeUInt16BE(totalLen, at + 2);
    b.writeUInt16BE(id & 0xffff, at + 4);
    b.writeUInt16BE((mf ? 0x2000 : 0) | (fragOffset >>> 3), at + 6);
    b[at + 8] = 64; // TTL
    b[at + 9] = proto;
    b.writeUInt16BE(0, at + 10);
    b.writeUInt32BE(src, at + 12);
    b.writeUInt32BE(dst, at + 16);
    b.writeUInt16BE(fold(sum16(b, at, at + IP, 0)), at + 10);
  }

  /**
   * One Ethernet/IPv4/TCP frame. `payload` is a Buffer or an array of
   * Buffers (concatenated); the TCP checksum covers it.
   */
  tcp(src, dst, sport, dport, seq, ack, flags, payload) {
    const parts = payload === undefined ? [] : Array.isArray(payload) ? payload : [payload];
    let plen = 0;
    for (const p of parts) plen += p.length;
    const f = this.record(ETH + IP + TCP + plen);
    const b = this.buf;
    this.ethernet(f);
    const ipAt = f + ETH;
    this.ipHeader(ipAt, { src, dst, proto: 6, totalLen: IP + TCP + plen, id: this.packets & 0xffff });
    const t = ipAt + IP;
    b.writeUInt16BE(sport, t);
    b.writeUInt16BE(dport, t + 2);
    b.writeUInt32BE(seq >>> 0, t + 4);
    b.writeUInt32BE(ack >>> 0, t + 8);
    b[t + 12] = 5 << 4; // data offset: 5 words
    b[t + 13] = flags;
    b.writeUInt16BE(65535, t + 14); // window
    b.writeUInt32BE(0, t + 16); // checksum, urgent pointer
    let p = t + TCP;
    for (const part of parts) {
      part.copy(b, p);
      p += part.length;
    }
    // pseudo-header: source, destination, zero, protocol, TCP length
    let sum = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + TCP + plen;
    sum = sum16(b, t, p, sum);
    b.writeUInt16BE(fold(sum), t + 16);
  }

  /** One IPv4 packet (possibly a fragment) carrying `payload` as is. */
  ipPacket(src, dst, proto, payload, { id = 0, mf = false, fragOffset = 0 } = {}) {
    const f = this.record(ETH + IP + payload.length);
    this.ethernet(f);
    this.ipHeader(f + ETH, { src, dst, proto, totalLen: IP + payload.length, id, mf, fragOffset });
    payload.copy(this.buf, f + ETH + IP);
  }
}

/** A TCP conversation with correct sequence and acknowledgement numbers. */
export class TcpConn {
  constructor(w, { client, server, cport, sport = 445, cisn = 1000, sisn = 500000 }) {
    this.w = w;
    this.client = client;
    this.server = server;
    this.cport = cport;
    this.sport = sport;
    this.cseq = cisn >>> 0;
    this.sseq = sisn >>> 0;
  }

  frame(fromClient, flags, payload) {
    const w = this.w;
    if (fromClient) w.tcp(this.client, this.server, this.cport, this.sport, this.cseq, this.sseq, flags, payload);
    else w.tcp(this.server, this.client, this.sport, this.cport, this.sseq, this.cseq, flags, payload);
  }

  handshake() {
    this.frame(true, SYN);
    this.cseq = (this.cseq + 1) >>> 0;
    this.w.tcp(this.server, this.client, this.sport, this.cport, this.sseq, this.cseq, SYN | ACK);
    this.sseq = (this.sseq + 1) >>> 0;
    this.frame(true, ACK);
    return this;
  }

  /** One data segment at the sender's next sequence number. */
  segment(fromClient, payload) {
    let n = 0;
    for (const p of Array.isArray(payload) ? payload : [payload]) n += p.length;
    this.frame(fromClient, PSH | ACK, payload);
    if (fromClient) this.cseq = (this.cseq + n) >>> 0;
    else this.sseq = (this.sseq + n) >>> 0;
    return this;
  }

  /** Advances the sender's sequence number by `n` bytes that are never captured (a lost segment). */
  lose(fromClient, n) {
    if (fromClient) this.cseq = (this.cseq + n) >>> 0;
    else this.sseq = (this.sseq + n) >>> 0;
    return this;
  }

  /** Sends `data` in segments of at most `mss` bytes; the peer acknowledges every `ackEvery` segments (0: never). */
  send(fromClient, data, { mss = 1448, ackEvery = 2 } = {}) {
    let k = 0;
    for (let off = 0; off < data.length; off += mss) {
      this.segment(fromClient, data.subarray(off, Math.min(data.length, off + mss)));
      if (ackEvery > 0 && ++k % ackEvery === 0) this.ackFrom(!fromClient);
    }
    if (ackEvery > 0 && k % ackEvery !== 0) this.ackFrom(!fromClient);
    return this;
  }

  ackFrom(fromClient) {
    this.frame(fromClient, ACK);
    return this;
  }
}

/**
 * Collects small messages into segments of at most `mss` bytes and sends
 * them (many messages per segment), acknowledged every `ackEvery` segments.
 */
export class Batcher {
  constructor(conn, fromClient, { mss = 1448, ackEvery = 4 } = {}) {
    this.conn = conn;
    this.fromClient = fromClient;
    this.mss = mss;
    this.ackEvery = ackEvery;
    this.parts = [];
    this.len = 0;
    this.segments = 0;
  }

  add(msg) {
    if (this.len + msg.length > this.mss && this.len > 0) this.flush();
    if (msg.length > this.mss) {
      this.conn.send(this.fromClient, msg, { mss: this.mss, ackEvery: this.ackEvery });
      return;
    }
    this.parts.push(msg);
    this.len += msg.length;
  }

  flush() {
    if (this.len === 0) return;
    this.conn.segment(this.fromClient, this.parts);
    this.parts = [];
    this.len = 0;
    if (this.ackEvery > 0 && ++this.segments % this.ackEvery === 0) this.conn.ackFrom(!this.fromClient);
  }
}

// --- SMB2 (MS-SMB2 2.2)

export const NEGOTIATE = 0;
export const TREE_CONNECT = 3;
export const CREATE = 5;
export const CLOSE = 6;
export const READ = 8;
export const WRITE = 9;
export const IOCTL = 11;
export const ECHO = 13;

/** The 64-byte SMB2 header (2.2.1.2, sync). */
export function smb2Header(
  b,
  at,
  { command, mid = 0n, tid = 0, sid = 0n, flags = 0, next = 0, status = 0, response = false },
) {
  b.writeUInt32BE(0xfe534d42, at); // \xfeSMB
  b.writeUInt16LE(64, at + 4); // StructureSize
  b.writeUInt16LE(1, at + 6); // CreditCharge
  b.writeUInt32LE(status, at + 8); // Status
  b.writeUInt16LE(command, at + 12); // Command
  b.writeUInt16LE(1, at + 14); // CreditRequest/Response
  b.writeUInt32LE((flags | (response ? 1 : 0)) >>> 0, at + 16); // Flags
  b.writeUInt32LE(next >>> 0, at + 20); // NextCommand
  b.writeBigUInt64LE(BigInt(mid), at + 24); // MessageId
  b.writeUInt32LE(0xfeff, at + 32); // Reserved (ProcessId)
  b.writeUInt32LE(tid >>> 0, at + 36); // TreeId
  b.writeBigUInt64LE(BigInt(sid), at + 40); // SessionId
  b.fill(0, at + 48, at + 64); // Signature
}

/** A session message (NBSS type 0, 24-bit length) holding one SMB2 message with a `bodyLen`-byte body. */
function message(h, bodyLen, fillBody) {
  const b = Buffer.alloc(4 + 64 + bodyLen);
  b.writeUInt32BE(64 + bodyLen, 0); // type 0, length
  smb2Header(b, 4, h);
  fillBody(b, 68);
  return b;
}

export function negotiateRequest(mid) {
  const dialects = [0x0202, 0x0210, 0x0300, 0x0311];
  return message({ command: NEGOTIATE, mid }, 36 + 2 * dialects.length, (b, o) => {
    b.writeUInt16LE(36, o); // StructureSize
    b.writeUInt16LE(dialects.length, o + 2); // DialectCount
    b.writeUInt16LE(1, o + 4); // SecurityMode
    for (const [i, d] of dialects.entries()) b.writeUInt16LE(d, o + 36 + 2 * i);
  });
}

export function echoRequest(mid, tid = 0) {
  return message({ command: ECHO, mid, tid }, 4, (b, o) => b.writeUInt16LE(4, o));
}

/** A SMB2_FILEID as 16 bytes: persistent, volatile. */
function fileId(b, at, fid) {
  b.writeBigUInt64LE(BigInt(fid), at);
  b.writeBigUInt64LE(BigInt(fid) ^ 0xffff0000n, at + 8);
}

export function readRequest(mid, tid, fid, offset, length) {
  return message({ command: READ, mid, tid }, 49, (b, o) => {
    b.writeUInt16LE(49, o); // StructureSize
    b.writeUInt32LE(length, o + 4); // Length
    b.writeBigUInt64LE(BigInt(offset), o + 8); // Offset
    fileId(b, o + 16, fid);
  });
}

export function createRequest(mid, tid, name) {
  const n = Buffer.from(name, 'utf16le');
  return message({ command: CREATE, mid, tid }, 56 + n.length, (b, o) => {
    b.writeUInt16LE(57, o); // StructureSize
    b.writeUInt32LE(2, o + 4); // ImpersonationLevel
    b.writeUInt32LE(0x0012019f, o + 24); // DesiredAccess
    b.writeUInt32LE(0x80, o + 28); // FileAttributes
    b.writeUInt32LE(7, o + 32); // ShareAccess
    b.writeUInt32LE(3, o + 36); // CreateDisposition: FILE_OPEN_IF
    b.writeUInt32LE(0x40, o + 40); // CreateOptions: FILE_NON_DIRECTORY_FILE
    b.writeUInt16LE(120, o + 44); // NameOffset (from the header)
    b.writeUInt16LE(n.length, o + 46); // NameLength
    n.copy(b, o + 56);
  });
}

const FILETIME_2023 = 133_500_000_000_000_000n;

export function createResponse(mid, tid, fid, size, mtime = FILETIME_2023) {
  return message({ command: CREATE, mid, tid, response: true }, 88, (b, o) => {
    b.writeUInt16LE(89, o); // StructureSize
    b.writeUInt32LE(2, o + 4); // CreateAction: FILE_CREATED
    for (let k = 0; k < 4; k++) b.writeBigUInt64LE(BigInt(mtime), o + 8 + 8 * k); // the four times
    b.writeBigUInt64LE(BigInt(size), o + 40); // AllocationSize
    b.writeBigUInt64LE(BigInt(size), o + 48); // EndofFile
    b.writeUInt32LE(0x80, o + 56); // FileAttributes
    fileId(b, o + 64, fid);
  });
}

export function closeRequest(mid, tid, fid) {
  return message({ command: CLOSE, mid, tid }, 24, (b, o) => {
    b.writeUInt16LE(24, o);
    fileId(b, o + 8, fid);
  });
}

export function closeResponse(mid, tid) {
  return message({ command: CLOSE, mid, tid, response: true }, 60, (b, o) => b.writeUInt16LE(60, o));
}

export function treeConnectRequest(mid, path) {
  const p = Buffer.from(path, 'utf16le');
  return message({ command: TREE_CONNECT, mid }, 8 + p.length, (b, o) => {
    b.writeUInt16LE(9, o); // StructureSize
    b.writeUInt16LE(72, o + 4); // PathOffset
    b.writeUInt16LE(p.length, o + 6); // PathLength
    p.copy(b, o + 8);
  });
}

export function treeConnectResponse(mid, tid, shareType) {
  return message({ command: TREE_CONNECT, mid, tid, response: true }, 16, (b, o) => {
    b.writeUInt16LE(16, o); // StructureSize
    b[o + 2] = shareType; // 1 disk, 2 pipe, 3 print
    b.writeUInt32LE(0x001f01ff, o + 12); // MaximalAccess
  });
}

/** The header and fixed part of a WRITE request whose `length` data bytes follow (NBSS length covers them). */
export function writeRequestHead(mid, tid, fid, offset, length) {
  const b = Buffer.alloc(4 + 64 + 48);
  b.writeUInt32BE(64 + 48 + length, 0);
  smb2Header(b, 4, { command: WRITE, mid, tid });
  const o = 68;
  b.writeUInt16LE(49, o); // StructureSize
  b.writeUInt16LE(112, o + 2); // DataOffset
  b.writeUInt32LE(length, o + 4); // Length
  b.writeBigUInt64LE(BigInt(offset), o + 8); // Offset
  fileId(b, o + 16, fid);
  return b;
}

export function writeRequest(mid, tid, fid, offset, data) {
  return Buffer.concat([writeRequestHead(mid, tid, fid, offset, data.length), data]);
}

export function writeResponse(mid, tid, count) {
  return message({ command: WRITE, mid, tid, response: true }, 16, (b, o) => {
    b.writeUInt16LE(17, o);
    b.writeUInt32LE(count, o + 4);
  });
}

/** The header and fixed part of an IOCTL request (buffered whole by the analyzer) claiming `total` body bytes. */
export function ioctlRequestHead(mid, tid, total) {
  const b = Buffer.alloc(4 + 64 + 56);
  b.writeUInt32BE((64 + total) & 0xffffff, 0);
  smb2Header(b, 4, { command: IOCTL, mid, tid });
  const o = 68;
  b.writeUInt16LE(57, o); // StructureSize
  b.writeUInt32LE(0x0011c017, o + 4); // CtlCode: FSCTL_PIPE_TRANSCEIVE
  b.writeUInt32LE(120, o + 24); // InputOffset
  b.writeUInt32LE(total - 56, o + 28); // InputCount
  b.writeUInt32LE(1, o + 48); // Flags: SMB2_0_IOCTL_IS_FSCTL
  return b;
}

/** A compound chain of `n` ECHO requests (each padded to 8 bytes) in one session message. */
export function echoChain(firstMid, n, { next } = {}) {
  const member = 72; // 64 + 4, padded to 8
  const len = member * (n - 1) + 68;
  const b = Buffer.alloc(4 + len);
  b.writeUInt32BE(len, 0);
  for (let i = 0; i < n; i++) {
    const at = 4 + i * member;
    const last = i === n - 1;
    smb2Header(b, at, {
      command: ECHO,
      mid: BigInt(firstMid) + BigInt(i),
      flags: i > 0 ? 0x4 : 0,
      next: last ? 0 : (next ?? member),
    });
    b.writeUInt16LE(4, at + 64);
  }
  return b;
}

/** Packs a byte stream tightly into segments of `mss` bytes (message boundaries ignored). */
export class Stream {
  constructor(conn, fromClient, { mss = 1448, ackEvery = 0 } = {}) {
    this.conn = conn;
    this.fromClient = fromClient;
    this.mss = mss;
    this.ackEvery = ackEvery;
    this.seg = Buffer.allocUnsafe(mss);
    this.len = 0;
    this.segments = 0;
    /** the next `loseNext` bytes written are lost (never captured; a multiple of mss) */
    this.loseNext = 0;
  }

  write(buf) {
    let off = 0;
    while (off < buf.length) {
      const n = Math.min(this.mss - this.len, buf.length - off);
      buf.copy(this.seg, this.len, off, off + n);
      this.len += n;
      off += n;
      if (this.len === this.mss) this.flush();
    }
  }

  flush() {
    if (this.len === 0) return;
    const data = this.seg.subarray(0, this.len);
    if (this.loseNext > 0) {
      this.conn.lose(this.fromClient, this.len);
      this.loseNext -= this.len;
    } else {
      this.conn.segment(this.fromClient, data);
      if (this.ackEvery > 0 && ++this.segments % this.ackEvery === 0) this.conn.ackFrom(!this.fromClient);
    }
    this.len = 0;
  }
}

/** A raw pcapng file (little-endian): the caller appends blocks. */
export class PcapngWriter {
  constructor(path) {
    this.fd = openSync(path, 'w');
    this.buf = Buffer.allocUnsafe(8 << 20);
    this.pos = 0;
    this.packets = 0;
    this.size = 0;
    // Section Header Block: type, length 28, byte-order magic, version 1.0, section length -1
    const b = this.block(0x0a0d0d0a, 16);
    this.buf.writeUInt32LE(0x1a2b3c4d, b);
    this.buf.writeUInt16LE(1, b + 4);
    this.buf.writeUInt16LE(0, b + 6);
    this.buf.writeBigInt64LE(-1n, b + 8);
  }

  /** Appends a block with a `bodyLen`-byte body (a multiple of 4); returns where the body goes. */
  block(type, bodyLen) {
    const total = 12 + bodyLen;
    if (this.pos + total > this.buf.length) this.flush();
    const at = this.pos;
    this.buf.writeUInt32LE(type >>> 0, at);
    this.buf.writeUInt32LE(total, at + 4);
    this.buf.fill(0, at + 8, at + 8 + bodyLen);
    this.buf.writeUInt32LE(total, at + 8 + bodyLen);
    this.pos += total;
    this.size += total;
    return at + 8;
  }

  /** Interface Description Block. */
  idb(linktype, snaplen = 0) {
    const b = this.block(1, 8);
    this.buf.writeUInt16LE(linktype, b);
    this.buf.writeUInt32LE(snaplen, b + 4);
  }

  /** Enhanced Packet Block on interface `ifid` (timestamps in microseconds). */
  epb(ifid, tsUs, data) {
    const b = this.block(6, 20 + ((data.length + 3) & ~3));
    this.buf.writeUInt32LE(ifid, b);
    this.buf.writeUInt32LE(Math.floor(tsUs / 2 ** 32), b + 4);
    this.buf.writeUInt32LE(tsUs % 2 ** 32, b + 8);
    this.buf.writeUInt32LE(data.length, b + 12);
    this.buf.writeUInt32LE(data.length, b + 16);
    data.copy(this.buf, b + 20);
    this.packets++;
  }

  flush() {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }

  close() {
    this.flush();
    closeSync(this.fd);
    return { packets: this.packets, size: this.size };
  }
}
