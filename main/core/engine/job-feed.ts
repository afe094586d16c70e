import type { JobView } from '../../../preload/shared/contract.ts';
import type { JobRow, JobStore } from '../queue/job-store.ts';
import type { EventHub } from './events.ts';
import { toJobView, toSummary } from './job-view.ts';
import type { ProgressTracker } from './progress-tracker.ts';

/**
 * How jobs reach the contract: each row as a JobView, row changes coalesced into one
 * jobsChanged per turn of the event loop, and progress batches on a timer while uploads run.
 */
export interface JobFeed {
  view(row: JobRow): JobView;
  /** These rows changed (or were deleted): they go out on the next turn. */
  changed(ids: readonly number[]): void;
  /** The engine is closing: from now on changes wait for `close()`, no timer starts. */
  closing(): void;
  /** Stops the timer and sends what is pending. */
  close(): void;
}

export interface JobFeedDeps {
  store: JobStore;
  events: EventHub;
  progress: ProgressTracker;
  /** The watched folder a job came from, or null (a person's drop). */
  folderOf: (row: JobRow) => string | null;
  /** Uploads in flight (the scheduler's): the timer runs while there are any. */
  uploadsInFlight: () => number;
  /** How often progress batches go out while uploading. */
  intervalMs: number;
}

export class JobChangeFeed implements JobFeed {
  readonly #deps: JobFeedDeps;
  readonly #pending = new Set<number>();
  #flushScheduled = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(deps: JobFeedDeps) {
    this.#deps = deps;
  }

  view(row: JobRow): JobView {
    return toJobView(row, this.#deps.progress.view(row.id), this.#deps.folderOf(row));
  }

  changed(ids: readonly number[]): void {
    for (const id of ids) this.#pending.add(id);
    this.#ensureTimer();
    if (this.#flushScheduled || this.#closed) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  closing(): void {
    this.#closed = true;
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#flush();
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#pending.size === 0) return;
    const ids = [...this.#pending];
    this.#pending.clear();
    const { store, events } = this.#deps;
    if (!events.has('jobsChanged')) return;
    // One read for all of them: a burst flushes thousands of new rows at once.
    const rows = store.select({ ids });
    const present = new Set(rows.map((row) => row.id));
    const upserted = rows.map((row) => this.view(row));
    const removed = ids.filter((id) => !present.has(id));
    events.emit('jobsChanged', { upserted, removed, summary: toSummary(store.countByState()) });
  }

  #ensureTimer(): void {
    if (this.#timer !== undefined || this.#closed) return;
    const { progress, events } = this.#deps;
    this.#timer = setInterval(() => {
      const changed = progress.drain();
      if (changed.length > 0) events.emit('progress', changed);
      if (progress.active === 0 && this.#deps.uploadsInFlight() === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    }, this.#deps.intervalMs);
    this.#timer.unref();
  }
}
