import { uploadBytesPerWindow } from '../../../preload/shared/limits.ts';
import { UsageWindow } from './usage-window.ts';

/**
 * The mailbox limits taskdrop paces itself to (docs/graph-todo-api.md §5); defaults leave headroom.
 */
export interface PacingLimits {
  maxConcurrentRequests: number;
  maxRequestsPerWindow: number;
  requestWindowMs: number;
  maxUploadBytesPerWindow: number;
  uploadWindowMs: number;
}

export const defaultPacingLimits: PacingLimits = {
  maxConcurrentRequests: 3,
  maxRequestsPerWindow: 10_000,
  requestWindowMs: 10 * 60_000,
  maxUploadBytesPerWindow: uploadBytesPerWindow,
  uploadWindowMs: 5 * 60_000,
};

/** How long without a concurrency 429 before the account gets one more request at once back. */
export const concurrencyCalmMs = 60_000;

export interface Permit {
  /** Call once the answer is fully read (or the request failed). */
  release(): void;
}

interface Waiter {
  uploadBytes: number;
  resolve: (permit: Permit) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * One account's gate to Graph: a request waits here until it fits the concurrency, request-rate
 * and upload-volume budgets and no 429 pause is in force. Waiters go strictly in arrival order,
 * so a large range is not starved by a stream of small requests.
 */
export class AccountPacer {
  #limits: PacingLimits;
  readonly #now: () => number;
  readonly #requests: UsageWindow;
  readonly #uploads: UsageWindow;
  readonly #waiters: Waiter[] = [];
  #inFlight = 0;
  #pausedUntil = 0;
  /** The concurrency the last MailboxConcurrency 429 cut the account to, and when. */
  #cut: { to: number; at: number } | null = null;
  #timer: NodeJS.Timeout | undefined;

  constructor(limits: PacingLimits = defaultPacingLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
    this.#requests = new UsageWindow(() => this.#limits.requestWindowMs);
    this.#uploads = new UsageWindow(() => this.#limits.uploadWindowMs);
  }

  get limits(): PacingLimits {
    return this.#limits;
  }

  setLimits(limits: PacingLimits): void {
    this.#limits = limits;
    this.#pump();
  }

  /** Waits for room for one request carrying `uploadBytes` of body. */
  acquire(uploadBytes: number, signal?: AbortSignal): Promise<Permit> {
    signal?.throwIfAborted();
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = {
        uploadBytes,
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.#remove(waiter);
          reject(signal?.reason);
          // The next in line may fit sooner; with nobody left, no timer may keep the process up.
          this.#pump();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#pump();
    });
  }

  /** A 429 slows the whole account: nobody is let through before `retryAfterMs` has passed. */
  pause(retryAfterMs: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + retryAfterMs);
    this.#pump();
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /**
   * Requests let through at once: the limit, or fewer after the server said the mailbox has too
   * many (someone else holds slots too), one more back per calm period without that.
   */
  get concurrency(): number {
    const max = this.#limits.maxConcurrentRequests;
    if (this.#cut === null) return max;
    const regained = Math.floor((this.#now() - this.#cut.at) / concurrencyCalmMs);
    return Math.min(max, this.#cut.to + regained);
  }

  /** A MailboxConcurrency 429: one request fewer at once, never below one. */
  reduceConcurrency(): void {
    this.#cut = { to: Math.max(1, this.concurrency - 1), at: this.#now() };
  }

  /** Requests waiting for room, for progress displays ("waiting for the upload budget"). */
  get waiting(): number {
    return this.#waiters.length;
  }

  #remove(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index >= 0) this.#waiters.splice(index, 1);
  }

  #pump(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (;;) {
      const head = this.#waiters[0];
      if (head === undefined) return;
      const wait = this.#waitFor(head);
      if (wait > 0) {
        // Not unref'd: a request waiting for room is work to do. A CLI whose every upload waits
        // here would otherwise just exit, its files still queued.
        if (Number.isFinite(wait)) this.#timer = setTimeout(() => this.#pump(), Math.ceil(wait));
        return;
      }
      this.#waiters.shift();
      head.signal?.removeEventListener('abort', head.onAbort);
      head.resolve(this.#grant(head.uploadBytes));
    }
  }

  #waitFor(waiter: Waiter): number {
    const now = this.#now();
    const limits = this.#limits;
    // Whoever is in flight releases a slot, and that pumps again: no timer needed here.
    if (this.#inFlight >= this.concurrency) return Infinity;
    return Math.max(
      this.#pausedUntil - now,
      this.#requests.waitFor(1, limits.maxRequestsPerWindow, now),
      waiter.uploadBytes === 0
        ? 0
        : this.#uploads.waitFor(waiter.uploadBytes, limits.maxUploadBytesPerWindow, now),
    );
  }

  #grant(uploadBytes: number): Permit {
    this.#inFlight += 1;
    this.#requests.begin(1);
    this.#uploads.begin(uploadBytes);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const now = this.#now();
        this.#inFlight -= 1;
        this.#requests.finish(1, now);
        this.#uploads.finish(uploadBytes, now);
        this.#pump();
      },
    };
  }
}
