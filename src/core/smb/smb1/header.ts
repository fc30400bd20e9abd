/**
 * The SMB1 header (MS-CIFS 2.2.3.1), 32 bytes:
 *   0 Protocol "\xffSMB" (4)   4 Command (1)   5 Status (4)   9 Flags (1)
 *  10 Flags2 (2)  12 PIDHigh (2)  14 SecurityFeatures (8)  22 Reserved (2)
 *  24 TID (2)     26 PIDLow (2)   28 UID (2)                30 MID (2)
 *
 * Zeek's SMB1::Header reports the status as the raw 32-bit field and the pid
 * as PIDHigh << 16 | PIDLow.
 *
 * Event: smb1_message(c, hdr, is_orig), for every SMB1 message.
 */

import { u16le, u32le } from '../../bytes/read.js';

export const SMB1_HEADER_SIZE = 32;
export const SMB_COM_NEGOTIATE = 0x72;

/** SMB1::Header. */
export interface SMB1Header {
  command: number;
  status: number;
  flags: number;
  flags2: number;
  tid: number;
  pid: number;
  uid: number;
  mid: number;
}

/** Parses the header at `o`; the caller guarantees 32 bytes are there. */
export function parseSmb1Header(b: Uint8Array, o: number): SMB1Header {
  return {
    command: b[o + 4]!,
    status: u32le(b, o + 5),
    flags: b[o + 9]!,
    flags2: u16le(b, o + 10),
    tid: u16le(b, o + 24),
    pid: ((u16le(b, o + 12) << 16) | u16le(b, o + 26)) >>> 0,
    uid: u16le(b, o + 28),
    mid: u16le(b, o + 30),
  };
}
