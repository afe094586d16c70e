import type { LogFields, Logger } from '../core/logging/logger.ts';

const windowMs = 60_000;
const perWindow = 100;

/**
 * Writes down what the web server refused, up to 100 a minute; past that it counts them and
 * says how many it left out when the minute is over. Any web page can send malformed requests
 * to a loopback port (`<img src=…>`), in a loop: that must not flood the log, nor push real
 * problems out of the recent ones the diagnostics show.
 */
export class RefusalLog {
  readonly #log: Logger;
  readonly #now: () => number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #written = 0;
  #left = 0;

  constructor(log: Logger, now: () => number = Date.now) {
    this.#log = log;
    this.#now = now;
  }

  refused(msg: string, fields: LogFields): void {
    const now = this.#now();
    if (now - this.#windowStart >= windowMs) {
      if (this.#left > 0) {
        this.#log.warn('more was refused than written down', { notWritten: this.#left });
      }
      this.#windowStart = now;
      this.#written = 0;
      this.#left = 0;
    }
    if (this.#written < perWindow) {
      this.#written += 1;
      this.#log.warn(
        msg,
        this.#written === perWindow ? { ...fields, lastThisMinute: true } : fields,
      );
    } else {
      this.#left += 1;
    }
  }
}
