/**
 * Command-line options (see ../shared/CONTRACT.md and README): parsed and
 * checked up front, so a bad command line writes nothing and exits 2.
 */

import { parseArgs } from 'node:util';
import type { EngineLimits } from '../core/engine.js';
import type { FileLimits } from '../core/files/manager.js';
import { parseSubnet, type Subnet } from '../core/logs/site.js';

export interface CliOptions {
  read: string | undefined;
  iface: string | undefined;
  verifyChecksums: boolean;
  filter: string | undefined;
  logdir: string;
  logFormat: 'tsv' | 'json';
  events: string | undefined;
  loggedFileActions: string[] | undefined;
  logCmds: boolean;
  maxPendingMessages: number;
  seed: bigint | undefined;
  hashes: string[];
  /** hash on worker threads (--hash-thread) or on the analysis thread (--no-hash-thread); undefined: by input */
  hashThread: boolean | undefined;
  extractFiles: string | undefined;
  localNets: Subnet[];
  gapRecovery: 'zeek' | 'precise';
  /** --limit overrides */
  limits: Partial<Omit<EngineLimits, 'fragments'>> & { fragments?: Partial<EngineLimits['fragments']> };
  fileLimits: Partial<FileLimits>;
  progress: boolean | undefined;
  quiet: boolean;
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {}

export const SMB_ACTIONS = [
  'FILE_READ',
  'FILE_WRITE',
  'FILE_OPEN',
  'FILE_CLOSE',
  'FILE_DELETE',
  'FILE_RENAME',
  'FILE_SET_ATTRIBUTE',
  'PIPE_READ',
  'PIPE_WRITE',
  'PIPE_OPEN',
  'PIPE_CLOSE',
  'PRINT_READ',
  'PRINT_WRITE',
  'PRINT_OPEN',
  'PRINT_CLOSE',
];

export const USAGE = `usage: smbscope -r FILE [options]     read a capture (pcap or pcapng, optionally gzip; '-' = stdin)
       smbscope -i IFACE [options]    live capture (needs tcpdump or dumpcap)

Raises Zeek's SMB2/SMB3 events for the traffic and writes Zeek's logs.

input
  -r, --read FILE               capture file to read; '-' reads standard input
  -i, --interface IFACE         live capture from an interface
  -C, --no-checksums            do not verify IP/TCP checksums (as Zeek's -C)
  -f, --filter EXPR             BPF filter applied before analysis (needs tcpdump to compile it)

output
      --logdir DIR              where logs are written (default: current directory)
      --log-format tsv|json     Zeek's TSV (default) or JSON-lines logs
      --events FILE             also write every event as JSON lines ('-' = stdout)
      --logged-file-actions A,B SMB::Actions written to smb_files.log (default
                                FILE_OPEN,FILE_RENAME,FILE_DELETE,PRINT_OPEN,PRINT_CLOSE)
      --log-cmds                also write smb_cmd.log
      --hash md5,sha1,sha256    hashes of transferred files in files.log
      --hash-thread / --no-hash-thread
                                hash on worker threads or on the analysis thread (default:
                                threads for captures of 128 MB or more, stdin and live capture)
      --extract-files DIR       write transferred files to DIR
      --local-nets CIDR,..      networks counted as local besides private address space

analysis
      --max-pending-messages N  Zeek's SMB::max_pending_messages (default 1000; 0 disables)
      --seed N                  reproducible connection and file uids
      --gap-recovery zeek|precise
                                after missing bytes: resynchronise as Zeek does (default), or
                                continue at the next message boundary when it is known
      --limit NAME=N            change a resource limit (repeatable; sizes take K, M, G):
                                connections, out-of-order, buffered, message, chain, pending,
                                open-files, trees, fragments, fragment-bytes, files, file-buffer
                                (defaults and meaning: README, "Limits")

other
      --progress / --no-progress  show or hide the progress line (default: on a terminal)
  -q, --quiet                   no summary on stderr
  -h, --help                    this help
      --version                 the version
`;

export function parseCli(argv: string[]): CliOptions {
  let parsed: ReturnType<typeof run>;
  function run() {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        read: { type: 'string', short: 'r' },
        interface: { type: 'string', short: 'i' },
        'no-checksums': { type: 'boolean', short: 'C' },
        filter: { type: 'string', short: 'f' },
        logdir: { type: 'string' },
        'log-format': { type: 'string' },
        events: { type: 'string' },
        'logged-file-actions': { type: 'string' },
        'log-cmds': { type: 'boolean' },
        'max-pending-messages': { type: 'string' },
        seed: { type: 'string' },
        hash: { type: 'string' },
        'hash-thread': { type: 'boolean' },
        'no-hash-thread': { type: 'boolean' },
        'extract-files': { type: 'string' },
        'local-nets': { type: 'string' },
        'gap-recovery': { type: 'string' },
        limit: { type: 'string', multiple: true },
        progress: { type: 'boolean' },
        'no-progress': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  }
  try {
    parsed = run();
  } catch (e) {
    throw new UsageError(cleanParseError(e));
  }
  const v = parsed.values;
  const opts: CliOptions = {
    read: v.read,
    iface: v.interface,
    verifyChecksums: !v['no-checksums'],
    filter: v.filter,
    logdir: v.logdir ?? '.',
    logFormat: 'tsv',
    events: v.events,
    loggedFileActions: undefined,
    logCmds: v['log-cmds'] ?? false,
    maxPendingMessages: 1000,
    seed: undefined,
    hashes: [],
    hashThread: v['no-hash-thread'] ? false : v['hash-thread'],
    extractFiles: v['extract-files'],
    localNets: [],
    gapRecovery: 'zeek',
    limits: {},
    fileLimits: {},
    progress: v['no-progress'] ? false : v.progress,
    quiet: v.quiet ?? false,
    help: v.help ?? false,
    version: v.version ?? false,
  };
  if (opts.help || opts.version) return opts;
  if (v['log-format'] !== undefined) {
    if (v['log-format'] !== 'tsv' && v['log-format'] !== 'json')
      throw new UsageError(`--log-format must be tsv or json, not '${v['log-format']}'`);
    opts.logFormat = v['log-format'];
  }
  if (v['gap-recovery'] !== undefined) {
    if (v['gap-recovery'] !== 'zeek' && v['gap-recovery'] !== 'precise')
      throw new UsageError(`--gap-recovery must be zeek or precise, not '${v['gap-recovery']}'`);
    opts.gapRecovery = v['gap-recovery'];
  }
  if (v['max-pending-messages'] !== undefined) {
    const n = v['max-pending-messages'];
    if (!/^\d+$/.test(n)) throw new UsageError(`--max-pending-messages needs a whole number, not '${n}'`);
    opts.maxPendingMessages = Number(n);
  }
  for (const l of v.limit ?? []) applyLimit(opts, l);
  if (v.seed !== undefined) {
    if (!/^\d+$/.test(v.seed)) throw new UsageError(`--seed needs a whole number, not '${v.seed}'`);
    opts.seed = BigInt(v.seed);
  }
  if (v.hash !== undefined) {
    const hs = v.hash.split(',').map((h) => h.trim().toLowerCase());
    for (const h of hs)
      if (!['md5', 'sha1', 'sha256'].includes(h)) throw new UsageError(`unknown hash '${h}' (md5, sha1, sha256)`);
    opts.hashes = [...new Set(hs)];
  }
  if (v['logged-file-actions'] !== undefined) {
    const acts = v['logged-file-actions']
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '')
      .map((a) => a.replace(/^SMB::/, ''));
    for (const a of acts) if (!SMB_ACTIONS.includes(a)) throw new UsageError(`unknown SMB action '${a}'`);
    opts.loggedFileActions = acts;
  }
  if (v['local-nets'] !== undefined) {
    for (const t of v['local-nets'].split(',')) {
      if (t.trim() === '') continue;
      const n = parseSubnet(t);
      if (!n) throw new UsageError(`--local-nets: '${t}' is not a CIDR network`);
      opts.localNets.push(n);
    }
  }
  if (opts.read === undefined && opts.iface === undefined)
    throw new UsageError('give a capture with -r FILE or an interface with -i IFACE');
  if (opts.read !== undefined && opts.iface !== undefined) throw new UsageError('-r and -i cannot be used together');
  return opts;
}

/** `--limit NAME=N`: one resource limit (names in USAGE; sizes may end in K, M or G, powers of 1024). */
function applyLimit(opts: CliOptions, text: string): void {
  const m = /^([a-z-]+)=(\d+)([KMG]?)$/i.exec(text.trim());
  if (!m) throw new UsageError(`--limit needs NAME=NUMBER, not '${text}'`);
  const name = m[1]!.toLowerCase();
  const n = Number(m[2]!) * 1024 ** ' KMG'.indexOf((m[3] || ' ').toUpperCase());
  if (!Number.isSafeInteger(n)) throw new UsageError(`--limit ${name}: ${m[2]}${m[3]} is too large`);
  const l = opts.limits;
  switch (name) {
    case 'connections':
      l.maxConnections = Math.max(1, n);
      return;
    case 'out-of-order':
      l.maxOutOfOrder = n;
      return;
    case 'buffered':
      l.maxBufferedBytes = n;
      return;
    case 'message':
      l.maxMessage = n;
      return;
    case 'chain':
      l.maxChain = Math.max(1, n);
      return;
    case 'pending':
      opts.maxPendingMessages = n;
      return;
    case 'open-files':
      l.maxOpenFiles = Math.max(1, n);
      return;
    case 'trees':
      l.maxTrees = Math.max(1, n);
      return;
    case 'fragments':
      l.fragments = { ...l.fragments, maxDatagrams: Math.max(1, n) };
      return;
    case 'fragment-bytes':
      l.fragments = { ...l.fragments, maxBytes: n };
      return;
    case 'files':
      opts.fileLimits.maxFiles = Math.max(1, n);
      return;
    case 'file-buffer':
      opts.fileLimits.reassemblyBuffer = n;
      return;
    default:
      throw new UsageError(`--limit: unknown limit '${name}'`);
  }
}

function cleanParseError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /Unknown option '([^']+)'/.exec(msg);
  if (m) return `unknown option '${m[1]}'`;
  const n = /Option '([^']+)' argument missing/.exec(msg);
  if (n) return `option '${n[1]}' needs a value`;
  return msg.split('\n')[0]!.replace(/\. To specify.*$/, '');
}
