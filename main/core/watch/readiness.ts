import { sep } from 'node:path';
import { sameStamp, type FileStamp } from '../files/file-reader.ts';
import { forEachLimited } from './limited.ts';
import type { WatchTimings } from './types.ts';

/** What one look at a file found. */
export type Look =
  | { kind: 'file'; stamp: FileStamp }
  | { kind: 'gone' }
  | { kind: 'not-a-file' }
  | { kind: 'unreadable'; why: string };

export interface ReadyFile extends FileStamp {
  path: string;
}

export interface ReadinessDeps {
  timings: Pick<
    WatchTimings,
    'checkIntervalMs' | 'stableChecks' | 'minAgeMs' | 'slowAfterMs' | 'slowCheckIntervalMs'
  >;
  now: () => number;
  look: (path: string) => Promise<Look>;
  /** At the first look: true when exactly this file (path, size, mtime) is taken care of. */
  isKnown: (path: string, stamp: FileStamp) => boolean;
  onReady: (files: ReadyFile[]) => void;
  /** The number waiting changed. */
  onWaitingChanged: () => void;
}

interface Pending {
  stamp: FileStamp | null;
  /** Looks in a row that found this stamp. */
  stableLooks: number;
  stableSince: number;
  firstSeenAt: number;
  nextLookAt: number;
}

/** Stat calls at once per pass: enough for a burst, few enough for a network drive. */
const lookConcurrency = 64;

/**
 * Decides when a file is complete: its size and mtime the same over several looks, and old
 * enough. A file that never settles stays here, looked at less and less often, and counts as
 * waiting; it leaves only when it is ready, known already, or gone.
 */
export class ReadinessTracker {
  readonly #deps: ReadinessDeps;
  readonly #pending = new Map<string, Pending>();
  #timer: NodeJS.Timeout | undefined;
  /** When the timer is due, on the tracker's clock. */
  #timerAt = Infinity;
  #pass: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: ReadinessDeps) {
    this.#deps = deps;
  }

  get waiting(): number {
    return this.#pending.size;
  }

  paths(): string[] {
    return [...this.#pending.keys()];
  }

  /** A file appeared or changed: it is looked at (first after `afterMs`) until it settles. */
  observe(path: string, afterMs = this.#deps.timings.checkIntervalMs): void {
    if (this.#stopped) return;
    const now = this.#deps.now();
    const soon = now + afterMs;
    const entry = this.#pending.get(path);
    if (entry !== undefined) {
      entry.nextLookAt = Math.min(entry.nextLookAt, soon);
    } else {
      this.#pending.set(path, {
        stamp: null,
        stableLooks: 0,
        stableSince: now,
        firstSeenAt: now,
        nextLookAt: soon,
      });
      this.#deps.onWaitingChanged();
    }
    this.#schedule(soon);
  }

  forget(path: string): void {
    if (this.#pending.delete(path)) this.#deps.onWaitingChanged();
  }

  /** Forgets everything under `dir` (a folder that went away). */
  forgetUnder(dir: string): void {
    const prefix = dir.endsWith(sep) ? dir : `${dir}${sep}`;
    for (const path of this.#pending.keys()) {
      if (path.startsWith(prefix)) this.#pending.delete(path);
    }
    this.#deps.onWaitingChanged();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#pass;
    this.#pending.clear();
  }

  /** One pass over the files due for a look; the timer calls it, tests may too. */
  async check(): Promise<void> {
    const now = this.#deps.now();
    const due = [...this.#pending].filter(([, entry]) => entry.nextLookAt <= now);
    const ready: ReadyFile[] = [];
    let changed = false;
    await forEachLimited(due, lookConcurrency, async ([path, entry]) => {
      const look = await this.#deps.look(path);
      if (this.#pending.get(path) !== entry) return;
      const verdict = this.#judge(path, entry, look);
      if (verdict === 'waiting') return;
      this.#pending.delete(path);
      changed = true;
      if (verdict === 'ready' && look.kind === 'file') ready.push({ path, ...look.stamp });
    });
    if (changed) this.#deps.onWaitingChanged();
    if (ready.length > 0 && !this.#stopped) this.#deps.onReady(ready);
  }

  #judge(path: string, entry: Pending, look: Look): 'ready' | 'waiting' | 'drop' {
    if (look.kind === 'gone' || look.kind === 'not-a-file') return 'drop';
    const now = this.#deps.now();
    if (look.kind === 'unreadable') {
      entry.stableLooks = 0;
      entry.nextLookAt = now + this.#interval(entry, now);
      return 'waiting';
    }
    const { stamp } = look;
    if (entry.stamp === null && this.#deps.isKnown(path, stamp)) return 'drop';
    if (entry.stamp !== null && sameStamp(entry.stamp, stamp)) {
      entry.stableLooks += 1;
    } else {
      entry.stamp = stamp;
      entry.stableLooks = 1;
      entry.stableSince = now;
    }
    const { stableChecks, minAgeMs } = this.#deps.timings;
    if (entry.stableLooks >= stableChecks && oldEnough(stamp, entry.stableSince, now, minAgeMs)) {
      return 'ready';
    }
    entry.nextLookAt = now + this.#interval(entry, now);
    return 'waiting';
  }

  #interval(entry: Pending, now: number): number {
    const { slowAfterMs, slowCheckIntervalMs, checkIntervalMs } = this.#deps.timings;
    return now - entry.firstSeenAt > slowAfterMs ? slowCheckIntervalMs : checkIntervalMs;
  }

  /**
   * One timer, due when the earliest file is (never sooner than one check interval), so a file
   * looked at every 15 s wakes the process every 15 s, not every second.
   */
  #schedule(at: number): void {
    // A pass under way schedules the next one as it ends.
    if (this.#stopped || this.#pass !== undefined) return;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    const delayMs = Math.max(this.#deps.timings.checkIntervalMs, at - this.#deps.now());
    this.#timer = setTimeout(() => {
      this.#pass = this.check()
        .catch((error: unknown) => console.error('taskdrop: checking files failed', error))
        .finally(() => {
          this.#timer = undefined;
          this.#timerAt = Infinity;
          this.#pass = undefined;
          this.#scheduleEarliest();
        });
    }, delayMs);
  }

  #scheduleEarliest(): void {
    let earliest = Infinity;
    for (const entry of this.#pending.values()) earliest = Math.min(earliest, entry.nextLookAt);
    if (earliest !== Infinity) this.#schedule(earliest);
  }
}

/**
 * Modified at least `minAgeMs` ago; or, when its mtime lies in the future (a network drive's
 * clock ahead of ours), seen unchanged that long.
 */
function oldEnough(stamp: FileStamp, stableSince: number, now: number, minAgeMs: number): boolean {
  const age = now - stamp.mtimeMs;
  return age >= minAgeMs || (age < 0 && now - stableSince >= minAgeMs);
}
