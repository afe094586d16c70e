import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDiskFull, queueFileErrorOf } from './queue-file.ts';

export const reserveFileName = 'queue.reserve';

/** Room for a few state changes of the queue: each is a few pages of its write-ahead log. */
const reserveBytes = 256 * 1024;
/** Free space, beyond the reserve, before uploads start again on a disk that was full. */
const resumeMarginBytes = 256 * 1024;
/** Less free space than this is a full disk: an upload started now could not record a step. */
const minFreeBytes = 64 * 1024;
/** While the disk stays full, how often the space is looked at again. */
const recheckMs = 2_000;

/**
 * Space kept beside the queue for the writes that must not fail when the disk fills: the one
 * saying why an upload stopped, and the attachment id of a file that made it (docs/upload-rules.md
 * rule 2). Once the disk was found full, nothing new starts until it has room again and the
 * reserve is back: an upload that cannot record its steps must not take them.
 */
export class QueueRoom {
  /** Null for a queue in memory: nothing to run out of. */
  readonly #dataDir: string | null;
  readonly #path: string;
  readonly #now: () => number;
  #held = false;
  /** A queue write found the disk full, and it has not had room since. */
  #full = false;
  #nextCheckAt = 0;

  constructor(dataDir: string | null, now: () => number = Date.now) {
    this.#dataDir = dataDir;
    this.#path = join(dataDir ?? '', reserveFileName);
    this.#now = now;
  }

  /** The room of the queue in SQLite file `databaseName` (better-sqlite3's `name`). */
  static of(databaseName: string, now?: () => number): QueueRoom {
    const inMemory = databaseName === '' || databaseName === ':memory:';
    return new QueueRoom(inMemory ? null : dirname(databaseName), now);
  }

  /**
   * Runs one queue write. A failure for the queue file's sake (a full disk, a read-only folder)
   * is thrown as the QueueFileError that says so in plain words; the write left the queue as it
   * was (SQLite rolled it back). An `essential` write gets the reserve when the disk is full.
   */
  save<T>(work: () => T, essential: boolean): T {
    try {
      return work();
    } catch (error) {
      const failure = this.#dataDir === null ? null : queueFileErrorOf(error, this.#dataDir);
      if (failure === null) throw error;
      if (failure.problem !== 'full') throw failure;
      this.#full = true;
      if (!essential || !this.release()) throw failure;
    }
    try {
      return work();
    } catch (error) {
      throw (this.#dataDir === null ? null : queueFileErrorOf(error, this.#dataDir)) ?? error;
    }
  }

  /** Whether uploads may start: the disk is not full, or has room again. */
  hasRoom(): boolean {
    if (this.#dataDir === null) return true;
    if (this.#held && !this.#full) {
      if (this.#freeBytes() >= minFreeBytes) return true;
      // Filled by something else meanwhile: nothing starts that could not record its steps.
      this.#full = true;
      this.#nextCheckAt = this.#now() + recheckMs;
      return false;
    }
    if (this.#now() < this.#nextCheckAt) return !this.#full;
    this.#nextCheckAt = this.#now() + recheckMs;
    if (this.#full && this.#freeBytes() < reserveBytes + resumeMarginBytes) return false;
    this.#putBack();
    return !this.#full;
  }

  /** When the space is next looked at while the disk is full (0 when it is not). */
  get nextCheckAt(): number {
    return this.#full ? this.#nextCheckAt : 0;
  }

  /** Gives the reserve to the write that needs it; false when there was none to give. */
  release(): boolean {
    const had = this.#held;
    if (this.#dataDir === null) return false;
    rmSync(this.#path, { force: true });
    this.#held = false;
    this.#full = true;
    this.#nextCheckAt = this.#now() + recheckMs;
    return had;
  }

  #putBack(): void {
    if (this.#dataDir === null) return;
    try {
      // Written whole, not sparse: the blocks are taken now, to be given back later.
      writeFileSync(this.#path, Buffer.alloc(reserveBytes), { mode: 0o600 });
      this.#held = true;
      this.#full = false;
    } catch (error) {
      rmSync(this.#path, { force: true });
      // Another failure (a read-only folder) leaves it to the queue's own writes to say so.
      if (isDiskFull(error)) this.#full = true;
    }
  }

  #freeBytes(): number {
    try {
      const disk = statfsSync(this.#dataDir ?? '.');
      // Some file systems (FUSE, network) report no size at all: their space is unknown.
      return disk.blocks === 0 ? Infinity : disk.bavail * disk.bsize;
    } catch {
      return Infinity;
    }
  }
}
