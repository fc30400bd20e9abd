#!/usr/bin/env node
// smbscope's mutation fuzzer (docs/fuzzing.md).
//
//   npm run fuzz -- --minutes N [--seed S] [--jobs J] [--corpus DIR]
//                   [--root DIR | --cmd "node path/bin/smbscope.js"]
//                   [--out DIR] [--save DIR | --no-save] [--minimize-seconds N]
//                   [--timeout-ms N] [--max-rss-mb N] [--no-coverage] [--no-snapshot]
//                   [--max-execs N] [--stop-after-failures N]
//
// Takes real captures as seeds, mutates them at every layer (scripts/fuzz/
// mutate.mjs), runs the real CLI on each input as a separate process and
// judges it from outside (scripts/fuzz/judge.mjs). V8 block coverage of the
// run (NODE_V8_COVERAGE) decides which inputs join the corpus. A failing
// input is saved, minimised by delta debugging and stored as a regression
// fixture (test/fixtures/fuzz/) with a note.
// Exit status: 0 when no input failed, 1 when some did, 2 for bad arguments.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseCapture } from './fuzz/capture.mjs';
import { Coverage } from './fuzz/coverage.mjs';
import { BASE_ARGS, judge, loadCatalogue, normalise, runInput } from './fuzz/judge.mjs';
import { minimize } from './fuzz/minimize.mjs';
import { mutate } from './fuzz/mutate.mjs';
import { Rng } from './fuzz/rng.mjs';

const REPO = resolve(import.meta.dirname, '..');

const USAGE = `usage: node scripts/fuzz.mjs --minutes N [--seed S] [--jobs J] [--corpus DIR] [--root DIR]
  --minutes N            fuzzing time (default 1)
  --seed S               seed of the mutation sequence (default: from the clock)
  --jobs J               smbscope processes run at once (default 2)
  --corpus DIR           extra seeds from DIR; new coverage is saved there
  --root DIR             the smbscope tree to test (default: this repository); needs a build (dist/)
  --cmd "CMD ARGS"       run this command instead of node ROOT/bin/smbscope.js
  --out DIR              work directory and raw failing inputs (default: a temporary directory)
  --save DIR             where minimised failures go (default: ROOT/test/fixtures/fuzz)
  --no-save              keep failures only in --out
  --minimize-seconds N   time spent minimising each distinct failure (default 180; 0: none)
  --timeout-ms N         per-input time bound for inputs under 1 MB (default 10000; +10 s per MB)
  --max-rss-mb N         peak RSS bound (default 256)
  --no-coverage          no coverage feedback (pure mutation)
  --no-snapshot          run ROOT's build in place (default: a private copy, so a rebuild cannot disturb the run)
  --max-execs N          stop after N executions
  --stop-after-failures N  stop after N distinct failures
`;

function parseArgs(argv) {
  const o = {
    minutes: 1,
    seed: undefined,
    jobs: 2,
    corpus: undefined,
    root: REPO,
    cmd: undefined,
    out: undefined,
    save: undefined,
    noSave: false,
    minimizeSeconds: 180,
    timeoutMs: 10_000,
    maxRssMb: 256,
    coverage: true,
    snapshot: true,
    maxExecs: Infinity,
    stopAfterFailures: Infinity,
  };
  const num = (v, name) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${name} needs a non-negative number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    switch (a) {
      case '--minutes':
        o.minutes = num(v(), a);
        break;
      case '--seed':
        o.seed = BigInt(v());
        break;
      case '--jobs':
        o.jobs = Math.max(1, Math.floor(num(v(), a)));
        break;
      case '--corpus':
        o.corpus = resolve(v());
        break;
      case '--root':
        o.root = resolve(v());
        break;
      case '--cmd':
        o.cmd = v().split(/\s+/).filter(Boolean);
        break;
      case '--out':
        o.out = resolve(v());
        break;
      case '--save':
        o.save = resolve(v());
        break;
      case '--no-save':
        o.noSave = true;
        break;
      case '--minimize-seconds':
        o.minimizeSeconds = num(v(), a);
        break;
      case '--timeout-ms':
        o.timeoutMs = num(v(), a);
        break;
      case '--max-rss-mb':
        o.maxRssMb = num(v(), a);
        break;
      case '--no-coverage':
        o.coverage = false;
        break;
      case '--no-snapshot':
        o.snapshot = false;
        break;
      case '--max-execs':
        o.maxExecs = num(v(), a);
        break;
      case '--stop-after-failures':
        o.stopAfterFailures = num(v(), a);
        break;
      case '-h':
      case '--help':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

/** The seed captures: the project's fixtures and samples, Zeek's SMB cases, saved regressions, the corpus. */
function seedFiles(opts) {
  const out = [];
  const add = (dir, re) => {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir).sort()) if (re.test(f)) out.push(join(dir, f));
  };
  add(join(REPO, 'test', 'fixtures'), /\.pcap(ng)?$/);
  add(join(REPO, 'samples'), /\.pcap(ng)?$/);
  const cases = resolve(REPO, '..', 'shared', 'zeek-smb', 'cases');
  if (existsSync(cases)) for (const c of readdirSync(cases).sort()) add(join(cases, c), /\.pcap(ng)?$/);
  add(join(REPO, 'test', 'fixtures', 'fuzz'), /\.pcap(ng)?$/);
  if (opts.corpus) add(opts.corpus, /./);
  return out.filter((f) => statSync(f).isFile() && statSync(f).size < 8 * 1024 * 1024);
}

function entry(bytes, name) {
  const parsed = parseCapture(bytes);
  return { bytes, name, packets: parsed?.packets, format: parsed?.format, picked: 0 };
}

function sha(b) {
  return createHash('sha256').update(b).digest('hex');
}

function extOf(b) {
  return b.length >= 4 && b[0] === 0x0a && b[1] === 0x0d && b[2] === 0x0d && b[3] === 0x0a ? '.pcapng' : '.pcap';
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`fuzz: ${e.message}\n${USAGE}`);
    process.exit(2);
  }
  const seed = opts.seed ?? BigInt(Date.now());
  const rng = new Rng(seed);
  const out = opts.out ?? join(tmpdir(), `smbscope-fuzz-${process.pid}`);
  mkdirSync(out, { recursive: true });
  const saveDir = opts.noSave ? undefined : (opts.save ?? join(opts.root, 'test', 'fixtures', 'fuzz'));
  if (!existsSync(join(opts.root, 'dist', 'src', 'cli', 'main.js'))) {
    process.stderr.write(`fuzz: no build in ${opts.root} (run npx tsc -p . there)\n`);
    process.exit(2);
  }
  // a private copy of the build under test
  let root = opts.root;
  if (opts.snapshot && !opts.cmd) {
    root = join(out, 'snapshot');
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    cpSync(join(opts.root, 'bin'), join(root, 'bin'), { recursive: true });
    cpSync(join(opts.root, 'dist', 'src'), join(root, 'dist', 'src'), { recursive: true });
    cpSync(join(opts.root, 'package.json'), join(root, 'package.json'));
  }
  const catalogue = await loadCatalogue(root);
  const coverage = opts.coverage ? new Coverage('/dist/src/') : undefined;

  const corpus = [];
  for (const f of seedFiles(opts)) corpus.push(entry(new Uint8Array(readFileSync(f)), basename(f)));
  if (corpus.length === 0) {
    process.stderr.write('fuzz: no seed captures found\n');
    process.exit(2);
  }
  const seedCount = corpus.length;
  const hashes = new Set(corpus.map((e) => sha(e.bytes)));
  log(
    `fuzz: seed ${seed}, ${seedCount} seed captures, ${opts.jobs} job(s), ${opts.minutes} min, ` +
      `${opts.coverage ? 'V8 block coverage feedback' : 'no coverage feedback'}, testing ${opts.cmd ? opts.cmd.join(' ') : root}`,
  );

  const t0 = Date.now();
  const deadline = t0 + opts.minutes * 60_000;
  const stats = { execs: 0, inputs: 0, failing: 0, newCov: 0, flaky: 0, byKind: {} };
  /** signature -> { count, first } */
  const failures = new Map();
  let stopping = false;

  const timeoutFor = (n) => opts.timeoutMs + Math.floor(n / (1024 * 1024)) * 10_000;
  const maxRssKb = opts.maxRssMb * 1024;

  /** Runs one input and judges it. */
  async function check(bytes, slotDir, extraArgs, withCoverage) {
    const file = join(slotDir, `input${extOf(bytes)}`);
    writeFileSync(file, bytes);
    const timeoutMs = timeoutFor(bytes.length);
    const r = await runInput({
      root,
      cmd: opts.cmd,
      file,
      dir: join(slotDir, 'run'),
      timeoutMs,
      extraArgs: extraArgs.map((a) => a.replace('@RUN@', join(slotDir, 'run'))),
      coverage: withCoverage,
    });
    const problems = judge(r, { catalogue, input: bytes, maxRssKb, timeoutMs });
    return { r, problems };
  }

  /** Where an escaping exception was thrown (rerun under trace.mjs with source maps). */
  function locate(file, extraArgs, slotDir) {
    const runDir = join(slotDir, 'trace');
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(join(runDir, 'logs'), { recursive: true });
    const r = spawnSync(
      process.execPath,
      [
        '--enable-source-maps',
        join(REPO, 'scripts', 'fuzz', 'trace.mjs'),
        opts.cmd ? opts.root : root,
        ...BASE_ARGS,
        ...extraArgs.map((a) => a.replace('@RUN@', runDir)),
        '-r',
        file,
        '--logdir',
        join(runDir, 'logs'),
        '--events',
        join(runDir, 'ev.jsonl'),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const stack = /TRACE ([\s\S]*)/.exec(r.stderr ?? '')?.[1]?.trim();
    if (!stack) return { stack: undefined, frame: undefined };
    const frames = stack.split('\n').filter((l) => /^\s+at /.test(l));
    // the first frame in smbscope's own code, past the generic byte readers
    const ours = frames.filter((l) => /\/(src|dist\/src)\//.test(l));
    const own = ours.find((l) => !/\/core\/bytes\//.test(l)) ?? ours[0] ?? frames[0];
    const frame = own
      ? own
          .replace(/^\s+at /, '')
          .replace(/^.*\/(src\/)/, '$1')
          .replace(/\)$/, '')
      : undefined;
    return { stack, frame };
  }

  async function onFailure(bytes, problems, meta, slotDir, extraArgs) {
    const first = problems[0];
    let key = first.key;
    let loc = { stack: undefined, frame: undefined };
    const crash = problems.some((p) => p.kind === 'internal-error' || p.kind === 'stack-trace');
    if (crash) {
      const f = join(slotDir, `failing${extOf(bytes)}`);
      writeFileSync(f, bytes);
      loc = locate(f, extraArgs, slotDir);
      if (loc.frame) key = `${key}@${loc.frame.replace(/:\d+\)?$/, '')}`;
    }
    stats.failing++;
    stats.byKind[first.kind] = (stats.byKind[first.kind] ?? 0) + 1;
    const known = failures.get(key);
    if (known) {
      known.count++;
      return;
    }
    const id = `${first.kind}-${createHash('sha1').update(key).digest('hex').slice(0, 8)}`;
    const keys = new Set(problems.map((p) => p.key));
    const reproduces = async (b) => {
      const { problems: ps } = await check(b, slotDir, extraArgs, false);
      return ps.some((p) => keys.has(p.key));
    };
    // a failure that does not happen again (a rebuild under the run, an overloaded machine) is not kept
    if (!(await reproduces(bytes))) {
      stats.flaky++;
      log(`\n(not reproducible, ignored: ${first.kind}: ${first.detail.slice(0, 200)})`);
      return;
    }
    const rec = { id, key, count: 1, problems, meta, loc, elapsed: (Date.now() - t0) / 1000, size: bytes.length };
    failures.set(key, rec);
    log(`\nFAILURE ${id} after ${rec.elapsed.toFixed(1)} s (${stats.execs} execs): ${first.kind}: ${first.detail}`);
    if (loc.frame) log(`  at ${loc.frame}`);
    const rawDir = join(out, 'failures');
    mkdirSync(rawDir, { recursive: true });
    const rawFile = join(rawDir, `${id}${extOf(bytes)}`);
    writeFileSync(rawFile, bytes);
    let minimal = bytes;
    let steps = [];
    if (opts.minimizeSeconds > 0) {
      const m = await minimize(bytes, reproduces, { seconds: opts.minimizeSeconds, log });
      minimal = m.bytes;
      steps = m.steps;
      log(`  minimised ${bytes.length} -> ${minimal.length} bytes in ${m.runs} runs (${steps.join('; ')})`);
    }
    // the failure as the minimised input shows it
    const again = await check(minimal, slotDir, extraArgs, false);
    const minFile = join(slotDir, `min${extOf(minimal)}`);
    writeFileSync(minFile, minimal);
    const minLoc = crash ? locate(minFile, extraArgs, slotDir) : loc;
    rec.minimalSize = minimal.length;
    rec.minimalProblems = again.problems;
    const note = [
      `fuzz failure ${id}`,
      `signature: ${key}`,
      `kind: ${first.kind}`,
      `found after: ${rec.elapsed.toFixed(1)} s, ${stats.execs} executions (fuzz seed ${seed})`,
      `mutations: ${meta.ops.join(', ') || '(none)'} on ${meta.parent}`,
      `extra smbscope args: ${extraArgs.join(' ') || '(none)'}`,
      `original input: ${bytes.length} bytes; minimised: ${minimal.length} bytes${steps.length ? ` (${steps.join('; ')})` : ''}`,
      '',
      'problems (original input):',
      ...problems.map((p) => `  - ${p.kind}: ${p.detail}`),
      '',
      'problems (minimised input):',
      ...(again.problems.length
        ? again.problems.map((p) => `  - ${p.kind}: ${p.detail}`)
        : ['  (none: did not reproduce)']),
      '',
      `exit status: ${again.r.code ?? again.r.signal}; ${Math.round(again.r.ms)} ms; peak RSS ${Math.round(again.r.rssKb / 1024)} MB`,
      `stderr: ${again.r.stderr.trim().slice(0, 2000) || '(empty)'}`,
      '',
      ...(minLoc.stack ? ['stack (node --enable-source-maps scripts/fuzz/trace.mjs):', minLoc.stack, ''] : []),
      'reproduce:',
      `  node bin/smbscope.js ${[...BASE_ARGS, ...extraArgs].join(' ')} -r <this file> --logdir /tmp/l --events /tmp/l/ev.jsonl`,
      '',
    ].join('\n');
    writeFileSync(join(rawDir, `${id}.txt`), note);
    if (saveDir) {
      mkdirSync(saveDir, { recursive: true });
      writeFileSync(join(saveDir, `${id}${extOf(minimal)}`), minimal);
      writeFileSync(join(saveDir, `${id}.txt`), note);
      if (extraArgs.length) writeFileSync(join(saveDir, `${id}.args`), `${extraArgs.join('\n')}\n`);
      log(`  saved ${join(saveDir, id + extOf(minimal))} (+ .txt)`);
    }
    if (failures.size >= opts.stopAfterFailures) stopping = true;
  }

  function pickParent() {
    // recent coverage finds are favoured; seeds stay in play
    if (corpus.length > seedCount && rng.chance(0.4)) return corpus[seedCount + rng.int(corpus.length - seedCount)];
    return corpus[rng.int(corpus.length)];
  }

  function extraArgsFor(r) {
    const a = [];
    if (r.chance(0.2)) {
      a.push('--hash', 'md5,sha1,sha256');
      // the hashing threads too (by default only captures of 128 MB or more use them)
      if (r.chance(0.5)) a.push('--hash-thread');
    }
    if (r.chance(0.1)) a.push('--max-pending-messages', String(r.pick([1, 2, 5])));
    if (r.chance(0.05)) a.push('--extract-files', '@RUN@/extract');
    return a;
  }

  async function worker(slot) {
    const slotDir = join(out, `slot${slot}`);
    mkdirSync(slotDir, { recursive: true });
    while (!stopping && Date.now() < deadline && stats.execs < opts.maxExecs) {
      const parent = pickParent();
      parent.picked++;
      const inputSeed = rng.u32();
      const irng = new Rng((seed << 32n) ^ BigInt(inputSeed));
      const { bytes, ops } = mutate(irng, parent, corpus);
      const extraArgs = extraArgsFor(irng);
      stats.execs++;
      stats.inputs++;
      const { r, problems } = await check(bytes, slotDir, extraArgs, !!coverage);
      if (coverage && problems.length === 0) {
        const n = coverage.merge(coverage.features(r.coverageDir));
        if (n > 0) {
          const h = sha(bytes);
          if (!hashes.has(h) && bytes.length < 4 * 1024 * 1024) {
            hashes.add(h);
            corpus.push(entry(bytes, `cov-${stats.execs}`));
            stats.newCov++;
            if (opts.corpus) {
              mkdirSync(opts.corpus, { recursive: true });
              writeFileSync(join(opts.corpus, `${h.slice(0, 16)}${extOf(bytes)}`), bytes);
            }
          }
        }
      }
      if (problems.length > 0) {
        await onFailure(bytes, problems, { ops, parent: parent.name, inputSeed }, slotDir, extraArgs);
      }
    }
  }

  const progress = setInterval(() => {
    const s = (Date.now() - t0) / 1000;
    log(
      `[${s.toFixed(0).padStart(5)} s] ${stats.execs} execs (${(stats.execs / s).toFixed(1)}/s), corpus ${corpus.length} ` +
        `(+${stats.newCov} by coverage)${coverage ? `, ${coverage.blocks.size} blocks` : ''}, ` +
        `failing inputs ${stats.failing}, distinct failures ${failures.size}`,
    );
  }, 30_000);
  await Promise.all(Array.from({ length: opts.jobs }, (_, i) => worker(i)));
  clearInterval(progress);
  const secs = (Date.now() - t0) / 1000;
  log('');
  for (const f of failures.values()) {
    log(
      `failure ${f.id} (${f.count}x, first after ${f.elapsed.toFixed(1)} s): ${f.problems[0].kind}: ${f.problems[0].detail}`,
    );
    if (f.loc.frame) log(`  at ${f.loc.frame}`);
    if (f.minimalSize !== undefined) log(`  minimised to ${f.minimalSize} bytes`);
  }
  if (stats.flaky) log(`${stats.flaky} failure(s) did not reproduce when run again and were ignored`);
  log(
    `corpus: ${seedCount} seeds + ${stats.newCov} inputs kept for new coverage` +
      `${coverage ? `; ${coverage.blocks.size} blocks and functions of dist/src reached` : ''}; work directory ${out}`,
  );
  process.stdout.write(`${stats.execs} executions, ${failures.size} distinct failures, ${Math.round(secs)} seconds\n`);
  if (!opts.out) rmSync(join(out, 'snapshot'), { recursive: true, force: true });
  for (let i = 0; i < opts.jobs; i++) rmSync(join(out, `slot${i}`), { recursive: true, force: true });
  process.exitCode = failures.size > 0 ? 1 : 0;
}

function log(s) {
  process.stdout.write(`${s}\n`);
}

void normalise;
void dirname;
await main();
