import { createSubscriber } from 'svelte/reactivity';

/**
 * The current time for countdowns ("retries in 12 s"): reading it inside an effect or the
 * markup re-reads it once a second, and the timer runs only while something reads it.
 */
class Clock {
  readonly #subscribe = createSubscriber((update) => {
    const timer = setInterval(update, 1_000);
    return () => clearInterval(timer);
  });

  get now(): number {
    this.#subscribe();
    return Date.now();
  }
}

export const clock = new Clock();
