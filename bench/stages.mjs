#!/usr/bin/env node
/**
 * How far each stage of a default run takes the time (issue 4): the same
 * capture read by ever more of smbscope, each in a fresh process, timed
 * inside the process (start-up excluded), median of N runs, interleaved.
 *
 *   node bench/stages.mjs CAPTURE [--runs 5]
 *
 * Stages, each including the ones before it:
 *   read      the file read in 256 KiB pieces, nothing else
 *   engine    pcap records, link/IP/TCP, connections, reassembly, SMB framing,
 *             SMB2 parsing and every event raised (to no handler): the public
 *             Engine and CaptureReader alone
 *   policy    the Analyzer without logs: Zeek's SMB and NTLM scripts on the
 *             events (no file analysis: nothing would read it)
 *   logs      the Analyzer with every default log written to a sink that
 *             drops the bytes: file analysis (MIME sniffing), files.log,
 *             smb_files.log with its de-duplication, conn.log, ...
 *
 * The differences between the stages are what each adds. `npm run build`
 * first (the compiled modules in dist/ are used).
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAGES = ['read', 'engine', 'policy', 'logs'];

/** One stage, run inside a child process: prints its seconds. */
async function stage(name, capture) {
  const { openSync, readSync } = await import('node:fs');
  const { Analyzer, CaptureReader, Engine } = await import(join(root, 'dist/src/index.js'));
  const t0 = performance.now();
  let push;
  let end = () => {};
  if (name === 'read') push = () => {};
  else if (name === 'engine') {
    const engine = new Engine({ verifyChecksums: false });
    const reader = new CaptureReader(engine);
    push = (b) => reader.push(b);
    end = () => {
      reader.end();
      engine.finish();
      engine.bus.drain();
    };
  } else {
    const drop = { write() {}, writeBytes() {}, close() {} };
    const a = new Analyzer({
      verifyChecksums: false,
      seed: 7,
      ...(name === 'logs' ? { logs: { open: () => drop } } : {}),
    });
    push = (b) => a.push(b);
    end = () => a.end();
  }
  const fd = openSync(capture, 'r');
  const buf = new Uint8Array(256 * 1024);
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n <= 0) break;
    push(buf.subarray(0, n));
  }
  end();
  process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(3)}\n`);
}

function main(argv) {
  if (argv[0] === '--stage') return stage(argv[1], argv[2]);
  let runs = 5;
  let capture;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (!capture) capture = argv[i];
    else throw new Error(`unexpected argument '${argv[i]}'`);
  }
  if (!capture || !existsSync(capture) || !(runs >= 1)) {
    process.stderr.write('usage: node bench/stages.mjs CAPTURE [--runs N]   (after npm run build)\n');
    process.exit(2);
  }
  const times = Object.fromEntries(STAGES.map((s) => [s, []]));
  // the file once before, so that every stage reads it from the page cache
  spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--stage', 'read', capture]);
  for (let r = 0; r < runs; r++) {
    for (const s of STAGES) {
      const p = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--stage', s, capture], {
        encoding: 'utf8',
      });
      if (p.status !== 0) throw new Error(`stage ${s} failed: ${p.stderr}`);
      times[s].push(Number(p.stdout.trim()));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  console.log(`${capture}: median of ${runs}, seconds inside the process (start-up excluded)\n`);
  console.log('| stage | seconds | added by the stage |');
  console.log('| --- | ---: | ---: |');
  let prev = 0;
  for (const s of STAGES) {
    const m = median(times[s]);
    console.log(`| ${s} | ${m.toFixed(3)} | ${(m - prev).toFixed(3)} |`);
    prev = m;
  }
}

await main(process.argv.slice(2));
