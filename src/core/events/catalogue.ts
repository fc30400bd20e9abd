/**
 * The event catalogue: every event smbscope raises, with Zeek's name and
 * Zeek's parameters (names and types), so handlers are checked by the
 * compiler:
 *
 *   analyzer.on('smb2_close_response', (c, hdr, response) => { ... });
 *
 * A connection event has a parameter `c` (Zeek's `connection`, reduced to
 * its uid and id). `EVENT_PARAMS` lists every parameter name in order, as
 * the `--events` stream writes them (`c` becomes the top-level uid and id).
 * Types follow ../shared/zeek-smb/events.json and types.json.
 */

import type { SMB1Header } from '../smb/smb1/header.js';
import type { CloseResponse } from '../smb/smb2/commands/close.js';
import type { CreateRequest, CreateResponse } from '../smb/smb2/commands/create.js';
import type { NegotiateResponse } from '../smb/smb2/commands/negotiate.js';
import type { SessionSetupRequest, SessionSetupResponse } from '../smb/smb2/commands/session-setup.js';
import type { FileEA, Fscontrol } from '../smb/smb2/commands/set-info.js';
import type { TreeConnectResponse } from '../smb/smb2/commands/tree-connect.js';
import type { SMB2TransformHeader } from '../smb/smb2/transform.js';
import type { FileAttrs, MACTimes, SMB2GUID, SMB2Header } from '../smb/smb2/types.js';

/** Zeek's conn_id (without proto and ctx). */
export interface ConnId {
  orig_h: string;
  orig_p: number;
  resp_h: string;
  resp_p: number;
}

/** The `c` argument of connection events. */
export interface ConnRef {
  uid: string;
  id: ConnId;
}

export interface EventMap {
  smb1_message: [c: ConnRef, hdr: SMB1Header, is_orig: boolean];
  smb1_negotiate_request: [c: ConnRef, hdr: SMB1Header, dialects: string[]];
  smb2_message: [c: ConnRef, hdr: SMB2Header, is_orig: boolean];
  smb2_negotiate_request: [c: ConnRef, hdr: SMB2Header, dialects: number[]];
  smb2_negotiate_response: [c: ConnRef, hdr: SMB2Header, response: NegotiateResponse];
  smb2_session_setup_request: [c: ConnRef, hdr: SMB2Header, request: SessionSetupRequest];
  smb2_session_setup_response: [c: ConnRef, hdr: SMB2Header, response: SessionSetupResponse];
  smb2_tree_connect_request: [c: ConnRef, hdr: SMB2Header, path: string];
  smb2_tree_connect_response: [c: ConnRef, hdr: SMB2Header, response: TreeConnectResponse];
  smb2_tree_disconnect_request: [c: ConnRef, hdr: SMB2Header];
  smb2_tree_disconnect_response: [c: ConnRef, hdr: SMB2Header];
  smb2_create_request: [c: ConnRef, hdr: SMB2Header, request: CreateRequest];
  smb2_create_response: [c: ConnRef, hdr: SMB2Header, response: CreateResponse];
  smb2_read_request: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, offset: bigint, length: number];
  smb2_write_request: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, offset: bigint, length: number];
  smb2_write_response: [c: ConnRef, hdr: SMB2Header, length: number];
  smb2_close_request: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID];
  smb2_close_response: [c: ConnRef, hdr: SMB2Header, response: CloseResponse];
  smb2_file_rename: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, dst_filename: string];
  smb2_file_delete: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, delete_pending: boolean];
  smb2_file_sattr: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, times: MACTimes, attrs: FileAttrs];
  smb2_file_allocation: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, alloc_size: bigint];
  smb2_file_endoffile: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, end_of_file: bigint];
  smb2_file_mode: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, mode: number];
  smb2_file_pipe: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, read_mode: number, completion_mode: number];
  smb2_file_position: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, current_byte_offset: bigint];
  smb2_file_shortname: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, file_name: string];
  smb2_file_validdatalength: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, valid_data_length: bigint];
  smb2_file_fullea: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, file_eas: FileEA[]];
  smb2_file_link: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, root_directory: bigint, file_name: string];
  smb2_file_fscontrol: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID, fs_control: Fscontrol];
  smb2_file_fsobjectid: [
    c: ConnRef,
    hdr: SMB2Header,
    file_id: SMB2GUID,
    object_id: SMB2GUID,
    extended_info: Uint8Array,
  ];
  smb2_transform_header: [c: ConnRef, hdr: SMB2TransformHeader];
  smb2_discarded_messages_state: [c: ConnRef, state: string];
  smb_pipe_connect_heuristic: [c: ConnRef];
  /** A weird tied to a connection (Zeek's conn_weird). */
  conn_weird: [name: string, c: ConnRef, addl: string, source: string];
  /** A weird without a connection (Zeek's net_weird). */
  net_weird: [name: string, addl: string, source: string];
}

export type EventName = keyof EventMap;

type Names<T extends unknown[]> = { [I in keyof T]: string };

/** Every event's parameter names, in Zeek's order (one name per element of its EventMap tuple). */
export const EVENT_PARAMS: { [K in EventName]: Names<EventMap[K]> } = {
  smb1_message: ['c', 'hdr', 'is_orig'],
  smb1_negotiate_request: ['c', 'hdr', 'dialects'],
  smb2_message: ['c', 'hdr', 'is_orig'],
  smb2_negotiate_request: ['c', 'hdr', 'dialects'],
  smb2_negotiate_response: ['c', 'hdr', 'response'],
  smb2_session_setup_request: ['c', 'hdr', 'request'],
  smb2_session_setup_response: ['c', 'hdr', 'response'],
  smb2_tree_connect_request: ['c', 'hdr', 'path'],
  smb2_tree_connect_response: ['c', 'hdr', 'response'],
  smb2_tree_disconnect_request: ['c', 'hdr'],
  smb2_tree_disconnect_response: ['c', 'hdr'],
  smb2_create_request: ['c', 'hdr', 'request'],
  smb2_create_response: ['c', 'hdr', 'response'],
  smb2_read_request: ['c', 'hdr', 'file_id', 'offset', 'length'],
  smb2_write_request: ['c', 'hdr', 'file_id', 'offset', 'length'],
  smb2_write_response: ['c', 'hdr', 'length'],
  smb2_close_request: ['c', 'hdr', 'file_id'],
  smb2_close_response: ['c', 'hdr', 'response'],
  smb2_file_rename: ['c', 'hdr', 'file_id', 'dst_filename'],
  smb2_file_delete: ['c', 'hdr', 'file_id', 'delete_pending'],
  smb2_file_sattr: ['c', 'hdr', 'file_id', 'times', 'attrs'],
  smb2_file_allocation: ['c', 'hdr', 'file_id', 'alloc_size'],
  smb2_file_endoffile: ['c', 'hdr', 'file_id', 'end_of_file'],
  smb2_file_mode: ['c', 'hdr', 'file_id', 'mode'],
  smb2_file_pipe: ['c', 'hdr', 'file_id', 'read_mode', 'completion_mode'],
  smb2_file_position: ['c', 'hdr', 'file_id', 'current_byte_offset'],
  smb2_file_shortname: ['c', 'hdr', 'file_id', 'file_name'],
  smb2_file_validdatalength: ['c', 'hdr', 'file_id', 'valid_data_length'],
  smb2_file_fullea: ['c', 'hdr', 'file_id', 'file_eas'],
  smb2_file_link: ['c', 'hdr', 'file_id', 'root_directory', 'file_name'],
  smb2_file_fscontrol: ['c', 'hdr', 'file_id', 'fs_control'],
  smb2_file_fsobjectid: ['c', 'hdr', 'file_id', 'object_id', 'extended_info'],
  smb2_transform_header: ['c', 'hdr'],
  smb2_discarded_messages_state: ['c', 'state'],
  smb_pipe_connect_heuristic: ['c'],
  conn_weird: ['name', 'c', 'addl', 'source'],
  net_weird: ['name', 'addl', 'source'],
};
