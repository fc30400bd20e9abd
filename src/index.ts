// smbscope's public API: the core library (Node and browsers alike).
export * from './core/index.js';
