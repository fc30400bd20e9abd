/**
 * The SMB 3.x TRANSFORM header (MS-SMB2 2.2.41) in front of an encrypted
 * message: ProtocolId \xfdSMB, Signature (16), Nonce (16),
 * OriginalMessageSize (4), Reserved (2), Flags/EncryptionAlgorithm (2),
 * SessionId (8): 52 bytes, then the encrypted message.
 */

import { u16le, u32le, u64le } from '../../bytes/read.js';

export const TRANSFORM_HEADER_SIZE = 52;

/** SMB2::Transform_header. */
export interface SMB2TransformHeader {
  signature: Uint8Array;
  nonce: Uint8Array;
  orig_msg_size: number;
  flags: number;
  session_id: bigint;
}

export function isTransformProtocolId(b: Uint8Array, o: number): boolean {
  return b[o] === 0xfd && b[o + 1] === 0x53 && b[o + 2] === 0x4d && b[o + 3] === 0x42;
}

/** Parses the transform header at `o`; the caller guarantees 52 bytes. */
export function parseTransformHeader(b: Uint8Array, o: number): SMB2TransformHeader {
  return {
    signature: b.slice(o + 4, o + 20),
    nonce: b.slice(o + 20, o + 36),
    orig_msg_size: u32le(b, o + 36),
    flags: u16le(b, o + 42),
    session_id: u64le(b, o + 44),
  };
}
