#!/usr/bin/env node
// Entry point of the smbscope command: runs the compiled CLI (npm run build).
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// Garbage-collector settings for a long-running stream analyzer, set before any
// analysis allocates: a young generation that stays at its initial size and an
// old generation collected when it has grown by 30% (V8's default lets it grow
// to several times the live data). Peak memory follows the live state closely
// and stays flat. (V8's default young-generation growth ran the loopback
// benchmark about 5% faster, but peak RSS on the 4 GB capture rose to 140 MB
// against 100 MB on the 1 GB one; with this setting, 86 against 82 MB.)
setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--heap-growing-percent=30');

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
