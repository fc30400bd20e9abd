// The core library: capture reading, decoding, reassembly, SMB parsing, events, logs.
// Runs anywhere (no Node-specific imports).
export { type AnalysisResult, Analyzer, type AnalyzerOptions } from './analyzer.js';
export { DEFAULT_LIMITS, Engine, type EngineLimits, type EngineOptions, type EngineStats } from './engine.js';
export type { AnyHandler, Handler } from './events/bus.js';
export { type ConnId, type ConnRef, EVENT_PARAMS, type EventMap, type EventName } from './events/catalogue.js';
export { encodeEvent, encodeValue } from './events/json.js';
export {
  type Digests,
  type FileHashing,
  type HashAlgorithm,
  type Hasher,
  type HasherFactory,
  syncHashing,
} from './files/hashing.js';
export type { LogSchema, LogValue, ZeekType } from './logs/format.js';
export * as schemas from './logs/schemas.js';
export { LocalNets, parseSubnet, type Subnet } from './logs/site.js';
export { type LogFormat, LogSet, type LogSink, type SinkFactory } from './logs/writer.js';
export type { CloseResponse } from './smb/smb2/commands/close.js';
export type { SMB2TransformHeader } from './smb/smb2/transform.js';
export type { FileAttrs, MACTimes, SMB2GUID, SMB2Header } from './smb/smb2/types.js';
export { type CaptureError, type CaptureNotice, CaptureReader, type PacketSink } from './source/capture.js';
