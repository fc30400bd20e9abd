// Node-specific pieces: capture files and standard input, log files, hashes and extraction.
export { extractToDir, nodeHasher, safeFileName } from './files.js';
export { ThreadHashing, type ThreadHashingOptions } from './hash-thread.js';
export { FileSink, logDirSinks, StdoutSink } from './sinks.js';
export { type CaptureInput, InputError, openCapture } from './source.js';
