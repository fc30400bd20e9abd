/**
 * The analysis behind the web page, kept free of the DOM so that it runs (and
 * is tested) in Node as well: capture chunks in, plain data out.
 *
 *   const r = await analyzeCapture(file.stream(), { verifyChecksums: false });
 *   r.stats.closes, r.closes[0].response?.eof, r.logs['smb_files.log']
 *
 * The library is imported from the compiled tree by a relative URL, so the
 * page works when the repository root is served (scripts/serve-web.mjs) and
 * Node finds the same file from this module's own location.
 */

import { Analyzer } from '../dist/src/index.js';

/** The logs the page shows, in this order (smb_cmd.log only with `logCmds`). */
export const LOG_NAMES = [
  'smb_files.log',
  'smb_mapping.log',
  'files.log',
  'ntlm.log',
  'weird.log',
  'conn.log',
  'smb_cmd.log',
];

const SMB2_CREATE = 0x0005;
const SMB2_CLOSE = 0x0006;
const SMB2_FLAGS_RELATED_OPERATIONS = 0x0000_0004;
const STATUS_SUCCESS = 0;
const STATUS_PENDING = 0x0000_0103;
const ALL_ONES = 0xffff_ffff_ffff_ffffn;
/** Entries kept in each of the bookkeeping maps below; the oldest goes first. */
const MAX_TRACKED = 50_000;

/** FILE_ATTRIBUTE_* bits of MS-FSCC 2.6 for the fields of the library's FileAttrs record. */
const ATTR_BITS = [
  ['read_only', 0x1, 'READONLY'],
  ['hidden', 0x2, 'HIDDEN'],
  ['system', 0x4, 'SYSTEM'],
  ['directory', 0x10, 'DIRECTORY'],
  ['archive', 0x20, 'ARCHIVE'],
  ['normal', 0x80, 'NORMAL'],
  ['temporary', 0x100, 'TEMPORARY'],
  ['sparse_file', 0x200, 'SPARSE_FILE'],
  ['reparse_point', 0x400, 'REPARSE_POINT'],
  ['compressed', 0x800, 'COMPRESSED'],
  ['offline', 0x1000, 'OFFLINE'],
  ['not_content_indexed', 0x2000, 'NOT_CONTENT_INDEXED'],
  ['encrypted', 0x4000, 'ENCRYPTED'],
  ['integrity_stream', 0x8000, 'INTEGRITY_STREAM'],
  ['no_scrub_data', 0x20000, 'NO_SCRUB_DATA'],
];

/**
 * Analyzes one capture (pcap or pcapng, gzip-compressed or not).
 *
 * @param {AsyncIterable<Uint8Array> | Iterable<Uint8Array>} chunks the capture's bytes (e.g. `file.stream()`)
 * @param {import('./analyze.js').AnalyzeOptions} [options]
 * @returns {Promise<import('./analyze.js').CaptureAnalysis>}
 */
export async function analyzeCapture(chunks, options = {}) {
  const format = options.logFormat ?? 'tsv';
  /** @type {Map<string, string[]>} log file name -> pieces of text, in the order the logs were opened */
  const logText = new Map();
  const analyzer = new Analyzer({
    verifyChecksums: options.verifyChecksums ?? true,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    logCmds: options.logCmds ?? false,
    logs: {
      format,
      open: (name) => {
        const parts = [];
        logText.set(name, parts);
        return { write: (text) => parts.push(text), close: () => {} };
      },
      ...(options.clock ? { clock: options.clock } : {}),
    },
  });
  const closes = new Closes(analyzer, options.maxCloses ?? Number.POSITIVE_INFINITY);

  let inputBytes = 0;
  let inputError;
  let aborted = false;
  const counted = countBytes(chunks, (n) => {
    inputBytes += n;
  });
  const input = gunzipIfNeeded(counted);
  const it = input.chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      let next;
      try {
        next = await it.next();
      } catch (e) {
        // a read error or a damaged gzip stream: what came before is analyzed, as the CLI does
        inputError = input.compressed() ? `gzip: ${errorText(e)}` : errorText(e);
        break;
      }
      if (next.done) break;
      if (!analyzer.push(next.value)) break;
      // the caller may return a promise, e.g. to let a page repaint
      await options.onProgress?.({ inputBytes, packets: analyzer.engine.stats.packets });
    }
  } catch (e) {
    // an internal error: the logs written so far are still closed (as the library's analyze() does)
    analyzer.end();
    throw e;
  } finally {
    // stop the reading (and the decompression) when we stopped before the end
    if (inputError === undefined) await it.return?.().catch(() => {});
  }
  const result = analyzer.end();
  await options.onProgress?.({ inputBytes, packets: analyzer.engine.stats.packets });

  /** @type {Record<string, string>} */
  const logs = {};
  for (const [name, parts] of logText) logs[name] = parts.join('');
  const s = analyzer.engine.stats;
  return {
    format: result.format,
    compressed: input.compressed(),
    error: inputError ?? result.error?.message,
    aborted,
    notices: result.notices.map((n) => n.message),
    checksumsMostlyBad: (options.verifyChecksums ?? true) && analyzer.engine.checksumsMostlyBad,
    stats: {
      inputBytes,
      packets: s.packets,
      bytes: s.bytes,
      connections: s.connections,
      smbConnections: s.smbConnections,
      smb2Messages: s.smb2Messages,
      closes: s.closes,
      closeResponses: closes.responses,
      weirds: analyzer.weirds.raised,
      files: result.files,
    },
    closes: closes.rows,
    closesNotKept: closes.notKept,
    logs,
    logRecords: result.logs,
  };
}

/**
 * The CLOSE table: one row per SMB2 CLOSE request, completed by its response.
 *
 * How a close is joined with its response and its file name:
 * - A response answers the request with the same MessageId on the same
 *   connection (MS-SMB2 3.2.5.1: message ids are unique per connection), so
 *   rows waiting for their response are keyed by (connection uid, message id)
 *   and found again from the response's SMB2 header.
 * - The name comes from the CREATE that opened the handle: the CREATE request
 *   carries the name, its response (same message id) the file id, so the name
 *   is remembered per (connection uid, file id) when the CREATE response
 *   arrives, and looked up when a CLOSE request names that file id.
 * - A CLOSE inside a compound chain with SMB2_FLAGS_RELATED_OPERATIONS and a
 *   file id of all ones (MS-SMB2 3.3.5.2.7.2) acts on the file of the previous
 *   message in the chain, whose CREATE response may not even exist yet: its
 *   name is the one of the CREATE request (or CLOSE) just before it in the
 *   same chain. Without the flag such an id names no file: no name.
 * The library's own handlers (Zeek's scripts, priority 5) run first, so an
 * empty CREATE name arrives here as Zeek's "<share_root>".
 * The maps are bounded (MAX_TRACKED): a capture with millions of handles that
 * are never closed cannot make the page grow without limit; a forgotten entry
 * only costs a name in the table.
 */
class Closes {
  /**
   * @param {Analyzer} analyzer
   * @param {number} maxRows
   */
  constructor(analyzer, maxRows) {
    /** @type {import('./analyze.js').CloseRow[]} */
    this.rows = [];
    this.notKept = 0;
    this.responses = 0;
    this.maxRows = maxRows;
    /** uid|message id of a CREATE request -> its file name */
    this.createNames = new Map();
    /** uid|persistent:volatile -> the file name of an open handle */
    this.fileNames = new Map();
    /** uid|message id of a CLOSE request -> its row, until the final response */
    this.pending = new Map();
    /** uid -> the file name of the previous message of the current compound chain */
    this.chainName = new Map();

    const now = () => analyzer.engine.now;
    analyzer.on('smb2_message', (c, hdr, isOrig) => {
      if (isOrig) {
        // a request without the related flag starts a new chain (or is alone)
        if ((hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS) === 0) this.chainName.delete(c.uid);
        return;
      }
      if (hdr.status === STATUS_PENDING) return; // an interim response: the final one follows
      const key = msgKey(c, hdr);
      if (hdr.command === SMB2_CREATE && hdr.status !== STATUS_SUCCESS) this.createNames.delete(key);
      if (hdr.command !== SMB2_CLOSE) return;
      const row = this.pending.get(key);
      if (!row) return;
      row.status = hdr.status;
      row.responseTs = now();
      // an error response raises no smb2_close_response: the row is complete
      if (hdr.status !== STATUS_SUCCESS) this.pending.delete(key);
    });
    analyzer.on('smb2_create_request', (c, hdr, request) => {
      bounded(this.createNames, msgKey(c, hdr), request.filename);
      bounded(this.chainName, c.uid, request.filename);
    });
    analyzer.on('smb2_create_response', (c, hdr, response) => {
      const key = msgKey(c, hdr);
      const name = this.createNames.get(key);
      this.createNames.delete(key);
      if (name !== undefined) bounded(this.fileNames, fileKey(c, response.file_id), name);
    });
    analyzer.on('smb2_close_request', (c, hdr, fileId) => {
      const related =
        (hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS) !== 0 &&
        fileId.persistent === ALL_ONES &&
        fileId.volatile === ALL_ONES;
      const name = related ? this.chainName.get(c.uid) : this.fileNames.get(fileKey(c, fileId));
      if (name !== undefined) bounded(this.chainName, c.uid, name);
      const row = this.newRow(c, hdr, now());
      if (!row) return;
      row.fileId = fileId;
      row.name = name;
      row.related = related;
      bounded(this.pending, msgKey(c, hdr), row);
    });
    analyzer.on('smb2_close_response', (c, hdr, response) => {
      this.responses++;
      const key = msgKey(c, hdr);
      let row = this.pending.get(key);
      this.pending.delete(key);
      if (!row) {
        // the request was not seen (the capture starts later) or its row was not kept
        row = this.newRow(c, hdr, undefined);
        if (!row) return;
        row.status = hdr.status;
        row.responseTs = now();
      }
      row.response = response;
      if (row.fileId && !row.related) this.fileNames.delete(fileKey(c, row.fileId));
    });
  }

  /**
   * @param {import('../src/index.js').ConnRef} c
   * @param {import('../src/index.js').SMB2Header} hdr
   * @param {number | undefined} ts
   */
  newRow(c, hdr, ts) {
    if (this.rows.length >= this.maxRows) {
      this.notKept++;
      return undefined;
    }
    /** @type {import('./analyze.js').CloseRow} */
    const row = {
      ts,
      responseTs: undefined,
      uid: c.uid,
      id: { ...c.id },
      messageId: hdr.message_id,
      sessionId: hdr.session_id,
      treeId: hdr.tree_id,
      fileId: undefined,
      related: false,
      name: undefined,
      status: undefined,
      response: undefined,
    };
    this.rows.push(row);
    return row;
  }
}

function msgKey(c, hdr) {
  return `${c.uid}|${hdr.message_id}`;
}

function fileKey(c, fileId) {
  return `${c.uid}|${fileId.persistent}:${fileId.volatile}`;
}

/** Map.set that forgets the oldest entry beyond MAX_TRACKED. */
function bounded(map, key, value) {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_TRACKED) map.delete(map.keys().next().value);
}

function errorText(e) {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The chunks as they pass, counted (the page's progress is in bytes of the
 * file, compressed or not). A ReadableStream is read with its reader: not
 * every browser makes streams async-iterable (Safari does not).
 */
async function* countBytes(chunks, add) {
  if (typeof chunks[Symbol.asyncIterator] !== 'function' && typeof chunks.getReader === 'function') {
    const reader = chunks.getReader();
    let finished = false;
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        add(r.value.byteLength);
        yield r.value;
      }
      finished = true;
    } finally {
      if (!finished) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
    return;
  }
  for await (const chunk of chunks) {
    add(chunk.byteLength);
    yield chunk;
  }
}

/**
 * Decompresses the input when it starts with gzip's magic bytes 1f 8b
 * (RFC 1952), with the platform's DecompressionStream (browsers, Node >= 18).
 */
function gunzipIfNeeded(chunks) {
  let compressed = false;
  async function* run() {
    const it = chunks[Symbol.asyncIterator]();
    // the first two bytes decide (chunks can be of any size, even one byte)
    const head = [];
    let headLen = 0;
    let done = false;
    while (headLen < 2) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      if (r.value.byteLength === 0) continue;
      head.push(r.value);
      headLen += r.value.byteLength;
    }
    const first = concat(head, headLen);
    compressed = headLen >= 2 && first[0] === 0x1f && first[1] === 0x8b;
    if (!compressed) {
      if (headLen > 0) yield first;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    }
    yield* gunzip(first, done ? undefined : it);
  }
  return { chunks: run(), compressed: () => compressed };
}

async function* gunzip(first, rest) {
  const ds = new DecompressionStream('gzip');
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  // the compressed side is written while the decompressed side is read
  const pump = (async () => {
    try {
      await writer.write(first);
      if (rest) {
        for (;;) {
          const r = await rest.next();
          if (r.done) break;
          await writer.write(r.value);
        }
      }
      await writer.close();
    } catch (e) {
      // a read error of the input is passed to the reading side; a decompression error is already there
      await writer.abort(e).catch(() => {});
      await rest?.return?.().catch(() => {});
    }
  })();
  let finished = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      yield r.value;
    }
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    await pump;
  }
}

function concat(parts, length) {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(length);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** The FILE_ATTRIBUTE_* value of a FileAttrs record (its 15 named bits). */
export function attrsValue(attrs) {
  let v = 0;
  for (const [field, bit] of ATTR_BITS) if (attrs[field]) v |= bit;
  return v >>> 0;
}

/** The names of the attributes set, e.g. "DIRECTORY|ARCHIVE" ("" when none). */
export function attrsText(attrs) {
  return ATTR_BITS.filter(([field]) => attrs[field])
    .map(([, , name]) => name)
    .join('|');
}

/** Network time (seconds since 1970) as an ISO 8601 date with microseconds. */
export function isoTime(ts) {
  const micros = Math.round(ts * 1e6);
  const ms = Math.floor(micros / 1000);
  const date = isoSeconds(ms);
  if (date === undefined) return String(ts);
  return `${date}.${String(micros - Math.floor(ms / 1000) * 1e6).padStart(6, '0')}Z`;
}

/** A FILETIME (100 ns since 1601, bigint) as an ISO 8601 date with 100 ns digits; undefined for 0 (not set). */
export function filetimeIso(raw) {
  if (raw === 0n) return undefined;
  const unix = raw - 116_444_736_000_000_000n;
  let secs = unix / 10_000_000n;
  let frac = unix % 10_000_000n;
  if (frac < 0n) {
    frac += 10_000_000n;
    secs -= 1n;
  }
  const date = isoSeconds(Number(secs) * 1000);
  if (date === undefined) return `FILETIME ${raw}`;
  return `${date}.${String(frac).padStart(7, '0')}Z`;
}

/** "YYYY-MM-DDTHH:MM:SS" of a time in milliseconds; undefined outside the years 0000-9999. */
function isoSeconds(ms) {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return undefined;
  const iso = d.toISOString();
  return iso.length === 24 ? iso.slice(0, 19) : undefined;
}

/** "orig_h:orig_p → resp_h:resp_p" (IPv6 addresses in brackets). */
export function connText(id) {
  const ep = (h, p) => (h.includes(':') ? `[${h}]:${p}` : `${h}:${p}`);
  return `${ep(id.orig_h, id.orig_p)} \u2192 ${ep(id.resp_h, id.resp_p)}`;
}
