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
 */

import type { CloseResponse } from '../smb/smb2/commands/close.js';
import type { SMB2TransformHeader } from '../smb/smb2/transform.js';
import type { SMB2GUID, SMB2Header } from '../smb/smb2/types.js';

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
  smb2_message: [c: ConnRef, hdr: SMB2Header, is_orig: boolean];
  smb2_close_request: [c: ConnRef, hdr: SMB2Header, file_id: SMB2GUID];
  smb2_close_response: [c: ConnRef, hdr: SMB2Header, response: CloseResponse];
  smb2_transform_header: [c: ConnRef, hdr: SMB2TransformHeader];
  /** A weird tied to a connection (Zeek's conn_weird). */
  conn_weird: [name: string, c: ConnRef, addl: string, source: string];
  /** A weird without a connection (Zeek's net_weird). */
  net_weird: [name: string, addl: string, source: string];
}

export type EventName = keyof EventMap;

type Names<T extends unknown[]> = { [I in keyof T]: string };

/** Every event's parameter names, in Zeek's order (one name per element of its EventMap tuple). */
export const EVENT_PARAMS: { [K in EventName]: Names<EventMap[K]> } = {
  smb2_message: ['c', 'hdr', 'is_orig'],
  smb2_close_request: ['c', 'hdr', 'file_id'],
  smb2_close_response: ['c', 'hdr', 'response'],
  smb2_transform_header: ['c', 'hdr'],
  conn_weird: ['name', 'c', 'addl', 'source'],
  net_weird: ['name', 'addl', 'source'],
};
