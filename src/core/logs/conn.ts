/**
 * conn.log records (Zeek's Conn::Info) from finished connections, and Zeek's
 * connection-state summary (conn_state).
 */

import { type Connection, type Endpoint, EndpointState } from '../tcp/conn.js';
import type { LogValue } from './format.js';
import type { LocalNets } from './site.js';

/** Zeek's conn_state for a TCP connection. */
export function connState(c: Connection): string {
  const os = c.orig.state;
  const rs = c.resp.state;
  const oInactive = os === EndpointState.Inactive || os === EndpointState.Partial;
  const rInactive = rs === EndpointState.Inactive || rs === EndpointState.Partial;
  if (rs === EndpointState.Reset) {
    if (
      os === EndpointState.SynSent ||
      os === EndpointState.SynAckSent ||
      (os === EndpointState.Reset && c.orig.size() === 0 && c.resp.size() === 0)
    )
      return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === EndpointState.Reset) {
    if (rInactive) return /^\^?S[^HAFGIQ]*R.*/.test(c.history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === EndpointState.Closed && os === EndpointState.Closed) return 'SF';
  if (os === EndpointState.Closed) return rInactive ? 'SH' : 'S2';
  if (rs === EndpointState.Closed) return oInactive ? 'SHR' : 'S3';
  if (os === EndpointState.SynSent && rs === EndpointState.Inactive) return 'S0';
  if (os === EndpointState.Established && rs === EndpointState.Established) return 'S1';
  return 'OTH';
}

function missed(e: Endpoint): number {
  return e.reasm?.missed ?? 0;
}

/** The conn.log values of a finished TCP connection, in CONN_LOG field order. */
export function connRecord(c: Connection, local: LocalNets): LogValue[] {
  const id = c.id();
  const duration = c.last - c.start;
  const hasDuration = duration > 0;
  return [
    c.start,
    c.uid,
    id.orig_h,
    id.orig_p,
    id.resp_h,
    id.resp_p,
    'tcp',
    c.services.length ? c.services.join(',') : undefined,
    hasDuration ? duration : undefined,
    hasDuration ? c.orig.size() : undefined,
    hasDuration ? c.resp.size() : undefined,
    connState(c),
    local.contains(c.version, c.oa0, c.oa1, c.oa2, c.oa3),
    local.contains(c.version, c.ra0, c.ra1, c.ra2, c.ra3),
    missed(c.orig) + missed(c.resp),
    c.history || undefined,
    c.orig.pkts,
    c.orig.ipBytes,
    c.resp.pkts,
    c.resp.ipBytes,
    undefined,
    6,
  ];
}
