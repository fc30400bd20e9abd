/**
 * The SMB scripts' records (Zeek's SMB::FileInfo, SMB::TreeInfo,
 * SMB::CmdInfo, SMB::State) with Zeek's field names. Like Zeek's records
 * they are shared by reference: a FileInfo in `fid_map` is usually also the
 * current command's `referenced_file` and the state's `current_file`.
 */

import type { ConnId, ConnRef } from '../events/catalogue.js';
import type { SmallMap } from '../small-map.js';
import type { MACTimes } from '../smb/smb2/types.js';
import type { RecentDigests } from './recent.js';

export type SmbAction =
  | 'SMB::FILE_READ'
  | 'SMB::FILE_WRITE'
  | 'SMB::FILE_OPEN'
  | 'SMB::FILE_CLOSE'
  | 'SMB::FILE_DELETE'
  | 'SMB::FILE_RENAME'
  | 'SMB::FILE_SET_ATTRIBUTE'
  | 'SMB::PIPE_READ'
  | 'SMB::PIPE_WRITE'
  | 'SMB::PIPE_OPEN'
  | 'SMB::PIPE_CLOSE'
  | 'SMB::PRINT_READ'
  | 'SMB::PRINT_WRITE'
  | 'SMB::PRINT_OPEN'
  | 'SMB::PRINT_CLOSE';

/** A file id as one key: persistent and volatile together (Zeek uses their sum). */
export type FileKey = bigint;

export function fileKey(id: { persistent: bigint; volatile: bigint }): FileKey {
  return (id.persistent << 64n) | id.volatile;
}

export interface FileInfo {
  ts: number;
  uid: string;
  id: ConnId;
  fuid?: string | undefined;
  action?: SmbAction | undefined;
  path?: string | undefined;
  name?: string | undefined;
  size: bigint;
  prev_name?: string | undefined;
  times?: MACTimes | undefined;
  fid?: FileKey | undefined;
  /** smbscope: closed by a related compound CLOSE before its CREATE response gave the id */
  closedInChain?: boolean | undefined;
  /**
   * smbscope: the record as its CREATE request left it; related operations
   * of the chain may change the record before the CREATE's response, whose
   * rows still describe the open.
   */
  opened?:
    | {
        action: SmbAction | undefined;
        name: string | undefined;
        prev_name: string | undefined;
        path: string | undefined;
      }
    | undefined;
  /** smbscope: the file-analysis handle last made for the record, with the parts it was made of */
  handle?: FileHandleMemo | undefined;
}

export interface FileHandleMemo {
  conn: ConnRef;
  path: string | undefined;
  name: string | undefined;
  raw: bigint;
  text: string;
}

export interface TreeInfo {
  ts: number;
  uid: string;
  id: ConnId;
  path?: string | undefined;
  service?: string | undefined;
  native_file_system?: string | undefined;
  share_type: string;
}

export interface CmdInfo {
  ts: number;
  uid: string;
  id: ConnId;
  command: string;
  sub_command?: string | undefined;
  argument?: string | undefined;
  status?: string | undefined;
  rtt?: number | undefined;
  version: string;
  username?: string | undefined;
  tree?: string | undefined;
  tree_service?: string | undefined;
  referenced_file?: FileInfo | undefined;
  referenced_tree?: TreeInfo | undefined;
  smb2_offered_dialects?: number[] | undefined;
  smb2_create_options: number;
  /** smbscope: the SMB2 session of the command (for `username`) */
  session_id?: bigint | undefined;
}

export interface SmbState {
  current_cmd?: CmdInfo | undefined;
  current_file?: FileInfo | undefined;
  current_tree?: TreeInfo | undefined;
  /** keyed by MessageId; added by every new message id, removed by its final response */
  pending_cmds: SmallMap<bigint, CmdInfo>;
  /** keyed by the whole file id; added by creates and by any command naming an unknown id, removed by close (made when first needed) */
  fid_map?: Map<FileKey, FileInfo> | undefined;
  /** keyed by tree id; added by messages on a new tree id, removed by tree disconnect */
  tid_map: SmallMap<number, TreeInfo>;
  /** DCE-RPC pipe names (unused for SMB2 without DCE-RPC: never made; 0 in the discard weird's counts) */
  pipe_map?: Map<bigint, string> | undefined;
  /** smb_files.log de-duplication: a row's identity -> network time of its last lookup (made when first needed) */
  recent_files?: RecentDigests | undefined;
}

// The constructors below give every field from the start, so that all records of a kind share one
// shape and fields set later (a CREATE's name, a response's status) need no reallocation.

export function newFileInfo(c: ConnRef, ts: number): FileInfo {
  return {
    ts,
    uid: c.uid,
    id: c.id,
    fuid: undefined,
    action: undefined,
    path: undefined,
    name: undefined,
    size: 0n,
    prev_name: undefined,
    times: undefined,
    fid: undefined,
    closedInChain: undefined,
    opened: undefined,
    handle: undefined,
  };
}

export function newCmdInfo(
  c: ConnRef,
  ts: number,
  command: string,
  version: string,
  referenced_file: FileInfo | undefined,
  referenced_tree: TreeInfo | undefined,
  session_id: bigint | undefined,
): CmdInfo {
  return {
    ts,
    uid: c.uid,
    id: c.id,
    command,
    sub_command: undefined,
    argument: undefined,
    status: undefined,
    rtt: undefined,
    version,
    username: undefined,
    tree: undefined,
    tree_service: undefined,
    referenced_file,
    referenced_tree,
    smb2_offered_dialects: undefined,
    smb2_create_options: 0,
    session_id,
  };
}

export function newTreeInfo(c: ConnRef, ts: number): TreeInfo {
  return { ts, uid: c.uid, id: c.id, share_type: 'DISK' };
}
