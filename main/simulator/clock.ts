/**
 * The simulator's time: a base time source plus an offset that tests move forward, so session
 * expiry, token expiry and the limit windows can be exercised without waiting.
 */
export class SimClock {
  #offsetMs = 0;
  readonly #base: () => number;

  constructor(base: () => number = Date.now) {
    this.#base = base;
  }

  now(): number {
    return this.#base() + this.#offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    this.#offsetMs += ms;
  }
}

/** Graph's timestamp form: UTC with seven fractional digits, e.g. 2022-06-09T10:45:27.4324526Z. */
export function graphTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}
