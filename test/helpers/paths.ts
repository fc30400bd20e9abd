/** Locations of the repository, its fixtures and the shared Zeek cases, from dist/test/helpers. */

import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const SAMPLES = join(ROOT, 'samples');
export const BIN = join(ROOT, 'bin', 'smbscope.js');
/** Zeek's SMB test traces, next to the clone (absent in a lone clone). */
export const ZEEK_CASES = resolve(ROOT, '..', 'shared', 'zeek-smb', 'cases');

/** Every capture with an oracle next to it: test/fixtures/*.pcap and samples/*.pcap. */
export function oracleCaptures(): { name: string; pcap: string; oracle: string }[] {
  const out: { name: string; pcap: string; oracle: string }[] = [];
  for (const dir of [FIXTURES, SAMPLES]) {
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.pcap')) continue;
      const oracle = join(dir, f.replace(/\.pcap$/, '.oracle.jsonl'));
      if (existsSync(oracle)) out.push({ name: f, pcap: join(dir, f), oracle });
    }
  }
  return out;
}

export function fixture(name: string): string {
  return join(FIXTURES, name);
}
