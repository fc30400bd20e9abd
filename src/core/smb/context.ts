/**
 * What an SMB connection analyzer needs from the engine: the event bus, the
 * network time, weird reporting, file analysis, and its limits.
 */

import type { ByteBudget } from '../budget.js';
import type { EventBus } from '../events/bus.js';
import type { ConnRef } from '../events/catalogue.js';
import type { SMB2GUID, SMB2Header } from './smb2/types.js';

export interface SmbLimits {
  /** largest SMB message buffered whole (bulk READ/WRITE data is streamed) */
  maxMessage: number;
  /** most messages followed in one compound chain */
  maxChain: number;
  /** Zeek's SMB::max_pending_messages: bound of the per-connection request maps (0 = none) */
  maxPendingMessages: number;
  /** files tracked as open per connection (the oldest is forgotten beyond it) */
  maxOpenFiles: number;
  /** trees (share connections) tracked per connection */
  maxTrees: number;
  /**
   * What a gap (missing bytes) does: 'zeek' resynchronises both directions
   * exactly as Zeek does (wait for a delivery starting with an SMB header,
   * Zeek's lost first chunk included); 'precise' continues at the next
   * message boundary when the gap lies inside a message of known length.
   */
  gapRecovery: 'zeek' | 'precise';
  /** the run's shared bound of buffered bytes (set by the engine) */
  budget?: ByteBudget | undefined;
}

export const DEFAULT_SMB_LIMITS: SmbLimits = {
  maxMessage: 16 * 1024 * 1024,
  maxChain: 512,
  maxPendingMessages: 1000,
  maxOpenFiles: 10_000,
  maxTrees: 1_000,
  gapRecovery: 'zeek',
};

/** A streamed delivery of file data (see FileManager.openStream). */
export interface SmbFileStream {
  readonly handle: string;
}

/** File analysis as the SMB analyzer sees it (Zeek's file_mgr calls). */
export interface SmbFiles {
  dataIn(c: ConnRef, isOrig: boolean, buf: Uint8Array, off: number, len: number, offset: number): void;
  endOfFile(c: ConnRef, isOrig: boolean): void;
  /**
   * Starts a streamed delivery for the message whose header and fixed part
   * were just read: a WRITE request (its file id) or a READ response.
   */
  openStream(
    c: ConnRef,
    hdr: SMB2Header,
    writeFileId: SMB2GUID | undefined,
    discardPending: boolean,
    offset: number,
  ): SmbFileStream;
  streamData(s: SmbFileStream, buf: Uint8Array, off: number, len: number): void;
  /** `len` bytes of the streamed data were not seen */
  streamGap(s: SmbFileStream, len: number): void;
  commitStream(s: SmbFileStream, c: ConnRef, isOrig: boolean): void;
}

export interface SmbContext {
  readonly bus: EventBus;
  readonly limits: SmbLimits;
  /** file analysis, when files are analyzed */
  readonly files: SmbFiles | undefined;
  /** previous message of each compound chain member (shared with the policy) */
  readonly chainLinks: WeakMap<SMB2Header, SMB2Header>;
  /** network time of the packet being processed */
  now(): number;
  /** reports a weird on connection `c` (Zeek's Reporter::conn_weird) */
  weird(c: ConnRef, name: string, addl?: string, source?: string): void;
  /** security blobs of NEGOTIATE and SESSION_SETUP, for GSSAPI/NTLM */
  securityBlob?(c: ConnRef, hdr: SMB2Header, isOrig: boolean, blob: Uint8Array): void;
}
