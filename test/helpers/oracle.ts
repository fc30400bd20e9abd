/**
 * The tshark oracle of a capture (test/fixtures/README.md, "Oracle format"):
 * one JSON object per SMB2 message tshark dissects, integers as decimal strings.
 */

import { readFileSync } from 'node:fs';

export interface OracleHeader {
  credit_charge: string;
  status: string;
  command: string;
  credits: string;
  flags: string;
  message_id: string;
  process_id: string;
  tree_id: string;
  session_id: string;
  signature: string;
}

export interface OracleLine {
  frame: number;
  ts: string;
  src: string;
  sport: string;
  dst: string;
  dport: string;
  kind: 'smb2' | 'transform';
  is_response?: boolean;
  hdr?: OracleHeader;
  next_command?: string;
  close_request?: { file_id: { persistent: string; volatile: string } };
  close_flags?: string;
  close_response?: {
    flags: string;
    alloc_size: string;
    eof: string;
    created: string;
    accessed: string;
    modified: string;
    changed: string;
    attrs: string;
  };
  close_request_truncated?: boolean;
  close_response_truncated?: boolean;
  transform?: { signature: string; nonce: string; orig_msg_size: string; flags: string; session_id: string };
}

export function readOracle(path: string): OracleLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as OracleLine);
}

/** tshark's "sec.nanoseconds" as whole microseconds (libpcap's view truncates). */
export function oracleMicros(ts: string): bigint {
  const [sec, frac = ''] = ts.split('.');
  const ns = BigInt((frac + '000000000').slice(0, 9));
  return BigInt(sec!) * 1_000_000n + ns / 1000n;
}
