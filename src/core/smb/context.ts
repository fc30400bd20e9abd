/**
 * What an SMB connection analyzer needs from the engine: the event bus, the
 * network time, weird reporting, and its limits.
 */

import type { EventBus } from '../events/bus.js';
import type { ConnRef } from '../events/catalogue.js';

export interface SmbLimits {
  /** largest SMB message buffered whole (bulk READ/WRITE data is streamed) */
  maxMessage: number;
  /** most messages followed in one compound chain */
  maxChain: number;
}

export const DEFAULT_SMB_LIMITS: SmbLimits = { maxMessage: 16 * 1024 * 1024, maxChain: 512 };

export interface SmbContext {
  readonly bus: EventBus;
  readonly limits: SmbLimits;
  /** network time of the packet being processed */
  now(): number;
  /** reports a weird on connection `c` (Zeek's Reporter::conn_weird) */
  weird(c: ConnRef, name: string, addl?: string, source?: string): void;
}
