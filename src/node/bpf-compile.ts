/**
 * Compiles BPF filter expressions with libpcap's own compiler, by running
 * tcpdump: `tcpdump -r - -ddd -- EXPR` with nothing but a pcap file header on
 * its standard input. tcpdump then compiles for the header's link type and
 * snap length, as it would to filter a file of that link type, prints the
 * program as decimal numbers and exits without reading packets. No
 * interface, no privileges, no temporary file (which also keeps clear of
 * AppArmor's limits on the files tcpdump may open).
 *
 * The header's byte order matters for one thing only: BSD loopback (NULL)
 * and ENC headers hold the address family in the byte order of the
 * capturing host, and libpcap compiles for the byte order of the file.
 */

import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BpfError, type BpfProgram, isBpfError, parseBpfText } from '../core/bpf/bpf.js';
import { type CompileFilter, DEFAULT_SNAPLEN } from '../core/bpf/filter.js';

export interface CompileOptions {
  /** the tcpdump to run (default: `findTool('tcpdump')`) */
  tcpdump?: string;
  /** give up after this many milliseconds (tcpdump resolves host names in the expression); default 30000 */
  timeoutMs?: number;
  /** false compiles without libpcap's optimizer (tcpdump -O); default true */
  optimize?: boolean;
}

export const TCPDUMP_MISSING = '-f needs tcpdump to compile filters; install tcpdump (Debian: apt install tcpdump)';

/** Directories searched after PATH (tcpdump lives in sbin on several systems). */
const EXTRA_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];

/** Finds an executable by name on PATH, then in the usual sbin directories. */
export function findTool(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A pcap file header (version 2.4, microseconds) with the given link type and snap length. */
export function pcapHeader(linktype: number, snaplen: number, bigEndian = false): Uint8Array {
  const h = new Uint8Array(24);
  const v = new DataView(h.buffer);
  const le = !bigEndian;
  v.setUint32(0, 0xa1b2c3d4, le);
  v.setUint16(4, 2, le);
  v.setUint16(6, 4, le);
  v.setInt32(8, 0, le);
  v.setUint32(12, 0, le);
  v.setUint32(16, snaplen >>> 0, le);
  v.setUint32(20, linktype >>> 0, le);
  return h;
}

/**
 * Compiles `expr` for a link type (LINKTYPE_* value as in pcap/pcapng files).
 * Returns the validated program, or a BpfError with one line saying why not:
 * tcpdump missing, tcpdump's own complaint about the expression, or that the
 * expression does not apply to this link type.
 */
export function compileFilter(
  expr: string,
  linktype: number,
  snaplen: number = DEFAULT_SNAPLEN,
  bigEndian = false,
  options: CompileOptions = {},
): BpfProgram | BpfError {
  const tcpdump = options.tcpdump ?? findTool('tcpdump');
  if (tcpdump === undefined) return new BpfError(TCPDUMP_MISSING);
  const shown = oneLine(expr);
  const r = runTcpdump(tcpdump, expr, linktype, snaplen, bigEndian, options);
  if (!isRunFailure(r)) return r;
  if (r.kind !== 'rejected' || linktype === 1) return new BpfError(r.message);
  // Does the expression compile for Ethernet? Then it is this link type it does not fit.
  const eth = runTcpdump(tcpdump, expr, 1, snaplen, false, options);
  if (isRunFailure(eth)) return new BpfError(r.message);
  const what =
    r.linkName && r.linkName !== String(linktype)
      ? `${r.linkName} packets (link type ${linktype})`
      : `packets of link type ${linktype}`;
  return new BpfError(`filter '${shown}' does not apply to ${what}: ${r.reason}`);
}

/**
 * A CompileFilter for PacketFilter that compiles `expr` with tcpdump, or a
 * BpfError right away when tcpdump cannot be found (so the command line can
 * fail before reading anything). Expression errors show up when the first
 * packet's link type is compiled for (or at `PacketFilter.prepare`).
 */
export function filterCompiler(expr: string, options: CompileOptions = {}): CompileFilter | BpfError {
  const tcpdump = options.tcpdump ?? findTool('tcpdump');
  if (tcpdump === undefined) return new BpfError(TCPDUMP_MISSING);
  const opts = { ...options, tcpdump };
  return (linktype, snaplen, bigEndian) => compileFilter(expr, linktype, snaplen, bigEndian, opts);
}

interface RunFailure {
  kind: 'missing' | 'rejected' | 'failed';
  /** the whole one-line message */
  message: string;
  /** tcpdump's reason alone (for 'rejected') */
  reason: string;
  /** link type name tcpdump printed, e.g. "RAW (Raw IP)" */
  linkName: string | undefined;
}

function isRunFailure(r: BpfProgram | RunFailure): r is RunFailure {
  return (r as RunFailure).kind !== undefined;
}

function runTcpdump(
  tcpdump: string,
  expr: string,
  linktype: number,
  snaplen: number,
  bigEndian: boolean,
  options: CompileOptions,
): BpfProgram | RunFailure {
  const timeout = options.timeoutMs ?? 30000;
  const shown = oneLine(expr);
  const args = ['-r', '-', '-ddd'];
  if (options.optimize === false) args.push('-O');
  args.push('--', expr);
  const r = spawnSync(tcpdump, args, {
    input: pcapHeader(linktype, snaplen, bigEndian),
    encoding: 'utf8',
    timeout,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    windowsHide: true,
  });
  const fail = (kind: RunFailure['kind'], message: string, reason = message): RunFailure => ({
    kind,
    message,
    reason,
    linkName: undefined,
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('missing', TCPDUMP_MISSING);
    if (code === 'ETIMEDOUT')
      return fail(
        'failed',
        `tcpdump did not compile filter '${shown}' within ${timeout / 1000} s (a host name that does not resolve?)`,
      );
    if (code === 'EACCES') return fail('failed', `cannot run ${tcpdump}: permission denied`);
    return fail('failed', `cannot run ${tcpdump}: ${r.error.message}`);
  }
  const stderr = r.stderr ?? '';
  const linkName = /link-type (.+?), snapshot length/.exec(stderr)?.[1];
  if (r.status === 0) {
    const prog = parseBpfText(r.stdout ?? '');
    if (isBpfError(prog)) return fail('failed', `filter '${shown}': tcpdump's program is unusable: ${prog.message}`);
    return prog;
  }
  const reason = tcpdumpReason(stderr, r.status, r.signal);
  return { kind: 'rejected', message: `filter '${shown}': ${reason}`, reason, linkName };
}

/** The expression as shown in messages: on one line, not too long. */
function oneLine(expr: string): string {
  const s = expr.replace(/\s+/g, ' ').trim();
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}

/** tcpdump's complaint as one line, without the "reading from file" chatter and the "tcpdump: " prefix. */
export function tcpdumpReason(stderr: string, status: number | null, signal: NodeJS.Signals | null): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('reading from file') && !/^Warning: /i.test(l));
  const own = lines.filter((l) => l.startsWith('tcpdump: ')).map((l) => l.slice('tcpdump: '.length));
  const line = own[0] ?? lines[0];
  if (line !== undefined) return line;
  if (signal) return `tcpdump was killed by ${signal}`;
  return `tcpdump failed (exit status ${status})`;
}
