import type { Database, Statement } from 'better-sqlite3';
import type { JobState } from '../../../preload/shared/contract.ts';
import { canTransition, endedStates, initialState } from '../../../preload/shared/job-states.ts';
import { JobQueries } from './job-queries.ts';
import { QueueRoom } from './queue-room.ts';
import {
  targetColumns,
  toColumns,
  type Columns,
  type DueJob,
  type JobFacts,
  type JobRow,
  type NewJob,
} from './job-rows.ts';
import { IllegalTransitionError } from './states.ts';

export type { DueJob, JobFacts, JobRow, NewJob, UploadProtocol } from './job-rows.ts';
export type { StateCount } from './job-queries.ts';

/** Facts that exactly-once rests on: they must survive a power cut, not only a crash. */
function mustLast(facts: JobFacts): boolean {
  return facts.finalSentAt !== undefined && facts.finalSentAt !== null;
}

const runNow = <T>(work: () => T): T => work();

/**
 * The upload queue in SQLite: the reads of `JobQueries`, and the writes. Every method is one
 * transaction; a state change is checked against the transition table (preload/shared/job-states.ts) in
 * the same transaction that writes it.
 */
export class JobStore extends JobQueries {
  readonly #now: () => number;
  readonly #insert: Statement<Record<string, unknown>>;
  /** An upload records the same few sets of columns over and over: each prepared once. */
  readonly #updates = new Map<string, Statement<Record<string, unknown>>>();
  /** What a write does when the disk is full; uploads wait for room (docs/upload-rules.md rule 2). */
  readonly #room: QueueRoom;

  constructor(db: Database, now: () => number = Date.now) {
    super(db);
    this.#now = now;
    this.#room = QueueRoom.of(db.name, now);
    this.#insert = db.prepare(
      `INSERT INTO jobs (state, source_path, file_name, content_type, size, mtime_ms, sha256,
         account_id, list_id, task_id, list_name, task_title, origin, created_at, updated_at)
       VALUES ('${initialState}', @source_path, @file_name, @content_type, @size, @mtime_ms, @sha256,
         @account_id, @list_id, @task_id, @list_name, @task_title, @origin, @now, @now)`,
    );
  }

  /**
   * Runs one transaction with fsync. Only what exactly-once and "nothing lost" rest on needs
   * it: a new job, and the moment a possibly final request leaves. The rest the server corrects
   * after a power cut: offsets, pauses, errors, and the attachment id too, since the final
   * request recorded before it makes the engine look the attachment up on the task before it
   * sends anything again (rule 4). A FULL commit makes every earlier commit durable too; every
   * commit survives a crash of the process.
   */
  durably<T>(work: () => T): T {
    // Inside a caller's transaction the level cannot change; the caller's commit decides.
    if (this.db.inTransaction) return work();
    this.db.pragma('synchronous = FULL');
    try {
      return work();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /**
   * Queues the jobs in one transaction with fsync; answers their ids, in order. (Reading the
   * rows back costs more than writing them: a burst of 10,000 needs only the ids.)
   */
  insertMany(jobs: readonly NewJob[]): number[] {
    const now = this.#now();
    return this.durably(() =>
      this.db.transaction(() =>
        jobs.map((job) => {
          const { lastInsertRowid } = this.#insert.run({
            source_path: job.sourcePath,
            file_name: job.fileName,
            content_type: job.contentType,
            size: job.size,
            mtime_ms: job.mtimeMs,
            sha256: job.sha256 ?? null,
            origin: job.origin ?? 'manual',
            now,
            ...targetColumns(job.target),
          });
          return Number(lastInsertRowid);
        }),
      )(),
    );
  }

  /**
   * Moves a job to another state, with the facts that go with the move, in one transaction.
   * To done only by `finishAttached`, which clears what a finished job must not keep.
   */
  transition(id: number, to: Exclude<JobState, 'done'>, facts: JobFacts = {}): JobRow {
    const run = mustLast(facts) ? this.durably.bind(this) : runNow;
    // Why a job stopped must reach the person even on a full disk.
    const essential = facts.problem !== undefined && facts.problem !== null;
    return this.#room.save(
      () => run(() => this.#transitionNow(id, to, facts)),
      this.#alone(essential),
    );
  }

  /**
   * The one way a job becomes done, whichever path saw its file attached (an upload, a cancel
   * that found it landed): no session, problem, or retry time is left behind.
   */
  finishAttached(id: number, attachmentId: string): JobRow {
    return this.#room.save(() => this.#finishNow(id, attachmentId), this.#alone(true));
  }

  /** A write is tried again only on its own: a caller's transaction may be rolled back already. */
  #alone(essential: boolean): boolean {
    return essential && !this.db.inTransaction;
  }

  #finishNow(id: number, attachmentId: string): JobRow {
    return this.#transitionNow(id, 'done', {
      attachmentId,
      ackedOffset: this.require(id).size,
      uploadUrl: null,
      uploadExpiresAt: null,
      finalSentAt: null,
      problem: null,
      failuresInARow: 0,
      nextAttemptAt: null,
    });
  }

  #transitionNow(id: number, to: JobState, facts: JobFacts): JobRow {
    return this.db.transaction(() => {
      const current = this.require(id);
      if (!canTransition(current.state, to))
        throw new IllegalTransitionError(id, current.state, to);
      const now = this.#now();
      this.#write(id, {
        ...toColumns(facts),
        state: to,
        updated_at: now,
        finished_at: endedStates.includes(to) ? now : null,
      });
      return this.require(id);
    })();
  }

  /** Records facts without a state change (the write-ahead steps of an upload). */
  record(id: number, facts: JobFacts): JobRow {
    const run = mustLast(facts) ? this.durably.bind(this) : runNow;
    const columns = { ...toColumns(facts), updated_at: this.#now() };
    this.#room.save(() => run(() => this.#write(id, columns)), false);
    return this.require(id);
  }

  /** Nothing starts while the disk has no room for what an upload must write. */
  override due(now: number, limit: number): DueJob[] {
    return this.#room.hasRoom() ? super.due(now, limit) : [];
  }

  /** On a full disk, the next look at its space is when anything runnable may start. */
  override nextDueAt(): number | null {
    const at = super.nextDueAt();
    const roomAt = this.#room.nextCheckAt;
    if (roomAt === 0) return at;
    if (super.due(this.#now(), 1).length > 0) return roomAt;
    return at === null ? null : Math.max(at, roomAt);
  }

  #write(id: number, columns: Columns): void {
    const names = Object.keys(columns);
    if (names.length === 0) return;
    const assignments = names.map((name) => `${name} = @${name}`).join(', ');
    let update = this.#updates.get(assignments);
    if (update === undefined) {
      update = this.db.prepare(`UPDATE jobs SET ${assignments} WHERE id = @id`);
      this.#updates.set(assignments, update);
    }
    update.run({ ...columns, id });
  }

  /**
   * After a crash, jobs that were uploading go back to waiting with every fact kept: the
   * uploader then asks the server where they stand instead of starting over.
   */
  recoverInterrupted(): number {
    return this.db
      .prepare(`UPDATE jobs SET state = 'waiting', updated_at = ? WHERE state = 'uploading'`)
      .run(this.#now()).changes;
  }

  delete(ids: readonly number[]): number {
    const statement = this.db.prepare('DELETE FROM jobs WHERE id = ?');
    return this.db.transaction(() => ids.reduce((sum, id) => sum + statement.run(id).changes, 0))();
  }
}
