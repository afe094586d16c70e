import { SvelteSet } from 'svelte/reactivity';

/**
 * Which queue rows are ticked. A plain click toggles one row and becomes the anchor; a
 * shift-click ticks every row between the anchor and itself, in the order on screen.
 */
export class SelectionState {
  readonly ids = new SvelteSet<number>();
  #anchor: number | null = null;

  get size(): number {
    return this.ids.size;
  }

  has(id: number): boolean {
    return this.ids.has(id);
  }

  /** `order`: the ids as shown now (filtered), for shift-click ranges. */
  toggle(id: number, range: boolean, order: readonly number[]): void {
    const anchorAt = this.#anchor === null ? -1 : order.indexOf(this.#anchor);
    const at = range && anchorAt >= 0 ? order.indexOf(id) : -1;
    if (at >= 0) {
      const [from, to] = anchorAt <= at ? [anchorAt, at] : [at, anchorAt];
      for (const each of order.slice(from, to + 1)) this.ids.add(each);
    } else if (this.ids.has(id)) {
      this.ids.delete(id);
    } else {
      this.ids.add(id);
    }
    this.#anchor = id;
  }

  /** Ticks (or unticks) all of `ids`: the "select all visible" box. */
  setAll(ids: readonly number[], selected: boolean): void {
    if (!selected) {
      this.clear();
      return;
    }
    for (const id of ids) this.ids.add(id);
  }

  /** Forgets rows that are gone from the queue. */
  forget(ids: readonly number[]): void {
    for (const id of ids) this.ids.delete(id);
    if (this.#anchor !== null && ids.includes(this.#anchor)) this.#anchor = null;
  }

  clear(): void {
    this.ids.clear();
    this.#anchor = null;
  }

  list(): number[] {
    return [...this.ids];
  }
}
