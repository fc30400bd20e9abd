#!/usr/bin/env node
// Runs smbscope (the built CLI, default limits) on every adversarial capture
// written by make-captures.mjs and prints Markdown tables: peak RSS, time,
// time per packet, the weirds in weird.log, the exit status; then the
// full-size / quarter-size ratio of the time per packet (flat = about 1);
// then, with --normal, the same run on Zeek's SMB cases, the fixtures and
// the samples (and --bench captures), where no limit weird may appear.
//
// Usage:
//   npx tsc -p . && node scripts/adversarial/make-captures.mjs
//   node scripts/adversarial/measure.mjs [DIR] [--only a,b] [--no-quarter] [--normal] [--bench FILE,..]
//                                        [--timeout SECONDS] [--json OUT.json] [--bin path/to/smbscope.js]
//
// Each run is a separate process, `node bin/smbscope.js -C -r FILE --logdir TMP`,
// under /usr/bin/time -f '%e %M' (GNU time; without it: wall clock and VmHWM polling).

import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** the smbscope command run (--bin: e.g. a snapshot of the build while others rebuild dist/) */
let BIN = join(ROOT, 'bin', 'smbscope.js');
const GNU_TIME = '/usr/bin/time';

/** The weirds that say a limit was hit. */
const LIMIT_WEIRDS = new Set([
  'connection_table_full',
  'TCP_reassembly_limit',
  'fragment_reassembly_limit',
  'smb_message_too_large',
  'SMB2_compound_chain_too_long',
  'SMB_discarded_messages_state',
  'SMB_too_many_open_files',
  'SMB_too_many_trees',
  'file_analysis_limit',
]);

const RSS_TARGET_MB = 256;

function parseArgs(argv) {
  const o = { dir: '/tmp/smbscope-adversarial', only: undefined, quarter: true, normal: false, bench: [] };
  o.timeout = 900;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--no-quarter') o.quarter = false;
    else if (a === '--normal') o.normal = true;
    else if (a === '--bench') o.bench = argv[++i].split(',');
    else if (a === '--timeout') o.timeout = Number(argv[++i]);
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--bin') BIN = resolve(argv[++i]);
    else if (!a.startsWith('-')) o.dir = a;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** Peak RSS of a running process from /proc (fallback when GNU time is missing). */
function vmHwmKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs smbscope on `file`; resolves to { code, signal, seconds, rssMb, stderr, timedOut }. */
function run(file, logdir, args, timeoutS) {
  const useTime = existsSync(GNU_TIME);
  const cmd = useTime ? GNU_TIME : process.execPath;
  const argv = [
    ...(useTime ? ['-f', '@@time %e %M', process.execPath] : []),
    BIN,
    ...args,
    '-r',
    file,
    '--logdir',
    logdir,
  ];
  return new Promise((resolveRun) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    let hwm = 0;
    const poll = useTime
      ? undefined
      : setInterval(() => {
          hwm = Math.max(hwm, vmHwmKb(child.pid));
        }, 20);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      let seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      let rssKb = hwm;
      const m = /@@time ([\d.]+) (\d+)\s*$/.exec(stderr);
      if (m) {
        seconds = Number(m[1]);
        rssKb = Number(m[2]);
        stderr = stderr.slice(0, m.index);
      }
      // GNU time reports a non-zero exit of its child on a line of its own
      stderr = stderr.replace(/^Command (exited with non-zero status|terminated by signal) .*\n?/m, '');
      resolveRun({ code, signal, seconds, rssMb: rssKb / 1024, stderr, timedOut });
    });
  });
}

/** Names and counts of weird.log rows, and whether every log ends with #close. */
function readLogs(dir) {
  const weirds = new Map();
  let closed = true;
  if (!existsSync(dir)) return { weirds, closed, logs: [] };
  const logs = readdirSync(dir).filter((f) => f.endsWith('.log'));
  for (const f of logs) {
    const text = readFileSync(join(dir, f), 'utf8');
    if (!/\n#close\t[^\n]*\n$/.test(text)) closed = false;
    if (f !== 'weird.log') continue;
    let col = -1;
    for (const line of text.split('\n')) {
      if (line.startsWith('#fields\t')) col = line.split('\t').indexOf('name') - 1;
      else if (line !== '' && !line.startsWith('#') && col >= 0) {
        const name = line.split('\t')[col];
        weirds.set(name, (weirds.get(name) ?? 0) + 1);
      }
    }
  }
  return { weirds, closed, logs };
}

/** The summary line's counts: packets and (all raised, before weird.log's suppression) weirds. */
function summaryOf(stderr) {
  const m = /smbscope: (\d+) packets, .* (\d+) weirds/.exec(stderr);
  return m ? { packets: Number(m[1]), weirds: Number(m[2]) } : { packets: undefined, weirds: undefined };
}

function fmtWeirds(weirds) {
  if (weirds.size === 0) return 'none';
  return [...weirds]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([n, c]) => `${n} (${c})`)
    .join(', ');
}

async function measure(file, timeoutS, args = ['-C']) {
  const logdir = mkdtempSync(join(tmpdir(), 'smbscope-measure-'));
  const r = await run(file, logdir, args, timeoutS);
  const logs = readLogs(logdir);
  rmSync(logdir, { recursive: true, force: true });
  const s = summaryOf(r.stderr);
  const stackTrace = /^\s+at /m.test(r.stderr) || /Error:|internal error/i.test(r.stderr);
  return { ...r, ...logs, summary: s, stackTrace, size: statSync(file).size };
}

/** Seconds smbscope takes on a capture of one packet (the best of three runs). */
async function startupSeconds(timeoutS) {
  const dir = mkdtempSync(join(tmpdir(), 'smbscope-startup-'));
  const file = join(dir, 'one.pcap');
  const b = Buffer.alloc(24 + 16 + 60);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(65535, 16);
  b.writeUInt32LE(1, 20);
  b.writeUInt32LE(1_700_000_000, 24);
  b.writeUInt32LE(60, 32);
  b.writeUInt32LE(60, 36);
  writeFileSync(file, b);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) best = Math.min(best, (await measure(file, timeoutS)).seconds);
  rmSync(dir, { recursive: true, force: true });
  return best;
}

function status(r) {
  if (r.timedOut) return 'timeout';
  if (r.signal) return `killed (${r.signal})`;
  return r.code === 0 ? 'yes' : `no (${r.code})`;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const manifestPath = join(o.dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    process.stderr.write(`no ${manifestPath}: run scripts/adversarial/make-captures.mjs first\n`);
    process.exit(1);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')).filter(
    (e) => (!o.only || o.only.includes(e.name)) && (o.quarter || !e.quarter),
  );
  // process start-up and log writing, measured on a one-packet capture, is taken off the time per packet
  const startup = await startupSeconds(o.timeout);
  const [l1, l5] = loadavg();
  const out = [];
  out.push(
    `smbscope adversarial captures, ${new Date().toISOString()}, node ${process.version}, load ${l1.toFixed(2)} / ${l5.toFixed(2)}`,
  );
  out.push(`command per capture: /usr/bin/time -f '%e %M' node ${BIN} -C -r FILE --logdir TMP`);
  out.push(`µs/packet = (seconds - ${startup.toFixed(2)} s of start-up, measured on a one-packet capture) / packets`);
  out.push('');
  out.push(
    '| capture | N | packets | MB | peak RSS MB | s | µs/packet | weirds in weird.log (rows) | weirds raised | expected limit weirds | exit 0 |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | --- |');
  const results = [];
  for (const e of manifest) {
    process.stderr.write(`${e.file} ...`);
    const r = await measure(join(o.dir, e.file), o.timeout);
    const usPerPacket = (Math.max(0, r.seconds - startup) * 1e6) / e.packets;
    const missing = e.expect.filter((w) => !r.weirds.has(w));
    const res = { ...e, ...r, usPerPacket, missing, weirds: Object.fromEntries(r.weirds) };
    results.push(res);
    process.stderr.write(` ${r.seconds.toFixed(2)} s, ${r.rssMb.toFixed(0)} MB, ${status(r)}\n`);
    const flags = [];
    if (r.rssMb >= RSS_TARGET_MB) flags.push('**over 256 MB**');
    if (!r.closed) flags.push('**a log without #close**');
    if (r.stackTrace) flags.push('**stack trace**');
    const expect =
      e.expect.length === 0 ? '(none)' : e.expect.map((w) => (r.weirds.has(w) ? w : `**${w} missing**`)).join(', ');
    out.push(
      `| ${e.file} | ${e.n.toLocaleString('en')} ${e.unit} | ${e.packets.toLocaleString('en')} | ${(e.size / 1e6).toFixed(1)} | ` +
        `${r.rssMb.toFixed(0)}${flags.length ? ` ${flags.join(' ')}` : ''} | ${r.seconds.toFixed(2)} | ${usPerPacket.toFixed(1)} | ` +
        `${fmtWeirds(r.weirds)} | ${r.summary.weirds ?? '?'} | ${expect} | ${status(r)} |`,
    );
  }
  // flatness: full vs quarter
  const byName = new Map();
  for (const r of results) {
    const x = byName.get(r.name) ?? {};
    x[r.quarter ? 'q' : 'full'] = r;
    byName.set(r.name, x);
  }
  const flat = [...byName].filter(([, x]) => x.q && x.full);
  if (flat.length > 0) {
    out.push('');
    out.push('Time per packet, full size against quarter size (flat: a ratio near 1; quadratic: near 4):');
    out.push('');
    out.push('| generator | µs/packet (1/4) | µs/packet (full) | ratio | peak RSS MB (1/4 → full) |');
    out.push('| --- | ---: | ---: | ---: | --- |');
    for (const [name, { q, full }] of flat) {
      const ratio = full.usPerPacket / q.usPerPacket;
      out.push(
        `| ${name} | ${q.usPerPacket.toFixed(1)} | ${full.usPerPacket.toFixed(1)} | ${ratio.toFixed(2)}${ratio > 1.8 ? ' **not flat**' : ''} | ` +
          `${q.rssMb.toFixed(0)} → ${full.rssMb.toFixed(0)} |`,
      );
    }
  }
  // normal traffic: no limit weird
  const normal = [];
  if (o.normal) {
    const cases = join(ROOT, '..', 'shared', 'zeek-smb', 'cases');
    if (existsSync(cases)) {
      for (const d of readdirSync(cases).sort()) {
        for (const f of readdirSync(join(cases, d)).sort()) {
          if (/\.pcap(ng)?$/.test(f)) normal.push(join(cases, d, f));
        }
      }
    }
    for (const dir of [join(ROOT, 'test', 'fixtures'), join(ROOT, 'samples')]) {
      for (const f of readdirSync(dir).sort()) if (/\.pcap(ng)?$/.test(f)) normal.push(join(dir, f));
    }
  }
  normal.push(...o.bench);
  if (normal.length > 0) {
    out.push('');
    out.push('Normal traffic (default limits): no limit weird may appear.');
    out.push('');
    out.push('| capture | packets | peak RSS MB | s | weirds in weird.log | limit weirds | exit 0 |');
    out.push('| --- | ---: | ---: | ---: | --- | --- | --- |');
    for (const file of normal) {
      process.stderr.write(`${basename(file)} ...`);
      const r = await measure(file, o.timeout);
      const limits = [...r.weirds.keys()].filter((w) => LIMIT_WEIRDS.has(w));
      results.push({ file, normal: true, ...r, weirds: Object.fromEntries(r.weirds), limitWeirds: limits });
      process.stderr.write(` ${r.seconds.toFixed(2)} s\n`);
      const name = file.includes('/cases/') ? `zeek:${basename(file)}` : basename(file);
      out.push(
        `| ${name} | ${r.summary.packets ?? '?'} | ${r.rssMb.toFixed(0)} | ${r.seconds.toFixed(2)} | ${fmtWeirds(r.weirds)} | ` +
          `${limits.length ? `**${limits.join(', ')}**` : 'none'} | ${status(r)} |`,
      );
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (o.json) {
    mkdirSync(resolve(o.json, '..'), { recursive: true });
    writeFileSync(o.json, `${JSON.stringify(results, null, 1)}\n`);
  }
}

await main();
