import type { Database, Statement } from 'better-sqlite3';
import type {
  JobProblem,
  JobSelection,
  JobState,
  NextStep,
  ProblemKind,
  TaskTarget,
} from '../../../preload/contract.ts';
import { QueueRoom } from './queue-room.ts';
import { canTransition, IllegalTransitionError, runnableStates } from './states.ts';

export type UploadProtocol = 'post' | 'session';

/** A queued file: the facts BRIEF §4 asks for, enough to resume after any crash. */
export interface JobRow {
  id: number;
  state: JobState;
  sourcePath: string;
  fileName: string;
  contentType: string;
  size: number;
  mtimeMs: number;
  /** Inode and change time of the file when its first byte was sent; null before. */
  fileIno: number | null;
  fileCtimeMs: number | null;
  sha256: string | null;
  target: TaskTarget;
  protocol: UploadProtocol | null;
  uploadUrl: string | null;
  uploadExpiresAt: number | null;
  ackedOffset: number;
  /** When the request that may have completed the attachment was sent (exactly-once, rule 4). */
  finalSentAt: number | null;
  attempts: number;
  failuresInARow: number;
  nextAttemptAt: number | null;
  problem: JobProblem | null;
  attachmentId: string | null;
  origin: string;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** A job that may start now, as the scheduler first sees it. */
export interface DueJob {
  id: number;
  accountId: string;
}

export interface NewJob {
  sourcePath: string;
  fileName: string;
  contentType: string;
  size: number;
  mtimeMs: number;
  /** The content's hash when the file was just read whole (a watched folder's), else null. */
  sha256?: string | null;
  target: TaskTarget;
  origin?: string;
}

/** The facts an upload step records; anything left out stays as it is. */
export type JobFacts = Partial<
  Pick<
    JobRow,
    | 'sha256'
    | 'size'
    | 'mtimeMs'
    | 'fileIno'
    | 'fileCtimeMs'
    | 'target'
    | 'protocol'
    | 'uploadUrl'
    | 'uploadExpiresAt'
    | 'ackedOffset'
    | 'finalSentAt'
    | 'attempts'
    | 'failuresInARow'
    | 'nextAttemptAt'
    | 'problem'
    | 'attachmentId'
  >
>;

interface JobRecord {
  id: number;
  state: string;
  source_path: string;
  file_name: string;
  content_type: string;
  size: number;
  mtime_ms: number;
  file_ino: number | null;
  file_ctime_ms: number | null;
  sha256: string | null;
  account_id: string;
  list_id: string;
  task_id: string;
  list_name: string;
  task_title: string;
  protocol: string | null;
  upload_url: string | null;
  upload_expires_at: number | null;
  acked_offset: number;
  final_sent_at: number | null;
  attempts: number;
  failures_in_a_row: number;
  next_attempt_at: number | null;
  error_kind: string | null;
  error_message: string | null;
  error_next_step: string | null;
  error_code: string | null;
  error_status: number | null;
  error_request_id: string | null;
  error_at: number | null;
  attachment_id: string | null;
  origin: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

type Columns = Partial<Omit<JobRecord, 'id'>>;

function toRow(record: JobRecord): JobRow {
  return {
    id: record.id,
    state: record.state as JobState,
    sourcePath: record.source_path,
    fileName: record.file_name,
    contentType: record.content_type,
    size: record.size,
    mtimeMs: record.mtime_ms,
    fileIno: record.file_ino,
    fileCtimeMs: record.file_ctime_ms,
    sha256: record.sha256,
    target: {
      accountId: record.account_id,
      listId: record.list_id,
      taskId: record.task_id,
      listName: record.list_name,
      taskTitle: record.task_title,
    },
    protocol: record.protocol as UploadProtocol | null,
    uploadUrl: record.upload_url,
    uploadExpiresAt: record.upload_expires_at,
    ackedOffset: record.acked_offset,
    finalSentAt: record.final_sent_at,
    attempts: record.attempts,
    failuresInARow: record.failures_in_a_row,
    nextAttemptAt: record.next_attempt_at,
    problem:
      record.error_kind === null
        ? null
        : {
            kind: record.error_kind as ProblemKind,
            message: record.error_message ?? '',
            nextStep: (record.error_next_step ?? 'none') as NextStep,
            graphCode: record.error_code,
            httpStatus: record.error_status,
            requestId: record.error_request_id,
            at: record.error_at ?? record.updated_at,
          },
    attachmentId: record.attachment_id,
    origin: record.origin,
    createdAt: record.created_at,
    updatedAt: record.updated_at,
    finishedAt: record.finished_at,
  };
}

function targetColumns(target: TaskTarget): Columns {
  return {
    account_id: target.accountId,
    list_id: target.listId,
    task_id: target.taskId,
    list_name: target.listName,
    task_title: target.taskTitle,
  };
}

function problemColumns(problem: JobProblem | null): Columns {
  return {
    error_kind: problem?.kind ?? null,
    error_message: problem?.message ?? null,
    error_next_step: problem?.nextStep ?? null,
    error_code: problem?.graphCode ?? null,
    error_status: problem?.httpStatus ?? null,
    error_request_id: problem?.requestId ?? null,
    error_at: problem?.at ?? null,
  };
}

const factColumns: Record<Exclude<keyof JobFacts, 'target' | 'problem'>, keyof JobRecord> = {
  sha256: 'sha256',
  size: 'size',
  mtimeMs: 'mtime_ms',
  fileIno: 'file_ino',
  fileCtimeMs: 'file_ctime_ms',
  protocol: 'protocol',
  uploadUrl: 'upload_url',
  uploadExpiresAt: 'upload_expires_at',
  ackedOffset: 'acked_offset',
  finalSentAt: 'final_sent_at',
  attempts: 'attempts',
  failuresInARow: 'failures_in_a_row',
  nextAttemptAt: 'next_attempt_at',
  attachmentId: 'attachment_id',
};

function toColumns(facts: JobFacts): Columns {
  const columns: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(factColumns)) {
    const value = facts[key as keyof typeof factColumns];
    if (value !== undefined) columns[column] = value;
  }
  if (facts.target !== undefined) Object.assign(columns, targetColumns(facts.target));
  if (facts.problem !== undefined) Object.assign(columns, problemColumns(facts.problem));
  return columns as Columns;
}

const terminalStates: readonly JobState[] = ['done', 'failed', 'cancelled'];

/** Facts that exactly-once rests on: they must survive a power cut, not only a crash. */
function mustLast(facts: JobFacts): boolean {
  return facts.finalSentAt !== undefined && facts.finalSentAt !== null;
}

const runNow = <T>(work: () => T): T => work();
const duplicateStates: readonly JobState[] = [
  'waiting',
  'uploading',
  'retrying',
  'paused',
  'needs-sign-in',
  'done',
];

export interface StateCount {
  state: JobState;
  jobs: number;
  bytes: number;
  ackedBytes: number;
}

/**
 * The upload queue in SQLite. Every method is one transaction; a state change is checked
 * against the transition table in the same transaction that writes it.
 */
export class JobStore {
  readonly #db: Database;
  readonly #now: () => number;
  readonly #byId: Statement<[number], JobRecord>;
  readonly #insert: Statement<Record<string, unknown>>;
  readonly #due: Statement<[number, number], { id: number; account_id: string }>;
  // Prepared once: one runs per batch of files on enqueue, the other on every event flush.
  readonly #sameFiles: Statement<[string, string], JobRecord>;
  readonly #sameContent: Statement<[string, string], JobRecord>;
  readonly #countByState: Statement<[], StateCount>;
  /** An upload records the same few sets of columns over and over: each prepared once. */
  readonly #updates = new Map<string, Statement<Record<string, unknown>>>();
  /** What a write does when the disk is full; uploads wait for room (docs/upload-rules.md rule 2). */
  readonly #room: QueueRoom;

  constructor(db: Database, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
    this.#room = QueueRoom.of(db.name, now);
    this.#byId = db.prepare('SELECT * FROM jobs WHERE id = ?');
    const states = duplicateStates.map((state) => `'${state}'`).join(', ');
    // The paths come as one JSON array: one statement for any number of them.
    this.#sameFiles = db.prepare(
      `SELECT * FROM jobs WHERE task_id = ? AND source_path IN (SELECT value FROM json_each(?))
         AND state IN (${states}) ORDER BY id`,
    );
    this.#sameContent = db.prepare(
      `SELECT * FROM jobs WHERE task_id = ? AND sha256 IN (SELECT value FROM json_each(?))
         AND state IN (${states}) ORDER BY id`,
    );
    this.#countByState = db.prepare(
      `SELECT state, COUNT(*) AS jobs, COALESCE(SUM(size), 0) AS bytes,
         COALESCE(SUM(CASE WHEN state = 'done' THEN size ELSE acked_offset END), 0) AS ackedBytes
       FROM jobs GROUP BY state`,
    );
    const runnable = runnableStates.map((state) => `'${state}'`).join(', ');
    this.#due = db.prepare(
      `SELECT id, account_id FROM jobs WHERE state IN (${runnable})
         AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
       ORDER BY id LIMIT ?`,
    );
    this.#insert = db.prepare(
      `INSERT INTO jobs (state, source_path, file_name, content_type, size, mtime_ms, sha256,
         account_id, list_id, task_id, list_name, task_title, origin, created_at, updated_at)
       VALUES ('waiting', @source_path, @file_name, @content_type, @size, @mtime_ms, @sha256,
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
    if (this.#db.inTransaction) return work();
    this.#db.pragma('synchronous = FULL');
    try {
      return work();
    } finally {
      this.#db.pragma('synchronous = NORMAL');
    }
  }

  /**
   * Queues the jobs in one transaction with fsync; answers their ids, in order. (Reading the
   * rows back costs more than writing them: a burst of 10,000 needs only the ids.)
   */
  insertMany(jobs: readonly NewJob[]): number[] {
    const now = this.#now();
    return this.durably(() =>
      this.#db.transaction(() =>
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
    return this.#db.prepare<[], JobRecord>('SELECT * FROM jobs ORDER BY id').all().map(toRow);
  }

  select(selection: JobSelection): JobRow[] {
    if ('all' in selection) return this.all();
    return selection.ids.flatMap((id) => this.get(id) ?? []);
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
    return essential && !this.#db.inTransaction;
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
    return this.#db.transaction(() => {
      const current = this.require(id);
      if (!canTransition(current.state, to))
        throw new IllegalTransitionError(id, current.state, to);
      const now = this.#now();
      this.#write(id, {
        ...toColumns(facts),
        state: to,
        updated_at: now,
        finished_at: terminalStates.includes(to) ? now : null,
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

  #write(id: number, columns: Columns): void {
    const names = Object.keys(columns);
    if (names.length === 0) return;
    const assignments = names.map((name) => `${name} = @${name}`).join(', ');
    let update = this.#updates.get(assignments);
    if (update === undefined) {
      update = this.#db.prepare(`UPDATE jobs SET ${assignments} WHERE id = @id`);
      this.#updates.set(assignments, update);
    }
    update.run({ ...columns, id });
  }

  /**
   * Jobs the scheduler may start now, oldest first: their ids and accounts only, since most are
   * passed over while their account has no room (the rows of those it starts are read then).
   */
  due(now: number, limit: number): DueJob[] {
    if (!this.#room.hasRoom()) return [];
    return this.#due.all(now, limit).map((record) => ({
      id: record.id,
      accountId: record.account_id,
    }));
  }

  /** When the earliest retrying job becomes due, if any. */
  nextDueAt(): number | null {
    const row = this.#db
      .prepare<[], { at: number | null }>(
        `SELECT MIN(next_attempt_at) AS at FROM jobs WHERE state = 'retrying'`,
      )
      .get();
    const at = row?.at ?? null;
    // On a full disk, the next look at its space is when anything runnable may start.
    const roomAt = this.#room.nextCheckAt;
    if (roomAt === 0) return at;
    if (this.#due.all(this.#now(), 1).length > 0) return roomAt;
    return at === null ? null : Math.max(at, roomAt);
  }

  /**
   * After a crash, jobs that were uploading go back to waiting with every fact kept: the
   * uploader then asks the server where they stand instead of starting over.
   */
  recoverInterrupted(): number {
    return this.#db
      .prepare(`UPDATE jobs SET state = 'waiting', updated_at = ? WHERE state = 'uploading'`)
      .run(this.#now()).changes;
  }

  /** Ids of one account's jobs in the given states. */
  idsOfAccount(accountId: string, states: readonly JobState[]): number[] {
    const list = states.map((state) => `'${state}'`).join(', ');
    return this.#db
      .prepare<[string], { id: number }>(
        `SELECT id FROM jobs WHERE account_id = ? AND state IN (${list}) ORDER BY id`,
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
    return this.#db
      .prepare<[string], { upload_url: string }>(
        'SELECT upload_url FROM jobs WHERE task_id = ? AND upload_url IS NOT NULL',
      )
      .all(taskId)
      .map((row) => row.upload_url);
  }

  /** Attachment ids already claimed by jobs of this task (so reconciliation never takes one twice). */
  claimedAttachmentIds(taskId: string): Set<string> {
    const rows = this.#db
      .prepare<[string], { attachment_id: string }>(
        'SELECT attachment_id FROM jobs WHERE task_id = ? AND attachment_id IS NOT NULL',
      )
      .all(taskId);
    return new Set(rows.map((row) => row.attachment_id));
  }

  delete(ids: readonly number[]): number {
    const statement = this.#db.prepare('DELETE FROM jobs WHERE id = ?');
    return this.#db.transaction(() =>
      ids.reduce((sum, id) => sum + statement.run(id).changes, 0),
    )();
  }

  countByState(): StateCount[] {
    return this.#countByState.all();
  }
}
