#!/usr/bin/env node
// Entry point of the smbscope command: runs the compiled CLI (npm run build).
import { statSync } from 'node:fs';
import { applyHeapFlags } from '../dist/src/node/heap-flags.js';

// V8's heap settings, before any analysis allocates (see src/node/heap-flags.ts)
applyHeapFlags();

const { main } = await import(entry());

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`smbscope: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 70;
  },
);

/**
 * The CLI as one bundled file (scripts/bundle.mjs, part of npm run build:
 * one file loads faster than the modules it holds), unless it is missing or
 * older than the compiled modules (tsc was run alone since), or
 * SMBSCOPE_NO_BUNDLE is set (profiles then name each module).
 */
function entry() {
  const modules = new URL('../dist/src/cli/main.js', import.meta.url);
  const bundle = new URL('../dist/src/cli/main.bundle.mjs', import.meta.url);
  if (process.env.SMBSCOPE_NO_BUNDLE) return modules.href;
  try {
    if (statSync(bundle).mtimeMs >= statSync(modules).mtimeMs) return bundle.href;
  } catch {
    // no bundle (or no build at all: the import below says so)
  }
  return modules.href;
}
