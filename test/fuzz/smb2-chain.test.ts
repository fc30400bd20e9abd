/**
 * Property tests of the SMB2 header and the compound chain walk
 * (src/core/smb/smb2/header.ts, analyzer.ts), through the public Analyzer:
 * a header decodes to the fields it was built with; a well-formed chain of
 * any length up to the limit raises one smb2_message per member, in order;
 * a chain whose NextCommand fields are hostile (0, 1, 63, past the end, not
 * advancing, huge) always ends, never raises more messages than 64-byte
 * headers fit in the message, and every event encodes as JSON.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSmb2Header } from '../../src/core/smb/smb2/header.js';
import { pcap } from '../helpers/capture.js';
import { named, runBytes } from '../helpers/run.js';
import { TcpSession } from '../helpers/session.js';
import { closeRequestBody, compound, echoBody, nbss, type Smb2HeaderFields, smb2Header } from '../helpers/smb2.js';
import fc from './fc.js';

const header = fc.record({
  creditCharge: fc.nat(0xffff),
  status: fc.nat(0xffffffff),
  command: fc.nat(0xffff),
  credits: fc.nat(0xffff),
  flags: fc.nat(0xffffffff),
  messageId: fc.bigInt(0n, 2n ** 64n - 1n),
  processId: fc.nat(0xffffffff),
  treeId: fc.nat(0xffffffff),
  sessionId: fc.bigInt(0n, 2n ** 64n - 1n),
  signature: fc.uint8Array({ minLength: 16, maxLength: 16 }),
});

const member = fc.record({
  command: fc.constantFrom(6, 13, 5, 8, 9, 16, 17, 0x99),
  related: fc.boolean(),
  body: fc.uint8Array({ maxLength: 120 }),
  mid: fc.nat(1000),
});

function bodyFor(command: number, random: Uint8Array): Uint8Array {
  if (command === 6) return closeRequestBody(1n, 2n);
  if (command === 13) return echoBody();
  return random;
}

/** The events of one SMB2 transport message (or chain) sent by the client on an established connection. */
function analyze(message: Uint8Array, fromClient = true) {
  const s = new TcpSession();
  s.handshake();
  s.send(fromClient, nbss(message), { segment: 1460 });
  s.close();
  const run = runBytes(pcap(s.records));
  for (const e of run.events) JSON.parse(e.line);
  return run;
}

describe('SMB2 header and compound chains: properties', () => {
  it('a header decodes to the fields it was built with', () => {
    fc.assert(
      fc.property(header, fc.nat(16), (h, pre) => {
        const b = new Uint8Array(pre + 64);
        b.set(smb2Header(h as Smb2HeaderFields), pre);
        const d = parseSmb2Header(b, pre);
        assert.deepEqual(d, {
          credit_charge: h.creditCharge,
          status: h.status,
          command: h.command,
          credits: h.credits,
          flags: h.flags,
          message_id: h.messageId,
          process_id: h.processId,
          tree_id: h.treeId,
          session_id: h.sessionId,
          signature: h.signature,
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('a well-formed chain raises one smb2_message per member, in wire order', () => {
    fc.assert(
      fc.property(fc.array(member, { minLength: 1, maxLength: 40 }), fc.boolean(), (ms, fromClient) => {
        const chain = compound(
          ms.map((m, i) => ({
            hdr: {
              command: m.command,
              messageId: BigInt(m.mid + i),
              flags: (m.related && i > 0 ? 4 : 0) | (fromClient ? 0 : 1),
            },
            body: bodyFor(m.command, m.body),
          })),
        );
        const run = analyze(chain, fromClient);
        const msgs = named(run.events, 'smb2_message');
        assert.deepEqual(
          msgs.map((e) => [
            (e.args[1] as { command: number }).command,
            (e.args[1] as { message_id: bigint }).message_id,
            e.args[2],
          ]),
          ms.map((m, i) => [m.command, BigInt(m.mid + i), fromClient]),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('hostile NextCommand values always end the walk within the message', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            m: member,
            next: fc.oneof(
              fc.constantFrom(0, 1, 8, 63, 64, 65, 0x7fffffff, 0xffffffff, 0xfffffff8),
              fc.nat(0xffffffff),
              fc.constant(undefined),
            ),
            structureSize: fc.constantFrom(64, 64, 64, 0, 1, 63, 65, 0xffff),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        fc.nat(64),
        (ms, cut) => {
          const chain = compound(
            ms.map(({ m, next, structureSize }, i) => ({
              hdr: { command: m.command, messageId: BigInt(i), nextCommand: next, structureSize },
              body: bodyFor(m.command, m.body),
            })),
          );
          const msg = chain.subarray(0, Math.max(0, chain.length - cut));
          const run = analyze(msg);
          const n = named(run.events, 'smb2_message').length;
          assert.ok(n <= Math.floor(msg.length / 64), `${n} messages from ${msg.length} bytes`);
          assert.ok(n <= ms.length + 1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
