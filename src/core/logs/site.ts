/**
 * Which addresses are local (Zeek's Site::is_local_addr): the private address
 * space (Zeek's Site::private_address_space, counted as local by default) and
 * the networks of `--local-nets`.
 */

export interface Subnet {
  version: 4 | 6;
  /** network address as four 32-bit words (IPv4 in the last) */
  words: [number, number, number, number];
  prefix: number;
}

/** Zeek's Site::private_address_space. */
export const PRIVATE_ADDRESS_SPACE = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '240.0.0.0/4',
  '255.255.255.255/32',
  '::/128',
  '::1/128',
  '100::/64',
  '2001:2::/48',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
];

/** Parses "a.b.c.d/n" or an IPv6 CIDR; undefined when malformed. */
export function parseSubnet(text: string): Subnet | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  const addr = m ? m[1]! : text.trim();
  const v4 = parseIPv4(addr);
  if (v4 !== undefined) {
    const prefix = m ? Number(m[2]) : 32;
    if (prefix > 32) return undefined;
    return { version: 4, words: [0, 0, 0, v4], prefix };
  }
  const v6 = parseIPv6(addr);
  if (v6) {
    const prefix = m ? Number(m[2]) : 128;
    if (prefix > 128) return undefined;
    return { version: 6, words: v6, prefix };
  }
  return undefined;
}

export function parseIPv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    v = v * 256 + Number(p);
  }
  return v >>> 0;
}

export function parseIPv6(s: string): [number, number, number, number] | undefined {
  let text = s;
  const groups: number[] = [];
  // embedded IPv4 tail
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  let v4tail: number | undefined;
  if (tail.includes('.')) {
    v4tail = parseIPv4(tail);
    if (v4tail === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    groups.push(...head, ...new Array<number>(fill).fill(0), ...rest);
  } else groups.push(...head);
  if (groups.length !== 8) return undefined;
  const w: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) w[i] = ((groups[2 * i]! << 16) | groups[2 * i + 1]!) >>> 0;
  if (v4tail !== undefined) w[3] = v4tail;
  return w;
}

export class LocalNets {
  private readonly nets: Subnet[];

  constructor(extra: readonly Subnet[] = [], includePrivate = true) {
    const base = includePrivate ? PRIVATE_ADDRESS_SPACE.map((t) => parseSubnet(t)!) : [];
    this.nets = [...base, ...extra];
  }

  /** the last address asked about and its answer (log rows ask about the same few hosts over and over) */
  private lastText: string | undefined;
  private lastLocal = false;

  /** Whether an address given as text is local. */
  containsText(addr: string): boolean {
    if (addr === this.lastText) return this.lastLocal;
    const v4 = parseIPv4(addr);
    const v6 = v4 === undefined ? parseIPv6(addr) : undefined;
    const local =
      v4 !== undefined ? this.contains(4, 0, 0, 0, v4) : v6 ? this.contains(6, v6[0], v6[1], v6[2], v6[3]) : false;
    this.lastText = addr;
    this.lastLocal = local;
    return local;
  }

  contains(version: 4 | 6, a0: number, a1: number, a2: number, a3: number): boolean {
    const w = [a0, a1, a2, a3];
    for (const n of this.nets) {
      if (n.version !== version) continue;
      const bits = n.version === 4 ? n.prefix + 96 : n.prefix;
      if (matches(w, n.words, bits, n.version)) return true;
    }
    return false;
  }
}

function matches(w: number[], net: readonly number[], bits: number, version: 4 | 6): boolean {
  const start = version === 4 ? 3 : 0;
  let remaining = version === 4 ? bits - 96 : bits;
  for (let i = start; i < 4 && remaining > 0; i++) {
    const take = Math.min(32, remaining);
    const mask = take === 32 ? 0xffffffff : ~((1 << (32 - take)) - 1) >>> 0;
    if ((w[i]! & mask) >>> 0 !== (net[i]! & mask) >>> 0) return false;
    remaining -= take;
  }
  return true;
}
