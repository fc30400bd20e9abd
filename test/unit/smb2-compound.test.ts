/**
 * SMB2 headers, compound chains (MS-SMB2 3.2.4.1.4, 3.3.5.2.7) and CLOSE
 * (MS-SMB2 2.2.15/2.2.16) through the public Analyzer, with crafted
 * NBSS + SMB2 bytes inside a crafted TCP conversation (a pcap). Expected
 * values are the crafted fields.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { concat } from '../helpers/bytes.js';
import { type Ev, named, runBytes } from '../helpers/run.js';
import { TcpSession } from '../helpers/session.js';
import {
  ATTR_BITS,
  type ChainMember,
  closeRequestBody,
  closeResponseBody,
  compound,
  echoBody,
  errorBody,
  filetimeSeconds,
  nbss,
  SMB2_CLOSE,
  SMB2_ECHO,
  SMB2_FLAGS_ASYNC_COMMAND,
  SMB2_FLAGS_RELATED_OPERATIONS,
  SMB2_FLAGS_SERVER_TO_REDIR,
  SMB2_FLAGS_SIGNED,
  SMB2_WRITE,
  smb2Header,
  transformMessage,
} from '../helpers/smb2.js';

type Rec = Record<string, unknown>;
const ALL_ONES = 0xffffffffffffffffn;

/** A session with a handshake; `steps` adds the SMB traffic; returns the events. */
function analyze(steps: (s: TcpSession) => void): Ev[] {
  const s = new TcpSession({ client: '192.168.7.1', server: '192.168.7.2', cport: 51000 });
  s.handshake();
  steps(s);
  s.close();
  const r = runBytes(s.pcap());
  assert.equal(r.result.error, undefined);
  return r.events;
}

/** The events of SMB2 messages and their commands (no weirds), as [name, args]. */
function smb(events: readonly Ev[]): Ev[] {
  return events.filter((e) => e.name.startsWith('smb2_'));
}

function hdrOf(e: Ev): Rec {
  return e.args[1] as Rec;
}

function connWeirds(events: readonly Ev[]): string[] {
  return events.filter((e) => e.name === 'conn_weird').map((e) => String(e.args[0]));
}

const closeReq = (id: bigint, extra: Partial<ChainMember['hdr']> = {}): ChainMember => ({
  hdr: { command: SMB2_CLOSE, messageId: id, treeId: 5, sessionId: 0x1122n, ...extra },
  body: closeRequestBody(0x100n + id, 0x200n + id),
});

describe('SMB2 header', () => {
  test('every field, 64-bit values exact above 2^53', () => {
    const sig = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + i);
    const events = analyze((s) => {
      s.send(
        true,
        nbss(
          concat(
            smb2Header({
              command: SMB2_ECHO,
              creditCharge: 3, // offset 6
              status: 0x00010002, // offset 8: ChannelSequence 2, Reserved 1 (a request)
              credits: 0x1f, // offset 14
              flags: SMB2_FLAGS_SIGNED, // offset 16
              messageId: 0x0123456789abcdefn, // offset 24
              processId: 0xfeff, // offset 32
              treeId: 0xdeadbeef, // offset 36
              sessionId: 0xfedcba9876543210n, // offset 40
              signature: sig, // offset 48
            }),
            echoBody(),
          ),
        ),
      );
    });
    const m = named(events, 'smb2_message');
    assert.equal(m.length, 1);
    const c = m[0]!.args[0] as { id: Rec };
    assert.deepEqual(c.id, { orig_h: '192.168.7.1', orig_p: 51000, resp_h: '192.168.7.2', resp_p: 445 });
    assert.deepEqual(hdrOf(m[0]!), {
      credit_charge: 3,
      status: 0x00010002,
      command: SMB2_ECHO,
      credits: 0x1f,
      flags: SMB2_FLAGS_SIGNED,
      message_id: 0x0123456789abcdefn,
      process_id: 0xfeff,
      tree_id: 0xdeadbeef,
      session_id: 0xfedcba9876543210n,
      signature: sig,
    });
    assert.equal(m[0]!.args[2], true);
    assert.ok(m[0]!.line.includes('"session_id":18364758544493064720'), m[0]!.line);
    assert.ok(m[0]!.line.includes('"signature":"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"'), m[0]!.line);
  });

  test('the event time is that of the packet completing the message', () => {
    let ts = 0;
    const events = analyze((s) => {
      const msg = nbss(concat(smb2Header({ command: SMB2_ECHO, messageId: 1n }), echoBody()));
      s.segment(true, msg.subarray(0, 10));
      s.segment(true, msg.subarray(10, 50));
      s.segment(true, msg.subarray(50));
      ts = s.lastTs;
    });
    assert.equal(named(events, 'smb2_message')[0]?.ts, ts);
  });

  test('a message shorter than the 64-byte header: a weird, no event, nothing thrown', () => {
    const events = analyze((s) => {
      s.send(true, nbss(smb2Header({ command: SMB2_ECHO }).subarray(0, 40)));
      s.send(true, nbss(concat(smb2Header({ command: SMB2_ECHO, messageId: 9n }), echoBody())));
    });
    assert.equal(named(events, 'smb2_message').length, 1);
    assert.equal(hdrOf(named(events, 'smb2_message')[0]!)['message_id'], 9n);
    assert.ok(connWeirds(events).length >= 1);
  });
});

describe('compound chains', () => {
  test('NextCommand 0: one message', () => {
    const events = analyze((s) => s.send(true, nbss(compound([closeReq(1n)]))));
    assert.deepEqual(
      smb(events).map((e) => e.name),
      ['smb2_message', 'smb2_close_request'],
    );
  });

  test('a chain of 3: each member its own messages and events, in wire order', () => {
    const events = analyze((s) => s.send(true, nbss(compound([closeReq(1n), closeReq(2n), closeReq(3n)]))));
    const ev = smb(events);
    assert.deepEqual(
      ev.map((e) => e.name),
      [
        'smb2_message',
        'smb2_close_request',
        'smb2_message',
        'smb2_close_request',
        'smb2_message',
        'smb2_close_request',
      ],
    );
    for (let i = 0; i < 3; i++) {
      const id = BigInt(i + 1);
      assert.equal(hdrOf(ev[2 * i]!)['message_id'], id);
      assert.deepEqual(ev[2 * i + 1]!.args[2], { persistent: 0x100n + id, volatile: 0x200n + id });
    }
    assert.deepEqual(connWeirds(events), []);
  });

  test('responses padded to 8 bytes: each CLOSE response read at its own offset', () => {
    // a CLOSE response is 64 + 60 = 124 bytes; a chain pads it to 128
    const times = (k: bigint) => ({
      creation: 133000000000000000n + k, // CreationTime
      lastAccess: 133000000010000000n + k, // LastAccessTime
      lastWrite: 133000000020000000n + k, // LastWriteTime
      change: 133000000030000000n + k, // ChangeTime
    });
    const resp = (k: bigint, attributes: number): ChainMember => ({
      hdr: { command: SMB2_CLOSE, messageId: k, flags: SMB2_FLAGS_SERVER_TO_REDIR, sessionId: 0x1122n },
      body: closeResponseBody({
        flags: 1,
        ...times(k),
        allocationSize: 4096n * k,
        endOfFile: 0x1_0000_0001n * k,
        attributes,
      }),
    });
    const attrs = [
      0x20,
      0x1 | 0x2 | 0x4 | 0x10 | 0x80,
      0x100 | 0x200 | 0x400 | 0x800 | 0x1000 | 0x2000 | 0x4000 | 0x8000 | 0x20000,
    ];
    const chain = compound(attrs.map((a, i) => resp(BigInt(i + 1), a)));
    assert.equal(chain.length, 128 + 128 + 124);
    const events = analyze((s) => {
      s.send(true, nbss(compound([closeReq(1n), closeReq(2n), closeReq(3n)])));
      s.send(false, nbss(chain));
    });
    const rs = named(events, 'smb2_close_response');
    assert.equal(rs.length, 3);
    rs.forEach((e, i) => {
      const k = BigInt(i + 1);
      const t = times(k);
      const r = e.args[2] as Rec;
      assert.equal(hdrOf(e)['message_id'], k);
      assert.equal(r['alloc_size'], 4096n * k);
      assert.equal(r['eof'], 0x1_0000_0001n * k);
      // MS-SMB2 2.2.16 order (creation, access, write, change) -> Zeek's MACTimes
      assert.deepEqual(r['times'], {
        modified: filetimeSeconds(t.lastWrite),
        modified_raw: t.lastWrite,
        accessed: filetimeSeconds(t.lastAccess),
        accessed_raw: t.lastAccess,
        created: filetimeSeconds(t.creation),
        created_raw: t.creation,
        changed: filetimeSeconds(t.change),
        changed_raw: t.change,
      });
      const want = Object.fromEntries(ATTR_BITS.map(([name, bit]) => [name, (attrs[i]! & bit) !== 0]));
      assert.deepEqual(r['attrs'], want);
    });
    assert.deepEqual(connWeirds(events), []);
  });

  test('related operations: the all-ones FileId, SessionId and TreeId are carried as on the wire', () => {
    const related = { flags: SMB2_FLAGS_RELATED_OPERATIONS, sessionId: ALL_ONES, treeId: 0xffffffff };
    const events = analyze((s) =>
      s.send(
        true,
        nbss(
          compound([
            closeReq(1n),
            { hdr: { command: SMB2_CLOSE, messageId: 2n, ...related }, body: closeRequestBody(ALL_ONES, ALL_ONES) },
            { hdr: { command: SMB2_CLOSE, messageId: 3n, ...related }, body: closeRequestBody(ALL_ONES, ALL_ONES) },
          ]),
        ),
      ),
    );
    const reqs = named(events, 'smb2_close_request');
    assert.equal(reqs.length, 3);
    for (const e of reqs.slice(1)) {
      assert.deepEqual(e.args[2], { persistent: ALL_ONES, volatile: ALL_ONES });
      assert.equal(hdrOf(e)['session_id'], ALL_ONES);
      assert.equal(hdrOf(e)['tree_id'], 0xffffffff);
      assert.ok(
        e.line.includes('"file_id":{"persistent":18446744073709551615,"volatile":18446744073709551615}'),
        e.line,
      );
    }
  });

  for (const next of [1, 8, 32, 63]) {
    test(`NextCommand ${next} (inside the header): the first message is raised, a weird, the connection goes on`, () => {
      const events = analyze((s) => {
        s.send(true, nbss(compound([closeReq(1n, { nextCommand: next }), closeReq(2n)])));
        s.send(true, nbss(compound([closeReq(7n)])));
      });
      const msgs = named(events, 'smb2_message').map((e) => hdrOf(e)['message_id']);
      assert.equal(msgs[0], 1n);
      assert.equal(msgs.at(-1), 7n);
      assert.ok(!msgs.includes(2n), 'nothing is read at a NextCommand that does not advance');
      assert.ok(connWeirds(events).length >= 1);
    });
  }

  test('NextCommand beyond the end of the message: the first message, a weird', () => {
    for (const next of [88 + 8, 1000, 0xffffffff]) {
      const events = analyze((s) => {
        s.send(true, nbss(compound([closeReq(1n, { nextCommand: next })])));
        s.send(true, nbss(compound([closeReq(7n)])));
      });
      const msgs = named(events, 'smb2_message').map((e) => hdrOf(e)['message_id']);
      assert.deepEqual(msgs, [1n, 7n], `NextCommand ${next}`);
      assert.ok(connWeirds(events).length >= 1, `NextCommand ${next}`);
    }
  });

  test('NextCommand pointing at something that is not an SMB2 header: the first message, a weird', () => {
    const chain = compound([closeReq(1n, { nextCommand: 24 + 64 }), closeReq(2n)]);
    chain.fill(0x41, 88, 92); // the second header's protocol id becomes "AAAA"
    const events = analyze((s) => s.send(true, nbss(chain)));
    assert.deepEqual(
      named(events, 'smb2_message').map((e) => hdrOf(e)['message_id']),
      [1n],
    );
    assert.ok(connWeirds(events).length >= 1);
  });

  test('a chain whose last member is cut short: the members before it, a weird', () => {
    const chain = compound([closeReq(1n), closeReq(2n), closeReq(3n)]);
    const events = analyze((s) => s.send(true, nbss(chain.subarray(0, 88 * 2 + 40))));
    assert.deepEqual(
      named(events, 'smb2_message').map((e) => hdrOf(e)['message_id']),
      [1n, 2n],
    );
    assert.ok(connWeirds(events).length >= 1);
  });
});

describe('error and interim responses', () => {
  test('status != 0 with the 9-byte ERROR body: smb2_message only', () => {
    const events = analyze((s) => {
      s.send(true, nbss(compound([closeReq(1n)])));
      s.send(
        false,
        nbss(
          concat(
            smb2Header({
              command: SMB2_CLOSE,
              messageId: 1n,
              status: 0xc0000128, // STATUS_FILE_CLOSED
              flags: SMB2_FLAGS_SERVER_TO_REDIR,
            }),
            errorBody(),
          ),
        ),
      );
    });
    assert.deepEqual(
      smb(events).map((e) => e.name),
      ['smb2_message', 'smb2_close_request', 'smb2_message'],
    );
    assert.equal(hdrOf(smb(events)[2]!)['status'], 0xc0000128);
    assert.deepEqual(connWeirds(events), []);
  });

  test('STATUS_PENDING interim response (async): smb2_message only, AsyncId in process_id/tree_id', () => {
    const events = analyze((s) => {
      s.send(true, nbss(compound([closeReq(4n)])));
      s.send(
        false,
        nbss(
          concat(
            smb2Header({
              command: SMB2_CLOSE,
              messageId: 4n,
              status: 0x103, // STATUS_PENDING
              flags: SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_ASYNC_COMMAND,
              processId: 0x89abcdef, // AsyncId, low half
              treeId: 0x01234567, // AsyncId, high half
            }),
            errorBody(),
          ),
        ),
      );
    });
    const ev = smb(events);
    assert.deepEqual(
      ev.map((e) => e.name),
      ['smb2_message', 'smb2_close_request', 'smb2_message'],
    );
    assert.equal(hdrOf(ev[2]!)['process_id'], 0x89abcdef);
    assert.equal(hdrOf(ev[2]!)['tree_id'], 0x01234567);
    assert.equal(ev[2]!.args[2], false);
  });

  test('errors inside a response chain: only the successful member raises its command event', () => {
    const ok: ChainMember = {
      hdr: { command: SMB2_CLOSE, messageId: 1n, flags: SMB2_FLAGS_SERVER_TO_REDIR },
      body: closeResponseBody(),
    };
    const err = (id: bigint): ChainMember => ({
      hdr: { command: SMB2_CLOSE, messageId: id, flags: SMB2_FLAGS_SERVER_TO_REDIR | 4, status: 0xc0000128 },
      body: errorBody(),
    });
    const events = analyze((s) => s.send(false, nbss(compound([ok, err(2n), err(3n)]))));
    assert.deepEqual(
      smb(events).map((e) => e.name),
      ['smb2_message', 'smb2_close_response', 'smb2_message', 'smb2_message'],
    );
  });
});

describe('CLOSE too short', () => {
  test('a CLOSE request body below 24 bytes: smb2_message, a weird, no smb2_close_request', () => {
    const events = analyze((s) => {
      s.send(
        true,
        nbss(concat(smb2Header({ command: SMB2_CLOSE, messageId: 1n }), closeRequestBody(1n, 2n).subarray(0, 23))),
      );
      s.send(true, nbss(compound([closeReq(2n)])));
    });
    assert.deepEqual(
      smb(events).map((e) => e.name),
      ['smb2_message', 'smb2_message', 'smb2_close_request'],
    );
    assert.equal(connWeirds(events).length, 1);
  });

  test('a CLOSE response body below 60 bytes with status 0: smb2_message, a weird, no smb2_close_response', () => {
    const events = analyze((s) => {
      s.send(
        false,
        nbss(
          concat(
            smb2Header({ command: SMB2_CLOSE, messageId: 1n, flags: SMB2_FLAGS_SERVER_TO_REDIR }),
            errorBody(), // 9 bytes where 60 are needed
          ),
        ),
      );
    });
    assert.deepEqual(
      smb(events).map((e) => e.name),
      ['smb2_message'],
    );
    assert.equal(connWeirds(events).length, 1);
  });

  test('a CLOSE member of a chain cut short by the next NextCommand: both members, in order', () => {
    // NextCommand 80: the first CLOSE request has 16 body bytes before the second header.
    // (Whether its fields are read up to NextCommand (MS-SMB2) or up to the end of the
    // transport message (Zeek) is the SMB2 layer's choice; both members must be raised.)
    const first = concat(
      smb2Header({ command: SMB2_CLOSE, messageId: 1n, nextCommand: 80 }),
      closeRequestBody(1n, 1n).subarray(0, 16),
    );
    const second = concat(smb2Header({ command: SMB2_CLOSE, messageId: 2n }), closeRequestBody(2n, 2n));
    const events = analyze((s) => s.send(true, nbss(concat(first, second))));
    assert.deepEqual(
      named(events, 'smb2_message').map((e) => hdrOf(e)['message_id']),
      [1n, 2n],
    );
    const last = named(events, 'smb2_close_request').at(-1)!;
    assert.equal(hdrOf(last)['message_id'], 2n);
    assert.deepEqual(last.args[2], { persistent: 2n, volatile: 2n });
  });
});

describe('encryption and other protocols', () => {
  const sig = Uint8Array.from({ length: 16 }, (_, i) => i);
  const nonce = Uint8Array.from({ length: 16 }, (_, i) => (i < 11 ? 0xa0 + i : 0));
  // "encrypted" bytes that look like a whole SMB2 CLOSE: nothing may be read from them
  const inner = compound([closeReq(99n)]);

  test('a transform header raises smb2_transform_header and nothing from inside', () => {
    const events = analyze((s) => {
      s.send(true, nbss(transformMessage({ signature: sig, nonce, flags: 1, sessionId: 0x8877665544332211n }, inner)));
    });
    assert.deepEqual(
      smb(events).map((e) => e.name),
      ['smb2_transform_header'],
    );
    assert.deepEqual(smb(events)[0]!.args[1], {
      signature: sig,
      nonce,
      orig_msg_size: inner.length,
      flags: 1,
      session_id: 0x8877665544332211n,
    });
  });

  test('a large transform message (streamed) raises it once, at its last segment', () => {
    const big = new Uint8Array(20000).fill(0xfe);
    let ts = 0;
    const events = analyze((s) => {
      s.send(true, nbss(transformMessage({ signature: sig, nonce, flags: 1, sessionId: 5n }, big)), {
        segment: 1460,
        ack: false,
      });
      ts = s.lastTs;
      s.ackFrom(false);
    });
    const t = smb(events);
    assert.deepEqual(
      t.map((e) => e.name),
      ['smb2_transform_header'],
    );
    assert.equal((t[0]!.args[1] as Rec)['orig_msg_size'], 20000);
    assert.equal(t[0]!.ts, ts);
  });

  test('a transform header cut short: a weird, no event', () => {
    const events = analyze((s) => {
      s.send(true, nbss(transformMessage({ signature: sig, nonce, flags: 1, sessionId: 5n }, inner).subarray(0, 40)));
    });
    assert.deepEqual(smb(events), []);
    assert.ok(connWeirds(events).length >= 1);
  });

  test('an SMB1 message raises no SMB2 event', () => {
    const smb1 = concat(Uint8Array.of(0xff, 0x53, 0x4d, 0x42, 0x72), new Uint8Array(40));
    const events = analyze((s) => s.send(true, nbss(smb1)));
    assert.deepEqual(smb(events), []);
  });
});

describe('large messages', () => {
  test('a streamed WRITE request raises smb2_message once, with its header, when complete', () => {
    // WRITE request, MS-SMB2 2.2.21: DataOffset 0x70 (header 64 + fixed 48), 100,000 bytes of data
    const data = new Uint8Array(100000).fill(0x61);
    const body = concat(
      Uint8Array.of(49, 0), // StructureSize 49
      Uint8Array.of(0x70, 0), // DataOffset
      Uint8Array.of(0xa0, 0x86, 0x01, 0), // Length 100000
      new Uint8Array(8), // Offset
      new Uint8Array(16).fill(0x11), // FileId
      new Uint8Array(4), // Channel
      new Uint8Array(4), // RemainingBytes
      new Uint8Array(4), // WriteChannelInfoOffset/Length
      new Uint8Array(4), // Flags
      data,
    );
    const events = analyze((s) => {
      s.send(true, nbss(concat(smb2Header({ command: SMB2_WRITE, messageId: 12n, creditCharge: 2 }), body)), {
        segment: 1448,
      });
    });
    const m = named(events, 'smb2_message');
    assert.equal(m.length, 1);
    assert.equal(hdrOf(m[0]!)['message_id'], 12n);
    assert.equal(hdrOf(m[0]!)['command'], SMB2_WRITE);
    assert.equal(hdrOf(m[0]!)['credit_charge'], 2);
  });
});
