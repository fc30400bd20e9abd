/**
 * The file-magic signatures Zeek loads by default
 * (`base/frameworks/files/magic/__load__.zeek`: archive, audio, executable,
 * font, general, image, java, office, programming, python, video, libmagic),
 * as data: signature name, MIME type, strength and pattern.
 *
 * Patterns use Zeek's signature regex dialect (see mime-regex.ts) and are
 * implicitly anchored at the first byte of the file. They were transcribed
 * by hand from the Zeek 7/8-era signature files and rewritten where an
 * equivalent spelling is shorter: `(?i:word)` for `[wW][oO]...`, `x{n}` for
 * repeated bytes, `[^\x2d]` for a 255-byte enumeration, shared sub-patterns
 * for the XML prolog. Each rewrite matches exactly the same byte strings.
 *
 * Not included, on purpose:
 * - `file-iso9660` (general.sig): moved to the opt-in policy script
 *   `frameworks/signatures/iso-9660` in Zeek 6.2 (PR #3627).
 * - libmagic.sig entries that are commented out in Zeek.
 * - the Python bytecode signatures that older executable.sig versions had:
 *   they live in python.sig now (same MIME type and strength).
 */

export type SignatureSet =
  | 'archive'
  | 'audio'
  | 'executable'
  | 'font'
  | 'general'
  | 'image'
  | 'java'
  | 'libmagic'
  | 'office'
  | 'programming'
  | 'python'
  | 'video';

export interface MimeSignature {
  /** Zeek's signature name (`signature file-... {`). */
  readonly id: string;
  /** The .sig file (without extension) that defines it. */
  readonly set: SignatureSet;
  readonly mime: string;
  /** `file-mime "...", strength`; 0 when the signature gives none. */
  readonly strength: number;
  /** `file-magic /.../` in Zeek's regex dialect. */
  readonly pattern: string;
}

type Row = readonly [id: string, mime: string, strength: number, pattern: string];

const r = String.raw;

/** UTF-16LE spelling of ASCII text as a pattern (`A` -> `A\x00`); regex metacharacters escaped. */
function utf16le(text: string, trailingNul = true): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    out += /[A-Za-z0-9 ]/.test(ch) ? ch : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    if (trailingNul || i < text.length - 1) out += r`\x00`;
  }
  return out;
}

// --- general.sig ------------------------------------------------------------

/** Optional UTF-8 / UTF-16 byte-order mark. */
const BOM = r`(\xef\xbb\xbf|\xff\xfe|\xfe\xff)?`;
/** CR, LF, space or tab. */
const WS = r`[\x0d\x0a[:blank:]]`;
/** Any run of white space and `<!-- ... -->` comments. */
const GAP = r`(${WS}*(<!--.*-->)?${WS}*)*`;
/** White space / comments around an optional `<?xml ... ?>` declaration. */
const PROLOG = r`${GAP}(<\?xml .*\?>)?${GAP}`;

const GENERAL: readonly Row[] = [
  [
    'file-plaintext',
    'text/plain',
    -20,
    r`^(\xef\xbb\xbf|(\x00\x00)?\xfe\xff|\xff\xfe(\x00\x00)?)?[[:space:]\x20-\x7e]{10}`,
  ],
  [
    'file-json',
    'text/json',
    1,
    r`^${BOM}${WS}*\{${WS}*(["][^"]+["]|[a-zA-Z][a-zA-Z0-9\\_]*)${WS}*:${WS}*(["]|\[|\{|[0-9]|true|false)`,
  ],
  [
    'file-json2',
    'text/json',
    1,
    r`^${BOM}${WS}*\[${WS}*(((["][^"]+["]|[0-9]+(\.[0-9]+)?|true|false)${WS}*,)|\{|\[)${WS}*`,
  ],
  ['file-json3', 'text/json', 0, r`^${BOM}${WS}*(\[\]|\{\})${WS}*$`],
  ['file-xml', 'application/xml', 10, r`^${BOM}${GAP}\x00?<\x00?\?\x00?x\x00?m\x00?l\x00? \x00?`],
  ['file-xhtml', 'text/html', 100, r`^${BOM}${PROLOG}<(!(?i:doctype) +(?i:html)|(?i:html)|(?i:meta) +(?i:http-equiv))`],
  ['file-html', 'text/html', 49, r`^${BOM}${PROLOG}<!(?i:doctype) +(?i:html)`],
  ['file-html2', 'text/html', 20, r`^${BOM}${PROLOG}<(?i:head|html|title|body)`],
  ['file-rss', 'text/rss', 90, r`^${BOM}${PROLOG}<(?i:rss)`],
  [
    'file-atom',
    'text/atom',
    100,
    r`^${BOM}${PROLOG}<((?i:rss)[^>]*xmlns:atom|(?i:feed)[^>]*xmlns=["']?http://www.w3.org/2005/Atom["']?)`,
  ],
  ['file-soap', 'application/soap+xml', 49, r`^${BOM}${PROLOG}<(?i:soap)(-(?i:env))?:(?i:envelope)`],
  ['file-cross-domain-policy', 'text/x-cross-domain-policy', 49, r`^${PROLOG}<!(?i:doctype) +(?i:cross-domain-policy)`],
  ['file-cross-domain-policy2', 'text/x-cross-domain-policy', 49, r`^${PROLOG}<(?i:cross-domain-policy)`],
  ['file-xmlrpc', 'application/xml-rpc', 49, r`^${BOM}${PROLOG}<(?i:methodresponse)>`],
  ['file-coldfusion', 'magnus-internal/cold-fusion', 20, r`^(${WS}*(<!--.*-->)?)*<(CFPARAM|CFSET|CFIF)`],
  ['file-f4m', 'application/f4m', 49, r`^${BOM}${PROLOG}<(?i:manifest)${WS}+xmlns=\"http://ns\.adobe\.com/f4m/`],
  ['file-ini', 'text/ini', 20, r`^${BOM}[\x00\x0d\x0a[:blank:]]*\[[^\x0d\x0a]+\][[:blank:]\x00]*[\x0d\x0a]`],
  ['file-lnk', 'application/x-ms-shortcut', 49, r`^L\x00\x00\x00\x01\x14\x02\x00{5}\xc0\x00{6}F`],
  ['file-pol', 'application/vnd.ms-pol', 49, r`^PReg`],
  ['file-reg', 'application/vnd.ms-reg', 49, r`^REGEDIT4`],
  [
    'file-reg-utf16',
    'application/vnd.ms-reg',
    49,
    `^\\xff\\xfe${utf16le('Windows Registry Editor Version 5.00', false)}`,
  ],
  ['file-regf', 'application/vnd.ms-regf', 49, r`^regf`],
  ['file-pst', 'application/vnd.ms-outlook', 49, r`!BDN.{6}[\x0e\x0f\x15\x17][\x00-\x02]`],
  ['file-afpinfo', 'application/vnd.apple-afpinfo', 0, r`^AFP`],
  ['file-ocsp-request', 'application/ocsp-request', 71, r`^.{11,19}\x06\x05\x2b\x0e\x03\x02\x1a`],
  ['file-ocsp-response', 'application/ocsp-response', 71, r`^.{11,19}\x06\x09\x2b\x06\x01\x05\x05\x07\x30\x01\x01`],
  ['file-swf', 'application/x-shockwave-flash', 60, r`^[FCZ]WS`],
  ['file-tnef', 'application/vnd.ms-tnef', 100, r`^\x78\x9f\x3e\x22`],
  ['file-pkcs7', 'application/pkcs7-signature', 100, r`^MIME-Version:.*protocol=\"application/pkcs7-signature\"`],
  ['file-pem', 'application/x-pem', 0, r`^-----BEGIN CERTIFICATE-----`],
  ['file-pcap', 'application/vnd.tcpdump.pcap', 70, r`^(\xa1\xb2\xc3\xd4|\xd4\xc3\xb2\xa1)`],
  ['file-pcap-ng', 'application/vnd.tcpdump.pcap', 100, r`^\x0a\x0d\x0d\x0a.{4}(\x1a\x2b\x3c\x4d|\x4d\x3c\x2b\x1a)`],
  ['file-stl-ascii', 'application/sla', 10, r`^solid `],
  ['file-skp', 'application/skp', 100, `^\\xff\\xfe\\xff\\x0e${utf16le('SketchUp Model')}`],
  ['file-msdds', 'application/x-ms-dds', 100, r`^DDS`],
  ['file-bsdiff', 'application/bsdiff', 100, r`^BSDIFF`],
  ['file-binarydiff', 'application/bindiff', 100, r`^DIFF`],
  ['file-kaspdb', 'application/x-kaspavdb', 100, r`^KLZF`],
  ['file-kaspdbdif', 'application/x-kaspavupdate', 100, r`^KLD2`],
  ['file-mssqlbak', 'application/mssql-bak', 100, r`^MSSQLBAK`],
  ['file-ms-tf', 'application/mtf', 100, r`^TAPE`],
  ['file-bplist', 'application/bplist', 100, r`^bplist0?`],
  ['file-mshelp', 'application/mshelp', 100, r`^ITSF`],
  ['file-mpqgame', 'application/x-game-mpq', 100, r`^MPQ\x1a`],
  ['file-blizgame', 'application/x-blizgame', 100, r`^BLTE`],
  ['file-mapkit-tile', 'application/map-tile', 100, r`^VMP4`],
  ['file-chrome-extension', 'application/chrome-ext', 100, r`^Cr24`],
  ['file-chrome-extension-update', 'application/chrome-ext-upd', 70, r`^CrOD`],
  ['file-msqm', 'application/msqm', 100, r`^MSQM`],
  ['file-vim-tmp', 'application/x-vim-tmp', 100, r`^b0VIM`],
  ['file-windows-minidump', 'application/x-windows-minidump', 50, r`^MDMP`],
];

// --- archive.sig ------------------------------------------------------------

const ARCHIVE: readonly Row[] = [
  [
    'file-tar',
    'application/x-tar',
    100,
    r`^[[:print:]\x00]{100}([[:digit:] ]{7}\x00){3}([[:digit:] ]{11}\x00){2}([[:digit:]\x00 ]{7}[ \x00])[0-7\x00]`,
  ],
  ['file-zip', 'application/zip', 10, r`^PK\x03\x04.{2}`],
  ['file-multi-zip', 'application/zip', 10, r`^PK\x07\x08PK\x03\x04`],
  ['file-rar', 'application/x-rar', 70, r`^Rar!`],
  ['file-gzip', 'application/x-gzip', 100, r`\x1f\x8b`],
  ['file-ms-cab', 'application/vnd.ms-cab-compressed', 110, r`^MSCF\x00{4}`],
  [
    'file-dmg',
    'application/x-dmg',
    100,
    r`^(\x78\x01\x73\x0d\x62\x62\x60|\x78\xda\x63\x60\x18\x05|\x78\x01\x63\x60\x18\x05|\x78\xda\x73\x0d|\x78[\x01\xda]\xed[\xd0-\xd9])`,
  ],
  ['file-xar', 'application/x-xar', 100, r`^xar!`],
  ['file-rpm', 'application/x-rpm', 70, r`^(drpm|\xed\xab\xee\xdb)`],
  ['file-deb', 'application/x-debian-package', 171, r`!<arch>\x0adebian`],
  ['file-stuffit', 'application/x-stuffit', 70, r`^(SIT!|StuffIt)`],
  ['file-x-archive', 'application/x-archive', 70, r`^!?<ar(ch)?>`],
  ['file-arc', 'application/x-arc', 70, r`^[\x00-\x7f]{2}[\x02-\x0a\x14\x48]\x1a`],
  ['file-eet', 'application/x-eet', 70, r`^\x1e\xe7\xff\x00`],
  ['file-zoo', 'application/x-zoo', 70, r`^.{20}\xdc\xa7\xc4\xfd`],
  ['file-lz4-legacy', 'application/x-lz4', 70, r`\x02\x21\x4c\x18`],
  ['file-lz4', 'application/x-lz4', 70, r`^\x04\x22\x4d\x18`],
  ['file-lrzip', 'application/x-lrzip', 1, r`^LRZI`],
  ['file-lzip', 'application/x-lzip', 70, r`^LZIP`],
  ['file-magic-auto434', 'application/zip', 340, r`^MZ.{28}(Copyright 1989\x2d1990 PKWARE Inc|PKLITE Copr)\.`],
  ['file-lzh', 'application/x-lzh', 80, r`^.{2}-(lh[ abcdex0-9]|lz[s2-8]|lz[s2-8]|pm[s012]|pc1)-`],
  ['file-warc', 'application/warc', 50, r`^WARC/`],
  ['file-7zip', 'application/x-7z-compressed', 50, r`^7z\xbc\xaf\x27\x1c`],
  ['file-xz', 'application/x-xz', 90, r`^\xfd7zXZ\x00`],
  ['file-magic-auto436', 'application/x-lha', 120, r`^MZ.{34}LH[aA]\x27s SFX`],
  ['file-arj', 'application/x-arj', 50, r`^\x60\xea`],
  ['file-bs-cpio', 'application/x-cpio', 50, r`(\x71\xc7|\xc7\x71)`],
  ['file-cpio', 'application/x-cpio', 50, r`^(\xc7\x71|\x71\xc7)`],
  ['file-compress', 'application/x-compress', 50, r`^\x1f\x9d`],
  ['file-lzma', 'application/x-lzma', 71, r`^\x5d\x00\x00`],
  ['file-ace-archive', 'application/x-ace', 100, r`^.{7}\*\*ACE\*\*`],
  ['file-bzip2', 'application/x-bzip2', 60, r`^BZh`],
];

// --- audio.sig --------------------------------------------------------------

const AUDIO: readonly Row[] = [
  ['file-mpeg-audio', 'audio/mpeg', 20, r`^\xff[\xe2\xe3\xf2\xf3\xf6\xf7\xfa-\xfd]`],
  ['file-m4a', 'audio/m4a', 70, r`^.{4}ftypm4a`],
];

// --- executable.sig ---------------------------------------------------------

/** `\x7fELF`, 32/64-bit, then e_type (offset 16) in the byte order of EI_DATA. */
const elf = (type: string): string => r`\x7fELF[\x01\x02](\x01.{10}${type}\x00|\x02.{10}\x00${type})`;

const EXECUTABLE: readonly Row[] = [
  ['file-pe', 'application/x-dosexec', 51, r`MZ`],
  ['file-elf-object', 'application/x-object', 50, elf(r`\x01`)],
  ['file-elf', 'application/x-executable', 50, elf(r`\x02`)],
  ['file-elf-sharedlib', 'application/x-sharedlib', 50, elf(r`\x03`)],
  ['file-elf-coredump', 'application/x-coredump', 50, elf(r`\x04`)],
  ['file-mach-o', 'application/x-mach-o-executable', 100, r`^[\xce\xcf]\xfa\xed\xfe`],
  ['file-mach-o-universal', 'application/x-mach-o-executable', 100, r`^\xca\xfe\xba\xbe..\x00[\x01-\x14]`],
  ['file-elc', 'application/x-elc', 10, r`;ELC[\x00-\x1f\x80-\xff]`],
];

// --- font.sig ---------------------------------------------------------------

const FONT: readonly Row[] = [
  ['file-woff2', 'application/font-woff2', 70, r`^wOF2`],
  ['file-woff', 'application/font-woff', 70, r`^wOFF`],
  ['file-ttf', 'application/x-font-ttf', 80, r`^\x00\x01\x00\x00\x00`],
  ['file-embedded-opentype', 'application/vnd.ms-fontobject', 50, r`^.{34}LP`],
  [
    'file-snf',
    'application/x-font-sfn',
    70,
    r`^(\x04\x00\x00\x00|\x00\x00\x00\x04).{100}(\x04\x00\x00\x00|\x00\x00\x00\x04)`,
  ],
  ['file-opentype', 'application/vnd.ms-opentype', 70, r`^OTTO`],
  ['file-maker-screen-font', 'application/x-mif', 190, r`^<MakerScreenFont`],
  ['file-spline-font-db', 'application/vnd.font-fontforge-sfd', 160, r`^SplineFontDB:`],
];

// --- image.sig --------------------------------------------------------------

/** JPEG 2000 signature box followed (after 8 bytes) by a brand. */
const JP2_BOX = r`\x00\x00\x00\x0cjP  \x0d\x0a\x87\x0a.{8}`;

const IMAGE: readonly Row[] = [
  ['file-tiff', 'image/tiff', 70, r`^(MM\x00[\x2a\x2b]|II[\x2a\x2b]\x00)`],
  ['file-gif', 'image/gif', 70, r`^GIF8`],
  ['file-jpeg', 'image/jpeg', 52, r`^\xff\xd8`],
  ['file-bmp', 'image/x-ms-bmp', 50, r`BM.{12}[\x0c\x28\x40\x6c\x7c\x80]\x00`],
  ['file-ico', 'image/x-icon', 70, r`^\x00\x00\x01\x00`],
  ['file-cur', 'image/x-cursor', 70, r`^\x00\x00\x02\x00`],
  ['file-magic-auto289', 'image/vnd.adobe.photoshop', 70, r`^8BPS`],
  ['file-png', 'image/png', 110, r`^\x89PNG`],
  ['file-jp2', 'image/jp2', 60, r`.{4}ftypjp2`],
  ['file-jp22', 'image/jp2', 70, r`${JP2_BOX}jp2 `],
  ['file-jpx', 'image/jpx', 70, r`${JP2_BOX}jpx `],
  ['file-jpm', 'image/jpm', 70, r`${JP2_BOX}jpm `],
  ['file-x-cursor', 'image/x-xcursor', 70, r`^Xcur`],
  ['file-niff', 'image/x-niff', 70, r`^IIN1`],
  ['file-openexr', 'image/x-exr', 70, r`^\x76\x2f\x31\x01`],
  ['file-dpx', 'image/x-dpx', 70, r`^SDPX`],
  ['file-cpi', 'image/x-cpi', 70, r`CPC\xb2`],
  ['file-orf', 'image/x-olympus-orf', 70, r`IIR[OS]|MMOR`],
  ['file-x3r', 'image/x-x3f', 70, r`^FOVb`],
  ['file-paint-net', 'image/x-paintnet', 70, r`^PDN3`],
  ['file-coreldraw', 'image/x-coreldraw', 70, r`^RIFF.{4}CDR[A6]`],
  ['file-netbpm', 'image/x-portable-pixmap', 50, r`^P7`],
  ['file-jpeg-2000', 'image/jp2', 50, r`^.{4}jP`],
  ['file-djvu', 'image/vnd.djvu', 70, r`AT&TFORM.{4}(DJV[MUI]|THUM)`],
  ['file-dwg', 'image/vnd.dwg', 90, r`^(AC[12]\.|AC10)`],
  ['file-gimp-xcf', 'image/x-xcf', 110, r`^gimp xcf`],
  ['file-polar-monitor-bitmap', 'image/x-polar-monitor-bitmap', 160, r`^\[BitmapInfo2\]`],
  ['file-award-bitmap', 'image/x-award-bmp', 20, r`^AWBM`],
  ['file-award-bios-logo', 'image/x-award-bioslogo', 50, r`^\x11[\x06\x09]`],
  ['file-webp', 'image/webp', 70, r`^RIFF.{4}WEBP`],
];

// --- java.sig ---------------------------------------------------------------

const JAVA: readonly Row[] = [
  ['file-jar', 'application/java-archive', 100, r`^PK\x03\x04.{1,200}\x14\x00..META-INF/MANIFEST\.MF`],
  ['file-java-applet', 'application/x-java-applet', 71, r`^\xca\xfe\xba\xbe...[\x2d-\x34]`],
  ['file-jar-pack200', 'application/x-java-pack200', 1, r`^\xca\xfe\xd0\x0d.`],
  ['file-jnlp', 'application/x-java-jnlp-file', 100, r`^<jnlp `],
  ['file-java-keystore', 'application/x-java-keystore', 70, r`^\xfe\xed\xfe\xed`],
  ['file-java-jce-keystore', 'application/x-java-jce-keystore', 70, r`^\xce\xce\xce\xce`],
];

// --- office.sig -------------------------------------------------------------

/** A zip whose first member `mimetype` (stored, 8 bytes of name) names an OpenDocument type. */
const ODF = r`PK\x03\x04.{22}\x08\x00\x00\x00mimetypeapplication/vnd\.oasis\.opendocument\.`;
/** OOXML: first member is a package part, a later local header names `dir`. */
const ooxml = (dir: string): string =>
  r`^PK\x03\x04.{26}(\[Content_Types\]\.xml|_rels/\.rels|${dir}/).*PK\x03\x04.{26}${dir}/`;
const OOXML_DOC = 'application/vnd.openxmlformats-officedocument';
const ODF_MIME = 'application/vnd.oasis.opendocument';

const OFFICE: readonly Row[] = [
  ['file-msword', 'application/msword', 50, r`^\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1`],
  ['file-ooxml', OOXML_DOC, 50, r`^PK\x03\x04\x14\x00\x06\x00`],
  ['file-docx', `${OOXML_DOC}.wordprocessingml.document`, 80, ooxml('word')],
  ['file-xlsx', `${OOXML_DOC}.spreadsheetml.sheet`, 80, ooxml('xl')],
  ['file-pptx', `${OOXML_DOC}.presentationml.presentation`, 80, ooxml('ppt')],
  ['file-msaccess', 'application/x-msaccess', 180, r`.{4}Standard (Jet|ACE) DB\x00`],
  ['file-opendocument-text', `${ODF_MIME}.text`, 110, r`${ODF}text[^\x2d]`],
  ['file-opendocument-text-template', `${ODF_MIME}.text-template`, 120, r`${ODF}text-template`],
  ['file-opendocument-text-web', `${ODF_MIME}.text-web`, 70, r`${ODF}text-web`],
  ['file-opendocument-text-master', `${ODF_MIME}.text-master`, 100, r`${ODF}text-master`],
  ['file-opendocument-graphics', `${ODF_MIME}.graphics`, 110, r`${ODF}graphics[^\x2d]`],
  ['file-opendocument-graphics-template', `${ODF_MIME}.graphics-template`, 120, r`${ODF}graphics-template`],
  ['file-opendocument-presentation', `${ODF_MIME}.presentation`, 110, r`${ODF}presentation[^\x2d]`],
  ['file-opendocument-presentation-template', `${ODF_MIME}.presentation-template`, 120, r`${ODF}presentation-template`],
  ['file-opendocument-spreadsheet', `${ODF_MIME}.spreadsheet`, 110, r`${ODF}spreadsheet[^\x2d]`],
  ['file-opendocument-spreadsheet-template', `${ODF_MIME}.spreadsheet-template`, 120, r`${ODF}spreadsheet-template`],
  ['file-opendocument-chart', `${ODF_MIME}.chart`, 110, r`${ODF}chart[^\x2d]`],
  ['file-opendocument-chart-template', `${ODF_MIME}.chart-template`, 120, r`${ODF}chart-template`],
  ['file-opendocument-formula', `${ODF_MIME}.formula`, 110, r`${ODF}formula[^\x2d]`],
  ['file-opendocument-formula-template', `${ODF_MIME}.formula-template`, 120, r`${ODF}formula-template`],
  ['file-opendocument-database', `${ODF_MIME}.database`, 110, r`${ODF}database`],
  ['file-opendocument-image', `${ODF_MIME}.image`, 110, r`${ODF}image[^\x2d]`],
  ['file-image-template', `${ODF_MIME}.image-template`, 120, r`${ODF}image-template`],
];

// --- programming.sig --------------------------------------------------------

/** `#!` then up to 15 non-newline bytes, `bin/`, optionally `env` and white space. */
const SHEBANG = r`^#![^\n]{1,15}bin/(env[[:space:]]+)?`;

const PROGRAMMING: readonly Row[] = [
  ['file-shellscript', 'text/x-shellscript', 250, r`${SHEBANG}(ba|tc|c|z|fa|ae|k)?sh`],
  ['file-perl', 'text/x-perl', 60, r`${SHEBANG}perl`],
  ['file-ruby', 'text/x-ruby', 60, r`${SHEBANG}ruby`],
  ['file-python', 'text/x-python', 60, r`${SHEBANG}python`],
  ['file-awk', 'text/x-awk', 60, r`${SHEBANG}(g|n)?awk`],
  ['file-tcl', 'text/x-tcl', 60, r`${SHEBANG}(wish|tcl)`],
  ['file-lua', 'text/x-lua', 49, r`${SHEBANG}lua`],
  ['file-javascript', 'application/javascript', 60, r`${SHEBANG}node(js)?`],
  [
    'file-javascript2',
    'application/javascript',
    60,
    r`^${WS}*<(?i:script)[[:blank:]]+(?i:type|language)=['"]?((?i:text)/)?(?i:javascript)`,
  ],
  ['file-javascript3', 'application/javascript', 60, r`^${WS}*for \(;;\);`],
  // `[:blank:]` outside brackets is the class of the characters ":blank".
  ['file-javascript4', 'application/javascript', 60, r`^${WS}*document\.write(ln)?[:blank:]?\(`],
  ['file-javascript5', 'application/javascript', 60, r`^\(function\(\)[[:blank:]\n]*\{`],
  ['file-javascript6', 'application/javascript', 60, r`^${WS}*<script>${WS}*(var|function) `],
  ['file-php', 'text/x-php', 60, r`${SHEBANG}php`],
  ['file-php2', 'text/x-php', 40, r`^.*<\?php`],
  ['file-batch1', 'text/x-msdos-batch', 110, r`@ *(?i:echo) +(?i:off)`],
  ['file-batch2', 'text/x-msdos-batch', 60, r`@(?i:rem)`],
  ['file-batch3', 'text/x-msdos-batch', 70, r`@(?i:set) +`],
  ['file-m4', 'text/x-m4', 40, r`^dnl `],
];

// --- python.sig -------------------------------------------------------------

const PYC = 'application/x-python-bytecode';

/** Python bytecode: a 2-byte version magic, then CR LF. */
const PYTHON: readonly Row[] = [
  ['file-pyc-1', PYC, 80, r`^(\xfc\xc4|\x99\x4e)\x0d\x0a`],
  [
    'file-pyc-2',
    PYC,
    80,
    r`^(\x87\xc6|[\x2a\x2d]\xed|[\x3b\x45\x59\x63\x6d\x77\x81\x8b\x8c\x95\x9f\xa9\xb3\xc7\xd1\xdb\xe5\xef\xf9]\xf2|\x03\xf3)\x0d\x0a`,
  ],
  ['file-pyc-3-0', PYC, 80, r`^([\xb8\xc2\xcc\xd6\xe0\xea\xf4\xf5\xff]\x0b|[\x09\x13\x1d\x1f\x27\x3b]\x0c)\x0d\x0a`],
  ['file-pyc-3-1', PYC, 80, r`^[\x45\x4f]\x0c\x0d\x0a`],
  ['file-pyc-3-2', PYC, 80, r`^[\x58\x62\x6c]\x0c\x0d\x0a`],
  ['file-pyc-3-3', PYC, 80, r`^[\x76\x80\x94\x9e]\x0c\x0d\x0a`],
  ['file-pyc-3-4', PYC, 80, r`^[\xb2\xcc\xc6\xd0\xda\xe4\xee]\x0c\x0d\x0a`],
  ['file-pyc-3-5', PYC, 80, r`^(\xf8\x0c|[\x02\x0c\x16\x17]\x0d)\x0d\x0a`],
  ['file-pyc-3-6', PYC, 80, r`^[\x20\x21\x2a-\x2d\x2f-\x33]\x0d\x0d\x0a`],
  ['file-pyc-3-7', PYC, 80, r`^[\x3e-\x42]\x0d\x0d\x0a`],
  ['file-pyc-3-8', PYC, 80, r`^[\x48\x49\x52-\x55]\x0d\x0d\x0a`],
  ['file-pyc-3-9', PYC, 80, r`^[\x5c-\x61]\x0d\x0d\x0a`],
  ['file-pyc-3-10', PYC, 80, r`^[\x66-\x6f]\x0d\x0d\x0a`],
  ['file-pyc-3-11', PYC, 80, r`^[\x7a-\xa7]\x0d\x0d\x0a`],
  ['file-pyc-3-12', PYC, 80, r`^[\xac-\xcb]\x0d\x0d\x0a`],
  ['file-pyc-3-13', PYC, 80, r`^[\xde-\xf3]\x0d\x0d\x0a`],
  ['file-pyc-3-14', PYC, 80, r`^[\x10-\x19]\x0e\x0d\x0a`],
];

// --- video.sig --------------------------------------------------------------

const VIDEO: readonly Row[] = [
  ['file-flv', 'video/x-flv', 60, r`^FLV`],
  ['file-fli', 'video/x-fli', 50, r`^.{4}\x11\xaf`],
  ['file-flc', 'video/x-flc', 50, r`^.{4}\x12\xaf`],
  ['file-mj2', 'video/mj2', 70, r`${JP2_BOX}mjp2`],
  ['file-mng', 'video/x-mng', 70, r`^\x8aMNG`],
  ['file-jng', 'video/x-jng', 70, r`^\x8bJNG`],
  ['file-mpeg', 'video/mpeg', 50, r`\x00\x00\x01[\xb0-\xbb]`],
  ['file-mpv', 'video/mpv', 71, r`\x00\x00\x01\xb3`],
  ['file-h264', 'video/h264', 41, r`\x00\x00\x00\x01[\x07\x27\x47\x67\x87\xa7\xc7\xe7]`],
  ['file-webm', 'video/webm', 70, r`\x1a\x45\xdf\xa3.*B\x82.webm`],
  ['file-matroska', 'video/x-matroska', 110, r`\x1a\x45\xdf\xa3.*B\x82.matroska`],
  ['file-mp2p', 'video/mp2p', 21, r`\x00\x00\x01\xba[\x40-\x7f\xc0-\xff]`],
  ['file-sgi-movie', 'video/x-sgi-movie', 70, r`^MOVI`],
  ['file-quicktime', 'video/quicktime', 70, r`^.{4}(mdat|moov)`],
  ['file-mp4', 'video/mp4', 70, r`^.{4}ftyp(isom|mp4[12])`],
  ['file-3gpp', 'video/3gpp', 60, r`^.{4}ftyp(3g[egps2]|avc1|mmp4)`],
];

// --- libmagic.sig (generated by Zeek from libmagic ~5.17; active entries) ----

/** Windows .inf / setup script opening: a backtick (sic), then CRLF, `;`, `[` or a UTF-16 BOM. */
const SETUP = r`\`(\x0d\x0a|;|\[|\xff\xfe).*\[`;
/** UTF-16LE `VERSION]` / `STRINGS]`, either case. */
const U16_VERSION = r`\x00[Vv]\x00[Ee]\x00[Rr]\x00[Ss]\x00[Ii]\x00[Oo]\x00[Nn]\x00\]`;
const XML_DQ = r`<\?xml version=\x22`;
const PNM_SIZE = r`[0-9]{1,50}  [0-9]{1,50}`;

const LIBMAGIC: readonly Row[] = [
  ['file-magic-auto1', 'application/pgp-keys', 330, r`.{2}---BEGIN PGP PUBLIC KEY BLOCK-`],
  ['file-magic-auto3', 'application/mac-binhex40', 320, r`.{11}must be converted with BinHex`],
  ['file-magic-auto6', 'application/pgp-signature', 280, r`-----BEGIN PGP SIGNATURE-`],
  ['file-magic-auto7', 'application/x-shar', 280, r`.{10}# This is a shell archive`],
  ['file-magic-auto8', 'application/pgp', 260, r`-----BEGIN PGP MESSAGE-`],
  ['file-magic-auto9', 'application/x-scribus', 260, r`<SCRIBUSUTF8NEW Version`],
  ['file-magic-auto10', 'text/x-php', 37, r`<\?php /\* Smarty version.[0-9.]+`],
  ['file-magic-auto11', 'application/x-freeplane', 260, r`<map ?version=\x22freeplane`],
  ['file-magic-auto19', 'application/x-svr4-package', 230, r`# PaCkAgE DaTaStReAm`],
  ['file-magic-auto21', 'application/x-kdelnk', 220, r`\[KDE Desktop Entry\]`],
  ['file-magic-auto26', 'application/x-kdelnk', 200, r`# KDE Config File`],
  ['file-magic-auto27', 'audio/x-wav', 190, r`RF64\xff\xff\xff\xffWAVEds64`],
  [
    'file-magic-auto28',
    'audio/x-w64',
    190,
    r`riff\.\x91\xcf\x11\xa5\xd6\x28\xdb\x04\xc1\x00\x00.{8}wave\xf3\xac\xd3\x11\x8c\xd1\x00\xc0O\x8e\xdb\x8a`,
  ],
  ['file-magic-auto32', 'application/x-dosexec', 190, r`.{369}MICROSOFT PIFEX\x00`],
  ['file-magic-auto34', 'model/vrml', 190, r`#VRML ?V1\.0 ?ascii`],
  ['file-magic-auto36', 'audio/x-mod', 190, r`Extended Module:`],
  ['file-magic-auto40', 'model/x3d', 43, r`${XML_DQ}.{5}.*<!DOCTYPE ?X3D`],
  ['file-magic-auto43', 'application/xml-sitemap', 37, r`${XML_DQ}[^\x00].{3}.*<urlset`],
  ['file-magic-auto44', 'image/svg+xml', 38, r`${XML_DQ}[^\x00].{3}.*<svg`],
  ['file-magic-auto45', 'application/x-gnucash', 37, r`${XML_DQ}[^\x00].{3}.*<gnc-v2`],
  ['file-magic-auto47', 'text/calendar', 180, r`BEGIN:VCALENDAR`],
  ['file-magic-auto50', 'model/vrml', 180, r`#VRML ?V2\.0 ?utf8`],
  ['file-magic-auto53', 'audio/x-mod', 20, r`MAS_UTrack_V00/0`],
  ['file-magic-auto55', 'image/x-canon-crw', 170, r`II\x1a\x00\x00\x00HEAPCCDR`],
  ['file-magic-auto56', 'message/rfc822', 170, r`Relay-Version:`],
  ['file-magic-auto57', 'application/x-tokyocabinet-hash', 40, r`ToKyO CaBiNeT\x0a.{18}\x00`],
  ['file-magic-auto58', 'application/x-tokyocabinet-btree', 40, r`ToKyO CaBiNeT\x0a.{18}\x01`],
  ['file-magic-auto59', 'application/x-tokyocabinet-fixed', 40, r`ToKyO CaBiNeT\x0a.{18}\x02`],
  ['file-magic-auto60', 'application/x-tokyocabinet-table', 40, r`ToKyO CaBiNeT\x0a.{18}\x03`],
  ['file-magic-auto61', 'application/x-gnumeric', 160, r`.{39}<gmr:Workbook`],
  ['file-magic-auto64', 'message/rfc822', 160, r`(?i:delivered-to):`],
  ['file-magic-auto65', 'message/rfc822', 150, r`(?i:return-path):`],
  ['file-magic-auto70', 'application/x-freemind', 150, r`<map ?version`],
  ['file-magic-auto76', 'application/x-ia-arc', 140, r`filedesc://`],
  ['file-magic-auto77', 'application/x-sc', 140, r`.{38}Spreadsheet`],
  ['file-magic-auto78', 'application/x-bittorrent', 140, r`d8:announce`],
  ['file-magic-auto82', 'text/x-vcard', 140, r`BEGIN:VCARD`],
  // Never matches in Zeek: a `^` and a `$` after the first byte.
  [
    'file-magic-auto83',
    'chemical/x-pdb',
    41,
    r`(HEADER    )(^.{40})([0-9]{2}-[A-Z]{3}-[0-9]{2} {3})([A-Z0-9]{4}.{14}$)([A-Z0-9]{4})`,
  ],
  ['file-magic-auto84', 'message/rfc822', 130, r`Forward to`],
  ['file-magic-auto86', 'image/x-canon-cr2', 130, r`II\*\x00\x10\x00\x00\x00CR`],
  ['file-magic-auto87', 'application/x-mif', 130, r`<MakerFile`],
  ['file-magic-auto88', 'text/x-diff', 55, r`.*--- .*\x0a.*\+\+\+ .*\x0a.*@@`],
  ['file-magic-auto90', 'application/x-mif', 120, r`<BookFile`],
  ['file-magic-auto92', 'message/rfc822', 120, r`N#! rnews`],
  ['file-magic-auto93', 'application/vnd.lotus-wordpro', 120, r`WordPro\x0d\xfb`],
  ['file-magic-auto94', 'application/vnd.fdo.journal', 80, r`LPKSHHRH.{8}[\x00-\x03].{7}([^\x00]{8}){6}`],
  ['file-magic-auto99', 'message/rfc822', 110, r`#! rnews`],
  ['file-magic-auto102', 'audio/x-mod', 110, r`.{21}!SCREAM!`],
  ['file-magic-auto103', 'audio/x-mod', 110, r`.{21}BMOD2STM`],
  ['file-magic-auto104', 'application/x-ms-reader', 1, r`ITOLITLS.{4}`],
  ['file-magic-auto109', 'application/x-hdf', 110, r`\x89HDF\x0d\x0a\x1a\x0a`],
  ['file-magic-auto118', 'application/x-mif', 110, r`<MIFFile`],
  ['file-magic-auto121', 'application/vnd.lotus-wordpro', 110, r`WordPro\x00`],
  ['file-magic-auto122', 'message/news', 100, r`Article`],
  ['file-magic-auto124', 'message/rfc822', 100, r`Pipe to`],
  ['file-magic-auto125', 'application/vnd.rn-realmedia', 100, r`\.RMF\x00\x00\x00`],
  ['file-magic-auto128', 'image/x-portable-greymap', 42, r`P5.${PNM_SIZE}`],
  ['file-magic-auto129', 'image/x-portable-pixmap', 42, r`P6.${PNM_SIZE}`],
  ['file-magic-auto130', 'image/x-portable-bitmap', 42, r`P4.${PNM_SIZE}`],
  ['file-magic-auto152', 'application/x-mif', 90, r`<Maker`],
  ['file-magic-auto155', 'text/x-xmcd', 90, r`# xmcd`],
  ['file-magic-auto157', 'application/x-quark-xpress-3', 90, r`.{2}MMXPR3`],
  ['file-magic-auto158', 'image/x-portable-bitmap', 42, r`.*P1${PNM_SIZE}`],
  ['file-magic-auto159', 'image/x-portable-pixmap', 42, r`.*P3${PNM_SIZE}`],
  ['file-magic-auto160', 'image/x-portable-greymap', 42, r`.*P2${PNM_SIZE}`],
  [
    'file-magic-auto161',
    'application/vnd.google-earth.kml+xml',
    61,
    r`<\?xml.{15}.* xmlns=['"]http://earth.google.com/kml`,
  ],
  [
    'file-magic-auto162',
    'application/vnd.google-earth.kml+xml',
    60,
    r`<\?xml.{15}.* xmlns=['"]http://www.opengis.net/kml`,
  ],
  ['file-magic-auto189', 'application/pdf', 80, r`%PDF-`],
  ['file-magic-auto192', 'message/news', 80, r`Path:`],
  ['file-magic-auto193', 'message/news', 80, r`Xref:`],
  ['file-magic-auto194', 'message/rfc822', 80, r`From:`],
  ['file-magic-auto196', 'text/rtf', 80, r`\{\\rtf`],
  ['file-magic-auto203', 'application/vnd.fdf', 80, r`%FDF-`],
  ['file-magic-auto226', 'application/vnd.google-earth.kmz', 100, r`PK\x03\x04\x14.{25}doc\.kml`],
  ['file-magic-auto245', 'application/epub+zip', 110, r`PK\x03\x04.{22}\x08\x00\x00\x00mimetypeapplication/epub\+zip`],
  ['file-magic-auto255', 'image/x-quicktime', 70, r`.{4}idsc`],
  ['file-magic-auto256', 'application/x-quicktime-player', 70, r`.{4}pckg`],
  ['file-magic-auto268', 'audio/mp4', 60, r`.{4}ftypM4A`],
  ['file-magic-auto269', 'video/mp4', 60, r`.{4}ftypM4V`],
  ['file-magic-auto270', 'video/quicktime', 50, r`.{4}ftypqt`],
  ['file-magic-auto272', 'audio/x-hx-aac-adif', 70, r`ADIF`],
  ['file-magic-auto273', 'video/x-ms-asf', 70, r`\x30\x26\xb2\x75`],
  ['file-magic-auto276', 'audio/x-ape', 70, r`MAC `],
  ['file-magic-auto278', 'audio/x-aiff', 70, r`FORM.{4}AIFF`],
  ['file-magic-auto279', 'audio/x-aiff', 70, r`FORM.{4}AIFC`],
  ['file-magic-auto280', 'audio/x-aiff', 70, r`FORM.{4}8SVX`],
  ['file-magic-auto281', 'audio/x-flac', 70, r`fLaC`],
  ['file-magic-auto288', 'application/dicom', 70, r`.{128}DICM`],
  ['file-magic-auto290', 'audio/x-mod', 70, r`IMPM`],
  ['file-magic-auto293', 'application/x-hdf', 70, r`\x0e\x03\x13\x01`],
  ['file-magic-auto315', 'image/x-lss16', 70, r`\x3d\xf3\x13\x14`],
  ['file-magic-auto316', 'audio/x-pn-realaudio', 70, r`\.ra\xfd`],
  ['file-magic-auto318', 'audio/midi', 70, r`MThd`],
  ['file-magic-auto319', 'audio/x-dec-basic', 70, r`\.sd\x00.{8}\x01\x00\x00\x00`],
  ['file-magic-auto320', 'audio/x-dec-basic', 70, r`\.sd\x00.{8}\x02\x00\x00\x00`],
  ['file-magic-auto321', 'audio/x-dec-basic', 70, r`\.sd\x00.{8}\x03\x00\x00\x00`],
  ['file-magic-auto322', 'audio/x-dec-basic', 70, r`\.sd\x00.{8}\x04\x00\x00\x00`],
  ['file-magic-auto323', 'audio/x-dec-basic', 70, r`\.sd\x00.{8}\x05\x00\x00\x00`],
  ['file-magic-auto324', 'audio/x-dec-basic', 70, r`\.sd\x00.{8}\x06\x00\x00\x00`],
  ['file-magic-auto325', 'audio/x-dec-basic', 70, r`\.sd\x00.{8}\x07\x00\x00\x00`],
  ['file-magic-auto326', 'audio/x-dec-basic', 70, r`\.sd\x00.{8}\x17\x00\x00\x00`],
  ['file-magic-auto327', 'audio/basic', 70, r`\.snd.{8}\x00\x00\x00\x01`],
  ['file-magic-auto328', 'audio/basic', 70, r`\.snd.{8}\x00\x00\x00\x02`],
  ['file-magic-auto329', 'audio/basic', 70, r`\.snd.{8}\x00\x00\x00\x03`],
  ['file-magic-auto330', 'audio/basic', 70, r`\.snd.{8}\x00\x00\x00\x04`],
  ['file-magic-auto331', 'audio/basic', 70, r`\.snd.{8}\x00\x00\x00\x05`],
  ['file-magic-auto332', 'audio/basic', 70, r`\.snd.{8}\x00\x00\x00\x06`],
  ['file-magic-auto333', 'audio/basic', 70, r`\.snd.{8}\x00\x00\x00\x07`],
  ['file-magic-auto334', 'audio/x-adpcm', 70, r`\.snd.{8}\x00\x00\x00\x17`],
  ['file-magic-auto341', 'x-epoc/x-sisx-app', 70, r`\x7a\x1a\x20\x10`],
  ['file-magic-auto342', 'application/vnd.symbian.install', 70, r`.{8}\x19\x04\x00\x10`],
  ['file-magic-auto354', 'audio/x-wav', 70, r`RIFF.{4}WAVE`],
  ['file-magic-auto357', 'video/x-msvideo', 70, r`RIFF.{4}AVI `],
  ['file-magic-auto365', 'application/x-epoc-agenda', 70, r`\x50\x00\x00\x10\x6d\x00\x00\x10\x84\x00\x00\x10`],
  ['file-magic-auto366', 'application/x-epoc-data', 70, r`\x50\x00\x00\x10\x6d\x00\x00\x10\x86\x00\x00\x10`],
  ['file-magic-auto367', 'application/x-epoc-jotter', 70, r`\x50\x00\x00\x10\x6d\x00\x00\x10\xea\x0c\x00\x10`],
  ['file-magic-auto368', 'image/x-epoc-mbm', 70, r`\x37\x00\x00\x10\x42\x00\x00\x10`],
  ['file-magic-auto369', 'image/x-epoc-sketch', 70, r`\x37\x00\x00\x10\x6d\x00\x00\x10\x7d\x00\x00\x10`],
  ['file-magic-auto370', 'application/x-epoc-word', 70, r`\x37\x00\x00\x10\x6d\x00\x00\x10\x7f\x00\x00\x10`],
  ['file-magic-auto371', 'application/x-epoc-opl', 70, r`\x37\x00\x00\x10\x6d\x00\x00\x10\x85\x00\x00\x10`],
  ['file-magic-auto372', 'application/x-epoc-sheet', 70, r`\x37\x00\x00\x10\x6d\x00\x00\x10\x88\x00\x00\x10`],
  ['file-magic-auto373', 'application/x-epoc-opo', 70, r`\x37\x00\x00\x10\x73\x00\x00\x10`],
  ['file-magic-auto374', 'application/x-epoc-app', 70, r`\x37\x00\x00\x10\x74\x00\x00\x10`],
  ['file-magic-auto375', 'application/x-dbm', 70, r`\x61\x15\x06\x00|\x00\x06\x15\x61`],
  ['file-magic-auto376', 'application/x-gdbm', 70, r`GDBM`],
  ['file-magic-auto377', 'application/x-gdbm', 70, r`\xce\x9a\x57\x13`],
  ['file-magic-auto378', 'application/x-gdbm', 70, r`\x13\x57\x9a\xce`],
  ['file-magic-auto381', 'application/x-mif', 70, r`<MML`],
  ['file-magic-auto385', 'application/ogg', 70, r`OggS`],
  ['file-magic-auto391', 'application/x-ichitaro4', 40, r`DOC.{40}\x14`],
  ['file-magic-auto392', 'application/x-ichitaro5', 40, r`DOC.{40}\x15`],
  ['file-magic-auto393', 'application/vnd.cups-raster', 40, r`3SaR`],
  ['file-magic-auto394', 'application/vnd.cups-raster', 40, r`RaS3`],
  ['file-magic-auto395', 'application/x-ichitaro6', 40, r`DOC.{40}\x16`],
  ['file-magic-auto401', 'audio/x-musepack', 60, r`MP\+`],
  ['file-magic-auto405', 'application/postscript', 60, r`\x04%!`],
  // auto460-462, 477, 478: never match in Zeek (`^` after the first byte).
  ['file-magic-auto460', 'application/marc', 60, r`.{20}45.*(^[0-9]{5})[acdnp][^bhlnqsu-z]`],
  ['file-magic-auto461', 'application/marc', 53, r`.{20}45.*(^[0-9]{5})[acdnosx]z`],
  ['file-magic-auto462', 'application/marc', 52, r`.{20}45.*(^[0-9]{5})[cdn][uvxy]`],
  ['file-magic-auto470', 'application/x-pgp-keyring', 50, r`\x99\x00`],
  ['file-magic-auto471', 'application/x-pgp-keyring', 50, r`\x95\x01`],
  ['file-magic-auto472', 'application/x-pgp-keyring', 50, r`\x95\x00`],
  ['file-magic-auto473', 'text/PGP', 50, r`\xa6\x00`],
  ['file-magic-auto474', 'application/postscript', 50, r`%!`],
  ['file-magic-auto476', 'application/marc', 50, r`(^[0-9]{5})[acdn]w`],
  ['file-magic-auto477', 'application/marc', 49, r`(^[0-9]{5})[acdn]w(^[0-9]{5})[cdn]q`],
  ['file-magic-auto478', 'application/marc', 47, r`(^[0-9]{5})[acdn]w(^.{21})[^0]{2}`],
  ['file-magic-auto485', 'audio/x-mp4a-latm', 50, r`\x56[\xe0-\xff]`],
  ['file-magic-auto486', 'audio/x-hx-aac-adts', 50, r`\xff[\xf0\xf1\xf8\xf9]`],
  ['file-magic-auto492', 'application/x-gnupg-keyring', 50, r`\x99\x01`],
  ['file-magic-auto493', 'application/x-dvi', 50, r`\xf7\x02`],
  ['file-magic-auto496', 'text/PGP', 50, r`\x85\x02`],
  ['file-magic-auto507', 'audio/vnd.dolby.dd-raw', 50, r`\x0b\x77`],
  // The setup-script family starts with a literal backtick (a libmagic `\``
  // anchor taken literally); those with `^` after it can never match.
  ['file-magic-auto530', 'application/x-setupscript', 1, r`${SETUP}(^(?i:autorun)\]\x0d\x0a)[^\x5b]`],
  ['file-magic-auto531', 'application/x-setupscript', 49, r`${SETUP}(^(?i:version|strings)\])`],
  ['file-magic-auto540', 'application/x-setupscript', 110, r`${SETUP}${U16_VERSION}`],
  // Zeek's pattern has an unterminated "[\x49\x69" here, so the class runs
  // on to the next "]": it is the set {I, i, ')', '(', NUL, '[', N, n}.
  [
    'file-magic-auto541',
    'application/x-setupscript',
    110,
    r`${SETUP}\x00[Ss]\x00[Tt]\x00[Rr]\x00[Ii)(\x00[Nn]\x00[Gg]\x00[Ss]\x00\]`,
  ],
  ['file-magic-auto542', 'application/x-setupscript', 100, r`${SETUP}.*\[(?i:version)`],
  ['file-magic-auto543', 'application/x-setupscript', 110, r`${SETUP}.*\[${U16_VERSION}`],
  ['file-magic-auto532', 'text/inf', 55, r`${SETUP}(^(?i:winsockcrclist|oemcpl)\])`],
  ['file-magic-auto608', 'text/x-po', 37, r`^msgid `],
];

function tag(set: SignatureSet, rows: readonly Row[]): MimeSignature[] {
  return rows.map(([id, mime, strength, pattern]) => ({ id, set, mime, strength, pattern }));
}

/** All signatures, in Zeek's load order (which does not affect the result). */
export const MIME_SIGNATURES: readonly MimeSignature[] = [
  ...tag('archive', ARCHIVE),
  ...tag('audio', AUDIO),
  ...tag('executable', EXECUTABLE),
  ...tag('font', FONT),
  ...tag('general', GENERAL),
  ...tag('image', IMAGE),
  ...tag('java', JAVA),
  ...tag('office', OFFICE),
  ...tag('programming', PROGRAMMING),
  ...tag('python', PYTHON),
  ...tag('video', VIDEO),
  ...tag('libmagic', LIBMAGIC),
];
