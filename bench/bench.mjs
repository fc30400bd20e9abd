#!/usr/bin/env node
/**
 * Benchmark harness (issue 4): times smbscope against a plain C record walk
 * and tshark on the same capture, in the same run, and prints a Markdown table.
 *
 *   npm run bench -- CAPTURE [--runs 3] [--skip-tshark] [--json out.json]
 *
 * Method (as in the issue): the file is read once first so it is in the page
 * cache; every tool runs as a whole process under `/usr/bin/time -f '%e %M'`
 * (wall seconds, peak RSS); the runs are interleaved (run 1 of every tool,
 * then run 2, ...) so a burst of load on this shared machine hits all tools
 * alike; the table gives the median time and the largest peak RSS of the runs.
 * MB = file bytes / 10^6. Without GNU time (or with SMBSCOPE_BENCH_NO_GNU_TIME=1)
 * the harness measures wall time itself and polls VmHWM in /proc/PID/status
 * every 10 ms for the peak RSS (approximate for very short runs).
 *
 * The C walk is ../shared/bench/pcapwalk.c (or $SMBSCOPE_PCAPWALK_C), compiled
 * unchanged with `cc -O2` into a cache directory under the system temp dir.
 * A tool that exits non-zero is reported as "n/a (exit N)"; the harness itself
 * exits non-zero only on its own errors (bad arguments, missing capture or build).
 */

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SMBSCOPE = join(ROOT, 'bin', 'smbscope.js');
const GNU_TIME = '/usr/bin/time';
const TSHARK_FILTER = 'smb2.cmd == 6';
const TSHARK_FIELDS = ['frame.time_epoch', 'smb2.fid', 'smb2.eof'];

class HarnessError extends Error {}

const USAGE = `usage: npm run bench -- CAPTURE [--runs N] [--skip-tshark] [--json FILE]
  --runs N        runs of every tool; the table shows the median time (default 3)
  --skip-tshark   do not run tshark (it is the slowest by far)
  --json FILE     also write every measurement as JSON
`;

function parseArgs(argv) {
  const o = { capture: undefined, runs: 3, skipTshark: false, json: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new HarnessError(`${a} needs a value`);
      return v;
    };
    if (a === '--runs' || a.startsWith('--runs=')) {
      const v = a === '--runs' ? value() : a.slice(7);
      if (!/^[1-9]\d*$/.test(v)) throw new HarnessError(`--runs needs a positive whole number, not '${v}'`);
      o.runs = Number(v);
    } else if (a === '--skip-tshark') o.skipTshark = true;
    else if (a === '--json') o.json = value();
    else if (a.startsWith('--json=')) o.json = a.slice(7);
    else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (a.startsWith('-') && a !== '-') throw new HarnessError(`unknown option '${a}'`);
    else if (o.capture === undefined) o.capture = a;
    else throw new HarnessError(`one capture only ('${o.capture}', then '${a}')`);
  }
  if (o.capture === undefined) throw new HarnessError('give a capture file');
  return o;
}

/** Full path of an executable on PATH, or undefined. */
function which(cmd) {
  for (const d of (process.env.PATH ?? '').split(':')) {
    if (!d) continue;
    const p = join(d, cmd);
    try {
      if (statSync(p).isFile()) {
        accessSync(p, constants.X_OK);
        return p;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0 && !r.stdout) return undefined;
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim() !== '');
}

function note(line) {
  process.stderr.write(`bench: ${line}\n`);
}

/** Compiles pcapwalk.c with cc -O2 into a cache dir keyed by its source; returns the binary or a reason. */
function buildPcapwalk() {
  const candidates = [process.env.SMBSCOPE_PCAPWALK_C, join(ROOT, '..', 'shared', 'bench', 'pcapwalk.c')];
  const src = candidates.find((p) => p && existsSync(p));
  if (!src) return { reason: 'pcapwalk.c not found (../shared/bench/pcapwalk.c or $SMBSCOPE_PCAPWALK_C)' };
  const cc = which('cc') ?? which('gcc');
  if (!cc) return { reason: 'no C compiler (cc) on PATH' };
  const text = readFileSync(src);
  const key = createHash('sha256').update(text).update(cc).digest('hex').slice(0, 16);
  const dir = join(os.tmpdir(), 'smbscope-bench-cache');
  const bin = join(dir, `pcapwalk-${key}`);
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${bin}.${process.pid}`;
    const r = spawnSync(cc, ['-O2', '-o', tmp, src], { encoding: 'utf8' });
    if (r.status !== 0) return { reason: `cc -O2 failed: ${(r.stderr || r.error?.message || '').trim()}` };
    spawnSync('mv', ['-f', tmp, bin]);
  }
  return { bin, src, cc: firstLine(cc, ['--version']) ?? cc };
}

/** Reads the whole file once (cat > /dev/null), so every tool finds it in the page cache. */
function warmCache(path) {
  const r = spawnSync('cat', [path], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new HarnessError(`cannot read ${path}: ${r.stderr?.toString().trim() || r.error?.message}`);
}

/** Counts the records of a pcap or pcapng file by walking its headers (used when the C walk is unavailable). */
function countPackets(path) {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(24);
    if (readSync(fd, head, 0, 24, 0) < 24) return undefined;
    const magic = head.readUInt32LE(0);
    const size = statSync(path).size;
    const hdr = Buffer.alloc(16);
    let n = 0;
    if ([0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1].includes(magic)) {
      const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
      for (let pos = 24; pos + 16 <= size; n++) {
        readSync(fd, hdr, 0, 16, pos);
        pos += 16 + (le ? hdr.readUInt32LE(8) : hdr.readUInt32BE(8));
      }
      return n;
    }
    if (magic === 0x0a0d0d0a) {
      let le = true;
      for (let pos = 0; pos + 12 <= size; ) {
        readSync(fd, hdr, 0, 12, pos);
        let type = le ? hdr.readUInt32LE(0) : hdr.readUInt32BE(0);
        if (type === 0x0a0d0d0a) {
          le = hdr.readUInt32LE(8) === 0x1a2b3c4d;
          type = 0x0a0d0d0a;
        }
        const len = le ? hdr.readUInt32LE(4) : hdr.readUInt32BE(4);
        if (len < 12) return undefined;
        if (type === 6 || type === 3 || type === 2) n++; // enhanced, simple, obsolete packet blocks
        pos += len;
      }
      return n;
    }
    return undefined; // gzip or unknown
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs one command as a whole process and measures it. Returns
 * { seconds, timeSeconds, rssKiB, exit, signal, stdout, stderr }.
 * stdout is kept only when keepStdout (else it goes to /dev/null).
 */
function measure(cmd, args, { keepStdout = false, gnuTime, scratch }) {
  return new Promise((done, fail) => {
    const devnull = keepStdout ? 'pipe' : openSync('/dev/null', 'w');
    const timeOut = join(scratch, 'time.out');
    let argv0 = cmd;
    let argv = args;
    if (gnuTime) {
      rmSync(timeOut, { force: true });
      argv0 = GNU_TIME;
      argv = ['-f', '%e %M', '-o', timeOut, cmd, ...args];
    }
    const t0 = process.hrtime.bigint();
    let child;
    try {
      child = spawn(argv0, argv, { stdio: ['ignore', devnull, 'pipe'] });
    } catch (e) {
      if (typeof devnull === 'number') closeSync(devnull);
      fail(new HarnessError(`cannot run ${cmd}: ${e.message}`));
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      if (stderr.length < 65536) stderr += d;
    });
    let hwmKiB = 0;
    let poll;
    if (!gnuTime) {
      const statusPath = `/proc/${child.pid}/status`;
      const sample = () => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(statusPath, 'utf8'));
          if (m) hwmKiB = Math.max(hwmKiB, Number(m[1]));
        } catch {
          // gone or not readable
        }
      };
      sample();
      poll = setInterval(sample, 10);
    }
    child.on('error', (e) => {
      if (poll) clearInterval(poll);
      if (typeof devnull === 'number') closeSync(devnull);
      fail(new HarnessError(`cannot run ${argv0}: ${e.message}`));
    });
    child.on('close', (code, sigName) => {
      let signal = sigName ?? undefined;
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (poll) clearInterval(poll);
      if (typeof devnull === 'number') closeSync(devnull);
      let timeSeconds;
      let rssKiB = hwmKiB || undefined;
      const exit = code;
      if (gnuTime) {
        let lines = [];
        try {
          lines = readFileSync(timeOut, 'utf8').trim().split('\n');
        } catch {
          // time could not run the command
        }
        const m = /^([\d.]+) (\d+)$/.exec(lines.at(-1) ?? '');
        if (m) {
          timeSeconds = Number(m[1]);
          rssKiB = Number(m[2]);
        }
        const sig = lines.map((l) => /terminated by signal (\d+)/.exec(l)).find(Boolean);
        if (sig) signal = `signal ${sig[1]}`;
      }
      done({ seconds, timeSeconds, rssKiB, exit, signal, stdout, stderr });
    });
  });
}

/** Whole number from 100 up, else three significant digits. */
function fmtNum(x) {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function cpuModel() {
  const cpus = os.cpus();
  let model = cpus[0]?.model?.trim();
  if (!model || model === 'unknown') {
    try {
      model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
    } catch {
      // not Linux
    }
  }
  return { model: model ?? 'unknown', cores: os.availableParallelism?.() ?? cpus.length };
}

function dirBytes(dir) {
  let n = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    if (f.isFile()) n += statSync(join(dir, f.name)).size;
  }
  return n;
}

const fmtLoad = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  // npm run changes to the package root; relative paths are meant from where it was typed
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const capture = resolve(cwd, opts.capture);
  const jsonOut = opts.json === undefined ? undefined : resolve(cwd, opts.json);
  const started = new Date();
  let st;
  try {
    st = statSync(capture);
  } catch (e) {
    throw new HarnessError(`cannot read ${opts.capture}: ${e.code ?? e.message}`);
  }
  if (!st.isFile()) throw new HarnessError(`${opts.capture} is not a file`);
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new HarnessError('smbscope is not built (npm run build, or run this as npm run bench)');
  const bytes = st.size;
  const notes = [];
  const gnuTime =
    !process.env.SMBSCOPE_BENCH_NO_GNU_TIME &&
    existsSync(GNU_TIME) &&
    spawnSync(GNU_TIME, ['-f', '%e %M', 'true']).status === 0;
  if (!gnuTime) notes.push(`${GNU_TIME} (GNU time) missing: wall time by the harness, peak RSS by polling VmHWM`);

  const scratch = mkdtempSync(join(os.tmpdir(), 'smbscope-bench-'));
  const cleanup = () => rmSync(scratch, { recursive: true, force: true });
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const walk = buildPcapwalk();
    if (walk.reason) notes.push(`C walk skipped: ${walk.reason}`);
    const tshark = opts.skipTshark ? undefined : which('tshark');
    if (!opts.skipTshark && !tshark) notes.push('tshark skipped: not installed');

    const node = process.execPath;
    const logdir = join(scratch, 'logs');
    const eventsFile = join(scratch, 'events.jsonl');
    const readLoop =
      'const fs=require("fs");const fd=fs.openSync(process.argv[1],"r");const b=Buffer.allocUnsafe(8<<20);' +
      'let n=0,g;while((g=fs.readSync(fd,b,0,b.length,null))>0)n+=g;console.log(n)';
    const smb = (...extra) => [SMBSCOPE, '-C', '-r', capture, '--logdir', logdir, '-q', ...extra];
    /** Tools in run order; `runs`, `shown`, `seconds`, `rssMB` and `failure` are filled in below. */
    const tools = [];
    if (walk.bin) tools.push({ name: 'C record walk (pcapwalk, cc -O2)', cmd: walk.bin, args: [capture], isC: true });
    tools.push({ name: 'node readSync loop, 8 MiB buffer', cmd: node, args: ['-e', readLoop, capture] });
    tools.push({ name: 'smbscope (default logs)', cmd: node, args: smb(), isDefault: true });
    tools.push({ name: 'smbscope --events FILE', cmd: node, args: smb('--events', eventsFile) });
    tools.push({ name: 'smbscope --hash md5,sha1,sha256', cmd: node, args: smb('--hash', 'md5,sha1,sha256') });
    // the same hashes on the analysis thread: what --hash costs on one core
    tools.push({
      name: 'smbscope --hash md5,sha1,sha256 --no-hash-thread',
      cmd: node,
      args: smb('--hash', 'md5,sha1,sha256', '--no-hash-thread'),
    });
    if (tshark) {
      tools.push({
        name: `tshark -Y '${TSHARK_FILTER}' -T fields`,
        cmd: tshark,
        args: ['-r', capture, '-Y', TSHARK_FILTER, '-T', 'fields', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])],
        isTshark: true,
      });
    }
    for (const t of tools) {
      t.runs = [];
      t.shown = [t.cmd === node ? 'node' : t.cmd, ...t.args.map((a) => (/[\s'"();<>|&*]/.test(a) ? `'${a}'` : a))]
        .join(' ')
        .replaceAll(scratch, 'TMP')
        .replace(readLoop, '<read loop>');
      if (t.isTshark) t.shown += ' > /dev/null';
    }

    const loadBefore = fmtLoad();
    note(`capture ${capture}, ${bytes} bytes; load average ${loadBefore}`);
    note('warming the page cache');
    warmCache(capture);
    if (bytes > os.totalmem() / 2)
      notes.push(
        `the capture is over half the RAM (${(os.totalmem() / 1e9).toFixed(1)} GB): the page cache may not hold it`,
      );
    let packets;
    for (let run = 1; run <= opts.runs; run++) {
      for (const t of tools) {
        if (t.runs.some((r) => r.exit !== 0 || r.signal)) continue; // failed once: not again
        rmSync(logdir, { recursive: true, force: true });
        rmSync(eventsFile, { force: true });
        mkdirSync(logdir);
        const r = await measure(t.cmd, t.args, { keepStdout: t.isC, gnuTime, scratch });
        if (t.isC && r.exit === 0) {
          const m = /packets (\d+)/.exec(r.stdout);
          if (m) packets = Number(m[1]);
        }
        if (t.name.startsWith('smbscope') && r.exit === 0) {
          r.logBytes = dirBytes(logdir);
          if (existsSync(eventsFile)) r.eventBytes = statSync(eventsFile).size;
        }
        t.runs.push(r);
        const how = r.exit === 0 ? `${r.seconds.toFixed(3)} s` : `exit ${r.exit ?? r.signal}`;
        note(
          `run ${run}/${opts.runs} ${t.name}: ${how}${r.rssKiB ? `, ${((r.rssKiB * 1024) / 1e6).toFixed(0)} MB` : ''}`,
        );
        if (r.exit !== 0 && r.stderr.trim()) note(`  ${r.stderr.trim().split('\n').at(-1)}`);
      }
    }
    rmSync(logdir, { recursive: true, force: true });
    rmSync(eventsFile, { force: true });
    const loadAfter = fmtLoad();
    if (packets === undefined) {
      packets = countPackets(capture);
      if (packets === undefined) notes.push('packet count unknown (not pcap or pcapng)');
    }

    // summarise: a tool counts only when every run succeeded
    for (const t of tools) {
      const failed = t.runs.find((r) => r.exit !== 0 || r.signal);
      if (failed) {
        t.failure = `n/a (${failed.signal ?? `exit ${failed.exit}`})`;
        continue;
      }
      t.seconds = median(t.runs.map((r) => r.seconds));
      const rss = t.runs.map((r) => r.rssKiB).filter((x) => x !== undefined);
      t.rssMB = rss.length ? (Math.max(...rss) * 1024) / 1e6 : undefined;
    }
    const c = tools.find((t) => t.isC && t.seconds);
    const ts = tools.find((t) => t.isTshark && t.seconds);
    const cpu = cpuModel();
    const date = started.toISOString().replace(/\.\d+Z$/, 'Z');
    const tsharkVersion = tshark ? firstLine(tshark, ['--version']) : undefined;

    const out = [];
    out.push(`Capture \`${opts.capture}\`: ${(bytes / 1e6).toFixed(1)} MB (${bytes} bytes), ${packets ?? '?'} packets`);
    out.push(
      `Machine: ${cpu.model}, ${cpu.cores} cores; ${os.type()} ${os.release()}; node ${process.version}` +
        `${tsharkVersion ? `; ${tsharkVersion}` : ''}`,
    );
    out.push(
      `Date: ${date}; load average ${loadBefore} before, ${loadAfter} after; ` +
        `median of ${opts.runs} run${opts.runs > 1 ? 's' : ''}, page cache warm, whole processes` +
        `${gnuTime ? " under /usr/bin/time -f '%e %M'" : ''}`,
    );
    out.push('');
    out.push('| tool | seconds | MB/s | packets/s | peak RSS MB | × C walk | × tshark |');
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const t of tools) {
      if (t.failure) {
        out.push(`| ${t.name} | ${t.failure} | | | | | |`);
        continue;
      }
      const mbs = fmtNum(bytes / 1e6 / t.seconds);
      const pps = packets !== undefined ? Math.round(packets / t.seconds).toLocaleString('en-US') : '?';
      out.push(
        `| ${t.name} | ${t.seconds.toFixed(3)} | ${mbs} | ${pps} | ` +
          `${t.rssMB !== undefined ? `${gnuTime ? '' : '~'}${fmtNum(t.rssMB)}` : '?'} | ` +
          `${c ? (c.seconds / t.seconds).toFixed(3) : '–'} | ${ts ? (ts.seconds / t.seconds).toFixed(2) : '–'} |`,
      );
    }
    const def = tools.find((t) => t.isDefault);
    if (def?.seconds) {
      const mbs = bytes / 1e6 / def.seconds;
      const checks = [
        `${mbs >= 1500 ? 'met' : 'NOT met'}: ≥ 1,500 MB/s (${mbs.toFixed(0)})`,
        c
          ? `${c.seconds / def.seconds >= 0.3 ? 'met' : 'NOT met'}: ≥ 0.3 × C walk (${(c.seconds / def.seconds).toFixed(3)})`
          : undefined,
        def.rssMB !== undefined
          ? `${def.rssMB <= 150 ? 'met' : 'NOT met'}: peak RSS ≤ 150 MB (${def.rssMB.toFixed(0)})`
          : undefined,
        packets !== undefined
          ? `${packets / def.seconds >= 1e6 ? 'met' : 'not met'}: ≥ 1 million packets/s (the MTU-1500 capture's target; ${Math.round(packets / def.seconds).toLocaleString('en-US')})`
          : undefined,
      ].filter(Boolean);
      out.push('');
      out.push(`Issue 4 targets, default run: ${checks.join('; ')}.`);
    }
    out.push('');
    out.push('× C walk and × tshark: throughput relative to that tool in this run (higher is faster).');
    out.push(
      'seconds: wall time of the whole process, measured by the harness around it' +
        (gnuTime ? " (GNU time's %e, kept in --json, agrees to its 10 ms resolution)" : '') +
        '; MB = 10^6 bytes of the capture file; peak RSS = largest of the runs' +
        (gnuTime ? '.' : ' (~: sampled from /proc every 10 ms, a lower bound).'),
    );
    out.push('Commands (TMP = a temp dir):');
    out.push('');
    for (const t of tools) out.push(`- ${t.name}: \`${t.shown}\``);
    for (const n of notes) out.push(`- note: ${n}`);
    process.stdout.write(`${out.join('\n')}\n`);

    if (jsonOut) {
      const doc = {
        date,
        capture,
        bytes,
        packets,
        runs: opts.runs,
        load: { before: loadBefore, after: loadAfter },
        machine: { cpu: cpu.model, cores: cpu.cores, os: `${os.type()} ${os.release()}`, node: process.version },
        tshark: tsharkVersion,
        cc: walk.cc,
        gnuTime,
        notes,
        tools: tools.map((t) => ({
          name: t.name,
          command: t.shown,
          seconds: t.seconds ?? null,
          mbPerSecond: t.seconds ? bytes / 1e6 / t.seconds : null,
          packetsPerSecond: t.seconds && packets !== undefined ? packets / t.seconds : null,
          peakRssMB: t.rssMB ?? null,
          ratioToC: t.seconds && c ? c.seconds / t.seconds : null,
          ratioToTshark: t.seconds && ts ? ts.seconds / t.seconds : null,
          failure: t.failure ?? null,
          runs: t.runs.map((r) => ({
            seconds: r.seconds,
            timeSeconds: r.timeSeconds ?? null,
            rssKiB: r.rssKiB ?? null,
            exit: r.exit,
            signal: r.signal ?? null,
            logBytes: r.logBytes,
            eventBytes: r.eventBytes,
          })),
        })),
      };
      writeFileSync(jsonOut, `${JSON.stringify(doc, null, 2)}\n`);
      note(`wrote ${jsonOut}`);
    }
  } finally {
    cleanup();
  }
}

main().catch((e) => {
  if (e instanceof HarnessError) {
    note(e.message);
    process.stderr.write(USAGE);
    process.exitCode = 2;
  } else {
    note(`error: ${e?.stack ?? e}`);
    process.exitCode = 1;
  }
});
