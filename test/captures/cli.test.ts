/**
 * The smbscope command's error paths and input forms (CONTRACT.md, "Exit
 * status and what the user sees"), by running `node bin/smbscope.js` as a
 * user would: exit codes, what stderr says, what is (not) written.
 */

import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readOracle } from '../helpers/oracle.js';
import { BIN, fixture, ROOT } from '../helpers/paths.js';
import { readPcapLe } from '../helpers/pcapread.js';

const work = mkdtempSync(join(tmpdir(), 'smbscope-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** A fresh empty directory to run in. */
function freshDir(): string {
  const d = join(work, `run${++n}`);
  mkdirSync(d);
  return d;
}

function smbscope(args: string[], cwd: string, input?: Uint8Array): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    input,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
}

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l !== '');
}

const SUMMARY = /^smbscope: \d+ packets, /;

/** No stack trace, no internal error. */
function clean(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(stderr, /internal error|Error:|TypeError|RangeError/, 'no internal error');
}

/**
 * An input problem: exit 1, exactly one line naming the file (the first line),
 * at most the summary line after it.
 */
function inputProblem(r: SpawnSyncReturns<string>, name: string, reason: RegExp): void {
  assert.equal(r.status, 1, `exit status; stderr: ${r.stderr}`);
  clean(r.stderr);
  const ls = lines(r.stderr);
  assert.ok(ls.length >= 1 && ls.length <= 2, `stderr lines: ${JSON.stringify(ls)}`);
  assert.ok(ls[0]!.includes(name), `the first line names ${name}: ${ls[0]}`);
  assert.match(ls[0]!, reason);
  if (ls.length === 2) assert.match(ls[1]!, SUMMARY, 'the second line is the summary');
}

/** Every TSV log in `dir` is complete: Zeek's header and the #close footer. */
function logsComplete(dir: string): string[] {
  const logs = readdirSync(dir).filter((f) => f.endsWith('.log'));
  for (const f of logs) {
    const text = readFileSync(join(dir, f), 'utf8');
    assert.ok(text.startsWith('#separator \\x09\n'), `${f} starts with the header`);
    assert.ok(text.endsWith('\n'), `${f} ends with a newline`);
    assert.match(lines(text).at(-1)!, /^#close\t\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/, `${f} ends with #close`);
  }
  return logs;
}

const SMALL = fixture('impacket-smb3_11-denied.pcap');
const SMALL_ORACLE = fixture('impacket-smb3_11-denied.oracle.jsonl');

describe('input problems (exit 1)', () => {
  test('a missing file', () => {
    const d = freshDir();
    const r = smbscope(['-r', 'no-such.pcap', '--logdir', 'logs'], d);
    inputProblem(r, 'no-such.pcap', /no such file/);
    assert.deepEqual(readdirSync(d), []);
  });

  test('a directory', () => {
    const d = freshDir();
    mkdirSync(join(d, 'adir'));
    const r = smbscope(['-r', 'adir', '--logdir', 'logs'], d);
    inputProblem(r, 'adir', /directory/);
    assert.deepEqual(readdirSync(d), ['adir']);
  });

  test('an empty file', () => {
    const d = freshDir();
    writeFileSync(join(d, 'empty.pcap'), '');
    inputProblem(smbscope(['-r', 'empty.pcap', '--logdir', 'logs'], d), 'empty.pcap', /empty/);
  });

  test('a text file', () => {
    const d = freshDir();
    writeFileSync(join(d, 'notes.txt'), 'these are not packets\n');
    inputProblem(smbscope(['-r', 'notes.txt', '--logdir', 'logs'], d), 'notes.txt', /not a pcap/);
  });

  for (const cut of [1, 4, 10, 23]) {
    test(`a pcap cut inside its file header (${cut} bytes)`, () => {
      const d = freshDir();
      writeFileSync(join(d, 'head.pcap'), readFileSync(SMALL).subarray(0, cut));
      inputProblem(smbscope(['-r', 'head.pcap', '--logdir', 'logs'], d), 'head.pcap', /header/);
    });
  }

  test('a pcap cut inside a record: everything before the cut, logs closed', () => {
    const full = readFileSync(SMALL);
    const records = readPcapLe(full);
    // cut in the middle of record 10's data
    let off = 24;
    for (let i = 0; i < 9; i++) off += 16 + records[i]!.data.length;
    const cut = off + 16 + 20;
    const d = freshDir();
    writeFileSync(join(d, 'cut.pcap'), full.subarray(0, cut));
    const r = smbscope(['-r', 'cut.pcap', '--logdir', 'logs', '--events', 'ev.jsonl', '-C'], d);
    inputProblem(r, 'cut.pcap', /cut short|truncated/);
    const logs = logsComplete(join(d, 'logs'));
    assert.ok(logs.includes('conn.log'), `logs: ${logs}`);
    // the events file holds complete lines: one per SMB2 message tshark saw in frames 1..9
    const ev = readFileSync(join(d, 'ev.jsonl'), 'utf8');
    assert.ok(ev.endsWith('\n'));
    const events = lines(ev).map((l) => JSON.parse(l) as { event: string });
    const want = readOracle(SMALL_ORACLE).filter((o) => o.frame <= 9).length;
    assert.ok(want > 0);
    assert.equal(events.filter((e) => e.event === 'smb2_message').length, want);
  });
});

describe('bad command lines (exit 2, nothing written)', () => {
  const cases: [string, string[]][] = [
    ['an unknown option', ['-r', SMALL, '--frobnicate']],
    ['an unknown short option', ['-r', SMALL, '-Z']],
    ['--log-format xml', ['-r', SMALL, '--log-format', 'xml']],
    ['--seed abc', ['-r', SMALL, '--seed', 'abc']],
    ['--seed -1', ['-r', SMALL, '--seed=-1']],
    ['--hash crc32', ['-r', SMALL, '--hash', 'crc32']],
    ['--max-pending-messages -3', ['-r', SMALL, '--max-pending-messages=-3']],
    ['--max-pending-messages 1.5', ['-r', SMALL, '--max-pending-messages', '1.5']],
    ['--logged-file-actions FILE_EAT', ['-r', SMALL, '--logged-file-actions', 'FILE_OPEN,FILE_EAT']],
    ['--local-nets not-a-net', ['-r', SMALL, '--local-nets', '10.0.0.0/8,not-a-net']],
    ['--limit of an unknown name', ['-r', SMALL, '--limit', 'frobs=3']],
    ['--limit without a value', ['-r', SMALL, '--limit', 'connections']],
    ['--limit with a negative value', ['-r', SMALL, '--limit', 'connections=-1']],
    ['-r without its value', ['-r']],
    ['neither -r nor -i', ['-C']],
    ['-r and -i together', ['-r', SMALL, '-i', 'lo']],
    ['a stray argument', ['-r', SMALL, 'extra.pcap']],
  ];
  for (const [what, args] of cases) {
    test(what, () => {
      const d = freshDir();
      const r = smbscope([...args, '--logdir', 'logs', '--events', 'ev.jsonl'], d);
      assert.equal(r.status, 2, `exit status; stderr: ${r.stderr}`);
      clean(r.stderr);
      const ls = lines(r.stderr);
      assert.equal(ls.length, 1, `one line: ${JSON.stringify(ls)}`);
      assert.match(ls[0]!, /--help/);
      assert.equal(r.stdout, '');
      assert.deepEqual(readdirSync(d), [], 'nothing written');
    });
  }
});

describe('--limit', () => {
  // six TCP connections (tshark: six tcp.stream values), at most two at once in the table
  const SIX = fixture('smbtorture-compound.pcap');
  test('connections=2: the oldest connections are evicted with a weird, every connection still logged', () => {
    const d = freshDir();
    const r = smbscope(['-C', '-r', SIX, '--logdir', 'logs', '--limit', 'connections=2'], d);
    assert.equal(r.status, 0, r.stderr);
    const weird = readFileSync(join(d, 'logs', 'weird.log'), 'utf8');
    assert.match(weird, /\tconnection_table_full\t/);
    const conns = lines(readFileSync(join(d, 'logs', 'conn.log'), 'utf8')).filter((l) => !l.startsWith('#'));
    assert.ok(conns.length >= 6, `every connection has a conn.log row: ${conns.length}`);
  });
  test('the default limits are not reached on the same capture', () => {
    const d = freshDir();
    const r = smbscope(['-C', '-r', SIX, '--logdir', 'logs'], d);
    assert.equal(r.status, 0, r.stderr);
    const names = readdirSync(join(d, 'logs'));
    if (names.includes('weird.log')) {
      assert.doesNotMatch(readFileSync(join(d, 'logs', 'weird.log'), 'utf8'), /connection_table_full/);
    }
    const conns = lines(readFileSync(join(d, 'logs', 'conn.log'), 'utf8')).filter((l) => !l.startsWith('#'));
    assert.equal(conns.length, 6);
  });
});

describe('help and version (exit 0)', () => {
  test('--help and -h', () => {
    for (const flag of ['--help', '-h']) {
      const r = smbscope([flag], freshDir());
      assert.equal(r.status, 0);
      assert.match(r.stdout, /^usage: smbscope -r FILE/);
      assert.match(r.stdout, /--no-checksums/);
      assert.equal(r.stderr, '');
    }
  });

  test('--version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = smbscope(['--version'], freshDir());
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `smbscope ${pkg.version}\n`);
  });
});

describe('input forms give the same events', () => {
  const capture = fixture('smbtorture-compound.pcap');
  const bytes = readFileSync(capture);
  const events = (args: string[], input?: Uint8Array): string => {
    const d = freshDir();
    const r = smbscope([...args, '-C', '--seed', '11', '--logdir', 'logs', '--events', 'ev.jsonl'], d, input);
    assert.equal(r.status, 0, r.stderr);
    clean(r.stderr);
    logsComplete(join(d, 'logs'));
    return readFileSync(join(d, 'ev.jsonl'), 'utf8');
  };
  let plainRun: string | undefined;
  const plainEvents = (): string => {
    plainRun ??= events(['-r', capture]);
    return plainRun;
  };
  const oracleLines = readOracle(fixture('smbtorture-compound.oracle.jsonl')).length;

  test('the plain file', () => {
    assert.equal(lines(plainEvents()).filter((l) => l.includes('"event":"smb2_message"')).length, oracleLines);
  });

  test('gzip-compressed file', () => {
    const d = freshDir();
    const gz = join(d, 'capture.pcap.gz');
    writeFileSync(gz, gzipSync(bytes));
    assert.equal(events(['-r', gz]), plainEvents());
  });

  test('gzip-compressed file without a .gz name', () => {
    const d = freshDir();
    const gz = join(d, 'capture.bin');
    writeFileSync(gz, gzipSync(bytes));
    assert.equal(events(['-r', gz]), plainEvents());
  });

  test('standard input (-r -)', () => {
    assert.equal(events(['-r', '-'], bytes), plainEvents());
  });

  test('gzip-compressed standard input', () => {
    assert.equal(events(['-r', '-'], gzipSync(bytes)), plainEvents());
  });

  test('events to standard output (--events -)', () => {
    const d = freshDir();
    const r = smbscope(['-r', capture, '-C', '--seed', '11', '--logdir', 'logs', '--events', '-'], d);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, plainEvents());
  });

  test('a gzip stream cut short: exit 1, one line, the events before the cut', () => {
    const d = freshDir();
    const gz = gzipSync(bytes);
    writeFileSync(join(d, 'cut.pcap.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    const r = smbscope(['-r', 'cut.pcap.gz', '-C', '--logdir', 'logs', '--events', 'ev.jsonl'], d);
    inputProblem(r, 'cut.pcap.gz', /cut short|truncated|corrupt/);
    logsComplete(join(d, 'logs'));
    const got = readFileSync(join(d, 'ev.jsonl'), 'utf8');
    assert.ok(got.endsWith('\n'));
    assert.ok(lines(got).length > 0);
  });
});

describe('the bundled command (npm run build) and the compiled modules', () => {
  test('load the bundle when it is at least as new as the modules, and give the same logs and events', () => {
    const bundle = join(ROOT, 'dist/src/cli/main.bundle.mjs');
    const modules = join(ROOT, 'dist/src/cli/main.js');
    let bundled = false;
    try {
      bundled = statSync(bundle).mtimeMs >= statSync(modules).mtimeMs;
    } catch {
      // no bundle: built with tsc alone
    }
    const run = (noBundle: boolean) => {
      const d = freshDir();
      const args = ['-r', fixture('impacket-smb2_10.pcap'), '-C', '--seed', '3', '--log-cmds', '--logdir', 'logs'];
      const r = spawnSync(process.execPath, [BIN, ...args, '--events', 'ev.jsonl'], {
        cwd: d,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, SMBSCOPE_NO_BUNDLE: noBundle ? '1' : '' },
      });
      assert.equal(r.status, 0, r.stderr);
      const out: Record<string, string> = { events: readFileSync(join(d, 'ev.jsonl'), 'utf8') };
      for (const f of readdirSync(join(d, 'logs'))) {
        out[f] = readFileSync(join(d, 'logs', f), 'utf8').replace(/^#(open|close).*$/gm, '');
      }
      return out;
    };
    const viaModules = run(true);
    assert.ok(Object.keys(viaModules).length >= 4, Object.keys(viaModules).join(' '));
    assert.deepEqual(run(false), viaModules, bundled ? 'bundle' : 'no bundle: modules both times');
  });
});
