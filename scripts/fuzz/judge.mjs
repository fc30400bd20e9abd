// Runs smbscope on one input as a separate process and judges it from the
// outside: exit status (CONTRACT.md's table), stderr, wall time, peak RSS,
// and the validity of every log file and of the event stream.
//
//   const r = await runInput({ root, file, dir, timeoutMs, maxRssKb, coverage });
//   const problems = judge(r, { catalogue });    // [] when the input passes

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { classifyCapture } from './capture.mjs';

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** The command-line arguments smbscope is run with (besides -r, --logdir and --events). */
export const BASE_ARGS = ['-C', '-q', '--seed', '1', '--log-cmds'];

/**
 * Runs `node <root>/bin/smbscope.js -C -r FILE --logdir DIR/logs --events DIR/ev.jsonl -q ...`.
 * Returns { code, signal, stderr, ms, rssKb, timedOut, dir, file, coverageDir }.
 */
export function runInput({ root, cmd, file, dir, timeoutMs = 10_000, extraArgs = [], coverage = false }) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const args = [
    ...BASE_ARGS,
    ...extraArgs,
    '-r',
    file,
    '--logdir',
    join(dir, 'logs'),
    '--events',
    join(dir, 'ev.jsonl'),
  ];
  const command = cmd ?? [process.execPath, join(root, 'bin', 'smbscope.js')];
  const timeFile = join(dir, 'time.txt');
  const argv = TIME ? [TIME, '-f', '%M', '-o', timeFile, ...command, ...args] : [...command, ...args];
  const env = { ...process.env, NO_COLOR: '1' };
  delete env.NODE_OPTIONS;
  if (coverage) env.NODE_V8_COVERAGE = join(dir, 'cov');
  else delete env.NODE_V8_COVERAGE;
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    let timedOut = false;
    let peakKb = 0;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => {
      if (stderr.length < 64 * 1024) stderr += s;
    });
    // without /usr/bin/time, sample the peak from /proc (VmHWM) while it runs
    const poll = TIME
      ? undefined
      : setInterval(() => {
          peakKb = Math.max(peakKb, vmHwm(child.pid));
        }, 20);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL'); // the process group this call started
      } catch {}
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      let rssKb = peakKb;
      let exit = code;
      if (TIME && existsSync(timeFile)) {
        const t = readFileSync(timeFile, 'utf8');
        const m = /(\d+)\s*$/.exec(t.trim());
        if (m) rssKb = Number(m[1]);
        // GNU time reports a signal-killed command on its first line and exits with 128+sig
        const sig = /terminated by signal (\d+)/.exec(t);
        if (sig) {
          signal = `SIG${sig[1]}`;
          exit = null;
        }
      }
      resolve({
        code: exit,
        signal,
        stderr,
        ms,
        rssKb,
        timedOut,
        dir,
        file,
        coverageDir: coverage ? join(dir, 'cov') : undefined,
      });
    });
  });
}

function vmHwm(pid) {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** EVENT_PARAMS of the build under test. */
export async function loadCatalogue(root) {
  const mod = await import(pathToFileURL(join(root, 'dist', 'src', 'core', 'events', 'catalogue.js')).href);
  return mod.EVENT_PARAMS;
}

const STACK = /^\s+at .+(\(|:\d+)/m;
const INTERNAL =
  /internal error|FATAL ERROR|\b(TypeError|RangeError|ReferenceError|SyntaxError|Error):|node:internal|Aborted|Segmentation/i;

/**
 * Judges one run. Returns a list of problems: { kind, detail, key } where
 * `key` is a stable signature for de-duplication (no offsets or counts).
 */
export function judge(r, { catalogue, input, maxRssKb = 256 * 1024, timeoutMs = 10_000 }) {
  const problems = [];
  const add = (kind, detail, key = kind) => problems.push({ kind, detail, key });
  if (r.timedOut) {
    add('timeout', `no exit within ${timeoutMs} ms`);
    return problems;
  }
  if (r.signal) {
    add('signal', `killed by ${r.signal}`, `signal:${r.signal}`);
    return problems;
  }
  if (r.rssKb > maxRssKb)
    add('memory', `peak RSS ${Math.round(r.rssKb / 1024)} MB > ${Math.round(maxRssKb / 1024)} MB`);
  const stderr = r.stderr;
  const lines = stderr.split('\n').filter((l) => l !== '');
  if (STACK.test(stderr)) add('stack-trace', firstLines(stderr), `stack-trace:${normalise(lines[0] ?? '')}`);
  const internal = lines.find((l) => INTERNAL.test(l));
  if (internal) add('internal-error', internal, `internal-error:${normalise(internal)}`);
  const cap = classifyCapture(input);
  if (r.code === 0) {
    if (lines.length > 0 && !internal)
      add('stderr', `exit 0 but stderr: ${firstLines(stderr)}`, `stderr:${normalise(lines[0])}`);
    if (cap.verdict === 'broken')
      add('exit-status', `exit 0 for a broken capture (${cap.reason})`, `exit0-broken:${capKey(cap.reason)}`);
  } else if (r.code === 1) {
    if (cap.verdict === 'ok')
      add(
        'exit-status',
        `exit 1 for a well-formed capture: ${firstLines(stderr)}`,
        `exit1-ok:${normalise(lines[0] ?? '')}`,
      );
    if (lines.length !== 1 || !lines[0].startsWith('smbscope: '))
      add('stderr', `exit 1 must print exactly one line: ${firstLines(stderr)}`, 'exit1-lines');
    else if (!lines[0].includes(r.file)) add('stderr', `exit 1 line does not name the file: ${lines[0]}`, 'exit1-name');
  } else if (!internal) {
    add('exit-status', `exit ${r.code}: ${firstLines(stderr)}`, `exit${r.code}`);
  }
  // the output must be valid whatever the exit status
  const uids = new Set();
  problems.push(...checkEvents(join(r.dir, 'ev.jsonl'), catalogue, uids));
  problems.push(...checkLogs(join(r.dir, 'logs'), uids));
  return problems;
}

function capKey(reason) {
  return reason.replace(/\d+/g, 'N');
}

function firstLines(s) {
  return s.split('\n').slice(0, 6).join(' | ').slice(0, 600);
}

/** A message with numbers, paths and quoted bits replaced, for signatures. */
export function normalise(s) {
  return s
    .replace(/\/[^\s:'"]+/g, 'PATH')
    .replace(/0x[0-9a-f]+/gi, 'N')
    .replace(/\d+/g, 'N')
    .slice(0, 200);
}

// ------------------------------------------------------------- event stream

function checkEvents(path, catalogue, uids) {
  const out = [];
  const add = (detail, key) => out.push({ kind: 'events', detail, key: `events:${key}` });
  if (!existsSync(path)) {
    add('the --events file was not created', 'missing');
    return out;
  }
  const text = readFileSync(path, 'utf8');
  if (text.length > 0 && !text.endsWith('\n')) add('the event stream does not end with a newline', 'no-final-newline');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let e;
    try {
      e = JSON.parse(line);
    } catch (err) {
      add(`line ${i + 1} is not JSON (${err.message}): ${line.slice(0, 200)}`, 'not-json');
      break;
    }
    const p = eventProblem(e, catalogue);
    if (p) {
      add(`line ${i + 1}: ${p.detail}: ${line.slice(0, 300)}`, p.key);
      break;
    }
    if (typeof e.uid === 'string') uids.add(e.uid);
  }
  return out;
}

const PORT = (v) => Number.isInteger(v) && v >= 0 && v <= 65535;
const ADDR = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9a-f:.]*:[0-9a-f:.]*)$/;

function eventProblem(e, catalogue) {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return { detail: 'not an object', key: 'shape' };
  const keys = Object.keys(e);
  if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) return { detail: 'ts is not a finite number', key: 'ts' };
  if (typeof e.event !== 'string' || !catalogue[e.event])
    return { detail: `unknown event ${e.event}`, key: 'event-name' };
  const params = catalogue[e.event];
  const conn = params.includes('c');
  const want = conn ? ['ts', 'event', 'uid', 'id', 'args'] : ['ts', 'event', 'args'];
  if (keys.join(',') !== want.join(','))
    return { detail: `keys ${keys.join(',')}, want ${want.join(',')}`, key: `keys:${e.event}` };
  if (conn) {
    if (typeof e.uid !== 'string' || !/^C[0-9A-Za-z]{1,30}$/.test(e.uid)) return { detail: 'bad uid', key: 'uid' };
    const id = e.id;
    if (
      typeof id !== 'object' ||
      id === null ||
      Object.keys(id).join(',') !== 'orig_h,orig_p,resp_h,resp_p' ||
      !ADDR.test(id.orig_h) ||
      !ADDR.test(id.resp_h) ||
      !PORT(id.orig_p) ||
      !PORT(id.resp_p)
    )
      return { detail: 'bad id', key: 'id' };
  }
  if (typeof e.args !== 'object' || e.args === null || Array.isArray(e.args))
    return { detail: 'args is not an object', key: 'args' };
  const names = params.filter((n) => n !== 'c');
  let last = -1;
  for (const k of Object.keys(e.args)) {
    const at = names.indexOf(k);
    if (at < 0) return { detail: `args has ${k}, not a parameter of ${e.event}`, key: `args-name:${e.event}` };
    if (at <= last) return { detail: `args out of declaration order at ${k}`, key: `args-order:${e.event}` };
    last = at;
  }
  const bad = findBad(e.args, 'args');
  if (bad) return { detail: bad, key: `value:${e.event}:${bad.replace(/\[\d+\]/g, '[]').split(' ')[0]}` };
  return undefined;
}

/** The contract allows no null (unset fields are left out) and no non-finite numbers. */
function findBad(v, path) {
  if (v === null) return `${path} is null`;
  if (typeof v === 'number' && !Number.isFinite(v)) return `${path} is not finite`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const b = findBad(v[i], `${path}[${i}]`);
      if (b) return b;
    }
  } else if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const b = findBad(x, `${path}.${k}`);
      if (b) return b;
    }
  }
  return undefined;
}

// --------------------------------------------------------------------- logs

const KNOWN_LOGS = new Set([
  'conn.log',
  'weird.log',
  'smb_files.log',
  'smb_mapping.log',
  'files.log',
  'smb_cmd.log',
  'ntlm.log',
]);

const VALUE = {
  time: /^-?\d+\.\d{6}$/,
  interval: /^-?\d+\.\d{6}$/,
  count: /^\d+$/,
  int: /^-?\d+$/,
  double: /^-?(\d+(\.\d+)?(e[+-]?\d+)?|inf|nan)$/,
  bool: /^[TF]$/,
  port: /^\d{1,5}$/,
  addr: ADDR,
  subnet: /^[0-9a-f:.]+\/\d+$/,
};

/** Zeek TSV logs: header, #fields == #types == columns in every row, #close footer. */
function checkLogs(dir, uids) {
  const out = [];
  if (!existsSync(dir)) return out;
  const connUids = new Set();
  let connLog = false;
  for (const name of readdirSync(dir).sort()) {
    const add = (detail, key) => out.push({ kind: 'log', detail: `${name}: ${detail}`, key: `log:${name}:${key}` });
    if (!KNOWN_LOGS.has(name)) {
      add('unexpected file in the log directory', 'unknown-file');
      continue;
    }
    const path = join(dir, name);
    if (statSync(path).size === 0) {
      add('empty log file (a log with no records must not be created)', 'empty');
      continue;
    }
    const text = readFileSync(path, 'utf8');
    if (!text.endsWith('\n')) {
      add('does not end with a newline', 'no-final-newline');
      continue;
    }
    const lines = text.slice(0, -1).split('\n');
    const want = [
      /^#separator \\x09$/,
      /^#set_separator\t,$/,
      /^#empty_field\t\(empty\)$/,
      /^#unset_field\t-$/,
      new RegExp(`^#path\\t${name.replace(/\.log$/, '')}$`),
      /^#open\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/,
      /^#fields\t/,
      /^#types\t/,
    ];
    let bad = false;
    for (let i = 0; i < want.length; i++) {
      if (!want[i].test(lines[i] ?? '')) {
        add(`header line ${i + 1} is ${JSON.stringify((lines[i] ?? '').slice(0, 80))}`, `header-${i + 1}`);
        bad = true;
        break;
      }
    }
    if (bad) continue;
    const fields = lines[6].split('\t').slice(1);
    const types = lines[7].split('\t').slice(1);
    if (fields.length !== types.length) {
      add(`#fields has ${fields.length} names, #types ${types.length}`, 'fields-types');
      continue;
    }
    const last = lines[lines.length - 1];
    if (!/^#close\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/.test(last)) {
      add('no #close footer', 'no-close');
      continue;
    }
    if (lines.length < 10) add('no records', 'no-records');
    const uidCol = name === 'conn.log' ? fields.indexOf('uid') : -1;
    if (name === 'conn.log') connLog = true;
    for (let i = 8; i < lines.length - 1; i++) {
      const row = lines[i];
      if (row.startsWith('#')) {
        add(`comment line inside the records: ${row.slice(0, 80)}`, 'comment');
        break;
      }
      const cols = row.split('\t');
      if (cols.length !== fields.length) {
        add(`row ${i + 1} has ${cols.length} columns, #fields ${fields.length}: ${row.slice(0, 200)}`, 'columns');
        break;
      }
      const vb = badValue(cols, types, fields);
      if (vb) {
        add(`row ${i + 1}: ${vb}`, `value:${vb.split(' ')[0]}`);
        break;
      }
      if (uidCol >= 0) connUids.add(cols[uidCol]);
    }
  }
  // every connection named in the event stream is in conn.log
  if (uids.size > 0) {
    const missing = [...uids].filter((u) => !connUids.has(u));
    if (!connLog)
      out.push({
        kind: 'log',
        detail: 'events name connections but there is no conn.log',
        key: 'log:conn.log:missing',
      });
    else if (missing.length > 0)
      out.push({
        kind: 'log',
        detail: `conn.log lacks ${missing.length} uid(s) of the event stream, e.g. ${missing[0]}`,
        key: 'log:conn.log:missing-uid',
      });
  }
  return out;
}

function badValue(cols, types, fields) {
  for (let i = 0; i < cols.length; i++) {
    const v = cols[i];
    const t = types[i];
    if (v === '-' || v === '(empty)') continue;
    if (v === '') return `${fields[i]} is an empty column (must be "(empty)")`;
    const re = VALUE[t];
    if (re && !re.test(v)) return `${fields[i]} (${t}) = ${JSON.stringify(v.slice(0, 40))}`;
    if (t === 'port' && Number(v) > 65535) return `${fields[i]} (port) = ${v}`;
    if (t.startsWith('set[') || t.startsWith('vector of ')) {
      const et = t.startsWith('set[') ? t.slice(4, -1) : t.slice(10);
      const ere = VALUE[et];
      if (ere)
        for (const x of v.split(','))
          if (x !== '-' && !ere.test(x)) return `${fields[i]} (${t}) element ${JSON.stringify(x)}`;
    }
  }
  return undefined;
}
