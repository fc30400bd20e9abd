/**
 * MIME detection on real file beginnings: the `mime_type` Zeek's file
 * analysis reports, with the signature (and .sig file) that decides it.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  detectMime,
  detectMimeMatches,
  MIME_BOF_BUFFER_SIZE,
  MIME_SIGNATURES,
  mimeDetectionDue,
} from '../../src/core/files/mime.js';
import { compileMagicPattern } from '../../src/core/files/mime-regex.js';

type Part = string | readonly number[] | Uint8Array;

/** Concatenates parts; strings are taken byte per character (latin1). */
function bytes(...parts: Part[]): Uint8Array {
  const chunks = parts.map((p) =>
    typeof p === 'string' ? Uint8Array.from(p, (c) => c.charCodeAt(0) & 0xff) : Uint8Array.from(p),
  );
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => Number.parseInt(x, 16));
const le16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const le32 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];

/** A zip local file header plus `size` bytes of (fake, PK-free) compressed data. */
function zipEntry(
  name: string,
  opts: { version?: number; flags?: number; method?: number; extra?: Part; data?: Part },
) {
  const data = opts.data ?? new Uint8Array(120).fill(0x5a);
  const extra = bytes(opts.extra ?? '');
  const d = bytes(data);
  return bytes(
    'PK\x03\x04',
    le16(opts.version ?? 20),
    le16(opts.flags ?? 0),
    le16(opts.method ?? 8),
    le16(0x6c21), // time
    le16(0x5a33), // date
    le32(0x12345678), // crc
    le32(d.length),
    le32(d.length * 3),
    le16(name.length),
    le16(extra.length),
    name,
    extra,
    d,
  );
}

/** Office 2007+ packages as Word/Excel write them: version 20, flags 6, deflate. */
const ooxmlEntry = (name: string) => zipEntry(name, { version: 20, flags: 6, method: 8 });

/** Deterministic pseudo-random bytes (LCG). */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** First bytes of WP_SMBPlugin.pdf as read in Zeek's `smb2` case (tshark -e data.data). */
const SMB2_PDF = fromHex(
  '255044462d312e350a25e2e3cfd30a312030206f626a0a3c3c0a2f54797065202f436174616c6f670a2f50616765732032203020520a2f4c616e672028656e2d5553290a2f53747275637454726565526f6f74203637203020520a2f4d61726b496e666f203c3c0a2f4d61726b656420747275650a3e3e0a3e3e0a656e646f62',
);

interface Case {
  readonly name: string;
  readonly data: Uint8Array;
  readonly mime: string | undefined;
  /** The signature (.sig file) that decides. */
  readonly why: string;
}

const CASES: readonly Case[] = [
  // --- the two SMB cases of Zeek's test suite ---
  {
    name: 'smb2-read-write "pythonfile": 16 x "A" (READ response data)',
    data: bytes('A'.repeat(16)),
    mime: 'text/plain',
    why: 'general.sig file-plaintext (-20): 10 printable ASCII bytes',
  },
  {
    name: 'smb2 "WP_SMBPlugin.pdf" (first 128 bytes of the READ data)',
    data: SMB2_PDF,
    mime: 'application/pdf',
    why: 'libmagic.sig file-magic-auto189 "%PDF-" (80) beats file-plaintext (-20)',
  },
  // --- documents ---
  {
    name: 'PDF header',
    data: bytes('%PDF-1.7\n%\xb5\xb5\xb5\xb5\n1 0 obj\n'),
    mime: 'application/pdf',
    why: 'libmagic.sig file-magic-auto189 (80)',
  },
  {
    name: 'OLE2 compound file (.doc/.xls/.msi)',
    data: bytes('\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1', new Uint8Array(16), '\x3e\x00\x03\x00\xfe\xff\x09\x00'),
    mime: 'application/msword',
    why: 'office.sig file-msword (50): every OLE2 file, whatever it holds',
  },
  {
    name: 'docx (Word: [Content_Types].xml, _rels/.rels, word/document.xml)',
    data: bytes(ooxmlEntry('[Content_Types].xml'), ooxmlEntry('_rels/.rels'), ooxmlEntry('word/document.xml')),
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    why: 'office.sig file-docx (80) beats file-ooxml (50) and archive.sig file-zip (10)',
  },
  {
    name: 'xlsx (Excel: ... xl/workbook.xml)',
    data: bytes(ooxmlEntry('[Content_Types].xml'), ooxmlEntry('_rels/.rels'), ooxmlEntry('xl/workbook.xml')),
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    why: 'office.sig file-xlsx (80)',
  },
  {
    name: 'pptx (PowerPoint: ... ppt/presentation.xml)',
    data: bytes(ooxmlEntry('[Content_Types].xml'), ooxmlEntry('_rels/.rels'), ooxmlEntry('ppt/presentation.xml')),
    mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    why: 'office.sig file-pptx (80)',
  },
  {
    name: 'OOXML whose part directory lies beyond the BOF buffer',
    data: bytes(
      ooxmlEntry('[Content_Types].xml'),
      zipEntry('_rels/.rels', { version: 20, flags: 6, data: new Uint8Array(5000).fill(0x5a) }),
      ooxmlEntry('word/document.xml'),
    ),
    mime: 'application/vnd.openxmlformats-officedocument',
    why: 'office.sig file-ooxml (50): file-docx needs "word/" within the first 4096 bytes',
  },
  {
    name: 'OpenDocument text (first member "mimetype", stored)',
    data: bytes(
      zipEntry('mimetype', { version: 10, method: 0, data: 'application/vnd.oasis.opendocument.text' }),
      'PK',
    ),
    mime: 'application/vnd.oasis.opendocument.text',
    why: 'office.sig file-opendocument-text (110)',
  },
  {
    name: 'EPUB',
    data: bytes(zipEntry('mimetype', { version: 10, method: 0, data: 'application/epub+zip' }), 'PK'),
    mime: 'application/epub+zip',
    why: 'libmagic.sig file-magic-auto245 (110)',
  },
  {
    name: 'RTF',
    data: bytes('{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}}'),
    mime: 'text/rtf',
    why: 'libmagic.sig file-magic-auto196 (80)',
  },
  // --- archives ---
  {
    name: 'plain zip',
    data: zipEntry('hello.txt', { version: 10, method: 0, data: 'hello, world\n' }),
    mime: 'application/zip',
    why: 'archive.sig file-zip (10)',
  },
  {
    name: 'jar (META-INF/ then META-INF/MANIFEST.MF)',
    data: bytes(
      zipEntry('META-INF/', { version: 20, flags: 0x0808, data: '', extra: '\xfe\xca\x00\x00' }),
      zipEntry('META-INF/MANIFEST.MF', { version: 20, flags: 0x0808 }),
    ),
    mime: 'application/java-archive',
    why: 'java.sig file-jar (100)',
  },
  {
    name: 'gzip',
    data: bytes('\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03'),
    mime: 'application/x-gzip',
    why: 'archive.sig file-gzip (100)',
  },
  {
    name: 'bzip2',
    data: bytes('BZh91AY&SY\x9e\x1a\xd2\x3b\x00\x00'),
    mime: 'application/x-bzip2',
    why: 'archive.sig file-bzip2 (60); "BZh91AY&SY" is also 10 printable bytes (text/plain, -20)',
  },
  {
    name: 'xz',
    data: bytes('\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4\x46'),
    mime: 'application/x-xz',
    why: 'archive.sig file-xz (90)',
  },
  {
    name: '7z',
    data: bytes('7z\xbc\xaf\x27\x1c\x00\x04\x8d\x9b\xd5\x0f'),
    mime: 'application/x-7z-compressed',
    why: 'archive.sig file-7zip (50)',
  },
  {
    name: 'RAR 5',
    data: bytes('Rar!\x1a\x07\x01\x00\x33\x92\xb5\xe5'),
    mime: 'application/x-rar',
    why: 'archive.sig file-rar (70)',
  },
  {
    name: 'ustar header',
    data: bytes(
      'hello.txt'.padEnd(100, '\x00'),
      '0000644\x00',
      '0001750\x00',
      '0001750\x00',
      '00000000015\x00',
      '14644526137\x00',
      '012044\x00 ',
      '0',
      new Uint8Array(100),
      'ustar\x0000',
    ),
    mime: 'application/x-tar',
    why: 'archive.sig file-tar (100)',
  },
  {
    name: 'Microsoft Cabinet',
    data: bytes('MSCF\x00\x00\x00\x00\x9c\x2f\x00\x00'),
    mime: 'application/vnd.ms-cab-compressed',
    why: 'archive.sig file-ms-cab (110)',
  },
  // --- executables ---
  {
    name: 'PE (MZ header, PE\\0\\0 at e_lfanew)',
    data: bytes(
      'MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8',
      new Uint8Array(43),
      le32(0x80),
      '\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run in DOS mode.\r\r\n$',
      new Uint8Array(7),
      'PE\x00\x00\x64\x86',
    ),
    mime: 'application/x-dosexec',
    why: 'executable.sig file-pe (51): just "MZ"',
  },
  {
    name: 'ELF 64-bit LE executable (ET_EXEC)',
    data: bytes('\x7fELF\x02\x01\x01\x00', new Uint8Array(8), '\x02\x00\x3e\x00\x01\x00\x00\x00'),
    mime: 'application/x-executable',
    why: 'executable.sig file-elf (50)',
  },
  {
    name: 'ELF 64-bit LE PIE / shared object (ET_DYN)',
    data: bytes('\x7fELF\x02\x01\x01\x00', new Uint8Array(8), '\x03\x00\x3e\x00\x01\x00\x00\x00'),
    mime: 'application/x-sharedlib',
    why: 'executable.sig file-elf-sharedlib (50)',
  },
  {
    name: 'ELF 32-bit BE relocatable (ET_REL)',
    data: bytes('\x7fELF\x01\x02\x01\x00', new Uint8Array(8), '\x00\x01\x00\x08'),
    mime: 'application/x-object',
    why: 'executable.sig file-elf-object (50)',
  },
  {
    name: 'Mach-O 64-bit',
    data: bytes('\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00'),
    mime: 'application/x-mach-o-executable',
    why: 'executable.sig file-mach-o (100)',
  },
  {
    name: 'Java class file (major 52)',
    data: bytes('\xca\xfe\xba\xbe\x00\x00\x00\x34\x00\x1d\x0a'),
    mime: 'application/x-java-applet',
    why: 'java.sig file-java-applet (71); not a universal Mach-O (byte 7 is 0x34)',
  },
  {
    name: 'Python 3.11 bytecode',
    data: bytes('\xa7\x0d\x0d\x0a\x00\x00\x00\x00'),
    mime: 'application/x-python-bytecode',
    why: 'python.sig file-pyc-3-11 (80)',
  },
  // --- images, audio, video, fonts ---
  {
    name: 'PNG',
    data: bytes('\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR'),
    mime: 'image/png',
    why: 'image.sig file-png (110)',
  },
  {
    name: 'JPEG (JFIF)',
    data: bytes('\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01'),
    mime: 'image/jpeg',
    why: 'image.sig file-jpeg (52)',
  },
  {
    name: 'GIF89a',
    data: bytes('GIF89a\x10\x00\x10\x00\x80\x00\x00'),
    mime: 'image/gif',
    why: 'image.sig file-gif (70)',
  },
  {
    name: 'BMP',
    data: bytes('BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00'),
    mime: 'image/x-ms-bmp',
    why: 'image.sig file-bmp (50)',
  },
  { name: 'WebP', data: bytes('RIFF\x24\x00\x00\x00WEBPVP8 '), mime: 'image/webp', why: 'image.sig file-webp (70)' },
  {
    name: 'SVG with XML declaration',
    data: bytes('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
    mime: 'image/svg+xml',
    why: 'libmagic.sig file-magic-auto44 (38) beats general.sig file-xml (10)',
  },
  {
    name: 'WAV',
    data: bytes('RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00'),
    mime: 'audio/x-wav',
    why: 'libmagic.sig file-magic-auto354 (70)',
  },
  {
    name: 'MP3 frame (no ID3 tag)',
    data: bytes('\xff\xfb\x90\x64\x00'),
    mime: 'audio/mpeg',
    why: 'audio.sig file-mpeg-audio (20)',
  },
  {
    name: 'MP3 with an ID3v2 tag',
    data: bytes('ID3\x04\x00\x00\x00\x00\x23\x76TIT2'),
    mime: undefined,
    why: 'no signature for ID3',
  },
  {
    name: 'MP4 (isom)',
    data: bytes('\x00\x00\x00\x20ftypisom\x00\x00\x02\x00'),
    mime: 'video/mp4',
    why: 'video.sig file-mp4 (70)',
  },
  {
    name: 'TrueType font',
    data: bytes('\x00\x01\x00\x00\x00\x10\x01\x00\x00\x04'),
    mime: 'application/x-font-ttf',
    why: 'font.sig file-ttf (80)',
  },
  // --- text ---
  {
    name: 'HTML5',
    data: bytes('<!DOCTYPE html>\n<html lang="en">\n<head><title>x</title></head>'),
    mime: 'text/html',
    why: 'general.sig file-xhtml (100)',
  },
  {
    name: 'HTML after a comment and white space',
    data: bytes('\r\n  <!-- generated -->\n<HTML><BODY>hi</BODY></HTML>'),
    mime: 'text/html',
    why: 'general.sig file-xhtml (100), "<html" case-insensitive',
  },
  {
    name: 'XML',
    data: bytes('<?xml version="1.0" encoding="UTF-8"?>\n<config><item a="1"/></config>\n'),
    mime: 'application/xml',
    why: 'general.sig file-xml (10)',
  },
  {
    name: 'Atom feed',
    data: bytes('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'),
    mime: 'text/atom',
    why: 'general.sig file-atom (100)',
  },
  {
    name: 'JSON object',
    data: bytes('{\n  "name": "smbscope",\n  "version": 1\n}\n'),
    mime: 'text/json',
    why: 'general.sig file-json (1)',
  },
  {
    name: 'JSON array of objects',
    data: bytes('[\n  {"id": 1},\n  {"id": 2}\n]\n'),
    mime: 'text/json',
    why: 'general.sig file-json2 (1)',
  },
  {
    name: 'one-line JSON array followed by a newline',
    data: bytes('[1, 2, 3]\n'),
    mime: 'text/ini',
    why: 'general.sig file-ini (20) sees a "[section]" line and beats file-json2 (1)',
  },
  {
    name: 'empty JSON object "{}"',
    data: bytes('{}\n'),
    mime: undefined,
    why: 'file-json3 ends in "$", which never matches; too short for text/plain',
  },
  {
    name: 'shell script',
    data: bytes('#!/bin/bash\nset -euo pipefail\necho hi\n'),
    mime: 'text/x-shellscript',
    why: 'programming.sig file-shellscript (250)',
  },
  {
    name: 'env python script',
    data: bytes('#!/usr/bin/env python3\nprint("hi")\n'),
    mime: 'text/x-python',
    why: 'programming.sig file-python (60)',
  },
  { name: 'PHP', data: bytes('<?php\necho "hello";\n'), mime: 'text/x-php', why: 'programming.sig file-php2 (40)' },
  {
    name: 'batch file',
    data: bytes('@echo off\r\nset X=1\r\n'),
    mime: 'text/x-msdos-batch',
    why: 'programming.sig file-batch1 (110)',
  },
  {
    name: 'INI file',
    data: bytes('[.ShellClassInfo]\r\nIconResource=C:\\x.dll,0\r\n'),
    mime: 'text/ini',
    why: 'general.sig file-ini (20), e.g. desktop.ini',
  },
  {
    name: 'PEM certificate',
    data: bytes('-----BEGIN CERTIFICATE-----\nMIIB'),
    mime: 'application/x-pem',
    why: 'general.sig file-pem (0) beats file-plaintext (-20)',
  },
  {
    name: 'PGP signature',
    data: bytes('-----BEGIN PGP SIGNATURE-----\n\n'),
    mime: 'application/pgp-signature',
    why: 'libmagic.sig file-magic-auto6 (280)',
  },
  {
    name: 'S/MIME message: ".*" spans lines',
    data: bytes('MIME-Version: 1.0\r\nContent-Type: multipart/signed;\r\n protocol="application/pkcs7-signature"'),
    mime: 'application/pkcs7-signature',
    why: 'general.sig file-pkcs7 (100)',
  },
  {
    name: 'mail headers',
    data: bytes('Return-Path: <a@example.com>\r\nReceived: from x\r\n'),
    mime: 'message/rfc822',
    why: 'libmagic.sig file-magic-auto65 (150)',
  },
  {
    name: 'plain ASCII text',
    data: bytes('Meeting notes, 3 March.\nAttendees: all.\n'),
    mime: 'text/plain',
    why: 'general.sig file-plaintext (-20)',
  },
  {
    name: 'UTF-8 text starting with 10 ASCII bytes',
    data: bytes('Chapter 1: Gr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln\n'),
    mime: 'text/plain',
    why: 'general.sig file-plaintext (-20) only looks at the first 10 bytes',
  },
  {
    name: 'UTF-8 text with a non-ASCII byte among the first 10',
    data: bytes('Gr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln, sch\xc3\xb6ne Stadt\n'),
    mime: undefined,
    why: 'file-plaintext needs 10 bytes of ASCII text/space; nothing else matches',
  },
  {
    name: 'UTF-8 text with BOM',
    data: bytes('\xef\xbb\xbfGreetings from K\xc3\xb6ln\n'),
    mime: 'text/plain',
    why: 'general.sig file-plaintext (-20) allows a UTF-8 BOM',
  },
  {
    name: 'UTF-16LE text with BOM',
    data: bytes('\xff\xfeH\x00e\x00l\x00l\x00o\x00,\x00 \x00w\x00o\x00r\x00l\x00d\x00'),
    mime: undefined,
    why: 'file-plaintext allows the BOM but then wants 10 ASCII bytes, not UTF-16 units',
  },
  {
    name: 'UTF-16LE .reg export',
    data: bytes(
      '\xff\xfe',
      'Windows Registry Editor Version 5.00\r\n'.replace(/./gs, (c) => `${c}\x00`),
    ),
    mime: 'application/vnd.ms-reg',
    why: 'general.sig file-reg-utf16 (49)',
  },
  {
    name: 'SQLite database',
    data: bytes('SQLite format 3\x00\x10\x00\x01\x01'),
    mime: 'text/plain',
    why: 'no SQLite signature; "SQLite for" is 10 printable bytes (file-plaintext, -20)',
  },
  // --- edge cases ---
  { name: 'binary noise', data: noise(4096, 7), mime: undefined, why: 'no signature matches' },
  { name: '5-byte text file', data: bytes('hello'), mime: undefined, why: 'file-plaintext needs 10 bytes' },
  { name: '9-byte text file', data: bytes('123456789'), mime: undefined, why: 'file-plaintext needs 10 bytes' },
  { name: '10-byte text file', data: bytes('1234567890'), mime: 'text/plain', why: 'file-plaintext (-20)' },
  { name: 'empty file', data: new Uint8Array(0), mime: undefined, why: 'Zeek does not sniff an empty BOF buffer' },
];

for (const c of CASES) {
  test(`${c.name} -> ${c.mime ?? '(none)'} [${c.why}]`, () => {
    assert.equal(detectMime(c.data, true), c.mime);
  });
}

test('smb2-read-write "pythonfile2": 7000 x "B" (WRITE data), sniffed when 4096 bytes are buffered', () => {
  const file = bytes('B'.repeat(7000));
  assert.equal(mimeDetectionDue(4095, false), false);
  assert.equal(mimeDetectionDue(4096, false), true);
  assert.equal(detectMime(file.subarray(0, 4096), false), 'text/plain');
  assert.equal(detectMime(file, false), 'text/plain');
});

test('BOF buffer size and when detection is due', () => {
  assert.equal(MIME_BOF_BUFFER_SIZE, 4096);
  assert.equal(mimeDetectionDue(0, true), false);
  assert.equal(mimeDetectionDue(1, true), true);
  assert.equal(mimeDetectionDue(4095, false), false);
  assert.equal(mimeDetectionDue(4096, false), true);
  // A gap ends BOF buffering: Zeek sniffs the short buffer of an unfinished
  // file exactly like a finished file of that length.
  const pdf = bytes('%PDF-1.4\n');
  assert.equal(detectMime(pdf, false), 'application/pdf');
  assert.equal(detectMime(pdf, true), 'application/pdf');
  assert.equal(detectMime(bytes('hello'), false), undefined);
});

test('only the first 4096 bytes are looked at', () => {
  // file-php2 is /^.*<\?php/: found when "<?php" ends inside the buffer.
  const inside = bytes(' '.repeat(4000), '<?php echo 1;');
  assert.equal(detectMime(inside, true), 'text/x-php');
  const straddling = bytes(' '.repeat(4093), '<?php echo 1;');
  assert.equal(detectMime(straddling, true), 'text/plain');
  const docxLate = bytes(
    ooxmlEntry('[Content_Types].xml'),
    new Uint8Array(4096).fill(0x5a),
    ooxmlEntry('word/document.xml'),
  );
  assert.equal(detectMime(docxLate, true), 'application/vnd.openxmlformats-officedocument');
});

test('ties of strength go to the smallest MIME string', () => {
  // A package with both xl/ and word/ parts matches file-xlsx and file-docx (80 each).
  const both = bytes(ooxmlEntry('[Content_Types].xml'), ooxmlEntry('word/document.xml'), ooxmlEntry('xl/workbook.xml'));
  const matches = detectMimeMatches(both);
  assert.deepEqual(matches.slice(0, 2), [
    { strength: 80, mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
    { strength: 80, mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  ]);
  assert.equal(detectMime(both, true), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
});

test("detectMimeMatches lists every match like Zeek's mime_types", () => {
  assert.deepEqual(detectMimeMatches(SMB2_PDF), [
    { strength: 80, mime: 'application/pdf' },
    { strength: -20, mime: 'text/plain' },
  ]);
  assert.deepEqual(detectMimeMatches(new Uint8Array(0)), []);
});

test('every signature compiles, ids are unique, strengths and MIME types are sane', () => {
  const ids = new Set<string>();
  for (const s of MIME_SIGNATURES) {
    assert.ok(!ids.has(s.id), `duplicate ${s.id}`);
    ids.add(s.id);
    assert.match(s.mime, /^[a-zA-Z0-9.+-]+\/[a-zA-Z0-9.+-]+$/, s.id);
    assert.ok(Number.isInteger(s.strength), s.id);
    compileMagicPattern(s.pattern);
  }
  const perSet = new Map<string, number>();
  for (const s of MIME_SIGNATURES) perSet.set(s.set, (perSet.get(s.set) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries([...perSet].sort()), {
    archive: 32,
    audio: 2,
    executable: 8,
    font: 8,
    general: 51,
    image: 30,
    java: 6,
    libmagic: 161,
    office: 23,
    programming: 19,
    python: 17,
    video: 16,
  });
});

test('hostile BOF buffers are handled quickly', () => {
  const inputs = [
    new Uint8Array(4096).fill(0x20),
    bytes('<!--'.repeat(1024)),
    bytes('PK\x03\x04', new Uint8Array(4092).fill(0x14)),
    bytes('\xef\xbb\xbf', '\t\r\n '.repeat(1023)),
    noise(4096, 99),
  ];
  detectMime(inputs[0]!, true); // compile once
  const t0 = performance.now();
  for (const b of inputs) detectMime(b, true);
  assert.ok(performance.now() - t0 < 1000, 'linear-time matching');
});
