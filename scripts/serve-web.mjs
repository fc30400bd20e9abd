#!/usr/bin/env node
// A static file server for the web page (web/): serves this repository's files
// on 127.0.0.1 only, so that web/index.html can load web/app.js and the built
// library (dist/src/). Read-only, GET and HEAD, nothing outside the repository
// (symbolic links included), no directory listings, no dot files (.git).
// Usage: node scripts/serve-web.mjs [PORT]     (default 8080; 0 picks a free port)

import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const ROOT = realpathSync(resolve(import.meta.dirname, '..'));
const HOST = '127.0.0.1';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8', // TypeScript sources, for the source maps (not MPEG-TS)
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.pcap': 'application/vnd.tcpdump.pcap',
  '.pcapng': 'application/octet-stream',
  '.gz': 'application/gzip',
};

const arg = process.argv[2] ?? '8080';
const port = /^\d+$/.test(arg) ? Number(arg) : Number.NaN;
if (!(port >= 0 && port <= 65535)) {
  process.stderr.write(`serve-web: not a port number: ${arg}\n`);
  process.exit(2);
}

/** The decoded segments of a URL path, or undefined when one is not servable. */
function segmentsOf(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  // no dot files or directories (.git, .env), and so no "..": refused rather than normalised away
  if (segments.some((s) => s.startsWith('.'))) return undefined;
  return segments;
}

/** The real path of the file the segments name, or undefined when it is outside the repository or absent. */
function resolvePath(segments) {
  const p = resolve(ROOT, ...segments);
  if (p !== ROOT && !p.startsWith(ROOT + sep)) return undefined;
  // the real path too: a symbolic link inside the repository must not lead out of it
  let real;
  try {
    real = realpathSync(p);
  } catch {
    return undefined;
  }
  if (real !== ROOT && !real.startsWith(ROOT + sep)) return undefined;
  return real;
}

function send(res, status, text, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(`${text}\n`);
}

const server = createServer((req, res) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    return;
  }
  // only requests addressed to this server (a page elsewhere cannot reach it through a rebound DNS name)
  const host = req.headers.host ?? '';
  const actualPort = server.address()?.port;
  if (host !== `${HOST}:${actualPort}` && host !== `localhost:${actualPort}`) {
    send(res, 421, 'wrong host');
    return;
  }
  const rawUrl = req.url ?? '/';
  const pathPart = rawUrl.split('?')[0].split('#')[0];
  if (!pathPart.startsWith('/')) {
    send(res, 400, 'bad request');
    return;
  }
  if (pathPart === '/') {
    res.writeHead(302, { Location: '/web/' });
    res.end();
    return;
  }
  const segments = segmentsOf(pathPart);
  let file = segments && resolvePath(segments);
  if (file === undefined) {
    send(res, 404, 'not found');
    return;
  }
  let st;
  try {
    st = statSync(file);
    if (st.isDirectory()) {
      if (!pathPart.endsWith('/')) {
        // rebuilt from the segments: "//host" in the request must not become a redirect to another host
        res.writeHead(301, { Location: `/${segments.map(encodeURIComponent).join('/')}/` });
        res.end();
        return;
      }
      file = join(file, 'index.html');
      st = statSync(file);
    }
  } catch {
    send(res, 404, 'not found');
    return;
  }
  if (!st.isFile()) {
    send(res, 404, 'not found');
    return;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': st.size,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
});

server.on('error', (e) => {
  process.stderr.write(`serve-web: ${e.message}\n`);
  process.exit(1);
});
server.listen(port, HOST, () => {
  const actual = server.address().port;
  process.stdout.write(`serving ${ROOT} at http://${HOST}:${actual}/web/ (Ctrl-C to stop)\n`);
});
