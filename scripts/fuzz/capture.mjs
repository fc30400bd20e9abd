// Capture files for the fuzzer: an independent pcap/pcapng reader and writer
// (packets as plain objects the mutators edit), a dissector that finds the
// fields of every layer inside a packet (link, IP, TCP, NBSS, SMB2, NTLMSSP),
// and `classifyCapture`, the fuzzer's own opinion of whether a file is a
// readable capture (so the exit status of smbscope can be judged from outside).
//
// Packet: { lt, sec, usec, data: Uint8Array (captured bytes), wire }

const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
/** smbscope's largest record (src/core/source/capture.ts MAX_RECORD) */
export const MAX_RECORD = 16 * 1024 * 1024;

const u16le = (b, o) => b[o] | (b[o + 1] << 8);
const u16be = (b, o) => (b[o] << 8) | b[o + 1];
const u32le = (b, o) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
const u32be = (b, o) => b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);

export { u16be, u16le, u32be, u32le };

export function w16le(b, o, v) {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}
export function w16be(b, o, v) {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}
export function w32le(b, o, v) {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}
export function w32be(b, o, v) {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/**
 * Reads a pcap or pcapng file into packets; stops quietly at the first
 * structural problem. Returns undefined when the file is not a capture.
 */
export function parseCapture(bytes) {
  if (bytes.length < 4) return undefined;
  const m = u32le(bytes, 0);
  const mb = u32be(bytes, 0);
  if (m === PCAP_US || m === PCAP_NS || mb === PCAP_US || mb === PCAP_NS) return parsePcap(bytes);
  if (m === SHB) return parsePcapng(bytes);
  return undefined;
}

function parsePcap(b) {
  if (b.length < 24) return undefined;
  const le = u32le(b, 0) === PCAP_US || u32le(b, 0) === PCAP_NS;
  const nanos = (le ? u32le(b, 0) : u32be(b, 0)) === PCAP_NS;
  const r32 = le ? u32le : u32be;
  const lt = r32(b, 20) & 0x03ffffff;
  const packets = [];
  let o = 24;
  while (o + 16 <= b.length) {
    const cap = r32(b, o + 8);
    if (cap > MAX_RECORD || o + 16 + cap > b.length) break;
    const frac = r32(b, o + 4);
    packets.push({
      lt,
      sec: r32(b, o),
      usec: nanos ? Math.floor(frac / 1000) : frac,
      data: b.slice(o + 16, o + 16 + cap),
      wire: r32(b, o + 12),
    });
    o += 16 + cap;
  }
  return { format: 'pcap', packets };
}

function parsePcapng(b) {
  const packets = [];
  let o = 0;
  let le = true;
  let itfs = [];
  while (o + 12 <= b.length) {
    let type = u32le(b, o);
    if (type === SHB) {
      const bom = u32le(b, o + 8);
      if (bom === BOM) le = true;
      else if (u32be(b, o + 8) === BOM) le = false;
      else break;
      itfs = [];
    }
    const r32 = le ? u32le : u32be;
    const r16 = le ? u16le : u16be;
    type = r32(b, o);
    const len = r32(b, o + 4);
    if (len < 12 || len % 4 !== 0 || o + len > b.length) break;
    const body = o + 8;
    const bodyEnd = o + len - 4;
    if (type === 1 && bodyEnd - body >= 8) {
      let div = 1e6;
      let p = body + 8;
      while (p + 4 <= bodyEnd) {
        const code = r16(b, p);
        const l = r16(b, p + 2);
        if (code === 0 || p + 4 + l > bodyEnd) break;
        if (code === 9 && l >= 1) div = b[p + 4] & 0x80 ? 2 ** (b[p + 4] & 0x7f) : 10 ** b[p + 4];
        p += 4 + ((l + 3) & ~3);
      }
      itfs.push({ lt: r16(b, body), div });
    } else if ((type === 6 || type === 2) && bodyEnd - body >= 20) {
      const itf = itfs[type === 6 ? r32(b, body) : r16(b, body)];
      const cap = r32(b, body + 12);
      if (itf && cap <= bodyEnd - body - 20) {
        const ticks = r32(b, body + 4) * 0x100000000 + r32(b, body + 8);
        const sec = Math.floor(ticks / itf.div);
        const usec = Math.floor(((ticks - sec * itf.div) * 1e6) / itf.div);
        packets.push({
          lt: itf.lt,
          sec: sec >>> 0,
          usec,
          data: b.slice(body + 20, body + 20 + cap),
          wire: r32(b, body + 16),
        });
      }
    } else if (type === 3 && bodyEnd - body >= 4 && itfs[0]) {
      const wire = r32(b, body);
      const cap = Math.min(wire, bodyEnd - body - 4);
      packets.push({ lt: itfs[0].lt, sec: 0, usec: 0, data: b.slice(body + 4, body + 4 + cap), wire });
    }
    o += len;
  }
  return { format: 'pcapng', packets };
}

/**
 * Writes packets as a little-endian microsecond pcap (one link type: the
 * first packet's; packets of other link types keep their bytes). Returns the
 * file and where each record's header starts.
 */
export function writePcap(packets, opts = {}) {
  let size = 24;
  for (const p of packets) size += 16 + p.data.length;
  const b = new Uint8Array(size);
  const lt = opts.linktype ?? packets[0]?.lt ?? 1;
  w32le(b, 0, PCAP_US);
  w16le(b, 4, 2);
  w16le(b, 6, 4);
  w32le(b, 16, opts.snaplen ?? 262144);
  w32le(b, 20, lt);
  const records = [];
  let o = 24;
  for (const p of packets) {
    records.push(o);
    w32le(b, o, p.sec >>> 0);
    w32le(b, o + 4, p.usec >>> 0);
    w32le(b, o + 8, p.data.length);
    w32le(b, o + 12, p.wire >>> 0);
    b.set(p.data, o + 16);
    o += 16 + p.data.length;
  }
  return { bytes: b, records };
}

/** One pcapng block: type, body (padded), trailing length. */
export function pcapngBlock(type, body, le = true) {
  const pad = (4 - (body.length % 4)) % 4;
  const len = 12 + body.length + pad;
  const b = new Uint8Array(len);
  const w32 = le ? w32le : w32be;
  w32(b, 0, type);
  w32(b, 4, len);
  b.set(body, 8);
  w32(b, len - 4, len);
  return b;
}

export function shbBody(le = true) {
  const body = new Uint8Array(16);
  (le ? w32le : w32be)(body, 0, BOM);
  (le ? w16le : w16be)(body, 4, 1);
  (le ? w16le : w16be)(body, 6, 0);
  body.fill(0xff, 8, 16); // section length unknown
  return body;
}

export function idbBody(lt, le = true, options = new Uint8Array(0)) {
  const body = new Uint8Array(8 + options.length);
  (le ? w16le : w16be)(body, 0, lt);
  (le ? w32le : w32be)(body, 4, 0);
  body.set(options, 8);
  return body;
}

export function epbBody(itf, p, le = true) {
  const body = new Uint8Array(20 + p.data.length);
  const w32 = le ? w32le : w32be;
  const ticks = (p.sec >>> 0) * 1e6 + (p.usec >>> 0);
  w32(body, 0, itf);
  w32(body, 4, Math.floor(ticks / 0x100000000));
  w32(body, 8, ticks % 0x100000000);
  w32(body, 12, p.data.length);
  w32(body, 16, p.wire >>> 0);
  body.set(p.data, 20);
  return body;
}

/**
 * Writes packets as pcapng: a section header, one interface per link type,
 * enhanced packet blocks. `extra(blocks, le)` may edit the block list (insert
 * unknown blocks, more sections...) before it is joined.
 */
export function writePcapng(packets, opts = {}) {
  const le = opts.le ?? true;
  const blocks = [pcapngBlock(SHB, shbBody(le), le)];
  const itfOf = new Map();
  for (const p of packets) {
    if (!itfOf.has(p.lt)) {
      itfOf.set(p.lt, itfOf.size);
      blocks.push(pcapngBlock(1, idbBody(p.lt, le), le));
    }
  }
  for (const p of packets) blocks.push(pcapngBlock(6, epbBody(itfOf.get(p.lt), p, le), le));
  if (opts.extra) opts.extra(blocks, le);
  return { bytes: concat(blocks), blocks };
}

export function concat(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Writes packets in the cheapest faithful form: pcap if one link type, else pcapng. */
export function writeCapture(packets) {
  const lt = packets[0]?.lt ?? 1;
  if (packets.every((p) => p.lt === lt)) return writePcap(packets).bytes;
  return writePcapng(packets).bytes;
}

// ---------------------------------------------------------------- dissection

/** Offset of the network header in a frame, or -1. */
export function linkHeaderLen(lt, d) {
  switch (lt) {
    case 1: {
      if (d.length < 14) return -1;
      let o = 12;
      let t = u16be(d, o);
      let tags = 0;
      while ((t === 0x8100 || t === 0x88a8 || t === 0x9100) && tags < 8 && o + 6 <= d.length) {
        o += 4;
        t = u16be(d, o);
        tags++;
      }
      return t === 0x0800 || t === 0x86dd ? o + 2 : -1;
    }
    case 113:
      return d.length >= 16 ? 16 : -1;
    case 276:
      return d.length >= 20 ? 20 : -1;
    case 0:
    case 108:
      return d.length >= 4 ? 4 : -1;
    case 12:
    case 14:
    case 101:
    case 228:
    case 229:
      return 0;
    default:
      return -1;
  }
}

/**
 * Where the layers of a packet are. Returns undefined for a frame that is not
 * IP/TCP. Fields: l3, v (4|6), ihl, l4, thl, pay, payLen, sport, dport, seq,
 * ack, flags, frag (true for IP fragments).
 */
export function dissect(p) {
  const d = p.data;
  const l3 = linkHeaderLen(p.lt, d);
  if (l3 < 0 || l3 >= d.length) return undefined;
  const v = d[l3] >> 4;
  let ihl;
  let proto;
  let ipEnd;
  let frag = false;
  if (v === 4) {
    if (d.length < l3 + 20) return undefined;
    ihl = (d[l3] & 0x0f) * 4;
    if (ihl < 20 || d.length < l3 + ihl) return undefined;
    proto = d[l3 + 9];
    const fl = u16be(d, l3 + 6);
    frag = (fl & 0x3fff) !== 0;
    ipEnd = Math.min(d.length, l3 + Math.max(u16be(d, l3 + 2), ihl));
  } else if (v === 6) {
    if (d.length < l3 + 40) return undefined;
    ihl = 40;
    proto = d[l3 + 6];
    ipEnd = Math.min(d.length, l3 + 40 + u16be(d, l3 + 4));
  } else return undefined;
  const info = { l3, v, ihl, proto, frag, l4: l3 + ihl, ipEnd };
  if (proto !== 6 || frag) return info;
  const l4 = l3 + ihl;
  if (ipEnd < l4 + 20) return info;
  const thl = (d[l4 + 12] >> 4) * 4;
  if (thl < 20 || l4 + thl > ipEnd) return info;
  return {
    ...info,
    tcp: true,
    thl,
    pay: l4 + thl,
    payLen: ipEnd - (l4 + thl),
    sport: u16be(d, l4),
    dport: u16be(d, l4 + 2),
    seq: u32be(d, l4 + 4),
    ack: u32be(d, l4 + 8),
    flags: d[l4 + 13],
  };
}

/** Connection key of a dissected TCP packet, the same in both directions. */
export function connKey(p, x) {
  const d = p.data;
  const alen = x.v === 4 ? 4 : 16;
  const soff = x.l3 + (x.v === 4 ? 12 : 8);
  const src = Array.from(d.subarray(soff, soff + alen)).join('.');
  const dst = Array.from(d.subarray(soff + alen, soff + 2 * alen)).join('.');
  const a = `${src}:${x.sport}`;
  const b = `${dst}:${x.dport}`;
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * SMB-level fields inside a TCP payload, as [offset-in-packet, size, endian,
 * name] tuples: NBSS lengths, SMB2 header fields, SMB2 body offsets and
 * lengths, NTLMSSP security buffers, ASN.1 lengths.
 */
export function smbFields(p, x) {
  const out = [];
  if (!x?.tcp || x.payLen <= 0) return out;
  const d = p.data;
  const start = x.pay;
  const end = x.pay + x.payLen;
  // every SMB2 header (\xfeSMB) and transform header (\xfdSMB) in the payload
  for (let i = start; i + 4 <= end; i++) {
    if (d[i + 1] !== 0x53 || d[i + 2] !== 0x4d || d[i + 3] !== 0x42) continue;
    const id = d[i];
    if (id !== 0xfe && id !== 0xfd && id !== 0xfc && id !== 0xff) continue;
    if (i - 4 >= start && d[i - 4] === 0) out.push([i - 3, 3, 'be', 'nbss_length']);
    if (id === 0xfe) {
      out.push([i + 4, 2, 'le', 'smb2_structure_size']);
      out.push([i + 8, 4, 'le', 'smb2_status']);
      out.push([i + 12, 2, 'le', 'smb2_command']);
      out.push([i + 16, 4, 'le', 'smb2_flags']);
      out.push([i + 20, 4, 'le', 'smb2_next_command']);
      out.push([i + 24, 8, 'le', 'smb2_message_id']);
      const body = i + 64;
      out.push([body, 2, 'le', 'smb2_body_structure_size']);
      // offsets and lengths of command bodies sit in the first 56 bytes
      for (let k = 2; k < 56; k += 2) out.push([body + k, 2, 'le', `smb2_body_u16_${k}`]);
      for (let k = 4; k < 56; k += 4) out.push([body + k, 4, 'le', `smb2_body_u32_${k}`]);
    } else if (id === 0xfd) {
      out.push([i + 36, 4, 'le', 'transform_orig_size']);
    }
  }
  // NTLMSSP security buffers (len, maxlen, offset)
  for (let i = start; i + 12 <= end; i++) {
    if (d[i] !== 0x4e || d[i + 1] !== 0x54 || d[i + 2] !== 0x4c || d[i + 3] !== 0x4d) continue;
    if (d[i + 4] !== 0x53 || d[i + 5] !== 0x53 || d[i + 6] !== 0x50 || d[i + 7] !== 0) continue;
    const type = u32le(d, i + 8);
    const bufs = type === 1 ? [16, 24] : type === 2 ? [12, 40] : type === 3 ? [12, 20, 28, 36, 44, 52] : [];
    for (const b of bufs) {
      out.push([i + b, 2, 'le', 'ntlm_buffer_len']);
      out.push([i + b + 2, 2, 'le', 'ntlm_buffer_maxlen']);
      out.push([i + b + 4, 4, 'le', 'ntlm_buffer_offset']);
    }
    out.push([i + 8, 4, 'le', 'ntlm_type']);
  }
  // ASN.1 (SPNEGO) lengths after constructed tags
  for (let i = start; i + 2 <= end; i++) {
    const t = d[i];
    if (t === 0x60 || t === 0x30 || (t >= 0xa0 && t <= 0xa3)) {
      const l = d[i + 1];
      if (l >= 0x80 && l <= 0x84) out.push([i + 1, 1, 'be', 'asn1_length']);
      else if (l > 2 && i + 2 + l <= end + 64) out.push([i + 1, 1, 'be', 'asn1_length']);
    }
  }
  return out.filter(([o, n]) => o + n <= d.length);
}

// ---------------------------------------------------------- capture verdict

/**
 * The fuzzer's own reading of a capture file, to judge smbscope's exit
 * status (CONTRACT.md): 'broken' when the file cannot be read to its end
 * (empty, not a capture, truncated header, cut inside a record, impossible
 * lengths), 'ok' when it is a well-formed capture, 'unknown' when the
 * fuzzer does not decide (gzip input).
 */
export function classifyCapture(b) {
  if (b.length === 0) return { verdict: 'broken', reason: 'empty' };
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return { verdict: 'unknown', reason: 'gzip' };
  if (b.length < 4) return { verdict: 'broken', reason: 'shorter than a magic' };
  const m = u32le(b, 0);
  const mb = u32be(b, 0);
  if (m === PCAP_US || m === PCAP_NS || mb === PCAP_US || mb === PCAP_NS) {
    if (b.length < 24) return { verdict: 'broken', reason: 'truncated pcap header' };
    const r32 = m === PCAP_US || m === PCAP_NS ? u32le : u32be;
    let o = 24;
    while (o < b.length) {
      if (o + 16 > b.length) return { verdict: 'broken', reason: `record header cut at ${o}` };
      const cap = r32(b, o + 8);
      if (cap > MAX_RECORD) return { verdict: 'broken', reason: `impossible caplen ${cap} at ${o}` };
      if (o + 16 + cap > b.length) return { verdict: 'broken', reason: `record cut at ${o}` };
      o += 16 + cap;
    }
    return { verdict: 'ok', reason: 'pcap' };
  }
  if (m !== SHB) return { verdict: 'broken', reason: 'not a capture' };
  let o = 0;
  let le = true;
  let itfs = 0;
  let first = true;
  while (o < b.length) {
    if (o + 8 > b.length) return { verdict: 'broken', reason: `block header cut at ${o}` };
    const isShb = u32le(b, o) === SHB;
    if (isShb) {
      if (o + 12 > b.length) return { verdict: 'broken', reason: `section header cut at ${o}` };
      if (u32le(b, o + 8) === BOM) le = true;
      else if (u32be(b, o + 8) === BOM) le = false;
      else return { verdict: 'broken', reason: `bad byte-order magic at ${o}` };
      itfs = 0;
    } else if (first) return { verdict: 'broken', reason: 'no section header' };
    first = false;
    const r32 = le ? u32le : u32be;
    const r16 = le ? u16le : u16be;
    const type = r32(b, o);
    const len = r32(b, o + 4);
    if (len < (isShb ? 28 : 12) || len % 4 !== 0 || len > MAX_RECORD)
      return { verdict: 'broken', reason: `impossible block length ${len} at ${o}` };
    if (o + len > b.length) return { verdict: 'broken', reason: `block cut at ${o}` };
    if (r32(b, o + len - 4) !== len) return { verdict: 'broken', reason: `trailing length mismatch at ${o}` };
    const body = o + 8;
    const bodyEnd = o + len - 4;
    if (type === 1) {
      if (bodyEnd - body < 8) return { verdict: 'broken', reason: `short interface block at ${o}` };
      itfs++;
    } else if (type === 6 || type === 2) {
      if (bodyEnd - body < 20) return { verdict: 'broken', reason: `short packet block at ${o}` };
      if (r32(b, body + 12) > bodyEnd - body - 20)
        return { verdict: 'broken', reason: `captured length past the block at ${o}` };
    }
    void r16;
    void itfs;
    o += len;
  }
  return { verdict: 'ok', reason: 'pcapng' };
}
