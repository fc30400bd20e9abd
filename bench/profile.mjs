#!/usr/bin/env node
/**
 * CPU profile of one smbscope run, summarised: where the time goes by
 * pipeline stage and the functions with the most self time.
 *
 *   node bench/profile.mjs CAPTURE [--top 25] [--interval US] [--keep DIR] [-- SMBSCOPE-ARGS...]
 *
 * Runs `node --cpu-prof bin/smbscope.js -C -r CAPTURE --logdir TMP -q [SMBSCOPE-ARGS]`
 * (the default bench run; add e.g. `-- --events TMP/events.jsonl`, where TMP is
 * replaced by the scratch dir), reads the .cpuprofile and prints Markdown tables:
 * self time by pipeline stage, inclusive time by activity (MIME sniffing, log
 * formatting, ... wherever they are called from) and the top functions.
 * With --keep DIR the .cpuprofile is kept there (open it in Chrome DevTools
 * or speedscope). Build first (npm run build).
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Pipeline stage of a source file (paths relative to dist/src). */
const STAGES = [
  [/^core\/source\//, 'capture parsing (pcap/pcapng records)'],
  [/^node\/source/, 'reading the file (Node source)'],
  [/^core\/link\//, 'link / IP / TCP decode'],
  [/^core\/ip\//, 'link / IP / TCP decode'],
  [/^core\/tcp\/(tcp|table|conn|uid)/, 'link / IP / TCP decode, connection table'],
  [/^core\/tcp\/reassembler/, 'TCP reassembly'],
  [/^core\/smb\/framing/, 'SMB framing (NBSS)'],
  [/^core\/smb\//, 'SMB2 parsing and events'],
  [/^core\/events\/json/, 'event JSON encoding'],
  [/^core\/events\//, 'event bus'],
  [/^core\/logs\//, 'log records and formatting'],
  [/^node\/sinks/, 'log / event writing (sinks)'],
  [/^core\/engine/, 'engine (packet dispatch, TCP state)'],
  [/^core\/analyzer/, 'analyzer glue'],
  [/^core\/bytes\//, 'byte helpers (u16/u32/u64 reads; u64le makes BigInts)'],
  [/^cli\//, 'CLI'],
];

function stageOf(url, name) {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)' || name === '(program)' || name === '(root)') return name;
  if (!url && (name === 'read' || name === 'readSync')) return 'reading the file (readSync, native)';
  if (!url) return name.startsWith('(') ? name : 'native / builtins';
  const m = /\/dist\/src\/(.*)$/.exec(url);
  if (m) {
    for (const [re, stage] of STAGES) if (re.test(m[1])) return stage;
    return `smbscope ${m[1]}`;
  }
  if (/^node:internal\/(fs\/|errors|validators|util)|^node:fs$/.test(url))
    return 'reading the file (node:fs internals)';
  if (/^node:internal\/(modules|bootstrap|main|process|url|per_context|options|mime)/.test(url))
    return 'node start-up (module loading)';
  if (url.startsWith('node:')) return 'node internals (other)';
  return 'other JS';
}

/**
 * What a sample was doing, inclusive: the first frame from the leaf towards the root that one of
 * these rules names (so MIME sniffing called from the file manager counts as MIME, the log line of a
 * policy handler as log formatting).
 */
const ACTIVITIES = [
  ['GC', (f) => f === '(garbage collector)'],
  ['reading the file (read syscall)', (f, u) => !u && (f === 'read' || f === 'readSync')],
  ['MIME sniffing', (_f, u) => /files\/mime/.test(u)],
  ['log line formatting', (_f, u) => /logs\/(tsv-bytes|format)/.test(u)],
  ['event JSON encoding', (_f, u) => /events\/json/.test(u)],
  ['log and event writing (sinks)', (_f, u) => /node\/sinks|logs\/writer/.test(u)],
  [
    'smb_files.log de-duplication (digest, recent_files)',
    (f, u) =>
      /policy\/(smb|recent)\.js/.test(u) &&
      /^(writeFileLog|identityDigest|feedText|feedU64|touch|oldestTime|dropOldest|add|remove|grow)$/.test(f),
  ],
  ['file ids and handles', (f, u) => /files\/hashid/.test(u) || f === 'handleOf'],
  ['file analysis (reassembly, hashes)', (_f, u) => /files\/manager/.test(u)],
  ['SMB policy (Zeek scripts)', (_f, u) => /core\/policy\//.test(u)],
  ['event bus', (_f, u) => /events\/bus/.test(u)],
  ['SMB2 command and header parsers', (_f, u) => /smb2\/(commands|types|header)/.test(u)],
  ['SMB2 analyzer', (_f, u) => /smb\/smb2\//.test(u)],
  ['SMB framing', (_f, u) => /core\/smb\//.test(u)],
  ['TCP reassembly', (_f, u) => /tcp\/reassembler/.test(u)],
  ['packet path (link, IP, TCP, connections)', (_f, u) => /core\/(engine|link|ip|tcp)/.test(u)],
  ['capture parsing', (_f, u) => /core\/source\//.test(u)],
  ['byte helpers', (_f, u) => /core\/bytes\//.test(u)],
  [
    'start-up (module loading)',
    (f, u) => /node:internal\/(modules|bootstrap|main)/.test(u) || f === 'compileSourceTextModule',
  ],
];

function activities(profile) {
  const { nodes, samples, timeDeltas } = profile;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map();
  const activityOf = (id) => {
    let a = memo.get(id);
    if (a !== undefined) return a;
    a = 'other';
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const { functionName, url } = byId.get(cur).callFrame;
      const rule = ACTIVITIES.find(([, test]) => test(functionName, url));
      if (rule) {
        a = rule[0];
        break;
      }
    }
    memo.set(id, a);
    return a;
  };
  const us = new Map();
  for (let i = 0; i < samples.length; i++) {
    const a = activityOf(samples[i]);
    us.set(a, (us.get(a) ?? 0) + Math.max(0, timeDeltas[i + 1] ?? 0));
  }
  return us;
}

function summarise(profile, top) {
  const { nodes, samples, timeDeltas } = profile;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  for (let i = 0; i < samples.length; i++) {
    const dt = timeDeltas[i + 1] ?? 0; // the delta before the next sample belongs to this one
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fns = new Map();
  const stages = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    const file = url ? (/\/dist\/src\/(.*)$/.exec(url)?.[1] ?? basename(url)) : '';
    const key = `${name}\t${file}:${lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const st = stageOf(url, name);
    stages.set(st, (stages.get(st) ?? 0) + us);
  }
  const pct = (us) => ((100 * us) / total).toFixed(1);
  const out = [];
  out.push(`Profile: ${(total / 1e6).toFixed(3)} s sampled, ${samples.length} samples`);
  out.push('');
  out.push('| stage (by source file; 0.2% or more) | self ms | % |');
  out.push('| --- | ---: | ---: |');
  for (const [st, us] of [...stages].sort((a, b) => b[1] - a[1]).filter(([, us]) => us * 500 >= total))
    out.push(`| ${st} | ${(us / 1e3).toFixed(0)} | ${pct(us)} |`);
  out.push('');
  out.push('| activity (inclusive: callees that no other rule names count here) | ms | % |');
  out.push('| --- | ---: | ---: |');
  for (const [a, us] of [...activities(profile)].sort((x, y) => y[1] - x[1]).filter(([, us]) => us * 500 >= total))
    out.push(`| ${a} | ${(us / 1e3).toFixed(0)} | ${pct(us)} |`);
  out.push('');
  out.push(`| function | file:line | self ms | % |`);
  out.push('| --- | --- | ---: | ---: |');
  for (const [key, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const [name, where] = key.split('\t');
    out.push(`| ${name} | ${where} | ${(us / 1e3).toFixed(0)} | ${pct(us)} |`);
  }
  return out.join('\n');
}

function main() {
  const argv = process.argv.slice(2);
  const dash = argv.indexOf('--');
  const extra = dash >= 0 ? argv.splice(dash).slice(1) : [];
  let capture;
  let top = 25;
  let interval;
  let keep;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--top') top = Number(argv[++i]);
    else if (a === '--interval') interval = Number(argv[++i]);
    else if (a === '--keep') keep = argv[++i];
    else if (!a.startsWith('-') && capture === undefined) capture = a;
    else {
      process.stderr.write(`profile: unexpected argument '${a}'\n`);
      return 2;
    }
  }
  if (!capture || !existsSync(capture)) {
    process.stderr.write('usage: node bench/profile.mjs CAPTURE [--top N] [--interval US] [--keep DIR] [-- ARGS]\n');
    return 2;
  }
  const scratch = mkdtempSync(join(os.tmpdir(), 'smbscope-profile-'));
  try {
    const profDir = join(scratch, 'prof');
    const logdir = join(scratch, 'logs');
    mkdirSync(logdir);
    const args = [
      '--cpu-prof',
      '--cpu-prof-dir',
      profDir,
      ...(interval ? ['--cpu-prof-interval', String(interval)] : []),
      join(ROOT, 'bin', 'smbscope.js'),
      '-C',
      '-r',
      resolve(capture),
      '--logdir',
      logdir,
      '-q',
      ...extra.map((a) => a.replaceAll('TMP', scratch)),
    ];
    const t0 = process.hrtime.bigint();
    // the modules as compiled, not the bundle, so that time is attributed to each module
    const env = { ...process.env, SMBSCOPE_NO_BUNDLE: '1' };
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) {
      process.stderr.write(`profile: smbscope exited with ${r.status ?? r.signal}\n`);
      return 1;
    }
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) {
      process.stderr.write('profile: no .cpuprofile written\n');
      return 1;
    }
    const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8'));
    process.stdout.write(
      `Command: node --cpu-prof bin/smbscope.js -C -r ${capture} --logdir TMP -q ${extra.join(' ')}\n` +
        `Wall time with the profiler: ${wall.toFixed(3)} s\n\n${summarise(profile, top)}\n`,
    );
    if (keep) {
      mkdirSync(keep, { recursive: true });
      const dest = join(keep, file);
      copyFileSync(join(profDir, file), dest);
      process.stderr.write(`profile: kept ${relative(process.cwd(), dest) || dest}\n`);
    }
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

process.exitCode = main();
