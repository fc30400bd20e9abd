/**
 * Zeek's SMB base scripts for SMB2 (base/protocols/smb/main.zeek,
 * smb2-main.zeek, files.zeek) and the log-cmds policy: per-connection state
 * updated from events, then smb_files.log, smb_mapping.log and smb_cmd.log
 * written from it, handler by handler at Zeek's priorities (state at 5, logs
 * at -5). See docs/zeek-behaviour.md section 3 for the behaviour reproduced.
 *
 * Two departures from Zeek, both asked for by the brief:
 *  - files are keyed by their whole file id (persistent and volatile), not by
 *    the sum of the two halves;
 *  - a related compound operation (file id all ones, RELATED flag) acts on
 *    the file of the previous message of its chain (MS-SMB2 3.3.5.2.7.2),
 *    also before that file's CREATE response has told its id.
 */

import type { EventBus } from '../events/bus.js';
import type { ConnRef } from '../events/catalogue.js';
import type { AnalyzedFile, FileConn } from '../files/manager.js';
import type { LogWriter } from '../logs/writer.js';
import { SmallMap } from '../small-map.js';
import type { SMB1Header } from '../smb/smb1/header.js';
import type { MACTimes, SMB2GUID, SMB2Header } from '../smb/smb2/types.js';
import { isRelatedFileId } from '../smb/smb2/types.js';
import { RecentDigests } from './recent.js';
import {
  DEFERRED_LOGGING_CMDS,
  IGNORED_COMMAND_STATUSES,
  lookup,
  SMB_STATUSES,
  SMB1_COMMANDS,
  SMB2_COMMANDS,
  SMB2_DIALECTS,
  SMB2_SHARE_TYPES,
} from './smb-consts.js';
import {
  type CmdInfo,
  type FileInfo,
  type FileKey,
  fileKey,
  newCmdInfo,
  newFileInfo,
  newTreeInfo,
  type SmbAction,
  type SmbState,
  type TreeInfo,
} from './smb-records.js';

const STATUS_PENDING = 0x103;
const SMB2_FLAGS_RELATED_OPERATIONS = 0x4;
const FILE_DELETE_ON_CLOSE = 0x1000;
/** recent_files entries expire this long after their last lookup (Zeek: 3 min) */
const RECENT_FILES_EXPIRY = 180;
/**
 * Most recent_files entries kept per connection (the least recently looked up
 * go first). Forgetting an identity early can only log a row again that Zeek
 * would have suppressed as a repeat, never lose one.
 */
const RECENT_FILES_MAX = 100_000;

export interface SmbPolicyOptions {
  bus: EventBus;
  now: () => number;
  /** the previous message of a compound chain, as the analyzer saw it */
  chainPrevious: (hdr: SMB2Header) => SMB2Header | undefined;
  weird: (c: ConnRef, name: string, addl: string, source: string) => void;
  smbFiles: LogWriter | undefined;
  smbMapping: LogWriter | undefined;
  smbCmd: LogWriter | undefined;
  /** SMB::logged_file_actions, with the "SMB::" prefix */
  loggedFileActions: ReadonlySet<string>;
  /** SMB::enable_clear_script_state */
  clearScriptState?: boolean;
  /** open files and trees tracked per connection (oldest forgotten beyond, with a weird) */
  maxOpenFiles?: number;
  maxTrees?: number;
  /** the user who authenticated an SMB2 session (smb_cmd.log `username`) */
  userOf?: (c: ConnRef, sessionId: bigint) => string | undefined;
}

type Kind = 'OPEN' | 'READ' | 'WRITE' | 'CLOSE';

function actionFor(tree: TreeInfo | undefined, kind: Kind): SmbAction {
  const t = tree?.share_type;
  if (t === 'PIPE') return `SMB::PIPE_${kind}`;
  if (t === 'PRINT') return `SMB::PRINT_${kind}`;
  return `SMB::FILE_${kind}`;
}

export class SmbPolicy {
  private readonly states = new WeakMap<ConnRef, SmbState>();
  /** the connection whose state was last asked for (most events in a row are of one connection) */
  private lastRef: ConnRef | undefined;
  private lastState: SmbState | undefined;
  private readonly o: SmbPolicyOptions;
  private readonly clear: boolean;

  constructor(o: SmbPolicyOptions) {
    this.o = o;
    this.clear = o.clearScriptState ?? true;
    this.install(o.bus);
  }

  /** The SMB state of a connection (created at its first SMB2 message). */
  stateOf(c: ConnRef): SmbState | undefined {
    return this.peek(c);
  }

  // ---- file analysis hooks (files.zeek)

  /** Zeek's get_file_handle for SMB: the current file's hosts, path, name and modification time. */
  fileHandle(c: ConnRef): string {
    return handleOf(c, this.peek(c)?.current_file);
  }

  /**
   * The handle the file data of a streamed WRITE request or READ response
   * will have once its events are handled (see FileManager.openStream).
   */
  prospectiveHandle(c: ConnRef, hdr: SMB2Header, writeFileId: SMB2GUID | undefined, discardPending: boolean): string {
    const st = this.peek(c);
    if (!st || discardPending) return '';
    if (writeFileId) return handleOf(c, this.resolve(st, hdr, writeFileId));
    return handleOf(c, st.pending_cmds.get(hdr.message_id)?.referenced_file);
  }

  overNewConnection(f: AnalyzedFile, fc: FileConn): void {
    const st = this.peek(fc.ref);
    const cur = st?.current_file;
    if (!st || !cur) return;
    cur.fuid = f.fuid;
    if (cur.size > 0n) f.totalBytes = Number(cur.size);
    if (cur.name !== undefined) f.filename = cur.name;
    this.writeFileLog(st, cur);
  }

  /** main.zeek's file_state_remove: the first connection's current file, logged again (usually deduplicated). */
  fileStateRemove(f: AnalyzedFile): void {
    const first = f.conns[0];
    if (!first) return;
    const st = this.peek(first.ref);
    if (st?.current_file) this.writeFileLog(st, st.current_file);
  }

  // ---- event handlers

  private install(bus: EventBus): void {
    bus.on('smb1_message', (c, hdr, isOrig) => this.message1(c, hdr, isOrig), 5);
    bus.on(
      'smb1_message',
      (c, hdr, isOrig) => {
        if (!isOrig) this.state(c).pending_cmds.delete(BigInt(hdr.mid));
      },
      -5,
    );
    bus.on('smb2_message', (c, hdr, isOrig) => this.message(c, hdr, isOrig), 5);
    bus.on('smb2_message', (c, hdr, isOrig) => this.messageDone(c, hdr, isOrig), -5);
    if (this.o.smbCmd) bus.on('smb2_message', (c, _hdr, isOrig) => this.logCmd(c, isOrig), -5);

    bus.on(
      'smb2_negotiate_request',
      (c, _hdr, dialects) => {
        const cmd = this.state(c).current_cmd;
        if (cmd) cmd.smb2_offered_dialects = dialects;
      },
      5,
    );
    bus.on(
      'smb2_negotiate_response',
      (c, _hdr, response) => {
        const cmd = this.state(c).current_cmd;
        if (cmd?.smb2_offered_dialects) {
          if (cmd.smb2_offered_dialects.includes(response.dialect_revision)) {
            cmd.argument = lookup(SMB2_DIALECTS, response.dialect_revision);
          }
          cmd.smb2_offered_dialects = undefined;
        }
      },
      5,
    );

    bus.on(
      'smb2_tree_connect_request',
      (c, _hdr, path) => {
        const tree = this.state(c).current_tree;
        if (tree) tree.path = path;
      },
      5,
    );
    bus.on(
      'smb2_tree_connect_response',
      (c, _hdr, response) => {
        const tree = this.state(c).current_tree;
        if (tree) tree.share_type = lookup(SMB2_SHARE_TYPES, response.share_type);
      },
      5,
    );
    bus.on(
      'smb2_tree_connect_response',
      (c) => {
        const tree = this.state(c).current_tree;
        if (tree) this.o.smbMapping?.write(mappingRow(tree));
      },
      -5,
    );
    bus.on(
      'smb2_tree_disconnect_request',
      (c, hdr) => {
        const st = this.state(c);
        if (st.tid_map.has(hdr.tree_id)) {
          st.tid_map.delete(hdr.tree_id);
          st.current_tree = undefined;
          if (st.current_cmd) st.current_cmd.referenced_tree = undefined;
        }
      },
      5,
    );

    bus.on(
      'smb_pipe_connect_heuristic',
      (c) => {
        const tree = this.state(c).current_tree;
        if (tree) {
          tree.path = '<unknown>';
          tree.share_type = 'PIPE';
        }
      },
      5,
    );

    bus.on(
      'smb2_create_request',
      (c, _hdr, request) => {
        const st = this.state(c);
        const cur = this.currentFile(st, c);
        if (cur) {
          cur.name = request.filename;
          cur.action = actionFor(st.current_tree, 'OPEN');
          cur.opened = { action: cur.action, name: cur.name, prev_name: cur.prev_name, path: cur.path };
        }
        if (st.current_cmd) st.current_cmd.smb2_create_options = request.create_options;
      },
      5,
    );
    bus.on(
      'smb2_create_response',
      (c, hdr, response) => {
        const st = this.state(c);
        const f = this.setCurrentFile(st, c, hdr, response.file_id, false);
        f.size = response.size;
        if (st.current_tree?.path !== undefined) f.path = st.current_tree.path;
        if (response.times.modified > 0) f.times = response.times;
        if (hdr.status === 0 && st.current_cmd && (st.current_cmd.smb2_create_options & FILE_DELETE_ON_CLOSE) !== 0) {
          this.o.bus.raise('smb2_file_delete', this.o.now(), c, hdr, response.file_id, true);
        }
      },
      5,
    );
    bus.on(
      'smb2_create_response',
      (c, _hdr, response) => {
        const st = this.state(c);
        const f = st.current_file;
        if (!f) return;
        // the row of the open itself, even when related operations of its chain came first
        const o = f.opened;
        const changed = o && (f.action !== o.action || f.name !== o.name);
        this.writeFileLog(st, changed ? { ...f, action: o.action, name: o.name, prev_name: o.prev_name } : f);
        // a related compound CLOSE already ended this handle
        if (f.closedInChain) st.fid_map?.delete(fileKey(response.file_id));
      },
      -5,
    );

    const access = (kind: 'READ' | 'WRITE') => (c: ConnRef, hdr: SMB2Header, fileId: SMB2GUID) => {
      const st = this.state(c);
      const f = this.setCurrentFile(st, c, hdr, fileId, true);
      f.action = actionFor(st.current_tree, kind);
    };
    bus.on('smb2_read_request', access('READ'), 5);
    bus.on('smb2_write_request', access('WRITE'), 5);
    bus.on('smb2_read_request', (c) => this.logCurrent(c), -5);
    bus.on('smb2_write_request', (c) => this.logCurrent(c), -5);

    bus.on(
      'smb2_file_sattr',
      (c, hdr, fileId) => {
        const st = this.state(c);
        this.setCurrentFile(st, c, hdr, fileId, true).action = 'SMB::FILE_SET_ATTRIBUTE';
      },
      5,
    );
    bus.on('smb2_file_sattr', (c) => this.logCurrent(c), -5);
    bus.on(
      'smb2_file_rename',
      (c, hdr, fileId, dst) => {
        const st = this.state(c);
        const f = this.setCurrentFile(st, c, hdr, fileId, true);
        if (f.name !== undefined) f.prev_name = f.name;
        f.name = dst;
        f.action = 'SMB::FILE_RENAME';
      },
      5,
    );
    bus.on('smb2_file_rename', (c) => this.logCurrent(c), -5);
    bus.on(
      'smb2_file_delete',
      (c, hdr, fileId, pending) => {
        const st = this.state(c);
        const f = this.setCurrentFile(st, c, hdr, fileId, true);
        if (pending) f.action = 'SMB::FILE_DELETE';
      },
      5,
    );
    bus.on('smb2_file_delete', (c) => this.logCurrent(c), -5);

    bus.on(
      'smb2_close_request',
      (c, hdr, fileId) => {
        const st = this.state(c);
        this.setCurrentFile(st, c, hdr, fileId, true).action = actionFor(st.current_tree, 'CLOSE');
      },
      5,
    );
    bus.on(
      'smb2_close_request',
      (c, hdr, fileId) => {
        const st = this.state(c);
        const f = st.current_file;
        if (!f) return;
        if (st.current_tree?.path !== undefined) f.path = st.current_tree.path;
        if (f.fid !== undefined) st.fid_map?.delete(f.fid);
        else if (isRelated(hdr, fileId)) f.closedInChain = true;
        this.writeFileLog(st, f);
      },
      -5,
    );

    bus.on('smb2_discarded_messages_state', (c, state) => {
      const st = this.peek(c);
      if (!st) return;
      this.o.weird(
        c,
        'SMB_discarded_messages_state',
        `state=${state} fid_map=${st.fid_map?.size ?? 0} tid_map=${st.tid_map.size} pending_cmds=${st.pending_cmds.size} pipe_map=${st.pipe_map?.size ?? 0}`,
        'SMB2',
      );
      if (this.clear) {
        st.pending_cmds.clear();
        st.fid_map = undefined;
      }
    });
  }

  private state(c: ConnRef): SmbState {
    if (c === this.lastRef) return this.lastState!;
    let st = this.states.get(c);
    if (!st) {
      st = {
        pending_cmds: new SmallMap(),
        tid_map: new SmallMap(),
      };
      this.states.set(c, st);
    }
    this.lastRef = c;
    this.lastState = st;
    return st;
  }

  /** The state of a connection if it has one (without making it). */
  private peek(c: ConnRef): SmbState | undefined {
    return c === this.lastRef ? this.lastState : this.states.get(c);
  }

  /** smb2_message at priority 5: the command record, the tree, the current file. */
  private message(c: ConnRef, hdr: SMB2Header, isOrig: boolean): void {
    const st = this.state(c);
    const now = this.o.now();
    const mid = hdr.message_id;
    let cmd = st.pending_cmds.get(mid);
    if (!cmd) {
      // Zeek gives every command record a new FileInfo; smbscope makes it when a handler first needs it
      // (most commands never do), with the same ts (see currentFile and setCurrentFile)
      cmd = newCmdInfo(c, now, lookup(SMB2_COMMANDS, hdr.command), 'SMB2', undefined, undefined, hdr.session_id);
      st.pending_cmds.set(mid, cmd);
    }
    st.current_cmd = cmd;
    const tid = hdr.tree_id;
    if (tid > 0) {
      if (!st.tid_map.has(tid)) this.limitTrees(c, st);
      if (cmd.referenced_tree) st.tid_map.set(tid, cmd.referenced_tree);
      else if (!st.tid_map.has(tid)) st.tid_map.set(tid, newTreeInfo(c, now));
      cmd.referenced_tree = st.tid_map.get(tid);
    } else {
      cmd.referenced_tree = newTreeInfo(c, now);
    }
    st.current_file = cmd.referenced_file;
    st.current_tree = cmd.referenced_tree;
    if (!isOrig) {
      cmd.rtt = now - cmd.ts;
      cmd.status = lookup(SMB_STATUSES, hdr.status);
    }
  }

  /**
   * smb1_message at priority 5 (smb1-main.zeek): the tree of the message's
   * tid and the command record of its mid. The SMB1 NEGOTIATE that SMB2
   * clients open with leaves a "NEGOTIATE" command under mid 0, which the
   * server's SMB2 NEGOTIATE response (message id 0) then answers.
   */
  private message1(c: ConnRef, hdr: SMB1Header, isOrig: boolean): void {
    const st = this.state(c);
    const now = this.o.now();
    if (!st.tid_map.has(hdr.tid)) {
      this.limitTrees(c, st);
      st.tid_map.set(hdr.tid, newTreeInfo(c, now));
    }
    st.current_tree = st.tid_map.get(hdr.tid);
    const mid = BigInt(hdr.mid);
    let cmd = st.pending_cmds.get(mid);
    if (!cmd) {
      cmd = newCmdInfo(c, now, lookup(SMB1_COMMANDS, hdr.command), 'SMB1', undefined, st.current_tree, undefined);
      st.pending_cmds.set(mid, cmd);
    }
    st.current_cmd = cmd;
    st.current_file = cmd.referenced_file;
    if (!isOrig) {
      cmd.rtt = now - cmd.ts;
      cmd.status = lookup(SMB_STATUSES, hdr.status);
    }
  }

  /** smb2_message at priority -5: a final response ends its command. */
  private messageDone(c: ConnRef, hdr: SMB2Header, isOrig: boolean): void {
    if (isOrig || hdr.status === STATUS_PENDING) return;
    this.state(c).pending_cmds.delete(hdr.message_id);
  }

  /** log-cmds: smb_cmd.log, one row per final response. */
  private logCmd(c: ConnRef, isOrig: boolean): void {
    if (isOrig) return;
    const cmd = this.peek(c)?.current_cmd;
    if (!cmd || cmd.status === 'PENDING') return;
    if (cmd.status !== undefined && IGNORED_COMMAND_STATUSES.has(cmd.status)) return;
    if (DEFERRED_LOGGING_CMDS.has(cmd.command)) return;
    // Zeek fills `username` for SMB1 only; smbscope names the SMB2 session's NTLM user
    if (cmd.username === undefined && cmd.session_id !== undefined) cmd.username = this.o.userOf?.(c, cmd.session_id);
    const f = cmd.referenced_file;
    // a command no handler gave a file shows the empty record Zeek would have made with it; a CREATE's
    // row shows the file as its request left it, whatever related operations did since
    const o = f?.opened;
    const row = !f
      ? { ...cmd, referenced_file: newFileInfo(c, cmd.ts) }
      : o && cmd.command === 'CREATE' && f.fid === undefined
        ? { ...cmd, referenced_file: { ...f, ...o } }
        : cmd;
    this.o.smbCmd!.write(cmdRow(row));
  }

  /**
   * The current file, made for the current command if it has none yet: the
   * record Zeek made with the command (same ts, uid and id).
   */
  private currentFile(st: SmbState, c: ConnRef): FileInfo | undefined {
    if (st.current_file) return st.current_file;
    const cmd = st.current_cmd;
    if (!cmd) return undefined;
    cmd.referenced_file ??= newFileInfo(c, cmd.ts);
    st.current_file = cmd.referenced_file;
    return st.current_file;
  }

  /** The FileInfo a file id names: the chain's file for a related operation, else fid_map. */
  private resolve(st: SmbState, hdr: SMB2Header, fileId: SMB2GUID): FileInfo | undefined {
    return (isRelated(hdr, fileId) ? this.chainFile(st, hdr) : undefined) ?? st.fid_map?.get(fileKey(fileId));
  }

  /**
   * The file of a related operation: the file of the first message of its
   * chain that named a file itself (a CREATE, or an operation with a real
   * file id), found by walking back through the related messages.
   */
  private chainFile(st: SmbState, hdr: SMB2Header): FileInfo | undefined {
    let found: FileInfo | undefined;
    for (let p = this.o.chainPrevious(hdr), n = 0; p && n < 1024; p = this.o.chainPrevious(p), n++) {
      const f = st.pending_cmds.get(p.message_id)?.referenced_file;
      if (f && (f.name !== undefined || f.fid !== undefined)) found = f;
      if ((p.flags & SMB2_FLAGS_RELATED_OPERATIONS) === 0) break;
    }
    return found;
  }

  /** main.zeek's set_current_file (keyed by the whole file id; related operations resolved). */
  private setCurrentFile(st: SmbState, c: ConnRef, hdr: SMB2Header, fileId: SMB2GUID, related: boolean): FileInfo {
    const cmd = st.current_cmd ?? newCmdInfo(c, this.o.now(), 'unknown', 'SMB2', undefined, undefined, undefined);
    let f = related && isRelated(hdr, fileId) ? this.chainFile(st, hdr) : undefined;
    if (!f) {
      const key: FileKey = fileKey(fileId);
      f = st.fid_map?.get(key);
      if (!f) {
        f = cmd.referenced_file ?? newFileInfo(c, cmd.ts);
        f.fid = key;
        this.limitFiles(c, st);
        st.fid_map ??= new Map();
        st.fid_map.set(key, f);
      }
    }
    cmd.referenced_file = f;
    st.current_file = f;
    return f;
  }

  /** Keeps fid_map within maxOpenFiles: the least recently added entry goes, with a weird. */
  private limitFiles(c: ConnRef, st: SmbState): void {
    const max = this.o.maxOpenFiles ?? 10_000;
    const fids = st.fid_map;
    if (!fids || fids.size < max) return;
    this.o.weird(c, 'SMB_too_many_open_files', `more than ${max} open files`, 'SMB2');
    fids.delete(fids.keys().next().value!);
  }

  private limitTrees(c: ConnRef, st: SmbState): void {
    const max = this.o.maxTrees ?? 1_000;
    if (st.tid_map.size < max) return;
    this.o.weird(c, 'SMB_too_many_trees', `more than ${max} trees`, 'SMB2');
    st.tid_map.delete(st.tid_map.firstKey()!);
  }

  private logCurrent(c: ConnRef): void {
    const st = this.state(c);
    if (st.current_file) this.writeFileLog(st, st.current_file);
  }

  /** main.zeek's write_file_log with its recent_files de-duplication. */
  private writeFileLog(st: SmbState, f: FileInfo): void {
    const log = this.o.smbFiles;
    if (!log || f.name === undefined || f.action === undefined || !this.o.loggedFileActions.has(f.action)) return;
    if (f.times) {
      const now = this.o.now();
      const t = f.times;
      // the row's whole identity, kept as a 128-bit keyed digest: a bulk copy puts tens of thousands of
      // identities in the set for minutes
      identityDigest(f.action, f.fuid ?? '', f.size, t, f.name, f.path);
      st.recent_files ??= new RecentDigests(RECENT_FILES_MAX);
      const recent = st.recent_files;
      // entries are kept in order of their last lookup: expired ones are at the front
      for (let oldest = recent.oldestTime(); oldest !== undefined; oldest = recent.oldestTime()) {
        if (now - oldest <= RECENT_FILES_EXPIRY && recent.size < RECENT_FILES_MAX) break;
        recent.dropOldest();
      }
      // the lookup time in whole seconds (what the expiry above compares with now)
      if (recent.touch(d0, d1, d2, d3, Math.floor(now)) !== undefined) return;
    }
    log.write(fileRow(f));
  }
}

function isRelated(hdr: SMB2Header, fileId: SMB2GUID): boolean {
  return (hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS) !== 0 && isRelatedFileId(fileId);
}

/** files.zeek's handle: hosts, path, name and the raw modification time of the current file. */
function handleOf(c: ConnRef, f: FileInfo | undefined): string {
  if (!f || (f.name === undefined && f.path === undefined)) return '';
  const raw = f.times?.modified_raw ?? 0n;
  // the same text object as long as its parts are unchanged: the file manager's map then finds it by
  // identity, without hashing and comparing the text again
  const m = f.handle;
  if (m && m.conn === c && m.path === f.path && m.name === f.name && m.raw === raw) return m.text;
  const text = `SMB\u0000${c.id.orig_h}\u0000${c.id.resp_h}\u0000${f.path ?? ''}\u0000${f.name ?? ''}\u0000${raw}`;
  f.handle = { conn: c, path: f.path, name: f.name, raw, text };
  return text;
}

function fileRow(f: FileInfo): (string | number | bigint | boolean | undefined)[] {
  return [
    f.ts,
    f.uid,
    f.id.orig_h,
    f.id.orig_p,
    f.id.resp_h,
    f.id.resp_p,
    f.fuid,
    f.action,
    f.path,
    f.name,
    f.size,
    f.prev_name,
    f.times?.modified,
    f.times?.accessed,
    f.times?.created,
    f.times?.changed,
  ];
}

function mappingRow(t: TreeInfo): (string | number | undefined)[] {
  return [
    t.ts,
    t.uid,
    t.id.orig_h,
    t.id.orig_p,
    t.id.resp_h,
    t.id.resp_p,
    t.path,
    t.service,
    t.native_file_system,
    t.share_type,
  ];
}

function cmdRow(c: CmdInfo): (string | number | bigint | undefined)[] {
  const f = c.referenced_file;
  return [
    c.ts,
    c.uid,
    c.id.orig_h,
    c.id.orig_p,
    c.id.resp_h,
    c.id.resp_p,
    c.command,
    c.sub_command,
    c.argument,
    c.status,
    c.rtt,
    c.version,
    c.username,
    c.tree,
    c.tree_service,
    f?.ts,
    f?.uid,
    f?.id.orig_h,
    f?.id.orig_p,
    f?.id.resp_h,
    f?.id.resp_p,
    f?.fuid,
    f?.action,
    f?.path,
    f?.name,
    f?.size,
    f?.prev_name,
    f?.times?.modified,
    f?.times?.accessed,
    f?.times?.created,
    f?.times?.changed,
  ];
}

/** Per-run secret starting states of the identity digest (a capture cannot be made to collide it). */
const DIGEST_SEEDS = (() => {
  const seeds = new Uint32Array([0xdeadbeef, 0x41c6ce57, 0x9e3779b9, 0x85ebca6b]);
  globalThis.crypto?.getRandomValues?.(seeds);
  return seeds;
})();

/**
 * A 128-bit digest of a recent_files identity (action, file id, size, the
 * four raw times, name, path), left in d0..d3: four independently seeded
 * 32-bit multiply-xor lanes fed field by field (each text preceded by its
 * length, an absent path by a marker no length can take, each count as its
 * two 32-bit halves: no two identities feed the same sequence), each lane
 * finished with an avalanche. It holds an identity in 16 bytes instead of
 * about 200; with the seeds secret, two identities of a capture share a
 * digest with odds far below those of two random UUIDs colliding. (Fed
 * directly: building the identity's text first cost twice as much.)
 */
function identityDigest(
  action: string,
  fuid: string,
  size: bigint,
  t: MACTimes,
  name: string,
  path: string | undefined,
): void {
  l0 = DIGEST_SEEDS[0]!;
  l1 = DIGEST_SEEDS[1]!;
  l2 = DIGEST_SEEDS[2]!;
  l3 = DIGEST_SEEDS[3]!;
  feedText(action);
  feedText(fuid);
  feedU64(size);
  feedU64(t.modified_raw);
  feedU64(t.accessed_raw);
  feedU64(t.created_raw);
  feedU64(t.changed_raw);
  feedText(name);
  feedText(path);
  d0 = fmix(l0) | 0;
  d1 = fmix(l1 ^ d0) | 0;
  d2 = fmix(l2 ^ d1) | 0;
  d3 = fmix(l3 ^ d2) | 0;
}

// the digest of the last identity fed (its four 32-bit words)
let d0 = 0;
let d1 = 0;
let d2 = 0;
let d3 = 0;

// the digest's four lanes while an identity is fed
let l0 = 0;
let l1 = 0;
let l2 = 0;
let l3 = 0;

/**
 * A text's length (at most 2^31), or for an absent text a marker no length
 * can take, then its UTF-16 code units.
 */
function feedText(s: string | undefined): void {
  feed(s === undefined ? 0xffffffff : s.length, s, -1);
}

const u64View = new DataView(new ArrayBuffer(8));

/** A 64-bit count as its two 32-bit halves (a fixed width: no length needed). */
function feedU64(v: bigint): void {
  u64View.setBigUint64(0, v, true);
  feed(u64View.getUint32(0, true), undefined, u64View.getUint32(4, true));
}

/** Mixes `first`, the code units of `s`, then `last` unless it is -1, into the four lanes. */
function feed(first: number, s: string | undefined, last: number): void {
  const n = s?.length ?? 0;
  let h0 = l0;
  let h1 = l1;
  let h2 = l2;
  let h3 = l3;
  for (let i = -1; i <= n; i++) {
    const c = i < 0 ? first : i < n ? s!.charCodeAt(i) : last;
    if (c < 0) break;
    h0 = Math.imul(h0 ^ c, 0x9e3779b1);
    h1 = Math.imul(h1 ^ c, 0x85ebca77);
    h2 = Math.imul(h2 ^ c, 0xc2b2ae3d);
    h3 = Math.imul(h3 ^ c, 0x27d4eb2f);
  }
  l0 = h0;
  l1 = h1;
  l2 = h2;
  l3 = h3;
}

/** 32-bit avalanche finaliser. */
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
