/** GSSAPI/SPNEGO and NTLMSSP security blobs of SMB session setup (see README.md). */

export * from './der.js';
export * from './ntlm.js';
export * from './spnego.js';
export * from './zeek-utf16.js';
