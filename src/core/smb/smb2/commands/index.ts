/**
 * The SMB2 command modules (one per command, MS-SMB2 2.2.x) and the command
 * names Zeek uses (SMB2::commands in base/protocols/smb/consts.zeek; an
 * unknown code is named `unknown-<code>`, see `smb2CommandName`).
 */

export const SMB2_COMMAND_NAMES: Readonly<Record<number, string>> = {
  0: 'NEGOTIATE_PROTOCOL',
  1: 'SESSION_SETUP',
  2: 'LOGOFF',
  3: 'TREE_CONNECT',
  4: 'TREE_DISCONNECT',
  5: 'CREATE',
  6: 'CLOSE',
  7: 'FLUSH',
  8: 'READ',
  9: 'WRITE',
  10: 'LOCK',
  11: 'IOCTL',
  12: 'CANCEL',
  13: 'ECHO',
  14: 'QUERY_DIRECTORY',
  15: 'CHANGE_NOTIFY',
  16: 'QUERY_INFO',
  17: 'SET_INFO',
  18: 'OPLOCK_BREAK',
};

/** Zeek's SMB2::commands[code], with its default `unknown-%d`. */
export function smb2CommandName(code: number): string {
  return SMB2_COMMAND_NAMES[code] ?? `unknown-${code}`;
}

export * from './cancel.js';
export * from './change-notify.js';
export * from './close.js';
export * from './common.js';
export * from './create.js';
export * from './echo.js';
export * from './flush.js';
export * from './ioctl.js';
export * from './lock.js';
export * from './logoff.js';
export * from './negotiate.js';
export * from './oplock-break.js';
export * from './query-directory.js';
export * from './query-info.js';
export * from './read.js';
export * from './session-setup.js';
export * from './set-info.js';
export * from './strings.js';
export * from './tree-connect.js';
export * from './tree-disconnect.js';
export * from './write.js';
