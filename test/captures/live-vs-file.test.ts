/**
 * `smbscope -i lo` against a real SMB transfer on 127.0.0.1 writes the same
 * logs as reading a capture of it, once uids and #open/#close are set aside.
 *
 * Runs scripts/check-live.sh (private smbd, smbclient put/get/rename/delete,
 * smbscope -i lo and tcpdump at the same time) when the test runs as root
 * and Samba, smbclient and tcpdump are installed; skips, saying why,
 * otherwise. The script prints one `check-live: RESULT <check> <value>` line
 * per check; each becomes a test here. It takes about 5 s.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../helpers/paths.js';

const SCRIPT = join(ROOT, 'scripts', 'check-live.sh');

function have(tool: string): boolean {
  return spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

function whySkip(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux (capture on lo)';
  if (process.getuid?.() !== 0) return 'needs root (smbd on port 445, capture on lo)';
  for (const t of ['smbd', 'smbclient', 'smbpasswd', 'tcpdump']) {
    if (!have(t)) return `${t} is not installed (Debian: apt install samba smbclient tcpdump)`;
  }
  if (!existsSync(SCRIPT)) return 'scripts/check-live.sh is missing';
  return undefined;
}

let skip = whySkip();
let output = '';
const results = new Map<string, string>();
if (!skip) {
  const r = spawnSync('bash', [SCRIPT], { encoding: 'utf8', timeout: 60_000 });
  output = `${r.stdout}\n${r.stderr}`;
  if (r.status === 77) skip = (/check-live: skipped: (.*)/.exec(r.stderr)?.[1] ?? 'check-live.sh skipped').trim();
  for (const m of output.matchAll(/^check-live: RESULT (\S+) (.*)$/gm)) results.set(m[1]!, m[2]!.trim());
}

/** The script's report, for a failing assertion. */
function report(): string {
  return output
    .split('\n')
    .filter((l) => !/^(==|tdbsam)/.test(l))
    .slice(0, 80)
    .join('\n');
}

describe('smbscope -i lo vs reading a capture of the same transfer', { skip }, () => {
  test('smbscope -i exits 0 on SIGINT and closes every log with #close', () => {
    assert.equal(results.get('sigint-exit'), '0', report());
    assert.ok(Number(results.get('logs-closed')) >= 5, report());
  });

  test('the live logs equal the logs of reading the very packets smbscope -i read', () => {
    assert.equal(results.get('own-packets'), 'match', report());
  });

  test('the live logs equal the logs of reading a separate tcpdump capture (times within 100 us: each capture socket stamps packets itself)', () => {
    assert.equal(results.get('tcpdump-jitter'), 'match', report());
  });

  test('smbscope -i drops no packets during the transfer', () => {
    assert.equal(results.get('live-drops'), '0', report());
  });
});
