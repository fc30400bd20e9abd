/**
 * Windows FILETIME (100 ns ticks since 1601-01-01) to Zeek `time` (seconds
 * since the Unix epoch, a double), computed exactly as Zeek does:
 * double(t) / 10^7 - 11644473600. A zero FILETIME becomes -11644473600.
 */
export function filetimeToTime(t: bigint): number {
  return Number(t) / 1e7 - 11644473600;
}
