/**
 * The per-capture ground truth beside each fixture (test/fixtures/README.md):
 * X.transfers.json (what the client did, with the real files' hashes, written
 * by scripts/fixtures/make-fixtures.sh) and X.facts.json (tshark's dissection,
 * written by scripts/fixtures/tshark-facts.py), and small derivations from
 * them that several log tests need.
 */

import { existsSync, readFileSync } from 'node:fs';

export interface Transfer {
  step: number;
  session: number;
  direction: 'put' | 'get';
  /** share-relative name as SMB carries it */
  name: string;
  local: string;
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
  content: 'text' | 'pdf' | 'random' | 'other';
  final_name: string;
  deleted: boolean;
}

export interface Transfers {
  capture: string;
  encrypted: boolean;
  /** false: the client did more than is listed (smbtorture) */
  complete: boolean;
  incomplete?: string;
  sessions: { session: number; client: string; dialect: string; share: string }[];
  transfers: Transfer[];
  renames: { step: number; session: number; from: string; to: string }[];
  deletes: { step: number; session: number; name: string; kind: 'file' | 'directory' }[];
  directories: { step: number; session: number; name: string; deleted: boolean }[];
}

export interface Direction {
  pkts: number;
  ip_bytes: number;
  payload_bytes: number;
  syn: number;
  fin: number;
  rst: number;
  retransmissions: number;
  zero_windows: number;
}

export interface FactConn {
  stream: number;
  orig_h: string;
  orig_p: number;
  resp_h: string;
  resp_p: number;
  first_frame: number;
  first_ts: string;
  last_ts: string;
  orig: Direction;
  resp: Direction;
}

export interface FactAuth {
  spnego_neg_result?: number;
  ntlmssp_type?: number;
  username?: string;
  domain?: string;
  hostname?: string;
  nb_computer_name?: string;
  nb_domain_name?: string;
  dns_computer_name?: string;
  dns_domain_name?: string;
  dns_tree_name?: string;
  target_name?: string;
}

export interface FactMsg {
  frame: number;
  ts: string;
  stream: number;
  is_response: boolean;
  cmd: number;
  msg_id: string;
  flags: number;
  session_id: string;
  status?: number;
  tree_id?: string;
  async_id?: string;
  tree?: string;
  share_type?: number;
  filename?: string;
  create_options?: number;
  fid?: string;
  eof?: string;
  times?: { created: string; accessed: string; modified: string; changed: string };
  class?: number;
  infolevel?: number;
  rename_to?: string;
  delete_on_close?: boolean;
  write_length?: number;
  read_length?: number;
  auth?: FactAuth;
}

export interface Facts {
  pcap: string;
  tshark: string;
  connections: FactConn[];
  smb1: { frame: number; ts: string; stream: number; cmd: number; mid: string; is_response: boolean }[];
  status_names: Record<string, string>;
  messages: FactMsg[];
}

function sibling(pcap: string, suffix: string): string {
  return pcap.replace(/\.pcap$/, suffix);
}

export function readTransfers(pcap: string): Transfers | undefined {
  const p = sibling(pcap, '.transfers.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Transfers) : undefined;
}

export function readFacts(pcap: string): Facts | undefined {
  const p = sibling(pcap, '.facts.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Facts) : undefined;
}

// ---------------------------------------------------------------------------
// derivations

/** tshark's "sec.nanoseconds" as seconds (a double, as libpcap's microseconds give it). */
export function tsharkTime(ts: string): number {
  const [sec, frac = ''] = ts.split('.');
  return Number(`${sec}.${frac.padEnd(9, '0').slice(0, 6)}`);
}

/** A FILETIME as Zeek's `time` (2.0.2: Number(t) / 1e7 - 11644473600). */
export function filetimeToZeek(ft: string): number {
  return Number(BigInt(ft)) / 1e7 - 11644473600;
}

/** SMB2 command names as Zeek's SMB2::commands spells them (MS-SMB2 2.2.1 numbering). */
export const ZEEK_SMB2_COMMANDS = [
  'NEGOTIATE_PROTOCOL',
  'SESSION_SETUP',
  'LOGOFF',
  'TREE_CONNECT',
  'TREE_DISCONNECT',
  'CREATE',
  'CLOSE',
  'FLUSH',
  'READ',
  'WRITE',
  'LOCK',
  'IOCTL',
  'CANCEL',
  'ECHO',
  'QUERY_DIRECTORY',
  'CHANGE_NOTIFY',
  'QUERY_INFO',
  'SET_INFO',
  'OPLOCK_BREAK',
];

export const CMD = {
  NEGOTIATE: 0,
  SESSION_SETUP: 1,
  TREE_CONNECT: 3,
  TREE_DISCONNECT: 4,
  CREATE: 5,
  CLOSE: 6,
  READ: 8,
  WRITE: 9,
  SET_INFO: 17,
} as const;

/** MS-SMB2 2.2.10 ShareType → Zeek's SMB2::share_types. */
export function shareTypeName(t: number): string {
  return ({ 1: 'DISK', 2: 'PIPE', 3: 'PRINT' } as Record<number, string>)[t] ?? `unknown-${t}`;
}

/** Zeek's status name (`SMB::statuses[...]$id`): tshark's NT status name without "STATUS_", SUCCESS for 0. */
export function zeekStatusName(facts: Facts, status: number): string {
  if (status === 0) return 'SUCCESS';
  const n = facts.status_names[`0x${status.toString(16).padStart(8, '0')}`];
  if (!n) throw new Error(`no tshark name for status 0x${status.toString(16)}`);
  return n.replace(/^STATUS_/, '');
}

export const ALL_ONES_FID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
export const FILE_DELETE_ON_CLOSE = 0x1000;

/** A tree as Zeek's scripts know it (SMB::TreeInfo): path from the TREE_CONNECT request, share type from its response. */
export interface Tree {
  path: string | undefined;
  /** undefined: never set, Zeek's default DISK */
  shareType: number | undefined;
}

/** One open of a file or directory: a CREATE request and its successful response. */
export interface Open {
  stream: number;
  request: FactMsg;
  response: FactMsg;
  /** the CREATE name, `<share_root>` for an empty one (3.4.3) */
  name: string;
  /** the command's tree when the response came (3.3 step 5), as it was then */
  tree: Tree;
  fid: string;
}

/** The share type a tree counts as (Zeek's default is DISK). */
export function isDisk(t: Tree | undefined): boolean {
  return (t?.shareType ?? 1) === 1;
}

/**
 * Walks the clear SMB2 messages of a capture in order and resolves what the
 * log tests need: each successful CREATE (an Open) with the tree Zeek's
 * scripts attach to it, and each request that names a file by FileId
 * resolved to its Open (a related compound member's all-ones FileId to the
 * CREATE earlier in its chain, MS-SMB2 3.3.5.2.7.2).
 *
 * Trees follow docs/zeek-behaviour.md 3.3 step 5: a command (keyed by
 * message id until its final response) takes `tid_map[tid]` when it has no
 * tree yet, overwrites `tid_map[tid]` with its own tree when it has one, and
 * gets a fresh, empty tree from a message whose tree id is 0 (a CANCEL, an
 * async message, whose "tree id" is the high half of the AsyncId).
 */
export function walk(facts: Facts): {
  opens: Open[];
  byFid: (m: FactMsg) => Open | undefined;
  requestOf: (resp: FactMsg) => FactMsg | undefined;
} {
  const tidMap = new Map<string, Tree>(); // `${stream}/${tid}`
  const cmdTree = new Map<string, Tree | undefined>(); // `${stream}/${msg id}` of pending commands
  const requests = new Map<string, FactMsg>(); // `${stream}/${msg id}` → first request with that id
  const createReq = new Map<string, FactMsg>();
  const opens: Open[] = [];
  const openByFid = new Map<string, Open>(); // `${stream}/${fid}`, the latest open
  const chainCreate = new Map<FactMsg, string>(); // related member → msg id of the chain's CREATE
  const resolved = new Map<FactMsg, Open | undefined>();
  const deferred: FactMsg[] = [];
  let chainFrame = -1;
  let chainLastCreate: string | undefined;
  for (const m of facts.messages) {
    const key = `${m.stream}/${m.msg_id}`;
    // the command's tree (3.3 step 5)
    const tid = m.async_id !== undefined ? (BigInt(m.async_id) >> 32n).toString() : (m.tree_id ?? '0');
    let tree = cmdTree.get(key);
    if (tid !== '0') {
      const tk = `${m.stream}/${tid}`;
      if (tree) tidMap.set(tk, tree);
      else if (!tidMap.has(tk)) tidMap.set(tk, { path: undefined, shareType: undefined });
      tree = tidMap.get(tk)!;
    } else {
      tree = { path: undefined, shareType: undefined };
    }
    cmdTree.set(key, tree);

    if (!m.is_response) {
      if (!requests.has(key)) requests.set(key, m);
      if (m.frame !== chainFrame) {
        chainFrame = m.frame;
        chainLastCreate = undefined;
      }
      if (m.cmd === CMD.TREE_CONNECT && m.tree !== undefined) tree.path = m.tree;
      if (m.cmd === CMD.TREE_DISCONNECT && tid !== '0' && tidMap.delete(`${m.stream}/${tid}`))
        cmdTree.set(key, undefined);
      if (m.cmd === CMD.CREATE) {
        createReq.set(key, m);
        chainLastCreate = m.msg_id;
      } else if (m.fid !== undefined) {
        if (m.fid === ALL_ONES_FID && m.flags & 4 && chainLastCreate !== undefined) {
          chainCreate.set(m, chainLastCreate);
          deferred.push(m);
        } else {
          resolved.set(m, openByFid.get(`${m.stream}/${m.fid}`));
        }
      }
      continue;
    }
    if (m.cmd === CMD.TREE_CONNECT && m.status === 0 && m.share_type !== undefined) tree.shareType = m.share_type;
    if (m.cmd === CMD.CREATE && m.status === 0 && m.fid !== undefined) {
      const req = createReq.get(key);
      if (req) {
        const o: Open = {
          stream: m.stream,
          request: req,
          response: m,
          name: req.filename === '' ? '<share_root>' : req.filename!,
          tree: { ...tree },
          fid: m.fid,
        };
        opens.push(o);
        openByFid.set(`${m.stream}/${m.fid}`, o);
      }
    }
    if (m.status !== 0x103) cmdTree.delete(key);
  }
  for (const m of deferred) {
    const create = chainCreate.get(m)!;
    resolved.set(
      m,
      opens.find((o) => o.stream === m.stream && o.request.msg_id === create),
    );
  }
  return {
    opens,
    byFid: (m) => resolved.get(m),
    requestOf: (resp) => requests.get(`${resp.stream}/${resp.msg_id}`),
  };
}

/** The paths of the disk shares connected in a capture (TREE_CONNECT request path, response share type 1). */
export function diskTreePaths(facts: Facts): Set<string> {
  const reqs = new Map<string, string>();
  const out = new Set<string>();
  for (const m of facts.messages) {
    if (m.cmd !== CMD.TREE_CONNECT) continue;
    const key = `${m.stream}/${m.msg_id}`;
    if (!m.is_response && m.tree !== undefined) reqs.set(key, m.tree);
    else if (m.is_response && m.status === 0 && m.share_type === 1 && reqs.has(key)) out.add(reqs.get(key)!);
  }
  return out;
}

/** Frames whose compound chain has a CREATE followed by related members that name a file (they act on the CREATE's file). */
export function relatedCreateChains(facts: Facts): number[] {
  const frames = new Set<number>();
  let frame = -1;
  let create = false;
  for (const m of facts.messages) {
    if (m.is_response) continue;
    if (m.frame !== frame) {
      frame = m.frame;
      create = false;
    }
    if (m.cmd === CMD.CREATE) create = true;
    else if (create && m.flags & 4 && m.fid === ALL_ONES_FID) frames.add(m.frame);
  }
  return [...frames];
}
