/**
 * Zeek's weird framework (base/frameworks/notice/weird.zeek) in front of
 * weird.log: per-name actions (ignore, log, once per connection, once per
 * originator, once ever) and the suppression of a repeated name on the same
 * connection for ten minutes.
 */

import type { ConnRef } from '../events/catalogue.js';
import { connWeirdRecord, netWeirdRecord } from '../logs/weird.js';
import type { LogWriter } from '../logs/writer.js';

const Action = { Ignore: 0, Log: 1, PerConn: 2, PerOrig: 3, Once: 4 } as const;
type Action = (typeof Action)[keyof typeof Action];

/** Weird::actions entries that matter for the weirds smbscope can raise. */
const ACTIONS: ReadonlyMap<string, Action> = new Map([
  ['spontaneous_FIN', Action.Ignore],
  ['spontaneous_RST', Action.Ignore],
  ['unsolicited_SYN_response', Action.Ignore],
  ['FIN_after_reset', Action.Ignore],
  ['bad_TCP_checksum', Action.PerOrig],
  ['bad_IP_checksum', Action.PerOrig],
  ['bad_UDP_checksum', Action.PerOrig],
  ['SYN_with_data', Action.PerOrig],
  ['excessively_small_fragment', Action.PerOrig],
  ['fragment_inconsistency', Action.PerOrig],
  ['fragment_overlap', Action.PerOrig],
  ['fragment_size_inconsistency', Action.PerOrig],
  ['simultaneous_open', Action.PerConn],
  ['possible_split_routing', Action.PerConn],
]);

/** Names never suppressed by the ten-minute rule. */
const NOT_SUPPRESSED = new Set(['bad_IP_checksum', 'bad_TCP_checksum', 'bad_UDP_checksum', 'bad_ICMP_checksum']);
const SUPPRESS_FOR = 600;
/** Bound on the suppression tables (oldest entries go first). */
const MAX_ENTRIES = 100_000;

export class WeirdPolicy {
  /** weirds raised, from every source (before Zeek's per-connection and time suppression) */
  raised = 0;
  private readonly recent = new Map<string, number>();
  private readonly done = new Set<string>();

  constructor(
    private readonly log: LogWriter | undefined,
    private readonly now: () => number,
  ) {}

  conn(name: string, c: ConnRef, addl: string, source: string): void {
    this.raised++;
    const id = `${c.id.orig_h}|${c.id.orig_p}|${c.id.resp_h}|${c.id.resp_p}`;
    if (!this.admit(name, id, c.uid, c.id.orig_h)) return;
    this.log?.write(connWeirdRecord(this.now(), name, c, addl, source));
  }

  net(name: string, addl: string, source: string): void {
    this.raised++;
    if (!this.admit(name, '', '', '')) return;
    this.log?.write(netWeirdRecord(this.now(), name, addl, source));
  }

  private admit(name: string, identifier: string, uid: string, orig: string): boolean {
    const action = ACTIONS.get(name) ?? Action.Log;
    if (action === Action.Ignore) return false;
    const onceKey =
      action === Action.PerConn
        ? `c|${uid}|${name}`
        : action === Action.PerOrig
          ? `o|${orig}|${name}`
          : action === Action.Once
            ? `1|${name}`
            : undefined;
    if (onceKey !== undefined) {
      if (this.done.has(onceKey)) return false;
      this.remember(this.done, onceKey);
    }
    if (!NOT_SUPPRESSED.has(name)) {
      const key = `${identifier}|${name}`;
      const last = this.recent.get(key);
      const now = this.now();
      if (last !== undefined && now - last < SUPPRESS_FOR) return false;
      this.recent.delete(key);
      this.recent.set(key, now);
      if (this.recent.size > MAX_ENTRIES) this.recent.delete(this.recent.keys().next().value!);
    }
    return true;
  }

  private remember(set: Set<string>, key: string): void {
    set.add(key);
    if (set.size > MAX_ENTRIES) set.delete(set.values().next().value!);
  }
}
