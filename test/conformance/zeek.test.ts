/**
 * Zeek conformance: runs ../shared/conformance/zeek-conformance.mjs on Zeek's
 * own SMB test cases (traces and expected output from Zeek's btest suite)
 * and requires every case to pass. In a clone without ../shared the test is
 * skipped, saying why.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '..', '..', '..');
const harness = resolve(root, '..', 'shared', 'conformance', 'zeek-conformance.mjs');

interface CaseResult {
  name: string;
  status: 'PASS' | 'FAIL' | 'SKIP';
  checks: { kind: string; target: string; ok: boolean; detail?: string; diff?: string[] }[];
}

test('Zeek conformance cases', { timeout: 300_000 }, (t) => {
  if (!existsSync(harness)) {
    t.skip(`no conformance harness at ${harness} (../shared is not next to this clone)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'smbscope-conf-'));
  try {
    const out = join(dir, 'summary.json');
    const r = spawnSync(
      process.execPath,
      [harness, '--cmd', `${process.execPath} ${join(root, 'bin', 'smbscope.js')}`, '--json', out],
      { encoding: 'utf8', timeout: 280_000 },
    );
    assert.ok(existsSync(out), `the harness wrote no summary: ${r.stderr || r.stdout}`);
    const summary = JSON.parse(readFileSync(out, 'utf8')) as { cases: CaseResult[]; summary: string };
    const failed = summary.cases.filter((c) => c.status !== 'PASS');
    const detail = failed
      .map((c) => {
        const bad = c.checks.filter((ch) => !ch.ok);
        return `${c.name}: ${bad.map((b) => `${b.kind} ${b.target}: ${b.detail}\n${(b.diff ?? []).slice(0, 12).join('\n')}`).join('; ')}`;
      })
      .join('\n');
    assert.equal(failed.length, 0, `${summary.summary}\n${detail}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
