/**
 * Robustness of the SMB2 command parsers: arbitrary bytes after a header
 * (any header StructureSize, any end) never make a parser throw; each
 * returns a value or a Malformed whose offset lies in the buffer.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Malformed } from '../../src/core/bytes/result.js';
import * as cmd from '../../src/core/smb/smb2/commands/index.js';

type Parser = (b: Uint8Array, o: number, end: number, hdrOff: number) => unknown;

const PARSERS: [string, Parser][] = [
  ['negotiate request', cmd.parseNegotiateRequest],
  ['negotiate response', cmd.parseNegotiateResponse],
  ['negotiate blob', cmd.negotiateResponseSecurityBlob],
  ['session setup request', cmd.parseSessionSetupRequest],
  ['session setup response', cmd.parseSessionSetupResponse],
  ['tree connect request', cmd.parseTreeConnectRequest],
  ['tree connect response', cmd.parseTreeConnectResponse],
  ['tree disconnect', cmd.parseTreeDisconnect],
  ['create request', cmd.parseCreateRequest],
  ['create request wire', cmd.parseCreateRequestWire],
  ['create response', cmd.parseCreateResponse],
  ['read request', cmd.parseReadRequest],
  ['read response', cmd.parseReadResponse],
  ['write request', cmd.parseWriteRequest],
  ['write response', cmd.parseWriteResponse],
  ['set info request', cmd.parseSetInfoRequest],
  ['set info response', cmd.parseSetInfoResponse],
  ['close request', cmd.parseCloseRequest],
  ['close response', cmd.parseCloseResponse],
  ['flush', cmd.parseFlushRequest],
  ['lock', cmd.parseLockRequest],
  ['ioctl request', cmd.parseIoctlRequest],
  ['ioctl response', cmd.parseIoctlResponse],
  ['echo', cmd.parseEcho],
  ['cancel', cmd.parseCancelRequest],
  ['logoff', cmd.parseLogoff],
  ['query directory', cmd.parseQueryDirectoryRequest],
  ['query info', cmd.parseQueryInfoRequest],
  ['change notify', cmd.parseChangeNotifyRequest],
  ['oplock break', cmd.parseOplockBreak],
];

/** Bodies biased towards what the parsers look at: small offsets, lengths and the decoded classes. */
const body = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc
    .tuple(
      fc.uint8Array({ minLength: 64, maxLength: 64 }),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 200 }),
    )
    .map(([fixed, rest]) => {
      const b = Uint8Array.from([...fixed, ...rest]);
      // SET_INFO: a decoded type/class; offsets and lengths kept small
      b[2] = (b[2] ?? 0) % 3;
      b[3] = [0x04, 0x0a, 0x0b, 0x0d, 0x0f, 0x13, 0x14, 0x28, 0x06, 0x08][(b[3] ?? 0) % 10] ?? 0;
      for (const i of [6, 7, 9, 11, 47, 53, 55, 59, 61, 63]) if (i < b.length) b[i] = 0;
      return b;
    }),
);

describe('SMB2 command parsers on arbitrary bytes', () => {
  it('never throw; a Malformed points into the buffer', () => {
    fc.assert(
      fc.property(body, fc.integer({ min: 0, max: 400 }), fc.nat(16), (bytes, headLen, cut) => {
        const m = new Uint8Array(64 + bytes.length);
        m.set([0xfe, 0x53, 0x4d, 0x42, headLen & 0xff, headLen >> 8]);
        m.set(bytes, 64);
        const end = Math.max(64, m.length - cut);
        for (const [name, parse] of PARSERS) {
          const r = parse(m, 64, end, 0);
          if (r instanceof Malformed) assert.ok(r.offset >= 0 && r.offset <= m.length + 0, name);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('the string conversion never throws and its bytes decode to its text for well-formed input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const s = cmd.zeekUtf16(b, 0, b.length);
        const bytes = cmd.zeekUtf16Bytes(b, 0, b.length);
        if (!cmd.zeekUtf16Failed(b, 0, b.length) && s.isWellFormed()) {
          assert.equal(Buffer.from(bytes).toString('utf8'), s);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
