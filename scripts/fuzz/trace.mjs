#!/usr/bin/env node
// Runs the smbscope CLI of a build like bin/smbscope.js does, but prints the
// whole stack of an escaping exception (bin/smbscope.js prints only its
// message). Used by the fuzzer to locate a crash; run it with
// --enable-source-maps to get TypeScript file:line locations.
//
//   node --enable-source-maps scripts/fuzz/trace.mjs ROOT [smbscope args...]

import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, ...args] = process.argv.slice(2);
const { main } = await import(pathToFileURL(join(resolve(root), 'dist', 'src', 'cli', 'main.js')).href);
try {
  process.exitCode = await main(args);
} catch (e) {
  process.stderr.write(`TRACE ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 70;
}
