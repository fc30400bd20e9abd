// Mutators: from a parent capture (its packets and its bytes) make a new
// input, mutated at every layer. See docs/fuzzing.md for the list.
//
// mutate(rng, parent, corpus) -> { bytes, ops }
//   parent: { bytes, packets | undefined }
//   corpus: entries of the same shape, for splicing

import {
  concat,
  connKey,
  dissect,
  epbBody,
  idbBody,
  linkHeaderLen,
  pcapngBlock,
  shbBody,
  smbFields,
  u16be,
  u32be,
  u32le,
  w16be,
  w16le,
  w32be,
  w32le,
  writePcap,
  writePcapng,
} from './capture.mjs';

const MAXES = { 1: 0xff, 2: 0xffff, 3: 0xffffff, 4: 0xffffffff, 8: 0xffffffff };

/** An interesting replacement for a field of `size` bytes whose value is `orig`. */
export function interesting(rng, size, orig, related = []) {
  const max = MAXES[size] ?? 0xffffffff;
  const cands = [
    0,
    1,
    2,
    3,
    4,
    7,
    8,
    16,
    24,
    32,
    48,
    63,
    64,
    65,
    127,
    128,
    255,
    256,
    0x7fff,
    0x8000,
    0xffff,
    0x10000,
    0x7fffffff,
    0x80000000,
    max - 1,
    max,
    orig - 1,
    orig + 1,
    orig - 8,
    orig + 8,
    orig * 2,
    orig >>> 1,
    ...related,
  ];
  const v = rng.chance(0.1) ? rng.u32() : rng.pick(cands);
  return ((v % (max + 1)) + max + 1) % (max + 1);
}

function readField(d, off, size, endian) {
  if (size === 1) return d[off];
  if (size === 2) return endian === 'le' ? d[off] | (d[off + 1] << 8) : u16be(d, off);
  if (size === 3)
    return endian === 'le' ? d[off] | (d[off + 1] << 8) | (d[off + 2] << 16) : (d[off] << 16) | u16be(d, off + 1);
  return endian === 'le' ? u32le(d, off) : u32be(d, off);
}

function writeField(d, off, size, endian, v) {
  if (size === 1) d[off] = v & 0xff;
  else if (size === 2) (endian === 'le' ? w16le : w16be)(d, off, v);
  else if (size === 3) {
    if (endian === 'le') {
      d[off] = v & 0xff;
      d[off + 1] = (v >>> 8) & 0xff;
      d[off + 2] = (v >>> 16) & 0xff;
    } else {
      d[off] = (v >>> 16) & 0xff;
      d[off + 1] = (v >>> 8) & 0xff;
      d[off + 2] = v & 0xff;
    }
  } else if (size === 4) (endian === 'le' ? w32le : w32be)(d, off, v);
  else if (size === 8) {
    (endian === 'le' ? w32le : w32be)(d, off, v);
    (endian === 'le' ? w32le : w32be)(d, off + 4, 0);
  }
}

/** A packet whose bytes may be edited (copy on write). */
function own(p) {
  return { ...p, data: p.data.slice() };
}

/** Indexes of packets that are TCP with payload. */
function dataPackets(pkts) {
  const out = [];
  for (let i = 0; i < pkts.length; i++) {
    const x = dissect(pkts[i]);
    if (x?.tcp && x.payLen > 0) out.push(i);
  }
  return out;
}

function pickIndex(rng, pkts, preferData = true) {
  if (preferData && rng.chance(0.8)) {
    const d = dataPackets(pkts);
    if (d.length > 0) return rng.pick(d);
  }
  return rng.int(pkts.length);
}

/** Sets the IP total length (v4) or payload length (v6) to match the packet's bytes. */
function fixIpLength(p, x) {
  const d = p.data;
  if (x.v === 4) w16be(d, x.l3 + 2, Math.min(0xffff, d.length - x.l3));
  else w16be(d, x.l3 + 4, Math.min(0xffff, d.length - x.l3 - 40));
  p.wire = d.length;
}

/** Replaces bytes [from, to) of a packet with `ins` and fixes the IP length. */
function splicePayload(p, x, from, to, ins) {
  const d = p.data;
  p.data = concat([d.subarray(0, from), ins, d.subarray(to, x.ipEnd)]);
  fixIpLength(p, x);
}

// ------------------------------------------------------------ packet mutators

const PACKET_MUTATORS = [
  // [weight, name, fn(rng, pkts, ctx) -> pkts | undefined]
  [
    6,
    'drop',
    (rng, pkts) => {
      if (pkts.length < 2) return undefined;
      const i = rng.int(pkts.length);
      const n = rng.chance(0.7) ? 1 : rng.range(1, Math.min(20, pkts.length - 1));
      return [...pkts.slice(0, i), ...pkts.slice(i + n)];
    },
  ],
  [
    5,
    'duplicate',
    (rng, pkts) => {
      const i = pickIndex(rng, pkts);
      const j = rng.chance(0.5) ? i + 1 : rng.int(pkts.length + 1);
      const out = pkts.slice();
      out.splice(j, 0, pkts[i]);
      return out;
    },
  ],
  [
    6,
    'reorder',
    (rng, pkts) => {
      if (pkts.length < 2) return undefined;
      const out = pkts.slice();
      const i = rng.int(out.length);
      const w = Math.min(out.length - i, rng.range(2, 12));
      const win = out.slice(i, i + w);
      const how = rng.int(3);
      if (how === 0) [win[0], win[w - 1]] = [win[w - 1], win[0]];
      else if (how === 1) win.reverse();
      else
        for (let k = w - 1; k > 0; k--) {
          const r = rng.int(k + 1);
          [win[k], win[r]] = [win[r], win[k]];
        }
      out.splice(i, w, ...win);
      return out;
    },
  ],
  [
    6,
    'retransmit-different',
    (rng, pkts) => {
      const d = dataPackets(pkts);
      if (d.length === 0) return undefined;
      const i = rng.pick(d);
      const q = own(pkts[i]);
      const x = dissect(q);
      const n = rng.small(16);
      for (let k = 0; k < n; k++) q.data[x.pay + rng.int(x.payLen)] = rng.u32() & 0xff;
      const out = pkts.slice();
      out.splice(rng.chance(0.5) ? i + 1 : i, 0, q);
      return out;
    },
  ],
  [
    4,
    'overlap',
    (rng, pkts) => {
      const d = dataPackets(pkts);
      if (d.length === 0) return undefined;
      const i = rng.pick(d);
      const q = own(pkts[i]);
      const x = dissect(q);
      const shift = rng.range(-x.payLen, x.payLen);
      w32be(q.data, x.l4 + 4, (x.seq + shift) >>> 0);
      if (rng.chance(0.5)) {
        const len = rng.range(1, Math.max(1, x.payLen * 2));
        splicePayload(q, x, x.pay, x.pay + x.payLen, rng.bytes(len));
      }
      const out = pkts.slice();
      out.splice(rng.int(out.length + 1), 0, q);
      return out;
    },
  ],
  [
    3,
    'split-segment',
    (rng, pkts) => {
      const d = dataPackets(pkts).filter((i) => dissect(pkts[i]).payLen >= 2);
      if (d.length === 0) return undefined;
      const i = rng.pick(d);
      const p = pkts[i];
      const x = dissect(p);
      const cut = rng.range(1, x.payLen - 1);
      const a = own(p);
      a.data = p.data.slice(0, x.pay + cut);
      fixIpLength(a, x);
      const b = own(p);
      b.data = concat([p.data.subarray(0, x.pay), p.data.subarray(x.pay + cut, x.ipEnd)]);
      fixIpLength(b, x);
      w32be(b.data, x.l4 + 4, (x.seq + cut) >>> 0);
      const out = pkts.slice();
      out.splice(i, 1, ...(rng.chance(0.3) ? [b, a] : [a, b]));
      return out;
    },
  ],
  [
    5,
    'splice-capture',
    (rng, pkts, ctx) => {
      const other = rng.pick(ctx.corpus);
      if (!other?.packets?.length) return undefined;
      const from = rng.int(other.packets.length);
      const n = rng.range(1, Math.min(200, other.packets.length - from));
      const ins = other.packets.slice(from, from + n);
      const out = pkts.slice();
      if (rng.chance(0.5)) {
        // interleave at random positions
        for (const q of ins) out.splice(rng.int(out.length + 1), 0, q);
      } else out.splice(rng.int(out.length + 1), 0, ...ins);
      return out;
    },
  ],
  [
    4,
    'splice-into-connection',
    (rng, pkts, ctx) => {
      // packets of another capture rewritten onto a connection of this one (same 4-tuple)
      const mine = dataPackets(pkts);
      const other = rng.pick(ctx.corpus);
      if (mine.length === 0 || !other?.packets?.length) return undefined;
      const t = pkts[rng.pick(mine)];
      const tx = dissect(t);
      const theirs = dataPackets(other.packets);
      if (theirs.length === 0) return undefined;
      const out = pkts.slice();
      const n = rng.range(1, 12);
      for (let k = 0; k < n; k++) {
        const src = other.packets[rng.pick(theirs)];
        const sx = dissect(src);
        if (sx.v !== tx.v) continue;
        const q = own(src);
        q.lt = t.lt;
        // the target's link header, the source's IP/TCP with the target's addresses and ports
        q.data = concat([t.data.subarray(0, tx.l3), q.data.subarray(sx.l3, sx.ipEnd)]);
        const alen = tx.v === 4 ? 8 : 32;
        const aoff = tx.v === 4 ? 12 : 8;
        const flip = rng.chance(0.5);
        const addrs = t.data.slice(tx.l3 + aoff, tx.l3 + aoff + alen);
        if (flip) addrs.set(concat([addrs.subarray(alen / 2), addrs.subarray(0, alen / 2)]));
        q.data.set(addrs, tx.l3 + aoff);
        const l4 = tx.l3 + sx.ihl;
        w16be(q.data, l4, flip ? tx.dport : tx.sport);
        w16be(q.data, l4 + 2, flip ? tx.sport : tx.dport);
        if (rng.chance(0.6)) w32be(q.data, l4 + 4, (tx.seq + rng.range(-4096, 65536)) >>> 0);
        q.wire = q.data.length;
        q.sec = t.sec;
        q.usec = t.usec;
        out.splice(rng.int(out.length + 1), 0, q);
      }
      return out;
    },
  ],
  [
    3,
    'snaplen-cut',
    (rng, pkts) => {
      const i = pickIndex(rng, pkts);
      const q = own(pkts[i]);
      if (q.data.length < 2) return undefined;
      q.data = q.data.slice(0, rng.int(q.data.length));
      const out = pkts.slice();
      out[i] = q;
      return out;
    },
  ],
  [
    6,
    'truncate-at-layer',
    (rng, pkts) => {
      const i = pickIndex(rng, pkts);
      const p = pkts[i];
      const x = dissect(p);
      if (!x) return undefined;
      const points = [x.l3, x.l3 + 1, x.l3 + rng.int(x.ihl), x.l4];
      if (x.tcp) {
        points.push(x.l4 + rng.int(x.thl), x.pay);
        if (x.payLen > 0) points.push(x.pay + rng.int(Math.min(4, x.payLen)), x.pay + rng.int(x.payLen));
        if (x.payLen > 4) points.push(x.pay + 4 + rng.int(Math.min(64, x.payLen - 4)));
        if (x.payLen > 68) points.push(x.pay + 68 + rng.int(x.payLen - 68));
      }
      const cut = Math.min(rng.pick(points), p.data.length);
      const q = own(p);
      q.data = p.data.slice(0, cut);
      // either a snap-length cut (wire length kept) or a packet that really is this short
      const how = rng.int(4);
      if (how < 2) q.wire = cut;
      else if (how === 2 && x.tcp) fixIpLength(q, { ...x, ipEnd: cut });
      const out = pkts.slice();
      out[i] = q;
      return out;
    },
  ],
  [
    8,
    'header-field',
    (rng, pkts) => {
      const i = pickIndex(rng, pkts);
      const p = pkts[i];
      const x = dissect(p);
      if (!x) return undefined;
      const q = own(p);
      const d = q.data;
      const f = [];
      if (x.v === 4) {
        f.push([x.l3, 1, 'be', 'ip_version_ihl'], [x.l3 + 2, 2, 'be', 'ip_total_length']);
        f.push([x.l3 + 6, 2, 'be', 'ip_flags_fragoff'], [x.l3 + 9, 1, 'be', 'ip_proto'], [x.l3 + 4, 2, 'be', 'ip_id']);
      } else {
        f.push([x.l3 + 4, 2, 'be', 'ip6_payload_length'], [x.l3 + 6, 1, 'be', 'ip6_next_header']);
      }
      if (x.tcp) {
        f.push([x.l4 + 12, 1, 'be', 'tcp_data_offset'], [x.l4 + 13, 1, 'be', 'tcp_flags']);
        f.push([x.l4 + 4, 4, 'be', 'tcp_seq'], [x.l4 + 8, 4, 'be', 'tcp_ack']);
        f.push([x.l4, 2, 'be', 'tcp_sport'], [x.l4 + 2, 2, 'be', 'tcp_dport'], [x.l4 + 14, 2, 'be', 'tcp_window']);
      }
      if (p.lt === 1 && x.l3 >= 14) f.push([x.l3 - 2, 2, 'be', 'ethertype']);
      const [off, size, endian] = rng.pick(f);
      const orig = readField(d, off, size, endian);
      let v;
      if (off === x.l3 && x.v === 4) v = rng.chance(0.7) ? 0x40 | rng.int(16) : rng.u32() & 0xff;
      else if (x.tcp && off === x.l4 + 12) v = (rng.int(16) << 4) | (d[off] & 0x0f);
      else if (x.tcp && off === x.l4 + 13)
        v = rng.pick([0x02, 0x12, 0x10, 0x11, 0x04, 0x14, 0x18, 0x01, 0x03, 0x06, 0xff, 0]);
      else if (x.tcp && off === x.l4 + 4)
        v = (orig + rng.pick([1, -1, 1460, -1460, 0x7fffffff, 0x80000000, rng.u32()])) >>> 0;
      else v = interesting(rng, size, orig, [d.length - x.l3, x.ihl, d.length]);
      writeField(d, off, size, endian, v);
      const out = pkts.slice();
      out[i] = q;
      return out;
    },
  ],
  [
    14,
    'smb-field',
    (rng, pkts) => {
      const d = dataPackets(pkts);
      if (d.length === 0) return undefined;
      // prefer packets that carry SMB structures
      for (let tries = 0; tries < 8; tries++) {
        const i = rng.pick(d);
        const p = pkts[i];
        const x = dissect(p);
        const fields = smbFields(p, x);
        if (fields.length === 0) continue;
        const q = own(p);
        const n = rng.small(3);
        for (let k = 0; k < n; k++) {
          const [off, size, endian, name] = rng.pick(fields);
          const orig = readField(q.data, off, size, endian);
          let v;
          if (name === 'asn1_length')
            v = rng.pick([0, 1, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0xff, orig + 1, orig - 1]);
          else if (name === 'smb2_command') v = rng.chance(0.8) ? rng.int(19) : interesting(rng, 2, orig);
          else if (name === 'smb2_structure_size')
            v = rng.chance(0.5) ? rng.pick([0, 1, 63, 65, 127, 0xffff]) : interesting(rng, 2, orig);
          else v = interesting(rng, size, orig, [x.payLen, x.payLen - 4, x.payLen - 68, 64, 120, 0x48, 0x78]);
          writeField(q.data, off, size, endian, v);
        }
        const out = pkts.slice();
        out[i] = q;
        return out;
      }
      return undefined;
    },
  ],
  [
    8,
    'payload-bytes',
    (rng, pkts) => {
      const d = dataPackets(pkts);
      if (d.length === 0) return undefined;
      const i = rng.pick(d);
      const q = own(pkts[i]);
      const x = dissect(q);
      const how = rng.int(4);
      if (how === 0) {
        const n = rng.small(8);
        for (let k = 0; k < n; k++) q.data[x.pay + rng.int(x.payLen)] ^= 1 << rng.int(8);
      } else if (how === 1) {
        const n = rng.small(8);
        for (let k = 0; k < n; k++) q.data[x.pay + rng.int(x.payLen)] = rng.pick([0, 0xff, 0x7f, 0x80, 0x01, 0xfe]);
      } else if (how === 2) {
        const at = x.pay + rng.int(x.payLen);
        const n = Math.min(x.pay + x.payLen - at, rng.range(1, 64));
        q.data.set(rng.bytes(n), at);
      } else {
        // insert or delete bytes: the stream shifts from here on
        const at = x.pay + rng.int(x.payLen + 1);
        if (rng.chance(0.5)) splicePayload(q, x, at, at, rng.bytes(rng.range(1, 16)));
        else splicePayload(q, x, at, Math.min(x.pay + x.payLen, at + rng.range(1, 16)), new Uint8Array(0));
      }
      const out = pkts.slice();
      out[i] = q;
      return out;
    },
  ],
  [
    3,
    'packet-bytes',
    (rng, pkts) => {
      const i = rng.int(pkts.length);
      const q = own(pkts[i]);
      if (q.data.length === 0) return undefined;
      const n = rng.small(8);
      for (let k = 0; k < n; k++) q.data[rng.int(q.data.length)] ^= 1 << rng.int(8);
      const out = pkts.slice();
      out[i] = q;
      return out;
    },
  ],
  [
    4,
    'ip-fragment',
    (rng, pkts) => {
      const cands = [];
      for (let i = 0; i < pkts.length; i++) {
        const x = dissect(pkts[i]);
        if (x && !x.frag && x.ipEnd - x.l4 >= 16) cands.push(i);
      }
      if (cands.length === 0) return undefined;
      const i = rng.pick(cands);
      const frags = fragment(rng, pkts[i]);
      if (!frags) return undefined;
      const out = pkts.slice();
      out.splice(i, 1, ...frags);
      return out;
    },
  ],
  [
    3,
    'to-ipv6',
    (rng, pkts) => {
      // one IPv4 connection (all its packets) carried over IPv6, sometimes with extension headers
      const d = dataPackets(pkts);
      if (d.length === 0) return undefined;
      const p0 = pkts[rng.pick(d)];
      const x0 = dissect(p0);
      if (x0.v !== 4) return undefined;
      const key = connKey(p0, x0);
      const ext = rng.int(3);
      return pkts.map((p) => {
        const x = dissect(p);
        if (!x?.tcp || x.v !== 4 || connKey(p, x) !== key) return p;
        return toIpv6(p, x, ext);
      });
    },
  ],
  [
    3,
    'link-layer',
    (rng, pkts) => {
      const how = rng.int(4);
      const all = rng.chance(0.5);
      const i = rng.int(pkts.length);
      return pkts.map((p, k) => {
        if (!all && k !== i) return p;
        const l3 = linkHeaderLen(p.lt, p.data);
        if (how === 0) return { ...p, lt: rng.pick([0, 105, 127, 147, 0xffff, 12, 228, 229, 276, 113, 108]) };
        if (l3 < 0) return p;
        const net = p.data.subarray(l3);
        const v = net[0] >> 4;
        if (how === 1) return { ...p, lt: 101, data: net.slice(), wire: p.wire - l3 };
        if (how === 2) {
          const hdr = new Uint8Array(16);
          w16be(hdr, 14, v === 6 ? 0x86dd : 0x0800);
          return { ...p, lt: 113, data: concat([hdr, net]), wire: p.wire - l3 + 16 };
        }
        // Ethernet with VLAN tags
        const tags = rng.range(1, 9);
        const hdr = new Uint8Array(14 + 4 * tags);
        for (let t = 0; t < tags; t++) {
          w16be(hdr, 12 + 4 * t, rng.chance(0.8) ? 0x8100 : 0x88a8);
          w16be(hdr, 14 + 4 * t, rng.int(4096));
        }
        w16be(hdr, 12 + 4 * tags, v === 6 ? 0x86dd : 0x0800);
        return { ...p, lt: 1, data: concat([hdr, net]), wire: p.wire - l3 + hdr.length };
      });
    },
  ],
  [
    3,
    'timestamps',
    (rng, pkts) => {
      const out = pkts.slice();
      const i = rng.int(out.length);
      const how = rng.int(4);
      if (how === 0) out[i] = { ...out[i], sec: 0, usec: 0 };
      else if (how === 1) out[i] = { ...out[i], sec: (out[i].sec - rng.range(1, 100000)) >>> 0 };
      else if (how === 2) out[i] = { ...out[i], usec: rng.pick([999999, 1000000, 0xffffffff]) };
      else {
        // a pause longer than the inactivity timeout, from here on
        const jump = rng.pick([301, 3600, 86400 * 365]);
        for (let k = i; k < out.length; k++) out[k] = { ...out[k], sec: (out[k].sec + jump) >>> 0 };
      }
      return out;
    },
  ],
  [
    2,
    'sequence-shift',
    (rng, pkts) => {
      // one direction of a connection moved by a constant (across the 2^32 wrap): changes no event
      const d = dataPackets(pkts);
      if (d.length === 0) return undefined;
      const p0 = pkts[rng.pick(d)];
      const x0 = dissect(p0);
      const key = connKey(p0, x0);
      const sport = x0.sport;
      const delta = rng.chance(0.5) ? (0x100000000 - x0.seq - rng.int(4000)) >>> 0 : rng.u32();
      return pkts.map((p) => {
        const x = dissect(p);
        if (!x?.tcp || connKey(p, x) !== key) return p;
        const q = own(p);
        if (x.sport === sport) w32be(q.data, x.l4 + 4, (x.seq + delta) >>> 0);
        else w32be(q.data, x.l4 + 8, (x.ack + delta) >>> 0);
        return q;
      });
    },
  ],
  [
    2,
    'crop',
    (rng, pkts) => {
      if (pkts.length < 4) return undefined;
      const from = rng.int(pkts.length - 1);
      const n = rng.range(1, pkts.length - from);
      return pkts.slice(from, from + n);
    },
  ],
];

/** Splits an IP packet into fragments (IPv4 or, via an IPv6 fragment header, IPv6), with mischief. */
function fragment(rng, p) {
  const x = dissect(p);
  const d = p.data;
  const link = d.subarray(0, x.l3);
  const payload = d.subarray(x.l4, x.ipEnd);
  const size = 8 * rng.range(1, Math.max(1, Math.floor(payload.length / 16)));
  const pieces = [];
  for (let o = 0; o < payload.length; o += size)
    pieces.push([o, payload.subarray(o, Math.min(payload.length, o + size))]);
  const id = rng.u32();
  const make = (o, body, more) => {
    if (x.v === 4) {
      const h = d.slice(x.l3, x.l3 + x.ihl);
      w16be(h, 2, x.ihl + body.length);
      w16be(h, 4, id & 0xffff);
      w16be(h, 6, (more ? 0x2000 : 0) | ((o / 8) & 0x1fff));
      return { ...p, data: concat([link, h, body]), wire: link.length + h.length + body.length };
    }
    const h = d.slice(x.l3, x.l3 + 40);
    const fh = new Uint8Array(8);
    fh[0] = h[6];
    h[6] = 44;
    w16be(fh, 2, (o & 0xfff8) | (more ? 1 : 0));
    w32be(fh, 4, id);
    w16be(h, 4, 8 + body.length);
    return { ...p, data: concat([link, h, fh, body]), wire: link.length + 48 + body.length };
  };
  let frags = pieces.map(([o, b], k) => make(o, b, k < pieces.length - 1));
  const how = rng.int(5);
  if (how === 1) frags.reverse();
  else if (how === 2 && frags.length > 1) frags.splice(rng.int(frags.length), 1);
  else if (how === 3) {
    const k = rng.int(pieces.length);
    const [o, b] = pieces[k];
    const junk = rng.bytes(b.length);
    frags.splice(rng.int(frags.length + 1), 0, make(o, junk, k < pieces.length - 1));
  } else if (how === 4) {
    // overlapping piece at an odd offset and a bogus "last fragment"
    frags.push(make(size, rng.bytes(size + 8), rng.chance(0.5)));
    if (rng.chance(0.5)) frags.push(make(8 * rng.range(0, 0x1fff), rng.bytes(8), false));
  }
  if (frags.length > 200) frags = frags.slice(0, 200);
  return frags;
}

/** The same TCP packet over IPv6 (2001:db8::a.b.c.d), with 0..2 extension headers. */
function toIpv6(p, x, ext) {
  const d = p.data;
  const link = d.slice(0, x.l3);
  if (p.lt === 1 && x.l3 >= 14) w16be(link, x.l3 - 2, 0x86dd);
  if (p.lt === 113 && x.l3 === 16) w16be(link, 14, 0x86dd);
  if ((p.lt === 0 || p.lt === 108) && x.l3 === 4) w32le(link, 0, 24);
  const tcp = d.subarray(x.l4, x.ipEnd);
  const exts = [];
  let next = 6;
  for (let k = 0; k < ext; k++) {
    const e = new Uint8Array(8);
    e[0] = next;
    next = k % 2 === 0 ? 60 : 0;
    exts.unshift(e);
  }
  // chain: each header names the following one
  const hdr = new Uint8Array(40);
  hdr[0] = 0x60;
  w16be(hdr, 4, 8 * ext + tcp.length);
  hdr[6] = ext > 0 ? next : 6;
  hdr[7] = 64;
  hdr[8] = 0x20;
  hdr[9] = 0x01;
  hdr[10] = 0x0d;
  hdr[11] = 0xb8;
  hdr.set(d.subarray(x.l3 + 12, x.l3 + 16), 20);
  hdr[24] = 0x20;
  hdr[25] = 0x01;
  hdr[26] = 0x0d;
  hdr[27] = 0xb8;
  hdr.set(d.subarray(x.l3 + 16, x.l3 + 20), 36);
  const data = concat([link, hdr, ...exts, tcp]);
  return { ...p, data, wire: data.length };
}

// --------------------------------------------------------------- file mutators

const FILE_MUTATORS = [
  [
    5,
    'bit-flips',
    (rng, f) => {
      const b = f.bytes.slice();
      const n = rng.small(16);
      for (let k = 0; k < n; k++) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return b;
    },
  ],
  [
    3,
    'byte-run',
    (rng, f) => {
      const b = f.bytes.slice();
      const at = rng.int(b.length);
      const n = Math.min(b.length - at, rng.range(1, 256));
      if (rng.chance(0.5)) b.fill(rng.pick([0, 0xff, 0x41, 0x80]), at, at + n);
      else b.set(rng.bytes(n), at);
      return b;
    },
  ],
  [
    3,
    'insert-delete',
    (rng, f) => {
      const b = f.bytes;
      const at = rng.int(b.length + 1);
      if (rng.chance(0.5)) return concat([b.subarray(0, at), rng.bytes(rng.range(1, 64)), b.subarray(at)]);
      return concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + rng.range(1, 64)))]);
    },
  ],
  [
    4,
    'truncate-file',
    (rng, f) => {
      const b = f.bytes;
      const r = rng.int(4);
      // inside the file header, the first records, a record header, or anywhere
      let at;
      if (r === 0) at = rng.int(Math.min(b.length, 40));
      else if (r === 1) at = rng.int(Math.min(b.length, 600));
      else if (r === 2 && f.records?.length) at = rng.pick(f.records) + rng.int(17);
      else at = rng.int(b.length);
      return b.slice(0, Math.min(at, b.length));
    },
  ],
  [
    5,
    'record-length',
    (rng, f) => {
      if (!f.records?.length) return undefined;
      const b = f.bytes.slice();
      const r = rng.pick(f.records);
      const field = rng.chance(0.7) ? 8 : 12;
      const orig = u32le(b, r + field);
      w32le(b, r + field, interesting(rng, 4, orig, [0x1000000, 0x1000001, 65535, 262144, b.length - r]));
      return b;
    },
  ],
  [
    2,
    'file-header',
    (rng, f) => {
      if (f.format !== 'pcap') return undefined;
      const b = f.bytes.slice();
      const how = rng.int(4);
      if (how === 0) w32le(b, 20, rng.pick([0, 1, 101, 113, 276, 228, 229, 108, 12, 14, 147, 0xffff, rng.u32()]));
      else if (how === 1) w32le(b, 16, interesting(rng, 4, u32le(b, 16)));
      else if (how === 2) w32le(b, 0, 0xa1b23c4d);
      else b.set(rng.bytes(4), rng.int(24));
      return b;
    },
  ],
];

/** Random pcapng additions: unknown blocks, interface options, simple/obsolete packets, new sections. */
function pcapngExtras(rng, pkts) {
  return (blocks, le) => {
    const n = rng.small(6);
    for (let k = 0; k < n; k++) {
      const at = rng.range(1, blocks.length);
      const how = rng.int(8);
      let blk;
      if (how === 0)
        blk = pcapngBlock(rng.pick([0x5, 0xbad, 0x80000001, 0x40000bad, 0x0a, 7, 4]), rng.bytes(rng.int(64)), le);
      else if (how === 1) {
        // interface with timestamp resolution / offset options
        const opt = new Uint8Array(24);
        (le ? w16le : w16be)(opt, 0, 9);
        (le ? w16le : w16be)(opt, 2, 1);
        opt[4] = rng.pick([0, 3, 6, 9, 19, 0x80 | 10, 0x80 | 63, 0x7f, 0xff]);
        (le ? w16le : w16be)(opt, 8, 14);
        (le ? w16le : w16be)(opt, 10, 8);
        opt.set(rng.bytes(8), 12);
        blk = pcapngBlock(1, idbBody(pkts[0]?.lt ?? 1, le, rng.chance(0.5) ? opt : opt.subarray(0, 8)), le);
      } else if (how === 2 && pkts.length) {
        // simple packet block
        const p = rng.pick(pkts);
        const body = new Uint8Array(4 + p.data.length);
        (le ? w32le : w32be)(body, 0, rng.chance(0.7) ? p.data.length : rng.u32());
        body.set(p.data, 4);
        blk = pcapngBlock(3, body, le);
      } else if (how === 3 && pkts.length) {
        // packet block for an interface that does not exist
        const body = epbBody(rng.range(1, 1000), rng.pick(pkts), le);
        blk = pcapngBlock(6, body, le);
      } else if (how === 4) {
        // a new section (maybe the other byte order) with its own interface and packets
        const le2 = rng.chance(0.5) ? le : !le;
        const parts = [pcapngBlock(0x0a0d0d0a, shbBody(le2), le2), pcapngBlock(1, idbBody(pkts[0]?.lt ?? 1, le2), le2)];
        for (let j = 0; j < rng.int(4) && pkts.length; j++)
          parts.push(pcapngBlock(6, epbBody(0, rng.pick(pkts), le2), le2));
        blocks.splice(at, 0, ...parts);
        continue;
      } else if (how === 5 && pkts.length) {
        // obsolete packet block
        const p = rng.pick(pkts);
        const body = epbBody(0, p, le);
        (le ? w32le : w32be)(body, 0, 0);
        blk = pcapngBlock(2, body, le);
      } else if (how === 6) {
        // a block whose lengths disagree or are impossible
        blk = pcapngBlock(rng.pick([6, 1, 3, 0x99]), rng.bytes(rng.range(0, 40)), le);
        const w = le ? w32le : w32be;
        if (rng.chance(0.5)) w(blk, 4, interesting(rng, 4, blk.length, [blk.length + 4, blk.length - 4]));
        else w(blk, blk.length - 4, blk.length + 4);
      } else {
        // enhanced packet block whose captured length exceeds the block, or is cut
        if (!pkts.length) continue;
        const body = epbBody(0, rng.pick(pkts), le);
        (le ? w32le : w32be)(body, 12, interesting(rng, 4, u32le(body, 12)));
        blk = pcapngBlock(6, body, le);
      }
      blocks.splice(at, 0, blk);
    }
  };
}

/**
 * One new input from `parent`. Returns { bytes, ops } where ops names the
 * mutations applied, in order.
 */
export function mutate(rng, parent, corpus) {
  const ops = [];
  let pkts = parent.packets;
  let file;
  if (pkts && pkts.length > 0 && rng.chance(0.9)) {
    // keep most inputs small: a large capture is cropped to a window first
    if (pkts.length > 300 && rng.chance(0.6)) {
      const from = rng.int(pkts.length - 100);
      pkts = pkts.slice(from, from + rng.range(100, 300));
      ops.push('window');
    }
    const n = rng.small(6);
    const ctx = { corpus };
    for (let k = 0; k < n; k++) {
      const [, name, fn] = pickMutator(rng, PACKET_MUTATORS);
      const r = pkts.length > 0 ? fn(rng, pkts, ctx) : undefined;
      if (r) {
        pkts = r;
        ops.push(name);
      }
    }
    if (rng.chance(0.2)) {
      const le = rng.chance(0.8);
      const w = writePcapng(pkts, { le, extra: rng.chance(0.7) ? pcapngExtras(rng, pkts) : undefined });
      file = { bytes: w.bytes, format: 'pcapng' };
      ops.push(le ? 'as-pcapng' : 'as-pcapng-be');
    } else {
      const w = writePcap(pkts);
      file = { bytes: w.bytes, records: w.records, format: 'pcap' };
    }
    if (rng.chance(0.25)) {
      const [, name, fn] = pickMutator(rng, FILE_MUTATORS);
      const b = fn(rng, file);
      if (b) {
        file = { ...file, bytes: b, records: undefined };
        ops.push(name);
      }
    }
  } else {
    file = { bytes: parent.bytes, format: parent.format };
    const n = rng.small(4);
    for (let k = 0; k < n; k++) {
      const [, name, fn] = pickMutator(rng, FILE_MUTATORS);
      const b = file.bytes.length > 0 ? fn(rng, file) : undefined;
      if (b) {
        file = { ...file, bytes: b, records: undefined };
        ops.push(name);
      }
    }
  }
  return { bytes: file.bytes, ops };
}

function pickMutator(rng, list) {
  return rng.weighted(list.map((m) => [m[0], m]));
}

export const MUTATOR_NAMES = [...PACKET_MUTATORS.map((m) => m[1]), ...FILE_MUTATORS.map((m) => m[1])];

export { readField, writeField };
void u16be;
