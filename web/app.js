/**
 * The page: takes a dropped or chosen capture, runs web/analyze.js on it in
 * the browser, and shows the summary, the SMB2 CLOSE table and Zeek's logs.
 *
 * Everything shown from a capture (file names, addresses, log text) is
 * attacker-controlled: it is only ever put into the page with textContent,
 * never as HTML.
 */

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** Rows of the CLOSE table put in the page at once (the CSV has them all). */
const MAX_TABLE_ROWS = 5000;
/** Rows kept by the analysis (beyond it, CLOSEs are counted only). */
const MAX_CLOSES = 500_000;
/** Characters of a log shown in the page (the download has it all). */
const MAX_LOG_VIEW = 2_000_000;
/** How often the page repaints during an analysis. */
const REPAINT_MS = 80;

let lib;
try {
  lib = await import('./analyze.js');
} catch (e) {
  // most likely the library is not built: web/analyze.js imports ../dist/src/index.js
  const p = $('load-error');
  p.textContent =
    `Cannot load the analyzer (${e instanceof Error ? e.message : String(e)}). ` +
    'Build it first with "npm run build", then serve the repository root with "node scripts/serve-web.mjs".';
  p.hidden = false;
  $('file').setAttribute('disabled', '');
}

/** @type {AbortController | undefined} */
let running;
/** @type {File | undefined} */
let lastFile;
/** @type {{ closes: any[], name: string } | undefined} */
let shown;
/** object URLs of the current downloads, revoked when results are replaced */
let urls = [];

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function fmtInt(n) {
  return typeof n === 'bigint' || typeof n === 'number' ? n.toLocaleString('en-US') : '';
}

function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(1)} ${units[u]}`;
}

function hex(n, digits) {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

function statusText(status) {
  if (status === undefined) return 'no response';
  return status === 0 ? 'SUCCESS' : hex(status >>> 0, 8);
}

function fileIdText(fid) {
  if (!fid) return '';
  return `${fid.persistent.toString(16).padStart(16, '0')}-${fid.volatile.toString(16).padStart(16, '0')}`;
}

// ---------------------------------------------------------------------------
// input

const drop = $('drop');
const fileInput = /** @type {HTMLInputElement} */ ($('file'));

fileInput.addEventListener('change', () => {
  const f = fileInput.files?.[0];
  if (f) start(f);
  fileInput.value = '';
});

// a file dropped anywhere on the page is analyzed (and never opened by the browser instead)
for (const type of ['dragenter', 'dragover']) {
  document.addEventListener(type, (e) => {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    drop.classList.add('dragging');
  });
}
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) drop.classList.remove('dragging');
});
document.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('dragging');
  const f = e.dataTransfer?.files?.[0];
  if (f) start(f);
});

$('cancel').addEventListener('click', () => running?.abort());

// ---------------------------------------------------------------------------
// analysis

async function start(file, overrides = {}) {
  if (!lib) return;
  running?.abort();
  const ac = new AbortController();
  running = ac;
  lastFile = file;
  const verifyChecksums = overrides.verifyChecksums ?? !(/** @type {HTMLInputElement} */ ($('no-checksums')).checked);
  const logFormat = /** @type {HTMLSelectElement} */ ($('log-format')).value === 'json' ? 'json' : 'tsv';
  const logCmds = /** @type {HTMLInputElement} */ ($('log-cmds')).checked;

  const bar = /** @type {HTMLProgressElement} */ ($('progress-bar'));
  const text = $('progress-text');
  $('progress').hidden = false;
  $('results').hidden = true;
  bar.value = 0;
  text.textContent = `Reading ${file.name}…`;
  const size = file.size || 1;
  let lastPaint = 0;
  const t0 = performance.now();

  let result;
  try {
    result = await lib.analyzeCapture(file.stream(), {
      verifyChecksums,
      logFormat,
      logCmds,
      maxCloses: MAX_CLOSES,
      signal: ac.signal,
      onProgress: ({ inputBytes, packets }) => {
        const now = performance.now();
        if (now - lastPaint < REPAINT_MS) return;
        lastPaint = now;
        bar.value = inputBytes / size;
        text.textContent = `${fmtBytes(inputBytes)} of ${fmtBytes(file.size)}, ${fmtInt(packets)} packets`;
        // give the page a chance to repaint (and the Cancel button a chance to be clicked)
        return new Promise((resolve) => setTimeout(resolve, 0));
      },
    });
  } catch (e) {
    if (running !== ac) return;
    running = undefined;
    $('progress').hidden = true;
    showFailure(file, e);
    return;
  }
  if (running !== ac) return; // a newer file replaced this one
  running = undefined;
  $('progress').hidden = true;
  show(file, result, { verifyChecksums, seconds: (performance.now() - t0) / 1000 });
}

function showFailure(file, e) {
  resetResults();
  const msg = $('messages');
  msg.append(el('p', `${file.name}: the analysis failed: ${e instanceof Error ? e.message : String(e)}`, 'error'));
  $('results').hidden = false;
}

function resetResults() {
  for (const u of urls) URL.revokeObjectURL(u);
  urls = [];
  $('messages').replaceChildren();
  $('summary').replaceChildren();
  $('closes').querySelector('tbody')?.replaceChildren();
  $('logs').replaceChildren();
  $('close-count').textContent = '';
  /** @type {HTMLInputElement} */ ($('close-filter')).value = '';
  shown = undefined;
}

// ---------------------------------------------------------------------------
// results

function show(file, r, run) {
  resetResults();
  const msg = $('messages');
  if (r.aborted) msg.append(el('p', 'Cancelled: only the part of the capture read so far is analyzed.', 'warning'));
  if (r.error) {
    const rest = r.stats.packets > 0 ? ' Everything before that point is analyzed.' : '';
    msg.append(el('p', `${file.name}: ${r.error}.${rest}`, 'error'));
  }
  for (const n of r.notices) msg.append(el('p', `Capture notice: ${n}`, 'warning'));
  if (r.checksumsMostlyBad) {
    const p = el(
      'p',
      'Most packets had bad IP/TCP checksums and were not analyzed (a capture taken on a host with checksum ' +
        'offloading, or on the loopback interface?). ',
      'warning',
    );
    const again = el('button', 'Analyze again without checksum verification');
    again.type = 'button';
    again.addEventListener('click', () => {
      /** @type {HTMLInputElement} */ ($('no-checksums')).checked = true;
      if (lastFile) start(lastFile, { verifyChecksums: false });
    });
    p.append(again);
    msg.append(p);
  }

  const s = r.stats;
  const items = [
    ['File', file.name],
    ['Format', `${r.format ?? 'unknown'}${r.compressed ? ' (gzip)' : ''}, ${fmtBytes(file.size)}`],
    ['Packets', fmtInt(s.packets)],
    ['Connections', `${fmtInt(s.connections)} (${fmtInt(s.smbConnections)} SMB)`],
    ['SMB2 messages', fmtInt(s.smb2Messages)],
    ['CLOSE requests', fmtInt(s.closes)],
    ['CLOSE responses', fmtInt(s.closeResponses)],
    ['Files transferred', fmtInt(s.files)],
    ['Weirds', fmtInt(s.weirds)],
    ['Checksums', run.verifyChecksums ? 'verified' : 'not verified'],
    ['Analysis time', `${run.seconds.toFixed(2)} s`],
  ];
  const dl = $('summary');
  for (const [k, v] of items) {
    const d = el('div');
    d.append(el('dt', k), el('dd', v));
    dl.append(d);
  }

  shown = { closes: r.closes, name: file.name };
  renderCloses('');
  if (r.closesNotKept > 0) {
    msg.append(el('p', `${fmtInt(r.closesNotKept)} CLOSEs beyond the first ${fmtInt(MAX_CLOSES)} are not listed.`));
  }
  renderLogs(r.logs, r.logRecords);
  $('results').hidden = false;
}

function closeMatches(c, needle) {
  if (!needle) return true;
  const hay = `${c.name ?? ''} ${c.id.orig_h}:${c.id.orig_p} ${c.id.resp_h}:${c.id.resp_p} ${c.uid}`.toLowerCase();
  return hay.includes(needle);
}

function renderCloses(filter) {
  if (!shown) return;
  const needle = filter.trim().toLowerCase();
  const tbody = $('closes').querySelector('tbody');
  if (!tbody) return;
  const rows = [];
  let matched = 0;
  for (const c of shown.closes) {
    if (!closeMatches(c, needle)) continue;
    matched++;
    if (rows.length < MAX_TABLE_ROWS) rows.push(closeRow(c));
  }
  tbody.replaceChildren(...rows);
  const total = shown.closes.length;
  $('close-count').textContent =
    (needle ? `${fmtInt(matched)} of ${fmtInt(total)} CLOSEs` : `${fmtInt(total)} CLOSEs`) +
    (matched > MAX_TABLE_ROWS ? `, the first ${fmtInt(MAX_TABLE_ROWS)} shown (the CSV has them all)` : '');
  if (total === 0) {
    const tr = el('tr');
    const td = el('td', 'No SMB2 CLOSE in this capture.', 'unknown');
    td.colSpan = 9;
    tr.append(td);
    tbody.append(tr);
  }
}

function closeRow(c) {
  const tr = el('tr');
  const resp = c.response;
  const when = c.ts ?? c.responseTs;
  const cells = [
    [when === undefined ? '' : lib.isoTime(when), 'mono'],
    [lib.connText(c.id), 'mono'],
    c.name === undefined ? [c.related ? '(related, unknown)' : '(unknown)', 'name unknown'] : [c.name, 'name'],
    [fileIdText(c.fileId), 'mono'],
    [statusText(c.status), 'mono'],
    [resp ? fmtInt(resp.eof) : '', 'num'],
    [resp ? fmtInt(resp.alloc_size) : '', 'num'],
    [resp ? (lib.filetimeIso(resp.times.modified_raw) ?? '(not set)') : '', 'mono'],
    [resp ? lib.attrsText(resp.attrs) || '(none)' : '', ''],
  ];
  for (const [text, cls] of cells) tr.append(el('td', text, cls || undefined));
  tr.title = `uid ${c.uid}, message id ${c.messageId}, session ${hex(c.sessionId, 16)}, tree ${hex(c.treeId >>> 0, 8)}`;
  return tr;
}

$('close-filter').addEventListener('input', (e) => {
  renderCloses(/** @type {HTMLInputElement} */ (e.target).value);
});

/** A CSV field; text a spreadsheet would run as a formula (=, +, -, @ first) is quoted with a leading '. */
function csvField(v) {
  let s = v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

$('close-csv').addEventListener('click', () => {
  if (!shown) return;
  const header = [
    'ts',
    'uid',
    'orig_h',
    'orig_p',
    'resp_h',
    'resp_p',
    'message_id',
    'name',
    'file_id.persistent',
    'file_id.volatile',
    'status',
    'eof',
    'alloc_size',
    'modified',
    'accessed',
    'created',
    'changed',
    'attrs',
  ];
  const lines = [header.join(',')];
  for (const c of shown.closes) {
    const r = c.response;
    const t = (raw) => (r ? (lib.filetimeIso(raw) ?? '') : '');
    lines.push(
      [
        c.ts === undefined ? '' : lib.isoTime(c.ts),
        c.uid,
        c.id.orig_h,
        c.id.orig_p,
        c.id.resp_h,
        c.id.resp_p,
        c.messageId,
        c.name,
        c.fileId?.persistent,
        c.fileId?.volatile,
        c.status === undefined ? '' : statusText(c.status),
        r?.eof,
        r?.alloc_size,
        t(r?.times.modified_raw),
        t(r?.times.accessed_raw),
        t(r?.times.created_raw),
        t(r?.times.changed_raw),
        r ? lib.attrsText(r.attrs) : '',
      ]
        .map(csvField)
        .join(','),
    );
  }
  download(`${baseName(shown.name)}.closes.csv`, `${lines.join('\r\n')}\r\n`, 'text/csv');
});

function baseName(name) {
  return name.replace(/\.(gz)$/i, '').replace(/\.(pcapng|pcap|cap)$/i, '') || 'capture';
}

function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  urls.push(url);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
}

function renderLogs(logs, records) {
  const box = $('logs');
  const names = [
    ...lib.LOG_NAMES.filter((n) => n in logs),
    ...Object.keys(logs).filter((n) => !lib.LOG_NAMES.includes(n)),
  ];
  const missing = lib.LOG_NAMES.filter((n) => !(n in logs) && n !== 'smb_cmd.log');
  if (names.length === 0) {
    box.append(el('p', 'No log was written: the capture has no connection to report.'));
    return;
  }
  const tablist = el('div');
  tablist.setAttribute('role', 'tablist');
  tablist.setAttribute('aria-label', 'Logs');
  const panels = [];
  const tabs = [];
  names.forEach((name, i) => {
    const text = logs[name];
    const n = records[name.replace(/\.log$/, '')] ?? 0;
    const tab = el('button', `${name} (${fmtInt(n)})`);
    tab.type = 'button';
    tab.id = `tab-${i}`;
    tab.setAttribute('role', 'tab');
    tab.setAttribute('aria-controls', `panel-${i}`);
    const panel = el('div');
    panel.id = `panel-${i}`;
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', tab.id);
    const get = el('button', `Download ${name}`);
    get.type = 'button';
    get.addEventListener('click', () => download(name, text, 'text/plain'));
    panel.append(get);
    const pre = el('pre');
    if (text.length > MAX_LOG_VIEW) {
      pre.textContent = text.slice(0, MAX_LOG_VIEW);
      panel.append(
        el('p', `Only the first ${fmtInt(MAX_LOG_VIEW)} characters are shown; the download has the whole log.`, 'hint'),
      );
    } else {
      pre.textContent = text;
    }
    panel.append(pre);
    tab.addEventListener('click', () => select(i));
    tab.addEventListener('keydown', (e) => {
      const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (d === 0) return;
      const j = (i + d + names.length) % names.length;
      select(j);
      tabs[j].focus();
    });
    tabs.push(tab);
    panels.push(panel);
  });
  function select(k) {
    tabs.forEach((t, j) => {
      t.setAttribute('aria-selected', String(j === k));
      t.tabIndex = j === k ? 0 : -1;
      panels[j].hidden = j !== k;
    });
  }
  tablist.append(...tabs);
  box.append(tablist, ...panels);
  select(0);
  if (missing.length > 0) box.append(el('p', `Not written (no records): ${missing.join(', ')}.`, 'hint'));
}
