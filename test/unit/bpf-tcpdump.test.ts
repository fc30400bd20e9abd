/**
 * BPF filters against the real thing: for each expression and each capture,
 * the packets smbscope's filter keeps (libpcap's compiler via tcpdump -ddd,
 * smbscope's interpreter) must be exactly the packets `tcpdump -r - -w -
 * EXPR` keeps, in order, byte for byte; and where tcpdump refuses the
 * expression for a link type, so must smbscope.
 *
 * Captures: fixtures as they are (Ethernet pcap, pcapng), and captures built
 * here from fixture packets to cover what the fixtures lack: 802.1Q and
 * QinQ tags, IPv6 (with extension headers and fragment headers, for
 * protochain), IPv4 fragments and options, UDP, ARP, 802.3/LLC frames,
 * padded runts, packets cut by a snap length at every header boundary; and
 * the same IP packets as raw IP, Linux cooked v1/v2, BSD loopback in both
 * byte orders and OpenBSD loopback.
 *
 * Skipped (with the reason) when tcpdump is not installed.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { BpfError, type BpfProgram, isBpfError } from '../../src/core/bpf/bpf.js';
import { PacketFilter } from '../../src/core/bpf/filter.js';
import { CaptureReader } from '../../src/core/source/capture.js';
import { compileFilter, findTool } from '../../src/node/bpf-compile.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const ZEEK_CASES = resolve(ROOT, '..', 'shared', 'zeek-smb', 'cases');
const TCPDUMP = findTool('tcpdump');

interface Pkt {
  linktype: number;
  sec: number;
  usec: number;
  data: Uint8Array;
  wirelen: number;
}

// ---------------------------------------------------------------- pcap I/O

function readPackets(bytes: Uint8Array): Pkt[] {
  const out: Pkt[] = [];
  const r = new CaptureReader({
    packet(linktype, ts, buf, off, caplen, wirelen) {
      const sec = Math.floor(ts);
      out.push({ linktype, sec, usec: Math.round((ts - sec) * 1e6), data: buf.slice(off, off + caplen), wirelen });
    },
  });
  r.push(bytes);
  r.end();
  assert.equal(r.error, undefined, r.error?.message);
  return out;
}

function writePcap(linktype: number, pkts: readonly Pkt[], bigEndian = false): Uint8Array {
  const size = 24 + pkts.reduce((n, p) => n + 16 + p.data.length, 0);
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  const le = !bigEndian;
  v.setUint32(0, 0xa1b2c3d4, le);
  v.setUint16(4, 2, le);
  v.setUint16(6, 4, le);
  v.setUint32(16, 262144, le);
  v.setUint32(20, linktype, le);
  let o = 24;
  for (const p of pkts) {
    v.setUint32(o, p.sec, le);
    v.setUint32(o + 4, p.usec, le);
    v.setUint32(o + 8, p.data.length, le);
    v.setUint32(o + 12, p.wirelen, le);
    b.set(p.data, o + 16);
    o += 16 + p.data.length;
  }
  return b;
}

// ---------------------------------------------------------------- building packets

function cat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const be16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
const be32 = (v: number) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
const le32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];

/** An IP packet (captured bytes) with its length on the wire. */
interface IpPkt {
  v6: boolean;
  data: Uint8Array;
  wirelen: number;
}

const MACS = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

function ether(type: number, payload: Uint8Array, vlans: [tpid: number, tci: number][] = []): Uint8Array {
  const tags = vlans.flatMap(([tpid, tci]) => [...be16(tpid), ...be16(tci)]);
  return cat(MACS, tags, be16(type), payload);
}

/** An IPv6 extension header: its type and its 7 bytes after the next-header byte (8 bytes in all). */
interface ExtHeader {
  type: number;
  rest: number[];
}

const HOP_BY_HOP: ExtHeader = { type: 0, rest: [0, 1, 4, 0, 0, 0, 0] }; // PadN option
const DEST_OPTS: ExtHeader = { type: 60, rest: [0, 1, 4, 0, 0, 0, 0] };
const ROUTING: ExtHeader = { type: 43, rest: [0, 0, 0, 0, 0, 0, 0] }; // type 0, no segments left
const FRAGMENT: ExtHeader = { type: 44, rest: [0, 0, 1, 0, 0, 0x12, 0x34] }; // offset 0, M=1

/** IPv4 -> IPv6 (addresses 2001:db8::a.b.c.d), optionally behind extension headers. */
function toIpv6(ip: IpPkt, ext: ExtHeader[] = []): IpPkt {
  const d = ip.data;
  const ihl = (d[0]! & 0x0f) * 4;
  const totalLen = (d[2]! << 8) | d[3]!;
  const proto = d[9]!;
  const payload = d.subarray(Math.min(ihl, d.length));
  // each extension header starts with the type of the header after it
  const chain = ext.map((h, i) => [i + 1 < ext.length ? ext[i + 1]!.type : proto, ...h.rest]);
  const first = ext[0]?.type ?? proto;
  const extLen = 8 * ext.length;
  const addr = (o: number) => [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!];
  const hdr = [0x60, 0, 0, 0, ...be16(totalLen - ihl + extLen), first, 64, ...addr(12), ...addr(16)];
  return { v6: true, data: cat(hdr, ...chain, payload), wirelen: ip.wirelen - ihl + 40 + extLen };
}

function withIpOptions(ip: IpPkt): IpPkt {
  const d = ip.data;
  if (d.length < 20) return ip;
  const ihl = (d[0]! & 0x0f) * 4;
  const out = cat(d.subarray(0, ihl), [1, 1, 1, 0], d.subarray(ihl));
  out[0] = (d[0]! & 0xf0) | ((ihl + 4) / 4);
  const tl = ((d[2]! << 8) | d[3]!) + 4;
  out[2] = tl >> 8;
  out[3] = tl & 0xff;
  return { v6: false, data: out, wirelen: ip.wirelen + 4 };
}

function patched(ip: IpPkt, at: number, bytes: number[]): IpPkt {
  const d = ip.data.slice();
  for (let i = 0; i < bytes.length && at + i < d.length; i++) d[at + i] = bytes[i]!;
  return { v6: ip.v6, data: d, wirelen: ip.wirelen };
}

const CUTS = [0, 1, 10, 12, 13, 14, 16, 17, 20, 23, 30, 33, 34, 36, 38, 40, 46, 47, 54, 58, 60];

interface Built {
  ether: Pkt[];
  ip: IpPkt[];
}

/** The mixed Ethernet capture and the IP packets for the other link types. */
function buildMixed(sources: Pkt[]): Built {
  const etherPkts: Pkt[] = [];
  const ipPkts: IpPkt[] = [];
  let n = 0;
  const add = (frame: Uint8Array, wirelen: number, cut?: number) => {
    const data = cut === undefined ? frame : frame.subarray(0, Math.min(cut, frame.length));
    etherPkts.push({ linktype: 1, sec: 1700000000 + n, usec: n % 1000000, data, wirelen });
    n++;
  };
  let i = 0;
  for (const s of sources) {
    if (s.linktype !== 1 || s.data.length < 34 || s.data[12] !== 0x08 || s.data[13] !== 0x00) continue;
    const ip: IpPkt = { v6: false, data: s.data.subarray(14), wirelen: s.wirelen - 14 };
    const v = i++ % 16;
    const eth = (p: IpPkt, vlans: [number, number][] = []) => ether(p.v6 ? 0x86dd : 0x0800, p.data, vlans);
    const wl = (p: IpPkt, vlans = 0) => p.wirelen + 14 + 4 * vlans;
    let out: IpPkt = ip;
    switch (v) {
      case 0:
        add(eth(ip), wl(ip));
        break;
      case 1:
        add(eth(ip, [[0x8100, 100]]), wl(ip, 1));
        break;
      case 2:
        add(
          eth(ip, [
            [0x88a8, 200],
            [0x8100, 100],
          ]),
          wl(ip, 2),
        );
        break;
      case 3:
        out = toIpv6(ip);
        add(eth(out), wl(out));
        break;
      case 4:
        out = toIpv6(ip, [HOP_BY_HOP, DEST_OPTS]);
        add(eth(out), wl(out));
        break;
      case 5:
        out = patched(ip, 6, (i & 32) === 0 ? [0x20, 0x00] : [0x00, 0xb9]); // MF, or offset 185
        add(eth(out), wl(out));
        break;
      case 6: {
        const cut = CUTS[(i >> 4) % CUTS.length]!;
        add(eth(ip), wl(ip), cut);
        ipPkts.push({ v6: false, data: ip.data.subarray(0, Math.max(0, cut - 14)), wirelen: ip.wirelen });
        continue;
      }
      case 7:
        out = patched(ip, 9, [17]); // UDP
        add(eth(out), wl(out));
        break;
      case 8:
        out = withIpOptions(ip);
        add(eth(out), wl(out));
        break;
      case 9: {
        // ARP request
        const arp = Uint8Array.from([
          0,
          1,
          8,
          0,
          6,
          4,
          0,
          1,
          ...MACS.slice(6),
          10,
          0,
          0,
          1,
          0,
          0,
          0,
          0,
          0,
          0,
          10,
          0,
          0,
          2,
        ]);
        add(ether(0x0806, arp), 42);
        break;
      }
      case 10:
        out = toIpv6(ip);
        add(eth(out, [[0x8100, 300]]), wl(out, 1));
        break;
      case 11: {
        // 802.3 length field + LLC (STP-like), padded to 60
        const llc = cat([0x42, 0x42, 0x03], new Uint8Array(43));
        add(cat(MACS, be16(llc.length), llc), 60);
        break;
      }
      case 12:
        out = toIpv6(ip, [FRAGMENT]);
        add(eth(out), wl(out));
        break;
      case 13: {
        // a runt padded to the Ethernet minimum
        const f = eth(ip);
        const padded = f.length < 60 ? cat(f, new Uint8Array(60 - f.length)) : f;
        add(padded, Math.max(60, wl(ip)));
        break;
      }
      case 14:
        out = toIpv6(ip, [ROUTING, HOP_BY_HOP]);
        add(eth(out), wl(out));
        break;
      default: {
        const cut = CUTS[((i >> 4) + 7) % CUTS.length]!;
        const p = toIpv6(ip);
        add(eth(p), wl(p), cut);
        ipPkts.push({ v6: true, data: p.data.subarray(0, Math.max(0, cut - 14)), wirelen: p.wirelen });
        continue;
      }
    }
    ipPkts.push(out);
  }
  return { ether: etherPkts, ip: ipPkts };
}

function linkCapture(linktype: number, ips: IpPkt[], header: (p: IpPkt, i: number) => number[]): Pkt[] {
  return ips.map((p, i) => {
    const h = header(p, i);
    return { linktype, sec: 1700000000 + i, usec: i, data: cat(h, p.data), wirelen: p.wirelen + h.length };
  });
}

// ---------------------------------------------------------------- the captures

interface Capture {
  name: string;
  bytes: Uint8Array;
  linktype: number;
  bigEndian: boolean;
  /** expressions to run (default: all) */
  only?: string[];
}

function captures(): Capture[] {
  const fixture = (p: string) => new Uint8Array(readFileSync(p));
  const sources: Pkt[] = [];
  for (const p of [
    join(FIXTURES, 'impacket-smb2_10.pcap'),
    join(ZEEK_CASES, 'compression-cap', 'SMBGhost.pcap'),
    join(ZEEK_CASES, 'smb3', 'smb3.pcap'),
    join(ZEEK_CASES, 'smb311', 'smb311.pcap'),
    join(ZEEK_CASES, 'smb2-read-write', 'smb2readwrite.pcap'),
    join(ZEEK_CASES, 'smb2-fscontrol', 'smb2_fscontrol.pcap'),
  ]) {
    if (existsSync(p)) sources.push(...readPackets(fixture(p)));
  }
  const { ether, ip } = buildMixed(sources);
  const out: Capture[] = [
    { name: 'mixed Ethernet (built)', bytes: writePcap(1, ether), linktype: 1, bigEndian: false },
    { name: 'mixed Ethernet, big-endian file (built)', bytes: writePcap(1, ether, true), linktype: 1, bigEndian: true },
    {
      name: 'raw IP (built)',
      bytes: writePcap(
        101,
        linkCapture(101, ip, () => []),
      ),
      linktype: 101,
      bigEndian: false,
    },
    {
      name: 'Linux cooked v1 (built)',
      bytes: writePcap(
        113,
        linkCapture(113, ip, (p, i) => [
          ...be16(i % 2 === 0 ? 0 : 4), // packet type: to us / outgoing
          ...be16(772), // ARPHRD_LOOPBACK
          ...be16(6), // address length
          ...MACS.slice(0, 6),
          0,
          0,
          ...be16(p.v6 ? 0x86dd : 0x0800),
        ]),
      ),
      linktype: 113,
      bigEndian: false,
    },
    {
      name: 'Linux cooked v2 (built)',
      bytes: writePcap(
        276,
        linkCapture(276, ip, (p, i) => [
          ...be16(p.v6 ? 0x86dd : 0x0800),
          0,
          0, // reserved
          ...be32(1 + (i % 3)), // interface index
          ...be16(1), // ARPHRD_ETHER
          i % 2 === 0 ? 0 : 4, // packet type
          6,
          ...MACS.slice(0, 6),
          0,
          0,
        ]),
      ),
      linktype: 276,
      bigEndian: false,
    },
    {
      name: 'BSD loopback, little-endian (built)',
      bytes: writePcap(
        0,
        linkCapture(0, ip, (p, i) => le32(p.v6 ? [24, 28, 30][i % 3]! : 2)),
      ),
      linktype: 0,
      bigEndian: false,
    },
    {
      name: 'BSD loopback, big-endian (built)',
      bytes: writePcap(
        0,
        linkCapture(0, ip, (p, i) => be32(p.v6 ? [24, 28, 30][i % 3]! : 2)),
        true,
      ),
      linktype: 0,
      bigEndian: true,
    },
    {
      name: 'OpenBSD loopback (built)',
      bytes: writePcap(
        108,
        linkCapture(108, ip, (p) => be32(p.v6 ? 24 : 2)),
      ),
      linktype: 108,
      bigEndian: false,
    },
  ];
  const fx = join(FIXTURES, 'smbclient-smb3_00-port139.pcap');
  if (existsSync(fx))
    out.push({ name: 'fixture smbclient-smb3_00-port139.pcap', bytes: fixture(fx), linktype: 1, bigEndian: false });
  const ng = join(ZEEK_CASES, 'smb2-zero-byte-error-ioctl', 'smb2-zero-byte-error-ioctl.pcapng');
  if (existsSync(ng))
    out.push({ name: 'Zeek smb2-zero-byte-error-ioctl.pcapng', bytes: fixture(ng), linktype: 1, bigEndian: false });
  const zk = join(ZEEK_CASES, 'smb2-max-pending-messages', 'smb2_100_small_files.pcap');
  if (existsSync(zk))
    out.push({
      name: 'Zeek smb2_100_small_files.pcap',
      bytes: fixture(zk),
      linktype: 1,
      bigEndian: false,
      only: [ZEEK_EXPR, 'tcp port 445', 'tcp[13] & 2 != 0', 'greater 100'],
    });
  return out;
}

const ZEEK_EXPR = 'src port not 445 or tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0';

const EXPRESSIONS = [
  'tcp port 445',
  ZEEK_EXPR,
  'host 127.0.0.1 and tcp',
  'ip6',
  'vlan and tcp',
  'greater 100',
  'tcp[13] & 2 != 0',
  'net 10.0.0.0/8',
  'ip[6:2] & 0x1fff != 0',
  'len <= 60',
  'less 80 and not arp',
  'port 139',
  'tcp[((tcp[12:1] & 0xf0) >> 2) + 4:4] = 0xfe534d42',
  'ip6 protochain 6',
  'ip protochain 6',
  'udp or (ip6 and tcp dst port 445)',
  'tcp and (ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) != 0',
  'ip[8] * 3 / 2 % 7 = 1 or (ip[1] ^ 0xff) = 0xff or ip[4:2] - 1 > 0x8000 or -ip[9] = 0xfffffffa',
  'tcp portrange 440-450 and not src net 192.168.0.0/16',
  'vlan 200 and vlan 100',
  'arp or llc',
  'ip and ip[0] & 0xf > 5',
  'ip6 and ip6[6] = 0',
  'tcp[tcpflags] & tcp-push != 0 and len > 200',
  'not ip and not ip6',
  '',
];

// ---------------------------------------------------------------- running tcpdump

function tcpdumpKeeps(bytes: Uint8Array, expr: string): Promise<Pkt[] | string> {
  return new Promise((res, rej) => {
    const child = execFile(
      TCPDUMP!,
      ['-r', '-', '-w', '-', '--', expr],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } },
      (err, stdout, stderr) => {
        if (err && (err as { code?: unknown }).code === undefined) return rej(err);
        if (err) return res(stderr.toString('utf8'));
        res(readPackets(new Uint8Array(stdout)));
      },
    );
    child.stdin!.on('error', () => {}); // tcpdump may exit before reading everything (bad expression)
    child.stdin!.end(bytes);
  });
}

async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

function key(p: Pkt): string {
  return `${p.sec}.${p.usec} ${p.data.length}/${p.wirelen} ${createHash('sha1').update(p.data).digest('hex')}`;
}

// one program per expression, link type and byte order, shared by all captures
const compiled = new Map<string, BpfProgram | BpfError>();
function compileCached(expr: string, linktype: number, snaplen: number, bigEndian: boolean): BpfProgram | BpfError {
  const k = `${linktype}/${bigEndian}/${expr}`;
  let p = compiled.get(k);
  if (!p) {
    p = compileFilter(expr, linktype, snaplen, bigEndian);
    compiled.set(k, p);
  }
  return p;
}

function ours(packets: Pkt[], expr: string): Pkt[] | BpfError {
  let error: BpfError | undefined;
  const f = new PacketFilter((lt, snap, be) => compileCached(expr, lt, snap, be), {
    onError: (e) => {
      error ??= e;
    },
  });
  const kept = packets.filter((p) => f.accept(p.linktype, p.data, 0, p.data.length, p.wirelen));
  return error ?? kept;
}

// ---------------------------------------------------------------- the tests

describe('BPF filters keep exactly what tcpdump keeps', { skip: TCPDUMP ? false : 'tcpdump is not installed' }, () => {
  const all = TCPDUMP ? captures() : [];
  const discriminating = new Map<string, number>();

  for (const cap of all) {
    it(cap.name, async () => {
      const packets = readPackets(cap.bytes);
      assert.ok(packets.length > 0);
      const exprs = cap.only ?? EXPRESSIONS;
      const theirs = await pool(
        exprs.map((e) => () => tcpdumpKeeps(cap.bytes, e)),
        3,
      );
      const problems: string[] = [];
      exprs.forEach((expr, i) => {
        const t = theirs[i]!;
        const o = ours(packets, expr);
        if (typeof t === 'string') {
          if (!isBpfError(o))
            problems.push(
              `'${expr}': tcpdump refuses it (${t.trim().split('\n').pop()}) but smbscope keeps ${o.length}`,
            );
          return;
        }
        if (isBpfError(o)) {
          problems.push(`'${expr}': tcpdump keeps ${t.length} packets but smbscope: ${o.message}`);
          return;
        }
        if (o.length > 0 && o.length < packets.length) discriminating.set(expr, (discriminating.get(expr) ?? 0) + 1);
        const ok = o.map(key);
        const tk = t.map(key);
        if (ok.length !== tk.length || ok.some((k, j) => k !== tk[j]))
          problems.push(`'${expr}': tcpdump keeps ${tk.length} of ${packets.length}, smbscope ${ok.length}`);
      });
      assert.deepEqual(problems, []);
    });
  }

  it('the comparisons are not trivial', (t) => {
    // every expression but the match-all one splits at least one capture (some only split Zeek's traces)
    if (!existsSync(ZEEK_CASES)) {
      t.skip(`Zeek's traces are not at ${ZEEK_CASES} (../shared is not next to this clone)`);
      return;
    }
    for (const e of EXPRESSIONS)
      if (e !== '') assert.ok((discriminating.get(e) ?? 0) > 0, `'${e}' never discriminates`);
  });

  it('compile errors are one clear line', () => {
    const syntax = compileFilter('tcp and and', 1);
    assert.ok(isBpfError(syntax));
    assert.equal(syntax.message, "filter 'tcp and and': can't parse filter expression: syntax error");
    const port = compileFilter('tcp port nosuchservice', 1);
    assert.ok(isBpfError(port));
    assert.equal(port.message, "filter 'tcp port nosuchservice': unknown port 'nosuchservice'");
    const vlan = compileFilter('vlan', 101);
    assert.ok(isBpfError(vlan));
    assert.equal(
      vlan.message,
      "filter 'vlan' does not apply to RAW (Raw IP) packets (link type 101): no VLAN support for Raw IP",
    );
    const unknown = compileFilter('ip', 9999);
    assert.ok(isBpfError(unknown));
    assert.match(
      unknown.message,
      /^filter 'ip' does not apply to packets of link type 9999: unknown data link type 9999/,
    );
    const opt = compileFilter('-w', 1);
    assert.ok(isBpfError(opt)); // an expression is never taken for an option
    for (const e of [syntax, port, vlan, unknown, opt]) assert.ok(!e.message.includes('\n'));
  });

  it('reports a missing tcpdump', () => {
    const e = compileFilter('ip', 1, 262144, false, { tcpdump: '/nonexistent/tcpdump' });
    assert.ok(e instanceof BpfError);
    assert.equal(e.message, '-f needs tcpdump to compile filters; install tcpdump (Debian: apt install tcpdump)');
  });

  it('compiles for the snap length and byte order asked for', () => {
    const p = compileFilter('ip', 1, 1500);
    assert.ok(!isBpfError(p));
    assert.ok(p.insns().some((i) => i.code === 0x06 && i.k === 1500));
    // BSD loopback: AF_INET (2) as written by a little- or a big-endian host
    const le = compileFilter('ip', 0, 262144, false);
    const be = compileFilter('ip', 0, 262144, true);
    assert.ok(!isBpfError(le) && !isBpfError(be));
    assert.ok(le.insns().some((i) => i.k === 0x02000000));
    assert.ok(be.insns().some((i) => i.k === 2));
  });
});
