/**
 * Parse failures are data: which structure, why, and where. Parsers return
 * `T | Malformed` and never throw.
 */
export class Malformed {
  constructor(
    /** what could not be parsed and why, e.g. "CLOSE request: 20 bytes, needs 24" */
    readonly what: string,
    /** offset in the buffer where the problem was found */
    readonly offset: number,
  ) {}
}

export function isMalformed<T>(r: T | Malformed): r is Malformed {
  return r instanceof Malformed;
}

/** A Malformed for a structure that needs `need` bytes at `o` but has only `end - o`. */
export function tooShort(what: string, o: number, end: number, need: number): Malformed {
  return new Malformed(`${what}: ${Math.max(0, end - o)} bytes, needs ${need}`, o);
}
