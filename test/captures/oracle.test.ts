/**
 * smbscope against tshark: for every capture with an `.oracle.jsonl`
 * (test/fixtures/*.pcap, samples/*.pcap), the library run with checksums off
 * must raise, in wire order, one `smb2_message` per SMB2 header and one
 * `smb2_transform_header` per transform header tshark dissected, with every
 * field equal, on the same connection and direction, at the same time (to
 * the microsecond), plus exactly the CLOSE events the oracle implies.
 *
 * Every expected value comes from the oracle (see test/fixtures/README.md);
 * the only rules added here are from the specifications and are cited where
 * used.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EVENT_PARAMS } from '../../src/core/events/catalogue.js';
import { type OracleLine, oracleMicros, readOracle } from '../helpers/oracle.js';
import { oracleCaptures } from '../helpers/paths.js';
import type { Ev } from '../helpers/run.js';
import { analyzeChunks } from '../helpers/run.js';
import { ATTR_BITS, filetimeSeconds } from '../helpers/smb2.js';

// Zeek's record field orders (../shared/zeek-smb/types.json); the event stream
// writes records in this order (CONTRACT.md), which is the object key order.
const HEADER_FIELDS = [
  'credit_charge',
  'status',
  'command',
  'credits',
  'flags',
  'message_id',
  'process_id',
  'tree_id',
  'session_id',
  'signature',
];
const TRANSFORM_FIELDS = ['signature', 'nonce', 'orig_msg_size', 'flags', 'session_id'];
const CLOSE_RESPONSE_FIELDS = ['alloc_size', 'eof', 'times', 'attrs'];
const MACTIMES_FIELDS = [
  'modified',
  'modified_raw',
  'accessed',
  'accessed_raw',
  'created',
  'created_raw',
  'changed',
  'changed_raw',
];

/**
 * Statuses whose responses carry the command's own body: success,
 * STATUS_BUFFER_OVERFLOW (READ/QUERY_INFO/IOCTL, MS-SMB2 3.3.4.4) and
 * STATUS_MORE_PROCESSING_REQUIRED (SESSION_SETUP, MS-SMB2 3.3.5.5). Any other
 * status, STATUS_PENDING (interim response, MS-SMB2 3.3.4.2) included, comes
 * with the ERROR body of MS-SMB2 2.2.2 and so raises no command event.
 */
const BODY_STATUSES = new Set(['0', String(0x80000005), String(0xc0000016)]);

type Rec = Record<string, unknown>;

function str(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return String(v);
}

/** The frame's direction (src, sport, dst, dport) as the event tells it. */
function eventTuple(c: Rec, isOrig: boolean): string {
  const id = c['id'] as Rec;
  const o = `${id['orig_h']}:${id['orig_p']}`;
  const r = `${id['resp_h']}:${id['resp_p']}`;
  return isOrig ? `${o} > ${r}` : `${r} > ${o}`;
}

function oracleTuple(o: OracleLine): string {
  return `${o.src}:${o.sport} > ${o.dst}:${o.dport}`;
}

function where(o: OracleLine, i: number): string {
  return `oracle line ${i + 1} (frame ${o.frame}, ${o.kind}${o.hdr ? ` command ${o.hdr.command}` : ''})`;
}

function checkRecord(actual: unknown, expected: Record<string, string>, keys: readonly string[], at: string): void {
  assert.ok(actual && typeof actual === 'object', `${at}: not a record`);
  assert.deepEqual(Object.keys(actual as Rec), [...keys], `${at}: fields or their order`);
  for (const k of Object.keys(expected)) {
    assert.equal(str((actual as Rec)[k]), expected[k], `${at}: ${k}`);
  }
}

function checkHeader(hdr: unknown, o: OracleLine, at: string): void {
  const h = hdr as Rec;
  // 64-bit wire values are bigints, smaller ones numbers (project convention, exact above 2^53)
  for (const k of ['message_id', 'session_id']) assert.equal(typeof h[k], 'bigint', `${at}: ${k} type`);
  for (const k of ['credit_charge', 'status', 'command', 'credits', 'flags', 'process_id', 'tree_id'])
    assert.equal(typeof h[k], 'number', `${at}: ${k} type`);
  checkRecord(hdr, o.hdr as unknown as Record<string, string>, HEADER_FIELDS, `${at} hdr`);
}

function filetime(raw: string): number {
  return filetimeSeconds(BigInt(raw));
}

function checkCloseResponse(resp: unknown, o: NonNullable<OracleLine['close_response']>, at: string): void {
  const r = resp as Rec;
  checkRecord(r, { alloc_size: o.alloc_size, eof: o.eof }, CLOSE_RESPONSE_FIELDS, at);
  assert.equal(typeof r['alloc_size'], 'bigint');
  assert.equal(typeof r['eof'], 'bigint');
  // MS-SMB2 2.2.16: CreationTime, LastAccessTime, LastWriteTime, ChangeTime map to
  // Zeek's created, accessed, modified, changed
  const times = r['times'] as Rec;
  checkRecord(
    times,
    { modified_raw: o.modified, accessed_raw: o.accessed, created_raw: o.created, changed_raw: o.changed },
    MACTIMES_FIELDS,
    `${at} times`,
  );
  for (const [k, raw] of [
    ['modified', o.modified],
    ['accessed', o.accessed],
    ['created', o.created],
    ['changed', o.changed],
  ] as const) {
    assert.equal(typeof times[`${k}_raw`], 'bigint', `${at}: ${k}_raw type`);
    assert.equal(times[k], filetime(raw), `${at}: times.${k}`);
  }
  const bits = Number(o.attrs);
  const attrs = r['attrs'] as Rec;
  assert.deepEqual(
    Object.keys(attrs),
    ATTR_BITS.map(([k]) => k),
    `${at}: attrs fields`,
  );
  for (const [k, bit] of ATTR_BITS)
    assert.equal(attrs[k], (bits & bit) !== 0, `${at}: attrs.${k} (0x${bits.toString(16)})`);
}

/** Events that carry an SMB2 header as `hdr`: the command events of a message. */
/** An SMB2 command event (the oracle covers SMB2 messages only: SMB1 events are not counted). */
function isCommandEvent(e: Ev): boolean {
  const params = EVENT_PARAMS[e.name] as readonly string[];
  return (
    params[1] === 'hdr' && e.name.startsWith('smb2_') && e.name !== 'smb2_message' && e.name !== 'smb2_transform_header'
  );
}

for (const cap of oracleCaptures()) {
  test(`oracle: ${cap.name}`, async () => {
    const oracle = readOracle(cap.oracle);
    assert.ok(oracle.length > 0, 'the oracle is not empty');
    const run = await analyzeChunks([readFileSync(cap.pcap)], { verifyChecksums: false, seed: 7 });
    assert.equal(run.result.error, undefined, 'the capture reads to its end');
    const ev = run.events;

    // the events that stand for one oracle line each, in wire order
    const msgs: number[] = [];
    ev.forEach((e, i) => {
      if (e.name === 'smb2_message' || e.name === 'smb2_transform_header') msgs.push(i);
    });

    const uidOfTuple = new Map<string, string>();
    const n = Math.min(msgs.length, oracle.length);
    for (let i = 0; i < n; i++) {
      const o = oracle[i]!;
      const at = where(o, i);
      const e = ev[msgs[i]!]!;
      const window = ev.slice(msgs[i]! + 1, msgs[i + 1] ?? ev.length);
      const c = e.args[0] as Rec;

      // the event's time is the frame's, at libpcap's microsecond precision
      assert.equal(BigInt(Math.round(e.ts * 1e6)), oracleMicros(o.ts), `${at}: ts ${e.ts} vs ${o.ts}`);

      // one connection per 4-tuple, one uid per connection
      const key = [`${o.src}:${o.sport}`, `${o.dst}:${o.dport}`].sort().join(' ');
      const uid = String(c['uid']);
      if (!uidOfTuple.has(key)) {
        assert.ok(![...uidOfTuple.values()].includes(uid), `${at}: uid ${uid} reused for another 4-tuple`);
        uidOfTuple.set(key, uid);
      }
      assert.equal(uid, uidOfTuple.get(key), `${at}: uid of the connection`);

      const cmds = window.filter(isCommandEvent);
      if (o.kind === 'transform') {
        assert.equal(e.name, 'smb2_transform_header', `${at}: event`);
        const t = o.transform!;
        const h = e.args[1] as Rec;
        assert.equal(typeof h['session_id'], 'bigint');
        checkRecord(h, t, TRANSFORM_FIELDS, `${at} transform`);
        // smb2_transform_header(c, hdr) has no is_orig: only the connection (4-tuple, uid) is checked
        assert.ok(
          eventTuple(c, true) === oracleTuple(o) || eventTuple(c, false) === oracleTuple(o),
          `${at}: connection`,
        );
        assert.deepEqual(
          cmds.map((x) => x.name),
          [],
          `${at}: nothing inside an encrypted message raises an event`,
        );
        continue;
      }

      assert.equal(e.name, 'smb2_message', `${at}: event`);
      const isOrig = e.args[2];
      assert.equal(typeof isOrig, 'boolean');
      assert.equal(eventTuple(c, isOrig as boolean), oracleTuple(o), `${at}: connection and direction`);
      // every fixture connection starts with the client's SYN, so requests come from the originator
      assert.equal(isOrig, !o.is_response, `${at}: is_orig`);
      checkHeader(e.args[1], o, at);

      // command events belong to this message (same connection, same header)
      for (const x of cmds) {
        assert.equal(String((x.args[0] as Rec)['uid']), uid, `${at}: ${x.name} on another connection`);
        assert.deepEqual(x.args[1], e.args[1], `${at}: ${x.name} carries another header`);
      }
      const closeReq = cmds.filter((x) => x.name === 'smb2_close_request');
      const closeResp = cmds.filter((x) => x.name === 'smb2_close_response');

      if (o.close_request) {
        assert.equal(closeReq.length, 1, `${at}: one smb2_close_request`);
        const fid = closeReq[0]!.args[2] as Rec;
        assert.equal(typeof fid['persistent'], 'bigint');
        checkRecord(fid, o.close_request.file_id, ['persistent', 'volatile'], `${at} file_id`);
      } else {
        assert.equal(closeReq.length, 0, `${at}: no smb2_close_request`);
      }
      if (o.close_response) {
        assert.equal(closeResp.length, 1, `${at}: one smb2_close_response`);
        checkCloseResponse(closeResp[0]!.args[2], o.close_response, `${at} response`);
      } else {
        assert.equal(closeResp.length, 0, `${at}: no smb2_close_response`);
      }
      if (o.is_response && !BODY_STATUSES.has(o.hdr!.status)) {
        assert.deepEqual(
          cmds.map((x) => x.name),
          [],
          `${at}: an error or interim response (status ${o.hdr!.status}) raises smb2_message only`,
        );
      }
    }
    assert.equal(
      msgs.length,
      oracle.length,
      `smb2_message + smb2_transform_header events: ${msgs.length}, oracle lines: ${oracle.length}`,
    );
    // no command event outside the windows of its message (before the first message)
    const first = msgs[0] ?? ev.length;
    assert.deepEqual(ev.slice(0, first).filter(isCommandEvent), [], 'no command event before the first message');
    // events come in time order (wire order of the packets that complete them)
    for (let i = 1; i < ev.length; i++) {
      assert.ok(ev[i]!.ts >= ev[i - 1]!.ts, `event ${i} (${ev[i]!.name}) goes back in time`);
    }
  });
}
