/**
 * The SMB analyzer of one TCP connection: two framers (one per direction)
 * feed it session messages, which it dispatches by protocol id:
 *
 *   \xfeSMB  SMB2/SMB3 message or compound chain  -> smb2/analyzer.ts
 *   \xfdSMB  SMB3 TRANSFORM header + encrypted message (only the header is read)
 *   \xfcSMB  SMB 3.1.1 COMPRESSION_TRANSFORM (not analyzed)
 *   \xffSMB  SMB1 (the multi-protocol NEGOTIATE of SMB2 clients is expected
 *            and passes quietly; SMB1 commands are not analyzed yet)
 */

import { isMalformed } from '../bytes/result.js';
import type { ConnRef } from '../events/catalogue.js';
import type { AppAnalyzer } from '../tcp/conn.js';
import type { SmbContext } from './context.js';
import { type FrameHandler, SmbFramer } from './framing.js';
import { parseSmb1Header, SMB_COM_NEGOTIATE, SMB1_HEADER_SIZE } from './smb1/header.js';
import { parseSmb1NegotiateRequest } from './smb1/negotiate.js';
import { Smb2Analyzer } from './smb2/analyzer.js';
import {
  isTransformProtocolId,
  parseTransformHeader,
  type SMB2TransformHeader,
  TRANSFORM_HEADER_SIZE,
} from './smb2/transform.js';

enum Proto {
  Unknown,
  Smb1,
  Smb2,
  Transform,
  Compressed,
}

function protocolOf(b: Uint8Array, o: number, len: number): Proto {
  if (len < 4 || b[o + 1] !== 0x53 || b[o + 2] !== 0x4d || b[o + 3] !== 0x42) return Proto.Unknown;
  switch (b[o]) {
    case 0xfe:
      return Proto.Smb2;
    case 0xfd:
      return Proto.Transform;
    case 0xfc:
      return Proto.Compressed;
    case 0xff:
      return Proto.Smb1;
    default:
      return Proto.Unknown;
  }
}

/** What a streamed message is: decided by `plan`, used until `streamEnd`. */
interface Streaming {
  proto: Proto;
  /** a transform header, raised when the message ends */
  transform?: SMB2TransformHeader | undefined;
}

export class SmbConnectionAnalyzer implements AppAnalyzer, FrameHandler {
  // made when their direction first needs one (many connections never carry data both ways)
  private origFramer: SmbFramer | undefined;
  private respFramer: SmbFramer | undefined;
  /** per direction (bit 0 orig, bit 1 resp): a framer made now starts by scanning for a boundary */
  private scanBits: number;
  readonly smb2: Smb2Analyzer;
  private streamingOrig: Streaming | undefined;
  private streamingResp: Streaming | undefined;
  /** SMB1 messages seen (not analyzed yet) */
  smb1Messages = 0;
  compressedMessages = 0;
  /** deliveries dropped while resynchronising (Zeek gap recovery) */
  droppedChunks = 0;

  // Zeek gap recovery: after a gap, wait for a delivery that starts with an SMB header
  private readonly zeekGaps: boolean;
  private needSync = false;
  /** per direction (bit 0 orig, bit 1 resp): a parse is pending (binpac's flow holds a parse object) */
  private armed = 0;
  /** per direction: the buffered bytes were thrown away since the last delivery */
  private dirty = 0;

  constructor(
    private readonly c: ConnRef,
    private readonly ctx: SmbContext,
    midstream: boolean,
  ) {
    this.zeekGaps = ctx.limits.gapRecovery === 'zeek';
    // a stream whose start was seen begins on a message boundary; one picked up mid-stream is
    // scanned for its first message (Zeek instead waits for a delivery that starts with one)
    this.scanBits = midstream ? 3 : 0;
    this.smb2 = new Smb2Analyzer(c, ctx, this);
  }

  // --- AppAnalyzer (from TCP reassembly)

  data(isOrig: boolean, buf: Uint8Array, off: number, len: number): void {
    const framer = this.framer(isOrig);
    if (!this.zeekGaps) {
      framer.data(buf, off, len);
      return;
    }
    // Zeek: while out of step, only a delivery with an SMB header at offset 4 resumes analysis
    if (this.needSync) {
      if (!startsWithSmb(buf, off, len)) {
        this.droppedChunks++;
        return;
      }
      this.needSync = false;
    }
    const bit = isOrig ? 1 : 2;
    if (this.dirty & this.armed & bit) {
      // Zeek's parser still holds a half-started message from before the reset: this delivery is lost to it
      this.droppedChunks++;
      this.armed &= ~bit;
      this.resync();
      return;
    }
    if (this.dirty & bit) {
      framer.reset(); // the delivery starts with a message header (checked above)
      this.dirty &= ~bit;
    }
    this.armed |= bit;
    framer.data(buf, off, len);
  }

  gap(isOrig: boolean, len: number): void {
    if (this.zeekGaps) this.resync();
    else this.framer(isOrig).gap(len);
  }

  private framer(isOrig: boolean): SmbFramer {
    if (isOrig) {
      this.origFramer ??= new SmbFramer(true, this, this.ctx.limits, (this.scanBits & 1) !== 0);
      return this.origFramer;
    }
    this.respFramer ??= new SmbFramer(false, this, this.ctx.limits, (this.scanBits & 2) !== 0);
    return this.respFramer;
  }

  /** Zeek's NeedResync: both directions drop what they buffered and wait for an SMB header. */
  private resync(): void {
    this.needSync = true;
    this.dirty = 3;
    // a framer not made yet starts on a boundary, as a reset one does
    this.scanBits = 0;
    this.origFramer?.reset();
    this.respFramer?.reset();
    this.abandonStreams();
  }

  /** A message Zeek's parser rejects: the rest of its delivery is lost, then a resync (Zeek mode). */
  violation(isOrig: boolean): void {
    if (!this.zeekGaps) return;
    (isOrig ? this.origFramer : this.respFramer)?.abort();
    this.armed &= isOrig ? ~1 : ~2;
    this.resync();
  }

  private abandonStreams(): void {
    this.streamingOrig = this.streamingResp = undefined;
    this.smb2.abandonStreams();
  }

  done(): void {
    this.smb2.done();
    this.origFramer?.release();
    this.respFramer?.release();
  }

  // --- FrameHandler (from the framers)

  message(isOrig: boolean, buf: Uint8Array, off: number, len: number): void {
    switch (protocolOf(buf, off, len)) {
      case Proto.Smb2:
        this.smb2.message(isOrig, buf, off, off + len);
        return;
      case Proto.Transform:
        this.transform(buf, off, len);
        return;
      case Proto.Smb1:
        this.smb1(isOrig, buf, off, len);
        return;
      case Proto.Compressed:
        this.compressedMessages++;
        return;
      default:
        this.weird('SMB_unknown_protocol_id', len >= 4 ? hex4(buf, off) : `${len} bytes`);
    }
  }

  plan(isOrig: boolean, buf: Uint8Array, off: number, have: number, total: number): number {
    const proto = protocolOf(buf, off, have);
    if (proto === Proto.Transform) return TRANSFORM_HEADER_SIZE;
    if (proto === Proto.Compressed) return 4;
    if (proto === Proto.Smb2) return this.smb2.plan(isOrig, buf, off, have, total);
    return total;
  }

  streamStart(isOrig: boolean, buf: Uint8Array, off: number, len: number, total: number): void {
    const proto = protocolOf(buf, off, len);
    const s: Streaming = { proto };
    if (isOrig) this.streamingOrig = s;
    else this.streamingResp = s;
    if (proto === Proto.Transform) s.transform = this.parseTransform(buf, off, len);
    else if (proto === Proto.Compressed) this.compressedMessages++;
    else if (proto === Proto.Smb2) this.smb2.streamStart(isOrig, buf, off, len, total);
  }

  streamData(isOrig: boolean, buf: Uint8Array, off: number, len: number): void {
    if ((isOrig ? this.streamingOrig : this.streamingResp)?.proto === Proto.Smb2)
      this.smb2.streamData(isOrig, buf, off, len);
  }

  streamGap(isOrig: boolean, len: number): void {
    if ((isOrig ? this.streamingOrig : this.streamingResp)?.proto === Proto.Smb2) this.smb2.streamGap(isOrig, len);
  }

  streamEnd(isOrig: boolean): void {
    const s = isOrig ? this.streamingOrig : this.streamingResp;
    if (isOrig) this.streamingOrig = undefined;
    else this.streamingResp = undefined;
    if (s?.proto === Proto.Smb2) this.smb2.streamEnd(isOrig);
    else if (s?.transform) this.raiseTransform(s.transform);
  }

  nbss(_isOrig: boolean, _type: number, _buf: Uint8Array, _off: number, _len: number): void {
    // NetBIOS session request / responses / keep-alives carry no SMB
  }

  weird(name: string, addl?: string): void {
    this.ctx.weird(this.c, name, addl, 'SMB');
  }

  /** SMB1: the header (smb1_message) and the NEGOTIATE request SMB2 clients open with. */
  private smb1(isOrig: boolean, buf: Uint8Array, off: number, len: number): void {
    this.smb1Messages++;
    if (len < SMB1_HEADER_SIZE) {
      this.weird('SMB1_truncated_header', `${len} bytes`);
      return;
    }
    const hdr = parseSmb1Header(buf, off);
    const bus = this.ctx.bus;
    const now = this.ctx.now();
    bus.raise('smb1_message', now, this.c, hdr, isOrig);
    if (hdr.command === SMB_COM_NEGOTIATE && isOrig) {
      const r = parseSmb1NegotiateRequest(buf, off + SMB1_HEADER_SIZE, off + len);
      if (isMalformed(r)) {
        this.weird('SMB1_malformed_message', r.what);
        this.violation(isOrig);
      } else bus.raise('smb1_negotiate_request', now, this.c, hdr, r.dialects);
    }
  }

  private transform(buf: Uint8Array, off: number, len: number): void {
    const t = this.parseTransform(buf, off, len);
    if (t) this.raiseTransform(t);
  }

  private parseTransform(buf: Uint8Array, off: number, len: number): SMB2TransformHeader | undefined {
    if (len < TRANSFORM_HEADER_SIZE || !isTransformProtocolId(buf, off)) {
      this.weird('SMB2_truncated_transform_header', `${len} bytes`);
      return undefined;
    }
    return parseTransformHeader(buf, off);
  }

  private raiseTransform(t: SMB2TransformHeader): void {
    this.ctx.bus.raise('smb2_transform_header', this.ctx.now(), this.c, t);
  }
}

/** Zeek's resynchronisation test: \xffSMB or \xfeSMB at offset 4 of a delivery of at least 8 bytes. */
function startsWithSmb(b: Uint8Array, o: number, len: number): boolean {
  if (len < 8 || b[o + 5] !== 0x53 || b[o + 6] !== 0x4d || b[o + 7] !== 0x42) return false;
  return b[o + 4] === 0xff || b[o + 4] === 0xfe;
}

function hex4(b: Uint8Array, o: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) s += b[o + i]!.toString(16).padStart(2, '0');
  return s;
}
