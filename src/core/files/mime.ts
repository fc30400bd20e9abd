/**
 * MIME type detection of transferred files, as Zeek's file analysis
 * framework does it (files.log `mime_type`): Zeek's own file-magic
 * signatures (see mime-signatures.ts), not libmagic.
 *
 * When Zeek sniffs (src/file_analysis/File.cc): the first
 * `default_file_bof_buffer_size` (4096) bytes of a file are buffered; the
 * signatures run once, on the first 4096 bytes, as soon as the buffer holds
 * at least that much, or else when the file ends or a gap stops buffering.
 * No sniffing happens if bytes were already missing when the buffer filled,
 * or if no byte was ever buffered. Among the matching signatures the highest
 * strength wins; ties go to the lexicographically smallest MIME string
 * (Zeek keeps matches in `map<int, set<string>, greater<int>>`).
 *
 * Pure and synchronous; patterns compile lazily on first use.
 */

import { compileMagicPattern, type MagicProgram, magicPrefixMatch } from './mime-regex.js';
import { MIME_SIGNATURES, type MimeSignature } from './mime-signatures.js';

export type { MimeSignature, SignatureSet } from './mime-signatures.js';
export { MIME_SIGNATURES } from './mime-signatures.js';

/** Zeek's `default_file_bof_buffer_size`: bytes buffered for MIME sniffing. */
export const MIME_BOF_BUFFER_SIZE = 4096;

/** One matching signature group, as in Zeek's `fa_metadata$mime_types`. */
export interface MimeMatch {
  readonly strength: number;
  readonly mime: string;
}

interface Compiled {
  readonly sig: MimeSignature;
  readonly prog: MagicProgram;
}

let compiled: readonly Compiled[] | undefined;

const byPrecedence = (a: MimeSignature, b: MimeSignature): number =>
  b.strength - a.strength || (a.mime < b.mime ? -1 : a.mime > b.mime ? 1 : 0);

/** Compiled signatures in precedence order: strength descending, then MIME ascending. */
function programs(): readonly Compiled[] {
  compiled ??= [...MIME_SIGNATURES].sort(byPrecedence).map((sig) => ({ sig, prog: compileMagicPattern(sig.pattern) }));
  return compiled;
}

/**
 * Whether Zeek would sniff now: the BOF buffer holds at least
 * {@link MIME_BOF_BUFFER_SIZE} bytes, or no more bytes will be added to it
 * (file ended, or a gap ended BOF buffering) and it is not empty.
 */
export function mimeDetectionDue(buffered: number, bofFinal: boolean): boolean {
  return buffered >= MIME_BOF_BUFFER_SIZE || (bofFinal && buffered > 0);
}

/**
 * All matching signatures on the first {@link MIME_BOF_BUFFER_SIZE} bytes of
 * `bof`, grouped and ordered like Zeek's `mime_types`: strength descending,
 * then MIME type ascending; one entry per distinct (strength, MIME) pair.
 */
export function detectMimeMatches(bof: Uint8Array): MimeMatch[] {
  const len = Math.min(bof.length, MIME_BOF_BUFFER_SIZE);
  if (len === 0) return [];
  const out: MimeMatch[] = [];
  for (const { sig, prog } of programs()) {
    const last = out[out.length - 1];
    if (last && last.strength === sig.strength && last.mime === sig.mime) continue;
    if (magicPrefixMatch(prog, bof, len)) out.push({ strength: sig.strength, mime: sig.mime });
  }
  return out;
}

/**
 * The `mime_type` Zeek reports for a file whose BOF buffer is `bof` at the
 * moment Zeek sniffs it (see {@link mimeDetectionDue}), or undefined when
 * Zeek reports none.
 *
 * `_fileComplete` says whether the file has ended. It does not change the
 * result: Zeek's file-magic matcher is never told where the data ends (a
 * `$` never matches), so a finished 100-byte file and the first 100 bytes
 * of a file cut short by a gap are judged alike. Bytes past the first
 * {@link MIME_BOF_BUFFER_SIZE} are ignored, as in Zeek; an empty buffer
 * gives undefined (Zeek does not sniff it).
 */
export function detectMime(bof: Uint8Array, _fileComplete: boolean): string | undefined {
  const len = Math.min(bof.length, MIME_BOF_BUFFER_SIZE);
  if (len === 0) return undefined;
  // In precedence order the first match is Zeek's choice.
  for (const { sig, prog } of programs()) {
    if (magicPrefixMatch(prog, bof, len)) return sig.mime;
  }
  return undefined;
}
