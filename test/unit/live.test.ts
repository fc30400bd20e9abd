/**
 * Live capture through tcpdump: a real capture on `lo` while a TCP
 * connection to a listener on 127.0.0.1 carries a marker, read back with
 * CaptureReader; stop() ends the stream with tcpdump's counts; errors for a
 * missing interface or tool. The capture tests need root and tcpdump and
 * are skipped (with the reason) otherwise. The parsers of the tools' final
 * messages are checked on messages the tools really print.
 */

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { CaptureReader } from '../../src/core/source/capture.js';
import { findTool } from '../../src/node/bpf-compile.js';
import {
  CAPTURE_TOOL_MISSING,
  captureReason,
  dumpcapStats,
  LiveError,
  openLive,
  tcpdumpStats,
} from '../../src/node/live.js';
import { InputError } from '../../src/node/source.js';

const isRoot = process.getuid?.() === 0;
const tcpdump = findTool('tcpdump');
const dumpcap = findTool('dumpcap');
const captureSkip = !tcpdump ? 'tcpdump is not installed' : !isRoot ? 'capturing needs root' : false;

interface TcpSeen {
  sport: number;
  dport: number;
  flags: number;
  payload: Uint8Array;
}

/** The IPv4/TCP packets of an Ethernet pcap stream. */
function tcpPackets(chunks: Uint8Array[]): { linktype: number[]; tcp: TcpSeen[]; error: string | undefined } {
  const tcp: TcpSeen[] = [];
  const linktype: number[] = [];
  const r = new CaptureReader({
    packet(lt, _ts, b, off, caplen) {
      linktype.push(lt);
      if (lt !== 1 || caplen < 54 || b[off + 12] !== 0x08 || b[off + 13] !== 0x00 || b[off + 23] !== 6) return;
      const ip = off + 14;
      const ihl = (b[ip]! & 0x0f) * 4;
      const totalLen = (b[ip + 2]! << 8) | b[ip + 3]!;
      const t = ip + ihl;
      const thl = (b[t + 12]! >> 4) * 4;
      tcp.push({
        sport: (b[t]! << 8) | b[t + 1]!,
        dport: (b[t + 2]! << 8) | b[t + 3]!,
        flags: b[t + 13]!,
        payload: b.slice(t + thl, ip + totalLen),
      });
    },
  });
  for (const c of chunks) r.push(c);
  r.end();
  return { linktype, tcp, error: r.error?.message };
}

const MARKER = 'smbscope live capture test';

describe('live capture on lo', { skip: captureSkip }, () => {
  it('captures a TCP exchange and ends cleanly on stop()', async () => {
    const t0 = Date.now();
    const live = openLive('lo');
    assert.equal(live.tool, 'tcpdump');
    const chunks: Uint8Array[] = [];
    const reading = (async () => {
      for await (const c of live.chunks) chunks.push(c.slice());
    })();
    const info = await live.ready;
    assert.deepEqual(info, { tool: 'tcpdump', linktype: 1, snaplen: 262144 });

    const server = createServer((s) => {
      s.on('data', (d) => s.write(d));
      s.on('end', () => s.end());
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const port = (server.address() as { port: number }).port;
    const { createConnection } = await import('node:net');
    const echoed = await new Promise<string>((res, rej) => {
      const c = createConnection(port, '127.0.0.1', () => c.end(MARKER));
      let got = '';
      c.on('data', (d) => {
        got += d.toString();
      });
      c.on('close', () => res(got));
      c.on('error', rej);
    });
    assert.equal(echoed, MARKER);
    server.close();
    // immediate mode: the packets are in the pipe at once; leave a moment for the last ACKs
    await new Promise((res) => setTimeout(res, 150));
    live.stop();
    live.stop(); // idempotent
    await reading;

    const { linktype, tcp, error } = tcpPackets(chunks);
    assert.equal(error, undefined);
    assert.ok(linktype.every((lt) => lt === 1));
    const ours = tcp.filter((p) => p.sport === port || p.dport === port);
    const SYN = 0x02;
    const ACK = 0x10;
    const FIN = 0x01;
    assert.ok(
      ours.some((p) => p.dport === port && (p.flags & (SYN | ACK)) === SYN),
      'the SYN',
    );
    assert.ok(
      ours.some((p) => p.sport === port && (p.flags & (SYN | ACK)) === (SYN | ACK)),
      'the SYN-ACK',
    );
    const text = (from: (p: TcpSeen) => boolean) =>
      Buffer.concat(ours.filter(from).map((p) => p.payload)).toString('latin1');
    assert.equal(
      text((p) => p.dport === port),
      MARKER,
    );
    assert.equal(
      text((p) => p.sport === port),
      MARKER,
    );
    assert.ok(
      ours.some((p) => p.dport === port && (p.flags & FIN) !== 0),
      'the client FIN',
    );
    assert.ok(
      ours.some((p) => p.sport === port && (p.flags & FIN) !== 0),
      'the server FIN',
    );

    const stats = live.stats();
    assert.equal(typeof stats.captured, 'number');
    assert.equal(stats.captured, linktype.length);
    assert.ok((stats.received ?? 0) >= stats.captured!);
    assert.equal(typeof stats.droppedByKernel, 'number');
    assert.ok(Date.now() - t0 < 5000);
  });

  it('stops tcpdump when the reader gives up early', async () => {
    const live = openLive('lo');
    await live.ready;
    for await (const _ of live.chunks) break; // the pcap header arrives at once
    const pid = live.pid!;
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return; // gone
      }
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.fail('tcpdump still runs');
  });

  it('reports an interface that does not exist, in ready and in the stream', async () => {
    const live = openLive('nosuchif0');
    await assert.rejects(live.ready, (e: unknown) => {
      assert.ok(e instanceof LiveError && e instanceof InputError);
      assert.equal(e.message, "cannot capture on 'nosuchif0': no such interface (list them with: ip link)");
      return true;
    });
    await assert.rejects(
      (async () => {
        for await (const _ of live.chunks);
      })(),
      /no such interface/,
    );
  });

  it(
    'reports an interface that does not exist with dumpcap too',
    {
      skip: dumpcap ? false : 'no dumpcap',
    },
    async () => {
      const live = openLive('nosuchif0', { tool: 'dumpcap' });
      assert.equal(live.tool, 'dumpcap');
      await assert.rejects(
        live.ready,
        (e: unknown) => e instanceof LiveError && /^cannot capture on 'nosuchif0': no such interface/.test(e.message),
      );
    },
  );
});

describe('live capture errors and counts', () => {
  it('a capture tool that is not there', async () => {
    const live = openLive('lo', { tool: 'tcpdump', tcpdump: '/nonexistent/tcpdump' });
    await assert.rejects(live.ready, (e: unknown) => e instanceof LiveError && e.message === CAPTURE_TOOL_MISSING);
    assert.equal(
      CAPTURE_TOOL_MISSING,
      '-i needs tcpdump (or dumpcap) to capture; install tcpdump (Debian: apt install tcpdump)',
    );
  });

  it("tcpdump's final counts", () => {
    // as tcpdump 4.99.3 prints them on SIGTERM
    const err =
      'tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n' +
      '8 packets captured\n16 packets received by filter\n0 packets dropped by kernel\n';
    assert.deepEqual(tcpdumpStats(err), { captured: 8, received: 16, droppedByKernel: 0 });
    assert.deepEqual(
      tcpdumpStats(
        '1 packet captured\n1 packet received by filter\n3 packets dropped by kernel\n7 packets dropped by interface\n',
      ),
      {
        captured: 1,
        received: 1,
        droppedByKernel: 3,
        droppedByInterface: 7,
      },
    );
    assert.deepEqual(tcpdumpStats(''), {});
  });

  it("dumpcap's final counts", () => {
    // as dumpcap 4.0.17 prints them on SIGTERM
    const err =
      "Capturing on 'Loopback: lo'\nFile: -\nPackets: 8 Packets captured: 8\n" +
      "Packets received/dropped on interface 'Loopback: lo': 8/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)\n";
    assert.deepEqual(dumpcapStats(err), { received: 8, droppedByKernel: 0, droppedByInterface: 0 });
    const err2 =
      "Packets captured: 12\nPackets received/dropped on interface 'eth0': 15/3 (pcap:2/dumpcap:1/flushed:0/ps_ifdrop:5) (80.0%)\n";
    assert.deepEqual(dumpcapStats(err2), { captured: 12, received: 15, droppedByKernel: 2, droppedByInterface: 5 });
  });

  it('failure messages, from what the tools print', () => {
    // tcpdump 4.99.3 and dumpcap 4.0.17, run as nobody / on a missing interface
    assert.equal(
      captureReason(
        'tcpdump',
        'lo',
        "tcpdump: lo: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)\n",
        1,
        null,
        false,
      ),
      "cannot capture on 'lo': permission denied (run as root, or give tcpdump the capabilities cap_net_raw,cap_net_admin)",
    );
    assert.equal(
      captureReason(
        'dumpcap',
        'lo',
        'Capturing on \'Loopback: lo\'\ndumpcap: You do not have permission to capture on device "lo".\n(socket: Operation not permitted)\nPlease check to make sure you have sufficient permissions.\n',
        1,
        null,
        false,
      ),
      "cannot capture on 'lo': permission denied (run as root, or give dumpcap the capabilities cap_net_raw,cap_net_admin)",
    );
    assert.equal(
      captureReason(
        'tcpdump',
        'eth9',
        'tcpdump: eth9: No such device exists\n(No such device exists)\n',
        1,
        null,
        false,
      ),
      "cannot capture on 'eth9': no such interface (list them with: ip link)",
    );
    assert.equal(
      captureReason(
        'dumpcap',
        'eth9',
        'Capturing on \'eth9\'\ndumpcap: There is no device named "eth9".\n(No such device exists)\n',
        1,
        null,
        false,
      ),
      "cannot capture on 'eth9': no such interface (list them with: ip link)",
    );
    assert.equal(
      captureReason('tcpdump', 'eth0', 'tcpdump: pcap_loop: The interface disappeared\n', 1, null, true),
      "capture on 'eth0' failed: the interface went away",
    );
    assert.equal(
      captureReason('tcpdump', 'eth0', '', null, 'SIGSEGV', true),
      "capture on 'eth0' failed: tcpdump was killed by SIGSEGV",
    );
  });
});
