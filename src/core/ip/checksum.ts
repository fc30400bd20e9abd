/**
 * The Internet checksum (RFC 1071): ones'-complement sum of 16-bit words.
 * `sum16` returns the folded partial sum so pseudo-headers can be added.
 */

/** Partial ones'-complement sum of [off, off+len), odd tail padded with zero. */
export function sum16(b: Uint8Array, off: number, len: number, initial = 0): number {
  let sum = initial;
  const end = off + (len & ~1);
  let i = off;
  // unrolled by 8 bytes; the sum stays well below 2^53
  for (; i + 8 <= end; i += 8) {
    sum += ((b[i]! << 8) | b[i + 1]!) + ((b[i + 2]! << 8) | b[i + 3]!) + ((b[i + 4]! << 8) | b[i + 5]!);
    sum += (b[i + 6]! << 8) | b[i + 7]!;
  }
  for (; i < end; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (len & 1) sum += b[off + len - 1]! << 8;
  return fold(sum);
}

export function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** True when a region including its checksum field sums to 0xffff. */
export function checksumOk(sum: number): boolean {
  return fold(sum) === 0xffff;
}
