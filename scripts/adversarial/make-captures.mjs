#!/usr/bin/env node
// Writes the adversarial captures of issue 5: valid-looking Ethernet/IPv4/TCP
// pcaps (correct sequence numbers and checksums, so the bytes reach the SMB
// layer) that drive each limit of smbscope. Deterministic: the same command
// writes the same bytes. Keep the output out of the repository.
//
// Usage:
//   node scripts/adversarial/make-captures.mjs [OUTDIR] [--only a,b] [--no-quarter] [--scale F]
//
// OUTDIR defaults to /tmp/smbscope-adversarial. Each generator writes
// NAME.pcap at full size and NAME.q.pcap at a quarter of it (for the "time
// per packet stays flat" check), and manifest.json describes them all.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Batcher,
  closeRequest,
  closeResponse,
  createRequest,
  createResponse,
  echoChain,
  echoRequest,
  ioctlRequestHead,
  ip4,
  negotiateRequest,
  PcapngWriter,
  PcapWriter,
  prng,
  readRequest,
  Stream,
  TcpConn,
  treeConnectRequest,
  treeConnectResponse,
  writeRequest,
  writeRequestHead,
  writeResponse,
} from './lib.mjs';

const SERVER = ip4(192, 168, 56, 10);
const CLIENT = ip4(192, 168, 56, 20);
const TID = 5;

/** A connection that is past its handshake, NEGOTIATE and a TREE_CONNECT (share type `shareType`). */
function smbSession(w, { cport = 49200, client = CLIENT, shareType = 1 } = {}) {
  const c = new TcpConn(w, { client, server: SERVER, cport }).handshake();
  c.segment(true, negotiateRequest(0n));
  c.ackFrom(false);
  c.segment(true, treeConnectRequest(1n, '\\\\server\\share'));
  c.segment(false, treeConnectResponse(1n, TID, shareType));
  c.ackFrom(true);
  return c;
}

/**
 * Request/response pairs sent in rounds: `per` requests in client segments,
 * then their responses in server segments (requests always precede their responses).
 */
function pairs(c, n, per, make) {
  const cb = new Batcher(c, true, { ackEvery: 0 });
  const sb = new Batcher(c, false, { ackEvery: 0 });
  for (let i = 0; i < n; i += per) {
    const resps = [];
    for (let k = i; k < Math.min(n, i + per); k++) {
      const [reqs, resp] = make(k);
      for (const r of reqs) cb.add(r);
      resps.push(...resp);
    }
    cb.flush();
    for (const r of resps) sb.add(r);
    sb.flush();
    c.ackFrom(true);
  }
}

/** 64 KiB of pseudo-random file data, reused. */
const BLOCK = prng(7).fill(Buffer.alloc(65536));

const GENERATORS = [
  {
    name: 'conns',
    full: 100_000,
    unit: 'connections',
    what: 'N TCP connections to port 445: handshake and a small SMB2 NEGOTIATE each, never closed',
    limits: ['maxConnections (40,000): the oldest connections are evicted'],
    expect: (n) => (n > 40_000 ? ['connection_table_full'] : []),
    gen(w, n) {
      w.step = 100;
      for (let i = 0; i < n; i++) {
        const client = ip4(10, 1 + (i >>> 16), (i >>> 8) & 255, i & 255);
        const c = new TcpConn(w, { client, server: SERVER, cport: 1024 + (i % 60000), cisn: i * 7919 });
        c.handshake();
        c.segment(true, negotiateRequest(0n));
      }
    },
  },
  {
    name: 'conns-over',
    full: 300_000,
    unit: 'connections',
    what: 'N TCP connections to port 445 (more than maxConnections): handshake and NEGOTIATE each, never closed',
    limits: ['maxConnections (40,000)'],
    expect: (n) => (n > 40_000 ? ['connection_table_full'] : []),
    gen(w, n) {
      w.step = 50;
      for (let i = 0; i < n; i++) {
        const client = ip4(10, 1 + (i >>> 16), (i >>> 8) & 255, i & 255);
        const c = new TcpConn(w, { client, server: SERVER, cport: 1024 + (i % 60000), cisn: i * 7919 });
        c.handshake();
        c.segment(true, negotiateRequest(0n));
      }
    },
  },
  {
    name: 'pending',
    full: 1_000_000,
    unit: 'requests',
    what: 'one connection, N SMB2 requests (ECHO, READ, CREATE; many per segment) and no response',
    limits: ['maxPendingMessages (1000)'],
    expect: (n) => (n > 1000 ? ['SMB_discarded_messages_state'] : []),
    gen(w, n) {
      w.step = 20;
      const c = smbSession(w);
      const b = new Batcher(c, true, { ackEvery: 4 });
      for (let i = 0; i < n; i++) {
        const mid = BigInt(i + 10);
        if (i % 8 === 0) b.add(readRequest(mid, TID, 1 + (i % 64), i * 4096, 4096));
        else if (i % 16 === 1) b.add(createRequest(mid, TID, `dir\\f${i}.txt`));
        else b.add(echoRequest(mid, TID));
      }
      b.flush();
    },
  },
  {
    name: 'ooo-100m',
    full: 100,
    unit: 'MiB',
    what: 'one connection whose first segment is lost, then N MiB of 64 KiB WRITE requests, never acknowledged',
    limits: ['maxOutOfOrder (4 MiB per direction)'],
    expect: ['TCP_reassembly_limit'],
    gen(w, n) {
      w.step = 50;
      const c = smbSession(w);
      const s = new Stream(c, true, { ackEvery: 0 });
      s.loseNext = 1448;
      const total = n * 1024 * 1024;
      for (let sent = 0, mid = 10n; sent < total; sent += 65536 + 116, mid++) {
        s.write(writeRequestHead(mid, TID, 3, Number(mid) * 65536, 65536));
        s.write(BLOCK);
      }
      s.flush();
    },
  },
  {
    name: 'ooo-tiny',
    full: 200_000,
    unit: 'segments',
    what: 'one connection whose first byte is lost, then N one-byte segments, never acknowledged',
    limits: ['out-of-order segments per direction (4,096; 4 MiB of bytes not reached)'],
    expect: ['TCP_reassembly_limit'],
    gen(w, n) {
      w.step = 20;
      const c = smbSession(w);
      c.lose(true, 1);
      const one = Buffer.from([0x42]);
      for (let i = 0; i < n; i++) c.segment(true, one);
    },
  },
  {
    name: 'ooo-conns',
    full: 64,
    unit: 'connections',
    what: 'N connections, each with a lost first segment and 3.5 MiB of later data, never acknowledged',
    limits: ['the shared buffer budget (64 MiB for all connections; 4 MiB per direction not reached)'],
    expect: (n) => (n * 3.5 > 64 ? ['TCP_reassembly_limit'] : []),
    gen(w, n) {
      w.step = 20;
      const per = 3.5 * 1024 * 1024;
      for (let i = 0; i < n; i++) {
        const c = smbSession(w, { cport: 20000 + i });
        const s = new Stream(c, true, { ackEvery: 0 });
        s.loseNext = 1448;
        for (let sent = 0, mid = 10n; sent < per; sent += 65536 + 116, mid++) {
          s.write(writeRequestHead(mid, TID, 3, Number(mid) * 65536, 65536));
          s.write(BLOCK);
        }
        s.flush();
      }
    },
  },
  {
    name: 'frag-flood',
    full: 100_000,
    unit: 'datagrams',
    what:
      'N IPv4 datagrams to port 445 of which only the first fragment (256 bytes) is sent; every 4th also has a ' +
      '8-byte tail fragment at offset 65000',
    limits: ['fragments.maxDatagrams (4096)', 'fragments.maxBytes (32 MiB)'],
    expect: (n) => (n > 4096 ? ['fragment_reassembly_limit'] : []),
    gen(w, n) {
      w.step = 100;
      const r = prng(11);
      const first = Buffer.alloc(256);
      const tail = Buffer.alloc(8);
      for (let i = 0; i < n; i++) {
        const src = ip4(10, 9, (i >>> 8) & 255, i & 255);
        r.fill(first);
        first.writeUInt16BE(40000 + (i % 20000), 0); // TCP source port
        first.writeUInt16BE(445, 2); // TCP destination port
        first[12] = 0x50;
        first[13] = 0x18;
        w.ipPacket(src, SERVER, 6, first, { id: i, mf: true, fragOffset: 0 });
        if (i % 4 === 0) w.ipPacket(src, SERVER, 6, r.fill(tail), { id: i, mf: false, fragOffset: 65000 });
      }
    },
  },
  {
    name: 'frag-overlap',
    full: 20_000,
    unit: 'datagrams',
    what:
      'N UDP datagrams in three overlapping fragments whose overlap differs; every 5th has a second last ' +
      'fragment with another end',
    limits: ['fragment overlap / inconsistency checks'],
    expect: ['fragment_overlap', 'fragment_inconsistency', 'fragment_size_inconsistency'],
    gen(w, n) {
      w.step = 100;
      const r = prng(13);
      for (let i = 0; i < n; i++) {
        const src = ip4(10, 8, (i >>> 8) & 255, i & 255);
        const a = r.fill(Buffer.alloc(24));
        const b = r.fill(Buffer.alloc(24));
        w.ipPacket(src, SERVER, 17, a, { id: i, mf: true, fragOffset: 0 });
        if (i % 5 === 0) w.ipPacket(src, SERVER, 17, r.fill(Buffer.alloc(8)), { id: i, mf: false, fragOffset: 56 });
        w.ipPacket(src, SERVER, 17, b, { id: i, mf: true, fragOffset: 16 });
        w.ipPacket(src, SERVER, 17, r.fill(Buffer.alloc(8)), { id: i, mf: false, fragOffset: 40 });
      }
    },
  },
  {
    name: 'open-files',
    full: 12_000,
    unit: 'files',
    what: 'one connection, N CREATE request/response pairs with distinct file ids and names, never closed',
    limits: ['maxOpenFiles (10,000)'],
    expect: (n) => (n > 10_000 ? ['SMB_too_many_open_files'] : []),
    gen(w, n) {
      w.step = 100;
      const c = smbSession(w);
      pairs(c, n, 10, (i) => {
        const mid = BigInt(i + 10);
        return [[createRequest(mid, TID, `dir\\open${i}.txt`)], [createResponse(mid, TID, i + 100, 1000)]];
      });
    },
  },
  {
    name: 'files-no-close',
    full: 30_000,
    unit: 'files',
    what: 'one connection, N files each created and written (100 bytes of 1 MB), never closed',
    limits: ['file analysis maxFiles (10,000)', 'maxOpenFiles (10,000)'],
    expect: (n) => (n > 10_000 ? ['file_analysis_limit', 'SMB_too_many_open_files'] : []),
    gen(w, n) {
      w.step = 100;
      const c = smbSession(w);
      const data = BLOCK.subarray(0, 100);
      // a client writes once it has the file id: CREATEs answered, then WRITEs answered
      for (let i = 0; i < n; i += 5) {
        const k = Math.min(5, n - i);
        pairs(c, k, k, (j) => {
          const mid = BigInt(2 * (i + j) + 10);
          return [[createRequest(mid, TID, `dir\\w${i + j}.bin`)], [createResponse(mid, TID, i + j + 100, 1_000_000)]];
        });
        pairs(c, k, k, (j) => {
          const mid = BigInt(2 * (i + j) + 11);
          return [[writeRequest(mid, TID, i + j + 100, 0, data)], [writeResponse(mid, TID, 100)]];
        });
      }
    },
  },
  {
    name: 'file-holes-tiny',
    full: 200_000,
    unit: 'writes',
    what: 'one file; N one-byte WRITE requests at descending offsets with a hole between each',
    limits: ['file reassembly: at most 4,096 out-of-order pieces per file (512 KiB of bytes not reached)'],
    expect: ['file_reassembly_limit'],
    gen(w, n) {
      w.step = 20;
      const c = smbSession(w);
      c.segment(true, createRequest(8n, TID, 'dir\\holes.bin'));
      c.segment(false, createResponse(8n, TID, 77, 2 ** 40));
      const one = Buffer.from([0x41]);
      // answered, so that no pending-message discard clears the file state
      pairs(c, n, 12, (i) => {
        const mid = BigInt(i + 10);
        return [[writeRequest(mid, TID, 77, 2 * (n - i) + 2, one)], [writeResponse(mid, TID, 1)]];
      });
    },
  },
  {
    name: 'file-holes-big',
    full: 100,
    unit: 'MiB',
    what: 'one file; N MiB of 256 KiB WRITE requests at descending offsets with a 256 KiB hole between each',
    limits: ["file reassemblyBuffer (512 KiB, Zeek's): counted in files.log overflow_bytes, no weird (as in Zeek)"],
    expect: [],
    gen(w, n) {
      w.step = 20;
      const c = smbSession(w);
      c.segment(true, createRequest(8n, TID, 'dir\\big-holes.bin'));
      c.segment(false, createResponse(8n, TID, 78, 2 ** 40));
      const s = new Stream(c, true, { ackEvery: 8 });
      const writes = n * 4;
      const data = Buffer.concat([BLOCK, BLOCK, BLOCK, BLOCK]);
      for (let i = 0; i < writes; i++) {
        s.write(writeRequestHead(BigInt(i + 10), TID, 78, (writes - i) * 2 * data.length, data.length));
        s.write(data);
      }
      s.flush();
    },
  },
  {
    name: 'chain-long',
    full: 300,
    unit: 'messages',
    what: 'N session messages, each a compound chain of 2,000 ECHO requests',
    limits: ['maxChain (512)'],
    expect: ['SMB2_compound_chain_too_long'],
    gen(w, n) {
      w.step = 20;
      const c = smbSession(w);
      const s = new Stream(c, true, { ackEvery: 8 });
      for (let i = 0; i < n; i++) s.write(echoChain(10 + i * 2000, 2000));
      s.flush();
    },
  },
  {
    name: 'chain-noadvance',
    full: 20_000,
    unit: 'messages',
    what: 'N session messages, each a 2-member chain whose first NextCommand (8) points inside its own header',
    limits: ['NextCommand check'],
    expect: ['SMB2_bad_next_command'],
    gen(w, n) {
      w.step = 50;
      const c = smbSession(w);
      const b = new Batcher(c, true, { ackEvery: 4 });
      for (let i = 0; i < n; i++) b.add(echoChain(10 + 2 * i, 2, { next: 8 }));
      b.flush();
    },
  },
  {
    name: 'msg-16m',
    full: 0xffffff - 64,
    unit: 'bytes',
    what: 'one IOCTL request in a single session message of 16 MiB - 1 (the NBSS maximum), buffered whole',
    limits: ['maxMessage (16 MiB): cannot be exceeded by a 24-bit NBSS length'],
    expect: [],
    gen(w, n) {
      w.step = 20;
      const c = smbSession(w);
      const s = new Stream(c, true, { ackEvery: 8 });
      s.write(ioctlRequestHead(10n, TID, n));
      for (let left = n - 56; left > 0; left -= BLOCK.length) s.write(BLOCK.subarray(0, Math.min(left, BLOCK.length)));
      s.write(echoRequest(11n, TID));
      s.flush();
    },
  },
  {
    name: 'msg-16m-conns',
    full: 24,
    unit: 'connections',
    what: 'N connections, each sending 12 MiB of an IOCTL request that claims 16 MiB - 1, never finished',
    limits: ['maxMessage (16 MiB) per direction; the shared buffer budget (64 MiB) for all of them'],
    expect: (n) => (n * 12 > 64 ? ['SMB_buffer_limit'] : []),
    gen(w, n) {
      w.step = 20;
      for (let i = 0; i < n; i++) {
        const c = smbSession(w, { cport: 30000 + i });
        const s = new Stream(c, true, { ackEvery: 8 });
        s.write(ioctlRequestHead(10n, TID, 0xffffff - 64));
        for (let k = 0; k < 12 * 16; k++) s.write(BLOCK);
        s.flush();
      }
    },
  },
  {
    name: 'msg-8m-done',
    full: 32,
    unit: 'connections',
    what: 'N connections, each sending one complete 8 MiB IOCTL request, then staying open (small messages only)',
    limits: ['maxMessage (16 MiB) per direction: the buffer of a finished message'],
    expect: [],
    gen(w, n) {
      w.step = 20;
      const conns = [];
      for (let i = 0; i < n; i++) {
        const c = smbSession(w, { cport: 31000 + i });
        const s = new Stream(c, true, { ackEvery: 8 });
        s.write(ioctlRequestHead(10n, TID, 8 * 1024 * 1024));
        for (let k = 0; k < 8 * 16; k++) s.write(k === 0 ? BLOCK.subarray(56) : BLOCK);
        s.flush();
        conns.push(c);
      }
      // every connection goes on with small messages, split over two segments each
      for (let round = 0; round < 10; round++) {
        for (const c of conns) {
          const m = echoRequest(BigInt(11 + round), TID);
          c.segment(true, m.subarray(0, 30));
          c.segment(true, m.subarray(30));
        }
      }
    },
  },
  {
    name: 'trees',
    full: 5_000,
    unit: 'trees',
    what: 'one connection, N TREE_CONNECTs to named-pipe shares with distinct tree ids, never disconnected',
    limits: ['maxTrees (1,000)'],
    expect: (n) => (n > 1000 ? ['SMB_too_many_trees'] : []),
    gen(w, n) {
      w.step = 100;
      const c = smbSession(w);
      pairs(c, n, 10, (i) => {
        const mid = BigInt(i + 10);
        return [[treeConnectRequest(mid, `\\\\server\\IPC$${i}`)], [treeConnectResponse(mid, 1000 + i, 2)]];
      });
    },
  },
  {
    name: 'create-churn',
    full: 60_000,
    unit: 'files',
    what: 'one connection, N files opened and closed (CREATE and CLOSE pairs, distinct names), within three minutes',
    limits: ['smb_files.log de-duplication table (recent_files)'],
    expect: [],
    gen(w, n) {
      w.step = 100;
      const c = smbSession(w);
      // CREATEs answered, then the CLOSEs of their file ids answered
      for (let i = 0; i < n; i += 5) {
        const k = Math.min(5, n - i);
        pairs(c, k, k, (j) => {
          const mid = BigInt(2 * (i + j) + 10);
          return [[createRequest(mid, TID, `dir\\churn${i + j}.txt`)], [createResponse(mid, TID, i + j + 100, 1000)]];
        });
        pairs(c, k, k, (j) => {
          const mid = BigInt(2 * (i + j) + 11);
          return [[closeRequest(mid, TID, i + j + 100)], [closeResponse(mid, TID)]];
        });
      }
    },
  },
  {
    name: 'ng-interfaces',
    ng: true,
    full: 2_000_000,
    unit: 'interfaces',
    what: 'pcapng: N Interface Description Blocks, a small packet on the newest one every 1,000',
    limits: ['pcapng interfaces per section (65,536); packets naming the others are reported'],
    expect: (n) => (n > 65_536 ? ['pcapng_bad_interface'] : []),
    gen(w, n) {
      const frame = Buffer.alloc(60);
      for (let i = 0; i < n; i++) {
        w.idb(1);
        if (i % 1000 === 999) w.epb(i, 1_700_000_000_000_000 + i, frame);
      }
    },
  },
  {
    name: 'ng-block-types',
    ng: true,
    full: 4_000_000,
    unit: 'blocks',
    what: 'pcapng: N empty blocks, each of another unknown block type',
    limits: ['pcapng unknown block types remembered: none'],
    expect: [],
    gen(w, n) {
      const frame = Buffer.alloc(60);
      w.idb(1);
      for (let i = 0; i < n; i++) {
        w.block(0x00100000 + i, 0);
        if (i % 1000 === 999) w.epb(0, 1_700_000_000_000_000 + i, frame);
      }
    },
  },
];

function parseArgs(argv) {
  const o = { out: '/tmp/smbscope-adversarial', only: undefined, quarter: true, scale: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--no-quarter') o.quarter = false;
    else if (a === '--scale') o.scale = Number(argv[++i]);
    else if (a === '-h' || a === '--help') {
      process.stdout.write(
        'usage: make-captures.mjs [OUTDIR] [--only NAME,..] [--no-quarter] [--scale F]\n' +
          `generators: ${GENERATORS.map((g) => g.name).join(', ')}\n`,
      );
      process.exit(0);
    } else if (!a.startsWith('-')) o.out = a;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(o.out, { recursive: true });
  const manifest = [];
  for (const g of GENERATORS) {
    if (o.only && !o.only.includes(g.name)) continue;
    const ext = g.ng ? 'pcapng' : 'pcap';
    const variants = [{ file: `${g.name}.${ext}`, n: Math.round(g.full * o.scale), quarter: false }];
    if (o.quarter) variants.push({ file: `${g.name}.q.${ext}`, n: Math.round((g.full * o.scale) / 4), quarter: true });
    for (const v of variants) {
      const t0 = Date.now();
      const w = g.ng ? new PcapngWriter(join(o.out, v.file)) : new PcapWriter(join(o.out, v.file));
      g.gen(w, v.n);
      const { packets, size } = w.close();
      const entry = {
        name: g.name,
        file: v.file,
        quarter: v.quarter,
        n: v.n,
        unit: g.unit,
        what: g.what,
        limits: g.limits,
        expect: typeof g.expect === 'function' ? g.expect(v.n) : g.expect,
        packets,
        size,
      };
      manifest.push(entry);
      process.stderr.write(
        `${v.file}: ${v.n} ${g.unit}, ${packets} packets, ${(size / 1e6).toFixed(1)} MB (${Date.now() - t0} ms)\n`,
      );
    }
  }
  // with --only, the other captures' entries stay
  const path = join(o.out, 'manifest.json');
  const old = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : [];
  const written = new Set(manifest.map((e) => e.file));
  const order = GENERATORS.map((g) => g.name);
  const all = [...old.filter((e) => !written.has(e.file)), ...manifest].sort(
    (a, b) => order.indexOf(a.name) - order.indexOf(b.name) || Number(a.quarter) - Number(b.quarter),
  );
  writeFileSync(path, `${JSON.stringify(all, null, 1)}\n`);
}

main();
