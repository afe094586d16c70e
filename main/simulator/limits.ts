import type { MailboxLimits, ThrottleReason } from './types.ts';

export const outlookLimits: MailboxLimits = {
  maxConcurrentRequests: 4,
  maxRequestsPerWindow: 10_000,
  requestWindowMs: 10 * 60_000,
  maxUploadBytesPerWindow: 150 * 1_000_000,
  uploadWindowMs: 5 * 60_000,
};

export type Admission =
  | { admitted: true; inFlight: number; release: () => void }
  | { admitted: false; reason: Exclude<ThrottleReason, 'injected'>; retryAfterMs: number };

interface Stamp {
  at: number;
  amount: number;
}

/** A rolling window: what was spent in the last `windowMs`, and when room for more frees up. */
class RollingWindow {
  #stamps: Stamp[] = [];
  #total = 0;

  spent(now: number, windowMs: number): number {
    const horizon = now - windowMs;
    let drop = 0;
    while (drop < this.#stamps.length && (this.#stamps[drop]?.at ?? Infinity) <= horizon) {
      this.#total -= this.#stamps[drop]?.amount ?? 0;
      drop += 1;
    }
    if (drop > 0) this.#stamps = this.#stamps.slice(drop);
    return this.#total;
  }

  /** Time until `amount` more fits under `limit`. */
  waitFor(amount: number, limit: number, now: number, windowMs: number): number {
    let room = limit - this.spent(now, windowMs);
    for (const stamp of this.#stamps) {
      if (room >= amount) break;
      room += stamp.amount;
      if (room >= amount) return stamp.at + windowMs - now;
    }
    return room >= amount ? 0 : windowMs;
  }

  add(at: number, amount: number): void {
    this.#stamps.push({ at, amount });
    this.#total += amount;
  }
}

interface MailboxUsage {
  inFlight: number;
  requests: RollingWindow;
  uploads: RollingWindow;
}

/**
 * The Outlook mailbox limits Graph applies per app and user (docs/graph-todo-api.md §5, limits and
 * throttling): concurrent requests, requests per window and upload bytes per window, each refused
 * with a retry delay. Throttled requests still count against the request rate, as Graph documents.
 */
export class MailboxGate {
  readonly #usage = new Map<string, MailboxUsage>();
  readonly #now: () => number;
  #limits: MailboxLimits;

  constructor(limits: MailboxLimits, now: () => number) {
    this.#limits = limits;
    this.#now = now;
  }

  get limits(): MailboxLimits {
    return this.#limits;
  }

  set limits(limits: MailboxLimits) {
    this.#limits = limits;
  }

  admit(userId: string, uploadBytes: number): Admission {
    const usage = this.#usageOf(userId);
    const now = this.#now();
    const limits = this.#limits;
    const requestWait = usage.requests.waitFor(
      1,
      limits.maxRequestsPerWindow,
      now,
      limits.requestWindowMs,
    );
    usage.requests.add(now, 1);
    if (usage.inFlight >= limits.maxConcurrentRequests) {
      return { admitted: false, reason: 'concurrency', retryAfterMs: 1_000 };
    }
    if (requestWait > 0) return { admitted: false, reason: 'requests', retryAfterMs: requestWait };
    if (uploadBytes > 0) {
      const volumeWait = usage.uploads.waitFor(
        uploadBytes,
        limits.maxUploadBytesPerWindow,
        now,
        limits.uploadWindowMs,
      );
      if (volumeWait > 0) return { admitted: false, reason: 'volume', retryAfterMs: volumeWait };
      usage.uploads.add(now, uploadBytes);
    }
    usage.inFlight += 1;
    let released = false;
    return {
      admitted: true,
      inFlight: usage.inFlight,
      release: () => {
        if (released) return;
        released = true;
        usage.inFlight -= 1;
      },
    };
  }

  #usageOf(userId: string): MailboxUsage {
    let usage = this.#usage.get(userId);
    if (usage === undefined) {
      usage = { inFlight: 0, requests: new RollingWindow(), uploads: new RollingWindow() };
      this.#usage.set(userId, usage);
    }
    return usage;
  }
}
