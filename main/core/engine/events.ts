import type { TaskdropEvents, Unsubscribe } from '../../../preload/shared/contract.ts';

type Listener<E extends keyof TaskdropEvents> = (payload: TaskdropEvents[E]) => void;

/** Typed events of the contract; a listener that throws never stops the others. */
export class EventHub {
  readonly #listeners = new Map<keyof TaskdropEvents, Set<Listener<never>>>();

  on<E extends keyof TaskdropEvents>(event: E, listener: Listener<E>): Unsubscribe {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<E extends keyof TaskdropEvents>(event: E, payload: TaskdropEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as Listener<E>)(payload);
      } catch (error) {
        console.error(`taskdrop: a ${event} listener failed`, error);
      }
    }
  }

  has(event: keyof TaskdropEvents): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }
}
