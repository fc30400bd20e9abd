/**
 * Every input the fuzzer saved in test/fixtures/fuzz/ (minimised inputs on
 * which smbscope once failed) is run through the real CLI as a separate
 * process and judged exactly as the fuzzer judges (scripts/fuzz/judge.mjs):
 * exit status per CONTRACT.md, no stack trace or internal error on stderr,
 * time and memory bounds, valid logs and event stream. Fixed bugs stay fixed.
 *
 * Inputs whose bug is still open are listed in OPEN with the reason; they
 * run as `todo` (reported, not failing) until the entry is removed.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { FIXTURES, ROOT } from '../helpers/paths.js';

/** Saved inputs whose bug is not fixed yet: file name -> why (see the .txt note next to it). */
const OPEN: Record<string, string> = {};

interface Problem {
  kind: string;
  detail: string;
  key: string;
}
interface JudgeModule {
  runInput(o: { root: string; file: string; dir: string; timeoutMs?: number; extraArgs?: string[] }): Promise<unknown>;
  judge(r: unknown, o: { catalogue: unknown; input: Uint8Array; maxRssKb?: number; timeoutMs?: number }): Problem[];
  loadCatalogue(root: string): Promise<unknown>;
}

const { runInput, judge, loadCatalogue } = (await import(
  pathToFileURL(join(ROOT, 'scripts', 'fuzz', 'judge.mjs')).href
)) as JudgeModule;
const catalogue = await loadCatalogue(ROOT);

const DIR = join(FIXTURES, 'fuzz');
const inputs = existsSync(DIR)
  ? readdirSync(DIR)
      .filter((f) => /\.pcap(ng)?$/.test(f))
      .sort()
  : [];
const work = mkdtempSync(join(tmpdir(), 'smbscope-fuzz-regressions-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('fuzzer regression inputs (test/fixtures/fuzz)', () => {
  it('every OPEN entry names a saved input', () => {
    for (const name of Object.keys(OPEN)) assert.ok(inputs.includes(name), `${name} is not in test/fixtures/fuzz`);
  });

  for (const name of inputs) {
    const todo = OPEN[name];
    it(name, todo ? { todo } : {}, async () => {
      const file = join(DIR, name);
      const argsFile = file.replace(/\.pcap(ng)?$/, '.args');
      const extraArgs = existsSync(argsFile)
        ? readFileSync(argsFile, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .map((a) => a.replace('@RUN@', join(work, name)))
        : [];
      const input = new Uint8Array(readFileSync(file));
      const r = await runInput({ root: ROOT, file, dir: join(work, name), extraArgs, timeoutMs: 20_000 });
      const problems = judge(r, { catalogue, input, timeoutMs: 20_000 });
      assert.deepEqual(
        problems.map((p) => `${p.kind}: ${p.detail}`),
        [],
        `see ${name.replace(/\.pcap(ng)?$/, '.txt')}`,
      );
    });
  }
});
