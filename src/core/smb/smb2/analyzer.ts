/**
 * SMB2/SMB3 messages of one connection: walks compound chains, raises
 * `smb2_message` for every header and hands each body to its command.
 *
 * A chain is followed through NextCommand (MS-SMB2 3.2.4.1.4 / 3.3.4.1.3):
 * each member is its own message with its own events, in wire order. A
 * NextCommand that does not move forward, points outside the message, or a
 * chain longer than the limit is reported and ends the chain.
 *
 * As in Zeek, a body is parsed for status 0, STATUS_BUFFER_OVERFLOW and
 * STATUS_MORE_PROCESSING_REQUIRED; any other status is an error response
 * (MS-SMB2 2.2.2), which raises no command event.
 *
 * Large READ responses and WRITE requests arrive streamed: `plan` asks the
 * framer for the header and the fixed part, the data follows in pieces.
 */

import { u16le, u32le } from '../../bytes/read.js';
import { isMalformed, type Malformed } from '../../bytes/result.js';
import type { ConnRef } from '../../events/catalogue.js';
import type { SmbContext } from '../context.js';
import { parseCloseRequest, parseCloseResponse, SMB2_CLOSE } from './commands/close.js';
import {
  headerStructureSize,
  isSmb2ProtocolId,
  nextCommand,
  parseSmb2Header,
  SMB2_HEADER_SIZE,
  statusHasBody,
} from './header.js';
import type { SMB2Header } from './types.js';

export const SMB2_READ = 0x0008;
export const SMB2_WRITE = 0x0009;

/** READ response fixed part (MS-SMB2 2.2.20): DataOffset is a byte at +2. */
const READ_RESPONSE_FIXED = 16;
/** WRITE request fixed part (MS-SMB2 2.2.21): DataOffset is 16 bits at +2. */
const WRITE_REQUEST_FIXED = 48;

/** One SMB2 message of a chain: its header and where its body is. */
export interface Smb2Message {
  hdr: SMB2Header;
  isOrig: boolean;
  buf: Uint8Array;
  /** offset of the SMB2 header (body offsets on the wire are relative to it) */
  off: number;
  /** end of this message (the next header, or the end of the transport message) */
  end: number;
}

/** A streamed READ response or WRITE request in progress. */
interface Streamed {
  hdr: SMB2Header;
  /** the header and fixed part, copied */
  prefix: Uint8Array;
  total: number;
}

export class Smb2Analyzer {
  private streamed: [Streamed | undefined, Streamed | undefined] = [undefined, undefined];
  /** messages and CLOSE requests seen, for the summary */
  messages = 0;
  closes = 0;

  constructor(
    private readonly c: ConnRef,
    private readonly ctx: SmbContext,
  ) {}

  /** A transport message holding one SMB2 message or a compound chain, [off, end). */
  message(isOrig: boolean, buf: Uint8Array, off: number, end: number): void {
    let pos = off;
    for (let n = 0; ; n++) {
      if (n === this.ctx.limits.maxChain) {
        this.weird('SMB2_compound_chain_too_long', `more than ${this.ctx.limits.maxChain} messages`);
        return;
      }
      if (end - pos < SMB2_HEADER_SIZE) {
        this.weird('SMB2_truncated_header', `${end - pos} bytes`);
        return;
      }
      if (!isSmb2ProtocolId(buf, pos)) {
        this.weird('SMB2_bad_compound_member', 'no SMB2 protocol id at NextCommand');
        return;
      }
      if (headerStructureSize(buf, pos) !== SMB2_HEADER_SIZE) {
        // Zeek does not check it; noted for analysts, and the message is still read
        this.weird('SMB2_bad_header_size', String(headerStructureSize(buf, pos)));
      }
      const next = nextCommand(buf, pos);
      let msgEnd = end;
      if (next !== 0) {
        if (next < SMB2_HEADER_SIZE || next > end - pos) {
          this.weird('SMB2_bad_next_command', `NextCommand ${next} in a message of ${end - pos} bytes`);
          this.one(isOrig, buf, pos, end);
          return;
        }
        msgEnd = pos + next;
      }
      this.one(isOrig, buf, pos, msgEnd);
      if (next === 0) return;
      pos += next;
    }
  }

  /** Handles one message of a chain: smb2_message, then its command. */
  private one(isOrig: boolean, buf: Uint8Array, off: number, end: number): void {
    const hdr = parseSmb2Header(buf, off);
    this.messages++;
    const now = this.ctx.now();
    this.ctx.bus.raise('smb2_message', now, this.c, hdr, isOrig);
    if (!statusHasBody(hdr.status)) return; // error response: no command event
    this.command({ hdr, isOrig, buf, off, end });
  }

  private command(m: Smb2Message): void {
    const body = m.off + SMB2_HEADER_SIZE;
    const bus = this.ctx.bus;
    const now = this.ctx.now();
    switch (m.hdr.command) {
      case SMB2_CLOSE:
        if (m.isOrig) {
          const req = parseCloseRequest(m.buf, body, m.end);
          if (isMalformed(req)) {
            this.malformed(req);
            return;
          }
          this.closes++;
          bus.raise('smb2_close_request', now, this.c, m.hdr, req.file_id);
        } else {
          const resp = parseCloseResponse(m.buf, body, m.end);
          if (isMalformed(resp)) {
            this.malformed(resp);
            return;
          }
          bus.raise('smb2_close_response', now, this.c, m.hdr, resp);
        }
        return;
      default:
        return;
    }
  }

  private malformed(r: Malformed): void {
    this.weird('SMB2_malformed_message', r.what);
  }

  // --- streaming of bulk READ responses and WRITE requests

  /** Leading bytes needed in one piece for a large message (see SmbFramer.plan). */
  plan(isOrig: boolean, buf: Uint8Array, off: number, have: number, total: number): number {
    if (have < SMB2_HEADER_SIZE + 4 || nextCommand(buf, off) !== 0) return total;
    const command = u16le(buf, off + 12);
    const status = u32le(buf, off + 8);
    if (!statusHasBody(status)) return total;
    const body = off + SMB2_HEADER_SIZE;
    if (isOrig && command === SMB2_WRITE) {
      const dataOffset = u16le(buf, body + 2);
      if (dataOffset >= SMB2_HEADER_SIZE + WRITE_REQUEST_FIXED && dataOffset < total) return dataOffset;
    } else if (!isOrig && command === SMB2_READ) {
      const dataOffset = buf[body + 2]!;
      if (dataOffset >= SMB2_HEADER_SIZE + READ_RESPONSE_FIXED && dataOffset < total) return dataOffset;
    }
    return total;
  }

  streamStart(isOrig: boolean, buf: Uint8Array, off: number, len: number, total: number): void {
    this.streamed[isOrig ? 0 : 1] = { hdr: parseSmb2Header(buf, off), prefix: buf.slice(off, off + len), total };
  }

  streamData(_isOrig: boolean, _buf: Uint8Array, _off: number, _len: number): void {
    // file data: handed to file analysis (with the SMB2 state), not needed for the header events
  }

  streamGap(_isOrig: boolean, _len: number): void {}

  streamEnd(isOrig: boolean): void {
    const s = this.streamed[isOrig ? 0 : 1];
    this.streamed[isOrig ? 0 : 1] = undefined;
    if (!s) return;
    this.messages++;
    this.ctx.bus.raise('smb2_message', this.ctx.now(), this.c, s.hdr, isOrig);
    this.command({ hdr: s.hdr, isOrig, buf: s.prefix, off: 0, end: s.prefix.length });
  }

  /** The connection ended. */
  done(): void {
    this.streamed = [undefined, undefined];
  }

  private weird(name: string, addl?: string): void {
    this.ctx.weird(this.c, name, addl, 'SMB');
  }
}
