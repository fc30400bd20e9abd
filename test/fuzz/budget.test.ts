/**
 * A short run of the mutation fuzzer (scripts/fuzz.mjs) with a fixed seed:
 * about 40 seconds of mutated captures through the real CLI, each judged
 * from outside. Any failure fails the test (its minimised input is left in
 * the work directory named in the output). Skipped when SMBSCOPE_SKIP_FUZZ=1;
 * SMBSCOPE_FUZZ_SECONDS changes the budget.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/paths.js';

const skip = process.env.SMBSCOPE_SKIP_FUZZ === '1' ? 'SMBSCOPE_SKIP_FUZZ=1' : false;
const seconds = Number(process.env.SMBSCOPE_FUZZ_SECONDS ?? 40);

describe('fuzz budget', { skip }, () => {
  it(`${seconds} s of mutation fuzzing find no failure`, { timeout: (seconds + 240) * 1000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'smbscope-fuzz-budget-'));
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'scripts', 'fuzz.mjs'),
        '--minutes',
        String(seconds / 60),
        '--seed',
        '20251124',
        '--jobs',
        process.env.CI ? '2' : '1',
        '--out',
        out,
        '--no-save',
        '--minimize-seconds',
        '60',
      ],
      { encoding: 'utf8', timeout: (seconds + 230) * 1000 },
    );
    const summary = /(\d+) executions, (\d+) distinct failures, (\d+) seconds/.exec(r.stdout ?? '');
    assert.ok(summary, `no summary line; stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.ok(Number(summary[1]) > 0, 'the fuzzer ran inputs');
    // on failure the inputs stay in `out` (named in the output)
    assert.equal(Number(summary[2]), 0, `the fuzzer found failures (inputs in ${out}/failures):\n${r.stdout}`);
    assert.equal(r.status, 0, `fuzzer exit status ${r.status}\n${r.stderr}`);
    rmSync(out, { recursive: true, force: true });
  });
});
