/**
 * Types of web/analyze.js (plain JavaScript, loaded by the browser as is), for
 * the TypeScript test that imports it (test/web/analyze.test.ts).
 *
 * The library's types come from the sources (../src/index.js resolves to
 * src/index.ts), not from ../dist/src/index.js as the JavaScript does: the
 * type check runs before dist/ exists on a fresh clone. Both name the same API.
 */

import type { CloseResponse, ConnId, LogFormat, SMB2GUID } from '../src/index.js';

export declare const LOG_NAMES: readonly string[];

export interface AnalyzeOptions {
  /** verify IP and TCP checksums (default true, as Zeek and the CLI; false is the CLI's -C) */
  verifyChecksums?: boolean;
  /** reproducible connection and file uids (the CLI's --seed) */
  seed?: number | bigint;
  /** Zeek's TSV (default) or JSON lines */
  logFormat?: LogFormat;
  /** also write smb_cmd.log */
  logCmds?: boolean;
  /** the wall clock of the logs' #open and #close lines */
  clock?: () => Date;
  /** rows kept in `closes` (default: all); the others are only counted */
  maxCloses?: number;
  /** stops reading; what was read is analyzed and every log closed */
  signal?: AbortSignal;
  /** called after every chunk (awaited when it returns a promise: a page can repaint) and at the end */
  onProgress?: (p: { inputBytes: number; packets: number }) => void | Promise<void>;
}

/** One SMB2 CLOSE: the request, completed by its response when one was seen. */
export interface CloseRow {
  /** network time of the request (undefined when only the response was seen) */
  ts: number | undefined;
  /** network time of the final response */
  responseTs: number | undefined;
  uid: string;
  id: ConnId;
  messageId: bigint;
  sessionId: bigint;
  treeId: number;
  /** the request's file id (undefined when only the response was seen) */
  fileId: SMB2GUID | undefined;
  /** a related compound operation on the previous message's file (file id all ones) */
  related: boolean;
  /** the name given to the CREATE that opened the handle, when seen */
  name: string | undefined;
  /** NTSTATUS of the final response */
  status: number | undefined;
  /** the CLOSE response body (sizes are bigint); undefined for an error response or none */
  response: CloseResponse | undefined;
}

export interface CaptureStats {
  /** bytes read from the input (compressed bytes for a gzip file) */
  inputBytes: number;
  packets: number;
  bytes: number;
  connections: number;
  smbConnections: number;
  smb2Messages: number;
  /** SMB2 CLOSE requests */
  closes: number;
  /** smb2_close_response events */
  closeResponses: number;
  weirds: number;
  files: number;
}

export interface CaptureAnalysis {
  format: 'pcap' | 'pcapng' | undefined;
  compressed: boolean;
  /** why reading stopped before the end (everything before it is analyzed) */
  error: string | undefined;
  aborted: boolean;
  notices: string[];
  /** checksum verification was on and most packets failed it (capture with checksum offloading?) */
  checksumsMostlyBad: boolean;
  stats: CaptureStats;
  closes: CloseRow[];
  /** rows beyond `maxCloses` */
  closesNotKept: number;
  /** the text of every log written, by file name ("smb_files.log", ...) */
  logs: Record<string, string>;
  /** records per log path ("smb_files", ...) */
  logRecords: Record<string, number>;
}

export declare function analyzeCapture(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | ReadableStream<Uint8Array>,
  options?: AnalyzeOptions,
): Promise<CaptureAnalysis>;

/** The FILE_ATTRIBUTE_* value of a FileAttrs record. */
export declare function attrsValue(attrs: CloseResponse['attrs']): number;
/** The names of the attributes set, joined by "|". */
export declare function attrsText(attrs: CloseResponse['attrs']): string;
/** Network time as ISO 8601 with microseconds. */
export declare function isoTime(ts: number): string;
/** A FILETIME as ISO 8601 with 100 ns digits; undefined for 0. */
export declare function filetimeIso(raw: bigint): string | undefined;
/** "orig_h:orig_p → resp_h:resp_p". */
export declare function connText(id: ConnId): string;
