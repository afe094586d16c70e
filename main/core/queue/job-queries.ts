import type { Database, Statement } from 'better-sqlite3';
import type { JobSelection, JobState } from '../../../preload/shared/contract.ts';
import { runnableStates, standingStates } from '../../../preload/shared/job-states.ts';
import { toRow, type DueJob, type JobRecord, type JobRow, type NewJob } from './job-rows.ts';
import { sqlStates } from './states.ts';

export interface StateCount {
  state: JobState;
  jobs: number;
  bytes: number;
  ackedBytes: number;
}

/** What the queue holds, read without changing anything; `JobStore` adds the writes. */
export class JobQueries {
  protected readonly db: Database;
  readonly #byId: Statement<[number], JobRecord>;
  readonly #byIds: Statement<[string], JobRecord>;
  readonly #due: Statement<[number, number], { id: number; account_id: string }>;
  // Prepared once: one runs per batch of files on enqueue, the other on every event flush.
  readonly #sameFiles: Statement<[string, string], JobRecord>;
  readonly #sameContent: Statement<[string, string], JobRecord>;
  readonly #countByState: Statement<[], StateCount>;

  constructor(db: Database) {
    this.db = db;
    this.#byId = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.#byIds = db.prepare('SELECT * FROM jobs WHERE id IN (SELECT value FROM json_each(?))');
    const standing = sqlStates(standingStates);
    // The paths come as one JSON array: one statement for any number of them.
    this.#sameFiles = db.prepare(
      `SELECT * FROM jobs WHERE task_id = ? AND source_path IN (SELECT value FROM json_each(?))
         AND state IN (${standing}) ORDER BY id`,
    );
    this.#sameContent = db.prepare(
      `SELECT * FROM jobs WHERE task_id = ? AND sha256 IN (SELECT value FROM json_each(?))
         AND state IN (${standing}) ORDER BY id`,
    );
    this.#countByState = db.prepare(
      `SELECT state, COUNT(*) AS jobs, COALESCE(SUM(size), 0) AS bytes,
         COALESCE(SUM(CASE WHEN state = 'done' THEN size ELSE acked_offset END), 0) AS ackedBytes
       FROM jobs GROUP BY state`,
    );
    this.#due = db.prepare(
      `SELECT id, account_id FROM jobs WHERE state IN (${sqlStates(runnableStates)})
         AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
       ORDER BY id LIMIT ?`,
    );
  }

  get(id: number): JobRow | undefined {
    const record = this.#byId.get(id);
    return record === undefined ? undefined : toRow(record);
  }

  require(id: number): JobRow {
    const row = this.get(id);
    if (row === undefined) throw new RangeError(`no job ${id}`);
    return row;
  }

  all(): JobRow[] {
    return this.db.prepare<[], JobRecord>('SELECT * FROM jobs ORDER BY id').all().map(toRow);
  }

  select(selection: JobSelection): JobRow[] {
    if ('all' in selection) return this.all();
    // One statement for any number of ids (an enqueue of 10,000 answers its rows); given order.
    const byId = new Map(
      this.#byIds.all(JSON.stringify(selection.ids)).map((record) => [record.id, record]),
    );
    return selection.ids.flatMap((id) => {
      const record = byId.get(id);
      return record === undefined ? [] : [toRow(record)];
    });
  }

  /**
   * Jobs the scheduler may start now, oldest first: their ids and accounts only, since most are
   * passed over while their account has no room (the rows of those it starts are read then).
   */
  due(now: number, limit: number): DueJob[] {
    return this.#due.all(now, limit).map((record) => ({
      id: record.id,
      accountId: record.account_id,
    }));
  }

  /** When the earliest retrying job becomes due, if any. */
  nextDueAt(): number | null {
    const row = this.db
      .prepare<[], { at: number | null }>(
        `SELECT MIN(next_attempt_at) AS at FROM jobs WHERE state = 'retrying'`,
      )
      .get();
    return row?.at ?? null;
  }

  /** Ids of one account's jobs in the given states. */
  idsOfAccount(accountId: string, states: readonly JobState[]): number[] {
    return this.db
      .prepare<[string], { id: number }>(
        `SELECT id FROM jobs WHERE account_id = ? AND state IN (${sqlStates(states)}) ORDER BY id`,
      )
      .all(accountId)
      .map((row) => row.id);
  }

  /**
   * For each file, the newest job for the same file (path, size, mtime) and task that is queued
   * or done already, by path. One query for many files: a drop of thousands asks once.
   */
  duplicatesOf(
    taskId: string,
    files: readonly Pick<NewJob, 'sourcePath' | 'size' | 'mtimeMs'>[],
  ): Map<string, JobRow> {
    const wanted = new Map(files.map((file) => [file.sourcePath, file]));
    const found = new Map<string, JobRow>();
    if (wanted.size === 0) return found;
    for (const record of this.#sameFiles.all(taskId, JSON.stringify([...wanted.keys()]))) {
      const file = wanted.get(record.source_path);
      // Oldest first: a newer job for the same file replaces an older one.
      if (file?.size === record.size && file.mtimeMs === record.mtime_ms) {
        found.set(record.source_path, toRow(record));
      }
    }
    return found;
  }

  /**
   * For each content hash, the newest job with that content for the task that is queued or
   * done already: copies (a browser's drops) have no path of their own to be known by.
   */
  sameContentOf(taskId: string, sha256s: readonly string[]): Map<string, JobRow> {
    const found = new Map<string, JobRow>();
    if (sha256s.length === 0) return found;
    for (const record of this.#sameContent.all(taskId, JSON.stringify([...new Set(sha256s)]))) {
      if (record.sha256 !== null) found.set(record.sha256, toRow(record));
    }
    return found;
  }

  /** Upload URLs our jobs hold for this task: sessions that are not orphans. */
  uploadUrlsOfTask(taskId: string): string[] {
    return this.db
      .prepare<[string], { upload_url: string }>(
        'SELECT upload_url FROM jobs WHERE task_id = ? AND upload_url IS NOT NULL',
      )
      .all(taskId)
      .map((row) => row.upload_url);
  }

  /** Attachment ids already claimed by jobs of this task (so reconciliation never takes one twice). */
  claimedAttachmentIds(taskId: string): Set<string> {
    const rows = this.db
      .prepare<[string], { attachment_id: string }>(
        'SELECT attachment_id FROM jobs WHERE task_id = ? AND attachment_id IS NOT NULL',
      )
      .all(taskId);
    return new Set(rows.map((row) => row.attachment_id));
  }

  countByState(): StateCount[] {
    return this.#countByState.all();
  }
}
