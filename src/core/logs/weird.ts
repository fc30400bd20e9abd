/**
 * weird.log records (Zeek's Weird::Info) from conn_weird and net_weird.
 */

import type { ConnRef } from '../events/catalogue.js';
import type { LogValue } from './format.js';

export function connWeirdRecord(ts: number, name: string, c: ConnRef, addl: string, source: string): LogValue[] {
  return [
    ts,
    c.uid,
    c.id.orig_h,
    c.id.orig_p,
    c.id.resp_h,
    c.id.resp_p,
    name,
    addl || undefined,
    false,
    'zeek',
    source || undefined,
  ];
}

export function netWeirdRecord(ts: number, name: string, addl: string, source: string): LogValue[] {
  return [
    ts,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    name,
    addl || undefined,
    false,
    'zeek',
    source || undefined,
  ];
}
