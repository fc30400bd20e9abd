// Node-specific pieces: capture files and standard input, log files.

export { FileSink, logDirSinks, StdoutSink } from './sinks.js';
export { type CaptureInput, InputError, openCapture } from './source.js';
