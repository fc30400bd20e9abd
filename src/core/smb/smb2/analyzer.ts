/**
 * SMB2/SMB3 messages of one connection: walks compound chains, raises
 * `smb2_message` for every header and each command's events, keeps the
 * per-connection state Zeek's analyzer keeps (request tree ids, pipe trees,
 * READ offsets, IOCTL file ids, each bounded by max_pending_messages), and
 * hands file data to file analysis.
 *
 * A chain is followed through NextCommand (MS-SMB2 3.2.4.1.4 / 3.3.4.1.3):
 * each member is its own message with its own events, in wire order. A
 * NextCommand that does not move forward, points outside the message, or a
 * chain longer than the limit is reported and ends the chain.
 *
 * Large READ responses and WRITE requests arrive streamed: `plan` asks the
 * framer for the header and the fixed part, the data follows in pieces and
 * goes to file analysis as it arrives; the message's events are raised when
 * it is complete, as for any other message.
 */

import { u16le, u32le } from '../../bytes/read.js';
import { isMalformed, Malformed } from '../../bytes/result.js';
import type { ConnRef } from '../../events/catalogue.js';
import { SMB_PIPE_FILENAMES } from '../../policy/smb-consts.js';
import { SmallMap } from '../../small-map.js';
import type { SmbContext, SmbFileStream } from '../context.js';
import { parseCloseRequest, parseCloseResponse, SMB2_CLOSE } from './commands/close.js';
import { parseCreateRequest, parseCreateResponse, SMB2_CREATE } from './commands/create.js';
import { parseIoctlRequest, parseIoctlResponse, SMB2_IOCTL } from './commands/ioctl.js';
import { negotiateResponseSecurityBlob, parseNegotiateRequest, parseNegotiateResponse } from './commands/negotiate.js';
import { parseReadRequest, parseReadResponse, READ_RESPONSE_FIXED, readResponseDataStart } from './commands/read.js';
import { parseSessionSetupRequest, parseSessionSetupResponse } from './commands/session-setup.js';
import { parseSetInfoRequest, SMB2_SET_INFO } from './commands/set-info.js';
import { parseTreeConnectRequest, parseTreeConnectResponse } from './commands/tree-connect.js';
import { parseTreeDisconnect } from './commands/tree-disconnect.js';
import { parseWriteRequest, parseWriteResponse, WRITE_REQUEST_FIXED } from './commands/write.js';
import {
  headerStructureSize,
  isSmb2ProtocolId,
  nextCommand,
  parseSmb2Header,
  SMB2_HEADER_SIZE,
  STATUS_PENDING,
  statusHasBody,
} from './header.js';
import type { SMB2GUID, SMB2Header } from './types.js';

export const SMB2_NEGOTIATE = 0x0000;
export const SMB2_SESSION_SETUP = 0x0001;
export const SMB2_TREE_CONNECT = 0x0003;
export const SMB2_TREE_DISCONNECT = 0x0004;
export const SMB2_READ = 0x0008;
export const SMB2_WRITE = 0x0009;

const SHARE_TYPE_PIPE = 2;

/** The commands whose bodies `command` parses; any other message is its header alone to the analysis. */
const BODY_PARSED: ReadonlySet<number> = new Set([
  SMB2_NEGOTIATE,
  SMB2_SESSION_SETUP,
  SMB2_TREE_CONNECT,
  SMB2_TREE_DISCONNECT,
  SMB2_CREATE,
  SMB2_CLOSE,
  SMB2_READ,
  SMB2_WRITE,
  SMB2_IOCTL,
  SMB2_SET_INFO,
]);

/** A streamed READ response or WRITE request in progress. */
interface Streamed {
  hdr: SMB2Header;
  /** a WRITE request's fixed part, parsed when the message began (nothing is copied) */
  write: ReturnType<typeof parseWriteRequest> | undefined;
  /** file data delivery, when the data belongs to a file */
  file: SmbFileStream | undefined;
  /** length of the whole transport message */
  total: number;
}

export class Smb2Analyzer {
  private streamedOrig: Streamed | undefined;
  private streamedResp: Streamed | undefined;
  /** MessageId -> tree id of the request (Zeek's "tree" state) */
  // (the maps are made when first needed: most connections never need some of them)
  private requestTrees: SmallMap<bigint, number> | undefined;
  /** tree ids known to be named-pipe trees */
  private pipeTrees: Set<number> | undefined;
  /** MessageId -> READ offset (Zeek's "read" state, with readFids) */
  private readOffsets: SmallMap<bigint, number> | undefined;
  private readFids: SmallMap<bigint, SMB2GUID> | undefined;
  /** MessageId -> IOCTL file id (Zeek's "ioctl" state) */
  private ioctlFids: SmallMap<bigint, SMB2GUID> | undefined;
  /** messages and CLOSE requests seen, for the summary */
  messages = 0;
  closes = 0;

  constructor(
    private readonly c: ConnRef,
    private readonly ctx: SmbContext,
    /** told of a message Zeek's parser would reject (its chunk is abandoned) */
    private readonly owner?: { violation(isOrig: boolean): void },
  ) {}

  /** A transport message holding one SMB2 message or a compound chain, [off, end). */
  message(isOrig: boolean, buf: Uint8Array, off: number, end: number): void {
    let pos = off;
    let prev: SMB2Header | undefined;
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
        // Zeek reads the message anyway (and offsets its buffers by the odd size)
        this.weird('SMB2_bad_header_size', String(headerStructureSize(buf, pos)));
      }
      const next = nextCommand(buf, pos);
      const bad = next !== 0 && (next < SMB2_HEADER_SIZE || next > end - pos);
      // Zeek bounds a member's fields by the end of the transport message, not by NextCommand
      const hdr = this.one(isOrig, buf, pos, end, prev);
      if (bad) {
        this.weird('SMB2_bad_next_command', `NextCommand ${next} in a message of ${end - pos} bytes`);
        return;
      }
      if (next === 0) return;
      prev = hdr;
      pos += next;
    }
  }

  /** One message of a chain: bookkeeping, smb2_message, then its command. */
  private one(isOrig: boolean, buf: Uint8Array, off: number, end: number, prev: SMB2Header | undefined): SMB2Header {
    const hdr = parseSmb2Header(buf, off);
    if (prev) this.ctx.chainLinks.set(hdr, prev);
    this.messages++;
    const pipe = this.header(hdr, isOrig);
    if (statusHasBody(hdr.status, hdr.command, isOrig)) this.command(hdr, isOrig, buf, off, end, pipe);
    return hdr;
  }

  /**
   * What Zeek does at every header: the request-tree map (bounded; a
   * response ends its request's entry unless it is an interim PENDING) and
   * smb2_message. Returns whether the message is on a named-pipe tree.
   */
  private header(hdr: SMB2Header, isOrig: boolean): boolean {
    const pipe = this.isPipe(hdr, isOrig);
    if (isOrig) {
      const max = this.ctx.limits.maxPendingMessages;
      if (max > 0 && (this.requestTrees?.size ?? 0) >= max) {
        this.discard('tree');
        this.requestTrees = undefined;
      }
      this.requestTrees ??= new SmallMap();
      this.requestTrees.set(hdr.message_id, hdr.tree_id);
    } else if (hdr.status !== STATUS_PENDING) {
      this.requestTrees?.delete(hdr.message_id);
    }
    this.ctx.bus.raise('smb2_message', this.ctx.now(), this.c, hdr, isOrig);
    return pipe;
  }

  /** Is this message on a named-pipe tree (by its own tree id, or its request's)? */
  private isPipe(hdr: SMB2Header, isOrig: boolean): boolean {
    if (!this.pipeTrees) return false;
    const tid = isOrig ? hdr.tree_id : (this.requestTrees?.get(hdr.message_id) ?? 0);
    return this.pipeTrees.has(tid);
  }

  /**
   * The command of one message of a chain: `off` is its SMB2 header (body
   * offsets on the wire are relative to it), `end` the end of the message
   * (the next header, or the end of the transport message).
   */
  private command(hdr: SMB2Header, isOrig: boolean, buf: Uint8Array, off: number, end: number, pipe: boolean): void {
    const body = off + SMB2_HEADER_SIZE;
    const bus = this.ctx.bus;
    const now = this.ctx.now();
    const c = this.c;
    // every command with a case here is in BODY_PARSED
    switch (hdr.command) {
      case SMB2_NEGOTIATE:
        if (isOrig) {
          const r = parseNegotiateRequest(buf, body, end, off);
          if (this.ok(r, isOrig)) bus.raise('smb2_negotiate_request', now, c, hdr, r.dialects);
        } else {
          const r = parseNegotiateResponse(buf, body, end, off);
          if (this.ok(r, isOrig)) {
            bus.raise('smb2_negotiate_response', now, c, hdr, r);
            const blob = negotiateResponseSecurityBlob(buf, body, end, off);
            if (blob) this.ctx.securityBlob?.(c, hdr, false, blob);
          }
        }
        return;
      case SMB2_SESSION_SETUP:
        if (isOrig) {
          const r = parseSessionSetupRequest(buf, body, end, off);
          if (this.ok(r, isOrig)) {
            bus.raise('smb2_session_setup_request', now, c, hdr, r.request);
            this.ctx.securityBlob?.(c, hdr, true, r.securityBlob);
          }
        } else {
          const r = parseSessionSetupResponse(buf, body, end, off);
          if (this.ok(r, isOrig)) {
            bus.raise('smb2_session_setup_response', now, c, hdr, r.response);
            this.ctx.securityBlob?.(c, hdr, false, r.securityBlob);
          }
        }
        return;
      case SMB2_TREE_CONNECT:
        if (isOrig) {
          const r = parseTreeConnectRequest(buf, body, end, off);
          if (this.ok(r, isOrig)) bus.raise('smb2_tree_connect_request', now, c, hdr, r.path);
        } else {
          const r = parseTreeConnectResponse(buf, body, end, off);
          if (this.ok(r, isOrig)) {
            if (r.share_type === SHARE_TYPE_PIPE) this.addPipeTree(hdr.tree_id);
            bus.raise('smb2_tree_connect_response', now, c, hdr, r);
          }
        }
        return;
      case SMB2_TREE_DISCONNECT:
        if (this.ok(parseTreeDisconnect(buf, body, end), isOrig)) {
          if (isOrig) bus.raise('smb2_tree_disconnect_request', now, c, hdr);
          else bus.raise('smb2_tree_disconnect_response', now, c, hdr);
        }
        return;
      case SMB2_CREATE:
        if (isOrig) {
          const r = parseCreateRequest(buf, body, end, off);
          if (!this.ok(r, isOrig)) return;
          if (SMB_PIPE_FILENAMES.has(r.filename) && !this.pipeTrees?.has(hdr.tree_id)) {
            this.addPipeTree(hdr.tree_id);
            bus.raise('smb_pipe_connect_heuristic', now, c);
          }
          bus.raise('smb2_create_request', now, c, hdr, r);
        } else {
          const r = parseCreateResponse(buf, body, end, off);
          if (this.ok(r, isOrig)) bus.raise('smb2_create_response', now, c, hdr, r);
        }
        return;
      case SMB2_CLOSE:
        if (isOrig) {
          const r = parseCloseRequest(buf, body, end);
          if (!this.ok(r, isOrig)) return;
          this.closes++;
          bus.raise('smb2_close_request', now, c, hdr, r.file_id);
          this.ctx.files?.endOfFile(c, isOrig);
        } else {
          const r = parseCloseResponse(buf, body, end);
          if (this.ok(r, isOrig)) bus.raise('smb2_close_response', now, c, hdr, r);
        }
        return;
      case SMB2_READ:
        if (isOrig) {
          const r = parseReadRequest(buf, body, end, off);
          if (!this.ok(r, isOrig)) return;
          bus.raise('smb2_read_request', now, c, hdr, r.file_id, r.offset, r.length);
          this.rememberRead(hdr.message_id, r.offset, r.file_id);
        } else {
          const r = parseReadResponse(buf, body, end, off);
          if (!this.ok(r, isOrig)) return;
          const offset = this.readOffset(hdr);
          if (!pipe && r.dataLength > 0) {
            this.ctx.files?.dataIn(c, false, buf, off + r.dataOffset, r.dataLength, offset);
          }
        }
        return;
      case SMB2_WRITE:
        if (isOrig) {
          const r = parseWriteRequest(buf, body, end, off);
          if (!this.ok(r, isOrig)) return;
          const start = off + r.dataOffset;
          if (start + r.length > end) {
            this.ok(new Malformed('WRITE request: data runs past the end', body + 4), isOrig);
            return;
          }
          bus.raise('smb2_write_request', now, c, hdr, r.file_id, r.offset, r.length);
          if (!pipe && r.length > 0) this.ctx.files?.dataIn(c, true, buf, start, r.length, Number(r.offset));
        } else {
          const r = parseWriteResponse(buf, body, end);
          if (this.ok(r, isOrig)) bus.raise('smb2_write_response', now, c, hdr, r.count);
        }
        return;
      case SMB2_IOCTL:
        if (isOrig) {
          const r = parseIoctlRequest(buf, body, end);
          if (this.ok(r, isOrig)) this.rememberIoctl(hdr.message_id, r.file_id);
        } else {
          if (!this.ok(parseIoctlResponse(buf, body, end), isOrig)) return;
          if (hdr.status !== STATUS_PENDING) this.ioctlFids?.delete(hdr.message_id);
        }
        return;
      case SMB2_SET_INFO:
        if (isOrig) this.setInfo(hdr, buf, off, end, body);
        return;
      default:
        return;
    }
  }

  private setInfo(hdr: SMB2Header, buf: Uint8Array, off: number, end: number, body: number): void {
    const r = parseSetInfoRequest(buf, body, end, off);
    if (!this.ok(r, true)) return;
    const bus = this.ctx.bus;
    const now = this.ctx.now();
    const { c } = this;
    const id = r.file_id;
    const i = r.info;
    switch (i.kind) {
      case 'sattr':
        bus.raise('smb2_file_sattr', now, c, hdr, id, i.times, i.attrs);
        return;
      case 'rename':
        bus.raise('smb2_file_rename', now, c, hdr, id, i.dst_filename);
        return;
      case 'delete':
        bus.raise('smb2_file_delete', now, c, hdr, id, i.delete_pending);
        return;
      case 'allocation':
        bus.raise('smb2_file_allocation', now, c, hdr, id, i.alloc_size);
        return;
      case 'endoffile':
        bus.raise('smb2_file_endoffile', now, c, hdr, id, i.end_of_file);
        return;
      case 'fullea':
        bus.raise('smb2_file_fullea', now, c, hdr, id, i.file_eas);
        return;
      case 'link':
        bus.raise('smb2_file_link', now, c, hdr, id, i.root_directory, i.file_name);
        return;
      case 'mode':
        bus.raise('smb2_file_mode', now, c, hdr, id, i.mode);
        return;
      case 'pipe':
        bus.raise('smb2_file_pipe', now, c, hdr, id, i.read_mode, i.completion_mode);
        return;
      case 'position':
        bus.raise('smb2_file_position', now, c, hdr, id, i.current_byte_offset);
        return;
      case 'shortname':
        bus.raise('smb2_file_shortname', now, c, hdr, id, i.file_name);
        return;
      case 'validdatalength':
        bus.raise('smb2_file_validdatalength', now, c, hdr, id, i.valid_data_length);
        return;
      case 'fscontrol':
        bus.raise('smb2_file_fscontrol', now, c, hdr, id, i.fs_control);
        return;
      case 'fsobjectid':
        bus.raise('smb2_file_fsobjectid', now, c, hdr, id, i.object_id, i.extended_info);
        return;
      default:
        return;
    }
  }

  /** Marks a named-pipe tree (bounded: the oldest is forgotten beyond maxTrees). */
  private addPipeTree(tid: number): void {
    this.pipeTrees ??= new Set();
    const trees = this.pipeTrees;
    if (trees.size >= this.ctx.limits.maxTrees && !trees.has(tid)) {
      this.weird('SMB_too_many_trees', `more than ${this.ctx.limits.maxTrees} pipe trees`);
      trees.delete(trees.values().next().value!);
    }
    trees.add(tid);
  }

  /** READ request state (Zeek's "read" maps, bounded). */
  private rememberRead(mid: bigint, offset: bigint, fid: SMB2GUID): void {
    const max = this.ctx.limits.maxPendingMessages;
    if (max > 0 && (this.readOffsets?.size ?? 0) >= max) {
      this.discard('read');
      this.readOffsets = undefined;
      this.readFids = undefined;
    }
    this.readOffsets ??= new SmallMap();
    this.readFids ??= new SmallMap();
    this.readOffsets.set(mid, Number(offset));
    this.readFids.set(mid, fid);
  }

  /** The offset of a READ response's data: its request's, or 0 (Zeek's default). */
  private readOffset(hdr: SMB2Header): number {
    const offset = this.readOffsets?.get(hdr.message_id) ?? 0;
    if (hdr.status !== STATUS_PENDING) {
      this.readOffsets?.delete(hdr.message_id);
      this.readFids?.delete(hdr.message_id);
    }
    return offset;
  }

  private rememberIoctl(mid: bigint, fid: SMB2GUID): void {
    const max = this.ctx.limits.maxPendingMessages;
    if (max > 0 && (this.ioctlFids?.size ?? 0) >= max) {
      this.discard('ioctl');
      this.ioctlFids = undefined;
    }
    this.ioctlFids ??= new SmallMap();
    this.ioctlFids.set(mid, fid);
  }

  private discard(state: string): void {
    this.ctx.bus.raise('smb2_discarded_messages_state', this.ctx.now(), this.c, state);
  }

  private ok<T>(r: T | Malformed, isOrig: boolean): r is T {
    if (!isMalformed(r)) return true;
    this.weird('SMB2_malformed_message', r.what);
    this.owner?.violation(isOrig);
    return false;
  }

  // --- streaming of bulk READ responses and WRITE requests

  /** Leading bytes needed in one piece for a large message (see SmbFramer.plan). */
  plan(isOrig: boolean, buf: Uint8Array, off: number, have: number, total: number): number {
    if (have < SMB2_HEADER_SIZE + 4 || nextCommand(buf, off) !== 0) return total;
    const command = u16le(buf, off + 12);
    // a command whose body is never parsed (a directory listing, QUERY_INFO data...): its header is all
    // that matters, and the rest of a large message is counted instead of buffered
    if (!BODY_PARSED.has(command)) return -SMB2_HEADER_SIZE;
    const status = u32le(buf, off + 8);
    if (!statusHasBody(status, command, isOrig)) return total;
    let start: number;
    if (isOrig && command === SMB2_WRITE) {
      // the data starts at DataOffset (Zeek's skip rule: never before the fixed part)
      const headLen = u16le(buf, off + 4);
      const body = SMB2_HEADER_SIZE;
      start = Math.max(body + WRITE_REQUEST_FIXED, body + u16le(buf, off + body + 2) - headLen);
    } else if (!isOrig && command === SMB2_READ) {
      start = readResponseDataStart(buf, off);
      if (start < SMB2_HEADER_SIZE + READ_RESPONSE_FIXED) return total;
    } else return total;
    return Math.min(start, total);
  }

  streamStart(isOrig: boolean, buf: Uint8Array, off: number, len: number, total: number): void {
    const hdr = parseSmb2Header(buf, off);
    const body = off + SMB2_HEADER_SIZE;
    const end = off + len;
    // the bounds Zeek checks on the whole message: data within the message
    let file: SmbFileStream | undefined;
    let write: ReturnType<typeof parseWriteRequest> | undefined;
    const discardPending = isOrig && this.wouldDiscard();
    if (isOrig) {
      const r = parseWriteRequest(buf, body, end, off);
      write = r;
      if (!isMalformed(r) && r.dataOffset + r.length <= total && r.length > 0 && !this.pipeTrees?.has(hdr.tree_id)) {
        file = this.ctx.files?.openStream(this.c, hdr, r.file_id, discardPending, Number(r.offset));
      }
    } else {
      const dataLen = u32le(buf, body + 4);
      const pipe = this.pipeTrees?.has(this.requestTrees?.get(hdr.message_id) ?? 0) ?? false;
      if (!pipe && dataLen > 0 && len + dataLen <= total) {
        file = this.ctx.files?.openStream(this.c, hdr, undefined, false, this.readOffsets?.get(hdr.message_id) ?? 0);
      }
    }
    const st: Streamed = { hdr, write, file, total };
    if (isOrig) this.streamedOrig = st;
    else this.streamedResp = st;
  }

  streamData(isOrig: boolean, buf: Uint8Array, off: number, len: number): void {
    const s = isOrig ? this.streamedOrig : this.streamedResp;
    if (s?.file) this.ctx.files!.streamData(s.file, buf, off, len);
  }

  streamGap(isOrig: boolean, len: number): void {
    // bytes missing inside the data: the file goes on at the next offset
    const s = isOrig ? this.streamedOrig : this.streamedResp;
    if (s?.file) this.ctx.files!.streamGap(s.file, len);
  }

  streamEnd(isOrig: boolean): void {
    const s = isOrig ? this.streamedOrig : this.streamedResp;
    if (isOrig) this.streamedOrig = undefined;
    else this.streamedResp = undefined;
    if (!s) return;
    this.messages++;
    const { hdr } = s;
    this.header(hdr, isOrig);
    const bus = this.ctx.bus;
    const now = this.ctx.now();
    if (isOrig) {
      const r = s.write!;
      if (!this.ok(r, isOrig)) return;
      if (r.dataOffset + r.length > s.total) {
        this.ok(new Malformed('WRITE request: data runs past the end', 4), isOrig);
        return;
      }
      bus.raise('smb2_write_request', now, this.c, hdr, r.file_id, r.offset, r.length);
    } else {
      this.readOffset(hdr);
    }
    if (s.file) this.ctx.files!.commitStream(s.file, this.c, isOrig);
  }

  /** Whether the next request would hit the request-tree bound (a "tree" discard). */
  private wouldDiscard(): boolean {
    const max = this.ctx.limits.maxPendingMessages;
    return max > 0 && (this.requestTrees?.size ?? 0) >= max;
  }

  /** The connection ended. */
  done(): void {
    this.streamedOrig = this.streamedResp = undefined;
  }

  /** Streamed messages in progress were abandoned (a resynchronisation): they raise nothing. */
  abandonStreams(): void {
    this.streamedOrig = this.streamedResp = undefined;
  }

  private weird(name: string, addl?: string): void {
    this.ctx.weird(this.c, name, addl, 'SMB');
  }
}
