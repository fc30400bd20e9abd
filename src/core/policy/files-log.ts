/**
 * files.log rows (Zeek's Files::Info, default layout) of an analyzed file:
 * one row per connection the file was seen on.
 */

import type { AnalyzedFile } from '../files/manager.js';
import type { LogValue } from '../logs/format.js';
import type { LocalNets } from '../logs/site.js';

export function fileRows(f: AnalyzedFile, local: LocalNets): LogValue[][] {
  return f.conns.map((fc) => {
    const id = fc.ref.id;
    // local_orig: is the sender of the data local
    const sender = fc.isOrig ? id.orig_h : id.resp_h;
    return [
      f.ts,
      f.fuid,
      fc.ref.uid,
      id.orig_h,
      id.orig_p,
      id.resp_h,
      id.resp_p,
      f.source,
      0,
      f.analyzers,
      f.mimeType,
      f.filename,
      f.duration,
      local.containsText(sender),
      fc.isOrig,
      f.seenBytes,
      f.totalBytes,
      f.missingBytes,
      f.overflowBytes,
      f.timedout,
      undefined,
      f.hashes.md5,
      f.hashes.sha1,
      f.hashes.sha256,
      f.extractedName,
      f.extractedName === undefined ? undefined : false,
      f.extractedName === undefined ? undefined : f.extractedSize,
    ];
  });
}
