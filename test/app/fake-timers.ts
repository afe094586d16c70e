import type { Timers } from '../../main/app/timers.ts';

/** Timers on a clock the test moves by hand. */
export class FakeTimers implements Timers {
  now = 0;
  readonly #due = new Map<number, { at: number; callback: () => void }>();
  #next = 1;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next;
    this.#next += 1;
    this.#due.set(id, { at: this.now + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#due.delete(handle as number);
  }

  /** Moves the clock, running each timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const [id, timer] =
        [...this.#due].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0] ?? [];
      if (id === undefined || timer === undefined) break;
      this.#due.delete(id);
      this.now = timer.at;
      timer.callback();
    }
    this.now = end;
  }

  get pending(): number {
    return this.#due.size;
  }
}
