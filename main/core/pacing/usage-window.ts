interface Spend {
  at: number;
  amount: number;
}

/**
 * What was spent in the last `windowMs`, plus what is in flight and not yet counted. Spending is
 * stamped when the answer arrives: never earlier than the server counted it, so this window
 * frees room no sooner than the server's does.
 */
export class UsageWindow {
  #spends: Spend[] = [];
  #spent = 0;
  #inFlight = 0;
  readonly #windowMs: () => number;

  constructor(windowMs: () => number) {
    this.#windowMs = windowMs;
  }

  #expire(now: number): void {
    const horizon = now - this.#windowMs();
    let drop = 0;
    for (const spend of this.#spends) {
      if (spend.at > horizon) break;
      this.#spent -= spend.amount;
      drop += 1;
    }
    if (drop > 0) this.#spends = this.#spends.slice(drop);
  }

  used(now: number): number {
    this.#expire(now);
    return this.#spent + this.#inFlight;
  }

  /** Milliseconds until `amount` more fits under `limit`; Infinity while only in-flight use blocks. */
  waitFor(amount: number, limit: number, now: number): number {
    let room = limit - this.used(now);
    if (room >= amount) return 0;
    // A budget smaller than one request would block forever: let it through on an empty window.
    if (amount > limit && this.#spent + this.#inFlight === 0) return 0;
    for (const spend of this.#spends) {
      room += spend.amount;
      if (room >= amount) return spend.at + this.#windowMs() - now;
    }
    return Infinity;
  }

  begin(amount: number): void {
    this.#inFlight += amount;
  }

  finish(amount: number, now: number): void {
    this.#inFlight -= amount;
    if (amount === 0) return;
    this.#spends.push({ at: now, amount });
    this.#spent += amount;
  }
}
