/**
 * src/core/auth/spnego.ts on crafted tokens: the strict parse
 * (parseGssapiToken), Zeek's GSSAPI analyzer (zeekGssapi) and the SMB routing
 * (routeSmbSecurityBlob). Tokens are built with a tiny DER writer; each
 * element says what it is.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type GssapiToken,
  KRB5_OID,
  MS_KRB5_OID,
  NTLMSSP_OID,
  parseGssapiToken,
  routeSmbSecurityBlob,
  SPNEGO_HINT_NAME_IGNORE,
  SPNEGO_OID,
  type ZeekGssapiResult,
  zeekGssapi,
} from '../../src/core/auth/spnego.js';
import { isMalformed, type Malformed } from '../../src/core/bytes/result.js';

// ---- a tiny DER writer ----------------------------------------------------

/** An element: tag, then the (definite, minimal) length, then the content. */
function tlv(tag: number, ...content: (number[] | Uint8Array)[]): number[] {
  const body = content.flatMap((c) => [...c]);
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return [tag, ...len, ...body];
}
function oid(dotted: string): number[] {
  const a = dotted.split('.').map(Number);
  const arcs = [a[0]! * 40 + a[1]!, ...a.slice(2)];
  return tlv(
    0x06,
    arcs.flatMap((v) => {
      const out = [v & 0x7f];
      for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) out.unshift((v & 0x7f) | 0x80);
      return out;
    }),
  );
}
const octets = (b: number[]): number[] => tlv(0x04, b);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const bytes = (a: number[]): Uint8Array => Uint8Array.from(a);
const hex = (b: Uint8Array | undefined): string | undefined => (b ? Buffer.from(b).toString('hex') : undefined);

/** A 44-byte NTLMSSP NEGOTIATE (flags 0xa0880205, no names). */
const NTLM_NEG = [...ascii('NTLMSSP\0'), 1, 0, 0, 0, 0x05, 0x02, 0x88, 0xa0, ...new Array(28).fill(0)];
/** A short stand-in Kerberos AP-REQ: [APPLICATION 14] { SEQUENCE { [0] INTEGER 5 } }. */
const AP_REQ = tlv(0x6e, tlv(0x30, tlv(0xa0, tlv(0x02, [5]))));

/** InitialContextToken(SPNEGO, negTokenInit { fields }). */
const spnegoInit = (...fields: number[][]): number[] => tlv(0x60, oid(SPNEGO_OID), tlv(0xa0, tlv(0x30, ...fields)));
/** negTokenResp { fields }. */
const negResp = (...fields: number[][]): number[] => tlv(0xa1, tlv(0x30, ...fields));
const mechTypes = (...oids: string[]): number[] => tlv(0xa0, tlv(0x30, ...oids.map(oid)));
const negState = (s: number): number[] => tlv(0xa0, tlv(0x0a, [s]));

function tok<K extends GssapiToken['kind']>(r: GssapiToken | Malformed, kind: K): Extract<GssapiToken, { kind: K }> {
  assert.ok(!isMalformed(r), `unexpected Malformed: ${isMalformed(r) ? r.what : ''}`);
  assert.equal(r.kind, kind);
  return r as Extract<GssapiToken, { kind: K }>;
}
function bad(r: GssapiToken | Malformed, re?: RegExp): void {
  assert.ok(isMalformed(r), `expected Malformed, got ${JSON.stringify(r)}`);
  if (re) assert.match(r.what, re);
}
/** zeekGssapi as plain data: steps with hex bytes, the violation's text. */
function zeek(b: number[]): { steps: unknown[]; violation?: string } {
  const r: ZeekGssapiResult = zeekGssapi(bytes(b));
  const steps = r.steps.map((s) =>
    s.step === 'neg_result'
      ? s
      : s.step === 'ntlm'
        ? { step: 'ntlm', token: hex(s.token) }
        : { step: 'krb', blob: hex(s.blob) },
  );
  return r.violation ? { steps, violation: r.violation.what } : { steps };
}

// ---- negTokenInit ---------------------------------------------------------

describe('negTokenInit', () => {
  test('client first token: mechTypes [NTLMSSP] + NTLMSSP NEGOTIATE mechToken', () => {
    const b = spnegoInit(mechTypes(NTLMSSP_OID), tlv(0xa2, octets(NTLM_NEG)));
    const t = tok(parseGssapiToken(bytes(b)), 'init');
    assert.equal(t.oid, SPNEGO_OID);
    assert.deepEqual(t.mechTypes, [NTLMSSP_OID]);
    assert.equal(hex(t.mechToken), hex(bytes(NTLM_NEG)));
    assert.equal(t.negHints, undefined);
    assert.deepEqual(zeek(b), { steps: [{ step: 'ntlm', token: hex(bytes(NTLM_NEG)) }] });
  });

  test('all RFC 4178 fields: mechTypes, reqFlags, mechToken, mechListMIC [3]', () => {
    const b = spnegoInit(
      mechTypes(MS_KRB5_OID, KRB5_OID, NTLMSSP_OID),
      tlv(0xa1, tlv(0x03, [0x01, 0x06])), // ContextFlags BIT STRING: 1 unused bit, mutual|replay...
      tlv(0xa2, octets(NTLM_NEG)),
      tlv(0xa3, octets([1, 2, 3, 4])),
    );
    const t = tok(parseGssapiToken(bytes(b)), 'init');
    assert.deepEqual(t.mechTypes, [MS_KRB5_OID, KRB5_OID, NTLMSSP_OID]);
    assert.equal(hex(t.reqFlags), '0106');
    assert.equal(hex(t.mechListMIC), '01020304');
    // Zeek: [1] and [3] are plain elements, [2] is forwarded; no violation
    assert.deepEqual(zeek(b), { steps: [{ step: 'ntlm', token: hex(bytes(NTLM_NEG)) }] });
  });

  test('server NEGOTIATE response (NegTokenInit2 with negHints): Zeek confirms, does nothing else', () => {
    const b = spnegoInit(
      mechTypes(NTLMSSP_OID),
      tlv(0xa3, tlv(0x30, tlv(0xa0, tlv(0x1b, ascii(SPNEGO_HINT_NAME_IGNORE))))),
    );
    const t = tok(parseGssapiToken(bytes(b)), 'init');
    assert.deepEqual(t.negHints, { hintName: SPNEGO_HINT_NAME_IGNORE });
    assert.equal(t.mechListMIC, undefined);
    assert.deepEqual(zeek(b), { steps: [] });
  });

  test('NegTokenInit2 with [4] mechListMIC: fine for the strict parse, a violation in Zeek after the forward', () => {
    const b = spnegoInit(
      mechTypes(NTLMSSP_OID),
      tlv(0xa2, octets(NTLM_NEG)),
      tlv(0xa3, tlv(0x30, tlv(0xa0, tlv(0x1b, ascii('x'))), tlv(0xa1, octets([0x7f])))),
      tlv(0xa4, octets([9, 9])),
    );
    const t = tok(parseGssapiToken(bytes(b)), 'init');
    assert.deepEqual(t.negHints, { hintName: 'x', hintAddress: bytes([0x7f]) });
    assert.equal(hex(t.mechListMIC), '0909');
    const z = zeek(b);
    assert.deepEqual(z.steps, [{ step: 'ntlm', token: hex(bytes(NTLM_NEG)) }]);
    assert.match(z.violation ?? '', /invalid index for case: 4/);
  });

  test('a Kerberos mechToken goes to KRB without its OID and TOK_ID', () => {
    const krb = tlv(0x60, oid(KRB5_OID), [0x01, 0x00], AP_REQ);
    const b = spnegoInit(mechTypes(KRB5_OID, NTLMSSP_OID), tlv(0xa2, octets(krb)));
    tok(parseGssapiToken(bytes(b)), 'init');
    assert.deepEqual(zeek(b), { steps: [{ step: 'krb', blob: hex(bytes(AP_REQ)) }] });
  });

  test('a Kerberos mechToken too short for its TOK_ID: violation, nothing forwarded', () => {
    const krb = tlv(0x60, oid(KRB5_OID), [0x01]);
    const z = zeek(spnegoInit(tlv(0xa2, octets(krb))));
    assert.deepEqual(z.steps, []);
    assert.match(z.violation ?? '', /TOK_ID/);
  });

  test('a mechToken starting with "N" but not "NTLMSSP", or empty: not forwarded, no violation', () => {
    assert.deepEqual(zeek(spnegoInit(tlv(0xa2, octets(ascii('NTLMSS'))))), { steps: [] });
    assert.deepEqual(zeek(spnegoInit(tlv(0xa2, octets([])))), { steps: [] });
  });

  test('bare negTokenInit [0] (no InitialContextToken): init without oid; Zeek reads it as a negTokenResp', () => {
    const b = tlv(0xa0, tlv(0x30, mechTypes(NTLMSSP_OID)));
    const t = tok(parseGssapiToken(bytes(b)), 'init');
    assert.equal(t.oid, undefined);
    assert.deepEqual(t.mechTypes, [NTLMSSP_OID]);
    // Zeek: [0] is "negState": binary_to_int64 of the mechTypes SEQUENCE content (the low 8 octets)
    const z = zeek(b);
    assert.equal(z.steps.length, 1);
    assert.equal((z.steps[0] as { step: string }).step, 'neg_result');
  });

  test('strict errors: wrong inner tags, non-SEQUENCE mechTypes, bad OIDs, two elements in a wrapper', () => {
    bad(parseGssapiToken(bytes(tlv(0x60, oid(SPNEGO_OID), tlv(0xa1, tlv(0x30))))), /innerContextToken/);
    bad(parseGssapiToken(bytes(tlv(0x60, tlv(0x04, [1]), tlv(0xa0, tlv(0x30))))), /thisMech/);
    bad(parseGssapiToken(bytes(spnegoInit(tlv(0xa0, tlv(0x04, [1]))))), /mechTypes/);
    bad(parseGssapiToken(bytes(spnegoInit(tlv(0xa0, tlv(0x30, tlv(0x04, [1])))))), /mechTypes/);
    bad(parseGssapiToken(bytes(spnegoInit(tlv(0xa0, tlv(0x30, tlv(0x06, [0x2b, 0x86])))))), /unterminated/);
    bad(parseGssapiToken(bytes(spnegoInit(tlv(0xa2, octets([1]), octets([2]))))), /2 elements/);
    bad(parseGssapiToken(bytes(spnegoInit(tlv(0xa2, tlv(0x30))))), /mechToken/);
    bad(parseGssapiToken(bytes(spnegoInit(tlv(0xa3, tlv(0x02, [1]))))), /\[3\]/);
    bad(parseGssapiToken(bytes(tlv(0x60, oid(SPNEGO_OID), tlv(0xa0, tlv(0x04, [1]))))), /negTokenInit/);
  });

  test('unknown context tags and non-context elements in the SEQUENCE are skipped', () => {
    const b = spnegoInit(mechTypes(NTLMSSP_OID), tlv(0xa7, tlv(0x05, [])), tlv(0x05, []));
    assert.deepEqual(tok(parseGssapiToken(bytes(b)), 'init').mechTypes, [NTLMSSP_OID]);
  });
});

// ---- negTokenResp ---------------------------------------------------------

describe('negTokenResp', () => {
  test('server challenge: accept-incomplete, supportedMech, responseToken', () => {
    const b = negResp(negState(1), tlv(0xa1, oid(NTLMSSP_OID)), tlv(0xa2, octets(NTLM_NEG)));
    const t = tok(parseGssapiToken(bytes(b)), 'resp');
    assert.equal(t.negState, 1);
    assert.equal(t.supportedMech, NTLMSSP_OID);
    assert.equal(hex(t.responseToken), hex(bytes(NTLM_NEG)));
    // Zeek: gssapi_neg_result(1) first, then the NTLM forward
    assert.deepEqual(zeek(b), {
      steps: [
        { step: 'neg_result', state: 1 },
        { step: 'ntlm', token: hex(bytes(NTLM_NEG)) },
      ],
    });
  });

  test('final: accept-completed + mechListMIC', () => {
    const b = negResp(negState(0), tlv(0xa3, octets([1, 0, 0, 0, 0xaa, 0xbb])));
    const t = tok(parseGssapiToken(bytes(b)), 'resp');
    assert.equal(t.negState, 0);
    assert.equal(hex(t.mechListMIC), '01000000aabb');
    assert.deepEqual(zeek(b), { steps: [{ step: 'neg_result', state: 0 }] });
  });

  test('reject (2) and request-mic (3)', () => {
    for (const s of [2, 3]) {
      assert.equal(tok(parseGssapiToken(bytes(negResp(negState(s)))), 'resp').negState, s);
      assert.deepEqual(zeek(negResp(negState(s))), { steps: [{ step: 'neg_result', state: s }] });
    }
  });

  test('client authenticate: responseToken only, no negState → no neg_result', () => {
    const b = negResp(tlv(0xa2, octets(NTLM_NEG)));
    assert.equal(tok(parseGssapiToken(bytes(b)), 'resp').negState, undefined);
    assert.deepEqual(zeek(b), { steps: [{ step: 'ntlm', token: hex(bytes(NTLM_NEG)) }] });
  });

  test('empty negTokenResp a1 02 30 00: no fields, Zeek confirms', () => {
    const b = [0xa1, 0x02, 0x30, 0x00];
    assert.deepEqual(tok(parseGssapiToken(bytes(b)), 'resp'), { kind: 'resp' });
    assert.deepEqual(zeek(b), { steps: [] });
  });

  test('negState content: Zeek reads any element as a big-endian integer', () => {
    // 2-octet ENUMERATED 00 01
    const two = negResp(tlv(0xa0, tlv(0x0a, [0, 1])));
    assert.equal(tok(parseGssapiToken(bytes(two)), 'resp').negState, 1);
    assert.deepEqual(zeek(two).steps, [{ step: 'neg_result', state: 1 }]);
    // empty content: strict Malformed, Zeek raises gssapi_neg_result(0), i.e. "success"
    const empty = negResp(tlv(0xa0, tlv(0x0a, [])));
    bad(parseGssapiToken(bytes(empty)), /negState: 0 octets/);
    assert.deepEqual(zeek(empty), { steps: [{ step: 'neg_result', state: 0 }] });
    // an INTEGER instead of ENUMERATED: strict Malformed, Zeek does not care
    const int = negResp(tlv(0xa0, tlv(0x02, [2])));
    bad(parseGssapiToken(bytes(int)), /negState/);
    assert.deepEqual(zeek(int), { steps: [{ step: 'neg_result', state: 2 }] });
  });

  test('Zeek ignores the outer lengths; the strict parse does not', () => {
    // a1 claims 0x7f content bytes but the token is 7 bytes long
    const b = [0xa1, 0x7f, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x00];
    bad(parseGssapiToken(bytes(b)), /exceeds/);
    assert.deepEqual(zeek(b), { steps: [{ step: 'neg_result', state: 0 }] });
  });

  test('trailing bytes: ignored by the strict parse, read as another argument by Zeek', () => {
    const b = [...negResp(negState(0)), 0x00];
    assert.equal(tok(parseGssapiToken(bytes(b)), 'resp').negState, 0);
    const z = zeek(b);
    assert.deepEqual(z.steps, [{ step: 'neg_result', state: 0 }]);
    assert.match(z.violation ?? '', /header/);
  });

  test('an argument index above 3, or a non-context tag, is a Zeek violation after earlier steps', () => {
    const z = zeek(negResp(negState(0), tlv(0xa5, octets([1]))));
    assert.deepEqual(z.steps, [{ step: 'neg_result', state: 0 }]);
    assert.match(z.violation ?? '', /invalid index for case: 5/);
    assert.match(zeek(negResp(tlv(0x04, [1]))).violation ?? '', /invalid index for case: 100/);
  });

  test('an argument longer than the token is a Zeek violation (out of bound)', () => {
    const z = zeek([0xa1, 0x05, 0x30, 0x03, 0xa0, 0x10, 0x0a]);
    assert.deepEqual(z.steps, []);
    assert.match(z.violation ?? '', /exceeds/);
  });
});

// ---- other tokens ---------------------------------------------------------

describe('raw NTLMSSP, Kerberos, others', () => {
  test('raw NTLMSSP', () => {
    const t = tok(parseGssapiToken(bytes(NTLM_NEG)), 'ntlmssp');
    assert.equal(t.token.length, 44);
    assert.equal(routeSmbSecurityBlob(bytes(NTLM_NEG)), 'ntlm');
  });

  test('krb5 InitialContextToken (AP-REQ, TOK_ID 01 00)', () => {
    const b = tlv(0x60, oid(KRB5_OID), [0x01, 0x00], AP_REQ);
    const t = tok(parseGssapiToken(bytes(b)), 'other');
    assert.equal(t.label, 'krb5');
    assert.equal(t.oid, KRB5_OID);
    assert.equal(t.tokenId, 0x0100);
    assert.equal(hex(t.innerToken), hex(bytes(AP_REQ)));
    // Given to Zeek's GSSAPI analyzer directly it is misread and violates
    assert.ok(zeek(b).violation);
    assert.equal(routeSmbSecurityBlob(bytes(b)), 'gssapi');
  });

  test('MS krb5 OID is krb5 too; another mech OID is "mech"', () => {
    assert.equal(tok(parseGssapiToken(bytes(tlv(0x60, oid(MS_KRB5_OID), [2, 0]))), 'other').label, 'krb5');
    const m = tok(parseGssapiToken(bytes(tlv(0x60, oid('1.2.3.4'), [7, 7]))), 'other');
    assert.equal(m.label, 'mech');
    assert.equal(hex(m.innerToken), '0707');
    bad(parseGssapiToken(bytes(tlv(0x60, oid(KRB5_OID), [1]))), /TOK_ID/);
  });

  test('bare Kerberos AP-REQ (APPLICATION 14)', () => {
    const t = tok(parseGssapiToken(bytes(AP_REQ)), 'other');
    assert.equal(t.label, 'krb5');
    assert.equal(t.tag, 0x6e);
  });

  test('GSS MIC token (TOK_ID 04 04) and wrap token (05 04): Zeek does nothing and confirms', () => {
    const mic = [0x04, 0x04, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff, ...new Array(20).fill(1)];
    assert.deepEqual(zeek(mic), { steps: [] });
    assert.deepEqual(zeek([0x05, 0x04, 0x06, 0xff, 0x00, 0x00]), { steps: [] });
    assert.equal(tok(parseGssapiToken(bytes(mic)), 'other').label, 'unknown');
  });

  test('routeSmbSecurityBlob: < 8 bytes ignored, "NTLMSSP" prefix to NTLM, else GSSAPI', () => {
    assert.equal(routeSmbSecurityBlob(bytes([])), 'ignore');
    assert.equal(routeSmbSecurityBlob(bytes(ascii('NTLMSSP'))), 'ignore');
    assert.equal(routeSmbSecurityBlob(bytes(ascii('NTLMSSPx'))), 'ntlm');
    assert.equal(routeSmbSecurityBlob(bytes([0xa1, 0x06, 0x30, 0x04, 0xa0, 0x02, 0x0a, 0x00])), 'gssapi');
  });
});

// ---- malformed ------------------------------------------------------------

describe('malformed tokens', () => {
  test('empty and one byte', () => {
    bad(parseGssapiToken(bytes([])));
    bad(parseGssapiToken(bytes([0x60])));
    assert.ok(zeekGssapi(bytes([])).violation);
    assert.ok(zeekGssapi(bytes([0x60])).violation);
  });

  test('every length field zero', () => {
    // 60 00: no OID inside
    bad(parseGssapiToken(bytes([0x60, 0x00])), /thisMech/);
    assert.ok(zeek([0x60, 0x00]).violation);
    // a1 00: no SEQUENCE inside
    bad(parseGssapiToken(bytes([0xa1, 0x00])), /0 elements/);
    assert.ok(zeek([0xa1, 0x00]).violation);
    // 60 08 06 00 a0 00 ...: empty OID
    bad(parseGssapiToken(bytes([0x60, 0x04, 0x06, 0x00, 0xa0, 0x00])), /OID: empty/);
    // zero-length arguments: [0] with no element inside
    bad(parseGssapiToken(bytes(negResp([0xa0, 0x00]))), /0 elements/);
    assert.match(zeek(negResp([0xa0, 0x00])).violation ?? '', /header/);
  });

  test('lengths too long / too short', () => {
    const good = negResp(negState(0), tlv(0xa3, octets([1, 2, 3])));
    for (const i of [1, 3, 5, 7]) {
      for (const d of [-1, 1, 0x40]) {
        const b = good.slice();
        b[i] = (b[i]! + d) & 0x7f;
        const r = parseGssapiToken(bytes(b));
        if (!isMalformed(r)) assert.equal(r.kind, 'resp'); // only possible where the change still nests
        zeekGssapi(bytes(b));
      }
    }
    bad(parseGssapiToken(bytes([0xa1, 0x05, 0x30, 0x03, 0xa0, 0x05, 0x0a, 0x01, 0x00])), /exceeds/);
  });

  test('huge lengths', () => {
    bad(parseGssapiToken(bytes([0x60, 0x84, 0xff, 0xff, 0xff, 0xff, 0x06])), /exceeds/);
    bad(parseGssapiToken(bytes([0x60, 0x88, 1, 2, 3, 4, 5, 6, 7, 8, 0x06])), /too long/);
    // Zeek: the outer length is not checked, the OID's is
    assert.match(zeek([0x60, 0x84, 0xff, 0xff, 0xff, 0xff, 0x06, 0x84, 0x7f, 0, 0, 0]).violation ?? '', /exceeds/);
    assert.match(
      zeek([0xa1, 0x00, 0x30, 0x00, 0xa0, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]).violation ?? '',
      /9 length octets/,
    );
  });

  test('indefinite length: rejected by the strict parse; Zeek reads 80 as length 0', () => {
    const b = [0xa1, 0x80, 0x30, 0x80, 0xa0, 0x03, 0x0a, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00];
    bad(parseGssapiToken(bytes(b)), /indefinite/);
    const z = zeek(b);
    assert.deepEqual(z.steps, [{ step: 'neg_result', state: 2 }]);
    assert.ok(z.violation); // the end-of-contents octets are read as an argument
  });

  test('deep nesting inside a mechToken: neither parser descends into it', () => {
    let inner: number[] = [0x05, 0x00];
    for (let i = 0; i < 500; i++) inner = tlv(0x30, inner);
    const b = negResp(tlv(0xa2, tlv(0x30, inner)));
    bad(parseGssapiToken(bytes(b)), /responseToken/);
    assert.deepEqual(zeek(b), { steps: [] });
  });

  test('deeply nested wrappers (1000 × a1): strict Malformed; Zeek reads three headers and one argument', () => {
    let b: number[] = [0x30, 0x00];
    for (let i = 0; i < 1000; i++) b = tlv(0xa1, b);
    bad(parseGssapiToken(bytes(b)), /negTokenResp/);
    // wrapper a1, "SEQUENCE" a1, argument a1 = [1] supportedMech holding the rest: no violation
    assert.deepEqual(zeek(b), { steps: [] });
  });

  test('every prefix of a full token: never throws; strict Malformed', () => {
    const full = spnegoInit(
      mechTypes(NTLMSSP_OID),
      tlv(0xa2, octets(NTLM_NEG)),
      tlv(0xa3, tlv(0x30, tlv(0xa0, tlv(0x1b, ascii('hint'))))),
    );
    for (let n = 0; n < full.length; n++) {
      bad(parseGssapiToken(bytes(full.slice(0, n))));
      zeekGssapi(bytes(full.slice(0, n)));
    }
  });

  test('property: random bytes never throw; Zeek steps always carry in-bounds views', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (b) => {
        parseGssapiToken(b);
        const z = zeekGssapi(b);
        for (const s of z.steps) {
          if (s.step === 'ntlm') assert.ok(s.token.byteOffset + s.token.length <= b.byteOffset + b.length);
        }
        routeSmbSecurityBlob(b);
      }),
      { numRuns: 5000 },
    );
  });

  test('property: random edits of a real-shaped token never throw', () => {
    const base = spnegoInit(mechTypes(NTLMSSP_OID, KRB5_OID), tlv(0xa2, octets(NTLM_NEG)));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (edits) => {
        const b = bytes(base);
        for (const [p, v] of edits) b[p % b.length] = v;
        parseGssapiToken(b);
        zeekGssapi(b);
      }),
      { numRuns: 3000 },
    );
  });
});
