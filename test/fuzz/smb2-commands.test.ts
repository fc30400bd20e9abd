/**
 * Property tests of every SMB2 command parser (src/core/smb/smb2/commands/):
 * on arbitrary and structure-biased bodies, under any header StructureSize
 * and any message end, a parser never throws, and its result depends only on
 * the bytes of its own message [header, end): bytes before the header or
 * after the end never change it, and moving the message inside the buffer
 * moves a Malformed's offset by the same amount and changes nothing else.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { Malformed } from '../../src/core/bytes/result.js';
import * as cmd from '../../src/core/smb/smb2/commands/index.js';
import fc from './fc.js';

type Parser = (b: Uint8Array, o: number, end: number, hdrOff: number) => unknown;

/** Every parser, with the StructureSize its body starts with (for the biased bodies). */
const PARSERS: [string, Parser, number][] = [
  ['negotiate request', cmd.parseNegotiateRequest, 36],
  ['negotiate response', cmd.parseNegotiateResponse, 65],
  ['negotiate security blob', cmd.negotiateResponseSecurityBlob, 65],
  ['session setup request', cmd.parseSessionSetupRequest, 25],
  ['session setup response', cmd.parseSessionSetupResponse, 9],
  ['logoff', cmd.parseLogoff, 4],
  ['tree connect request', cmd.parseTreeConnectRequest, 9],
  ['tree connect response', cmd.parseTreeConnectResponse, 16],
  ['tree disconnect', cmd.parseTreeDisconnect, 4],
  ['create request', cmd.parseCreateRequest, 57],
  ['create request (wire)', cmd.parseCreateRequestWire, 57],
  ['create response', cmd.parseCreateResponse, 89],
  ['close request', cmd.parseCloseRequest, 24],
  ['close response', cmd.parseCloseResponse, 60],
  ['flush request', cmd.parseFlushRequest, 24],
  ['read request', cmd.parseReadRequest, 49],
  ['read response', cmd.parseReadResponse, 17],
  ['write request', cmd.parseWriteRequest, 49],
  ['write response', cmd.parseWriteResponse, 17],
  ['lock request', cmd.parseLockRequest, 48],
  ['ioctl request', cmd.parseIoctlRequest, 57],
  ['ioctl response', cmd.parseIoctlResponse, 49],
  ['cancel', cmd.parseCancelRequest, 4],
  ['echo', cmd.parseEcho, 4],
  ['query directory request', cmd.parseQueryDirectoryRequest, 33],
  ['change notify request', cmd.parseChangeNotifyRequest, 32],
  ['query info request', cmd.parseQueryInfoRequest, 41],
  ['set info request', cmd.parseSetInfoRequest, 33],
  ['set info response', cmd.parseSetInfoResponse, 2],
  ['oplock break', cmd.parseOplockBreak, 24],
];

/**
 * A body: noise, or noise with planted words. The plan says, for each 16-bit
 * word of the first 96 bytes, whether to leave it, or to make it look like
 * an offset from the header just past the parser's fixed part, a small length
 * or count, or a known SET_INFO/QUERY_INFO class.
 */
const body = fc.record({
  b: fc.uint8Array({ maxLength: 400 }),
  plan: fc.option(fc.array(fc.tuple(fc.nat(9), fc.nat(40)), { minLength: 47, maxLength: 47 }), { nil: undefined }),
});

type Body = typeof body extends fc.Arbitrary<infer T> ? T : never;

const CLASSES = [0x04, 0x0a, 0x0b, 0x0d, 0x0e, 0x0f, 0x10, 0x13, 0x14, 0x18, 0x27, 0x28, 0x06, 0x08, 0x01];

function place(structSize: number, bd: Body, headLen: number, pre: Uint8Array, post: Uint8Array, cut: number) {
  const hdr = new Uint8Array(64);
  hdr.set([0xfe, 0x53, 0x4d, 0x42, headLen & 0xff, headLen >> 8]);
  const b = bd.b.slice();
  if (bd.plan) {
    const fixed = structSize & ~1;
    const w = (at: number, v: number) => {
      if (at + 2 <= b.length) {
        b[at] = v & 0xff;
        b[at + 1] = (v >> 8) & 0xff;
      }
    };
    w(0, structSize);
    bd.plan.forEach(([how, v], i) => {
      const at = 2 + 2 * i;
      if (how === 1) w(at, 64 + fixed + (v % 9));
      else if (how >= 2 && how <= 4) w(at, v % 20);
      else if (how >= 5 && how <= 7) w(at, 0);
      else if (how === 8 && at === 2) w(at, (v % 5) | ((CLASSES[v % CLASSES.length] ?? 0) << 8));
    });
  }
  const msgLen = 64 + b.length - Math.min(cut, b.length);
  const buf = new Uint8Array(pre.length + 64 + b.length + post.length);
  buf.set(pre, 0);
  buf.set(hdr, pre.length);
  buf.set(b, pre.length + 64);
  // the bytes after `end` are the message's own tail, then the post fill: neither may matter
  const end = pre.length + msgLen;
  buf.set(post, pre.length + 64 + b.length);
  return { buf, hdrOff: pre.length, o: pre.length + 64, end };
}

/** A result with Malformed offsets made relative to the header. */
function normal(r: unknown, hdrOff: number): unknown {
  if (r instanceof Malformed) return { malformed: r.what, at: r.offset - hdrOff };
  return r;
}

describe('SMB2 command parsers: properties', () => {
  const parsed = new Map<string, number>();
  it('never throw, and depend only on the bytes of their message', () => {
    fc.assert(
      fc.property(
        body,
        fc.oneof(fc.constant(64), fc.constant(64), fc.nat(0xffff), fc.integer({ min: 0, max: 130 })),
        fc.nat(40),
        fc.nat(20),
        fc.oneof(fc.constant(0), fc.nat(32)),
        fc.nat(255),
        (bd, headLen, preLen, postLen, cut, fill) => {
          for (const [name, parse, structSize] of PARSERS) {
            const a = place(
              structSize,
              bd,
              headLen,
              new Uint8Array(preLen).fill(0x40),
              new Uint8Array(postLen).fill(fill),
              cut,
            );
            let r1: unknown;
            try {
              r1 = parse(a.buf, a.o, a.end, a.hdrOff);
            } catch (e) {
              assert.fail(`${name} threw: ${(e as Error).stack}`);
            }
            if (r1 instanceof Malformed)
              assert.ok(typeof r1.what === 'string' && r1.what.length > 0, `${name}: Malformed says why`);
            else parsed.set(name, (parsed.get(name) ?? 0) + 1);
            // the same message elsewhere in a buffer with other bytes around it (and after its end)
            const b2 = place(
              structSize,
              bd,
              headLen,
              new Uint8Array(preLen + 3).fill(0xff),
              new Uint8Array(postLen + 5).fill(fill ^ 0xa5),
              cut,
            );
            for (let i = b2.end; i < b2.buf.length; i++) b2.buf[i] = (b2.buf[i]! ^ 0x5a) & 0xff;
            const r2 = parse(b2.buf, b2.o, b2.end, b2.hdrOff);
            if (!isDeepStrictEqual(normal(r1, a.hdrOff), normal(r2, b2.hdrOff))) {
              assert.fail(`${name}: result depends on bytes outside its message [header, end)`);
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('the biased bodies reach past the length checks of every parser', () => {
    // the property above is only as good as the share of bodies each parser accepts
    if (process.env.FUZZ_VERBOSE) console.log(JSON.stringify([...parsed]));
    for (const [name] of PARSERS)
      assert.ok((parsed.get(name) ?? 0) >= 10, `${name}: ${parsed.get(name) ?? 0} bodies parsed`);
  });
});
