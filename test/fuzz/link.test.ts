/**
 * Property tests of the link-layer decoders (src/core/link/link.ts): any
 * link type and any bytes never throw, and a decoded network header always
 * starts inside the frame; frames built with known encapsulations (Ethernet
 * with VLAN tags, SLL, SLL2, NULL, LOOP, raw IP) decode to where the IP
 * header really is.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeLink, ETHERTYPE_IPV4, ETHERTYPE_IPV6, type LinkResult, LinkStatus } from '../../src/core/link/link.js';
import { concat } from '../helpers/bytes.js';
import { ethernet } from '../helpers/inet.js';
import fc from './fc.js';

const LINKTYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 105, 127, 147, 0xffff, 2 ** 26 - 1];

describe('link decoders: properties', () => {
  it('never throw; Ok points inside the frame at IPv4 or IPv6', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...LINKTYPES), fc.nat(300)),
        fc.uint8Array({ maxLength: 120 }),
        fc.nat(20),
        fc.nat(20),
        (lt, body, pre, post) => {
          // the frame sits inside a larger buffer: [pre bytes][frame][post bytes]
          const buf = concat(new Uint8Array(pre).fill(0x81), body, new Uint8Array(post).fill(0x81));
          const out: LinkResult = { ethertype: -1, off: -1 };
          const st = decodeLink(lt, buf, pre, pre + body.length, out);
          assert.ok(Object.values(LinkStatus).includes(st));
          if (st === LinkStatus.Ok) {
            assert.ok(out.off >= pre && out.off <= pre + body.length, `offset ${out.off}`);
            assert.ok(out.ethertype === ETHERTYPE_IPV4 || out.ethertype === ETHERTYPE_IPV6);
          }
          // the bytes outside the frame never matter
          const buf2 = concat(new Uint8Array(pre).fill(0x08), body, new Uint8Array(post).fill(0x86));
          const out2: LinkResult = { ethertype: -1, off: -1 };
          assert.equal(decodeLink(lt, buf2, pre, pre + body.length, out2), st);
          if (st === LinkStatus.Ok) assert.deepEqual(out2, out);
        },
      ),
      { numRuns: 4000 },
    );
  });

  it('finds the IP header behind every supported encapsulation', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('eth', 'sll', 'sll2', 'null-le', 'null-be', 'loop', 'raw'),
        fc.boolean(),
        fc.array(fc.record({ tpid: fc.constantFrom(0x8100, 0x88a8, 0x9100), tci: fc.nat(0xffff) }), { maxLength: 8 }),
        fc.uint8Array({ minLength: 1, maxLength: 60 }),
        (enc, v6, vlans, rest) => {
          const ip = Uint8Array.from([v6 ? 0x60 : 0x45, ...rest]);
          const type = v6 ? 0x86dd : 0x0800;
          let frame: Uint8Array;
          let lt: number;
          let hl: number;
          switch (enc) {
            case 'eth':
              frame = ethernet(ip, type, vlans);
              lt = 1;
              hl = 14 + 4 * vlans.length;
              break;
            case 'sll': {
              const h = new Uint8Array(16);
              new DataView(h.buffer).setUint16(14, type);
              frame = concat(h, ip);
              lt = 113;
              hl = 16;
              break;
            }
            case 'sll2': {
              const h = new Uint8Array(20);
              new DataView(h.buffer).setUint16(0, type);
              frame = concat(h, ip);
              lt = 276;
              hl = 20;
              break;
            }
            case 'null-le':
            case 'null-be':
            case 'loop': {
              const h = new Uint8Array(4);
              new DataView(h.buffer).setUint32(0, v6 ? (enc === 'loop' ? 24 : 30) : 2, enc === 'null-le');
              frame = concat(h, ip);
              lt = enc === 'loop' ? 108 : 0;
              hl = 4;
              break;
            }
            default:
              frame = ip;
              lt = 101;
              hl = 0;
          }
          const out: LinkResult = { ethertype: 0, off: 0 };
          assert.equal(decodeLink(lt, frame, 0, frame.length, out), LinkStatus.Ok);
          assert.equal(out.off, hl);
          assert.equal(out.ethertype, type);
          // every cut inside the link header is Truncated, never Ok past the end
          for (let cut = 0; cut < hl; cut++) {
            const st = decodeLink(lt, frame, 0, cut, out);
            assert.notEqual(st, LinkStatus.Ok, `cut at ${cut}`);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
