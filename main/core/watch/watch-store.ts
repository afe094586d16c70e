import type { Database, Statement } from 'better-sqlite3';
import type {
  AfterUploadAction,
  JobState,
  WatchedFolderSettings,
} from '../../../preload/shared/contract.ts';
import { standingStates } from '../../../preload/shared/job-states.ts';
import type { FileStamp } from '../files/file-reader.ts';
import { targetColumns } from '../queue/job-rows.ts';
import { sqlStates } from '../queue/states.ts';

/** A watched folder as stored: its settings, and what the person should know went wrong. */
export interface WatchedFolder extends WatchedFolderSettings {
  id: number;
  createdAt: number;
  lastError: string | null;
  lastErrorAt: number | null;
}

/**
 * Where a file of a watched folder stands. `queued` has a job not finished; `done` is attached
 * with its after-upload action still to do; `kept`, `moved`, `deleted` are attached and
 * finished with; `failed` (refused too) and `removed` (its job taken out of the queue) were
 * not attached and are never touched; `skipped` had its content attached already.
 */
export const fileStatuses = [
  'queued',
  'done',
  'kept',
  'moved',
  'deleted',
  'failed',
  'refused',
  'removed',
  'skipped',
] as const;
export type FileStatus = (typeof fileStatuses)[number];

/** One file of a watched folder: what makes every file go exactly once. */
export interface WatchedFile {
  folderId: number;
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  /** The task its content went (or goes) to. */
  taskId: string;
  jobId: number | null;
  status: FileStatus;
  note: string | null;
  movedTo: string | null;
}

/** A file with the state of its job, when it has one still in the queue. */
export interface WatchedFileWithJob extends WatchedFile {
  jobState: JobState | null;
  jobProblem: string | null;
}

interface FolderRecord {
  id: number;
  path: string;
  account_id: string;
  list_id: string;
  task_id: string;
  list_name: string;
  task_title: string;
  include_patterns: string;
  exclude_patterns: string;
  recursive: number;
  after_upload: string;
  move_to: string;
  poll: number;
  paused: number;
  skip_attached_content: number;
  last_error: string | null;
  last_error_at: number | null;
  created_at: number;
}

interface FileRecord {
  folder_id: number;
  path: string;
  size: number;
  mtime_ms: number;
  sha256: string;
  task_id: string;
  job_id: number | null;
  status: string;
  note: string | null;
  moved_to: string | null;
}

const folderOf = (r: FolderRecord): WatchedFolder => ({
  id: r.id,
  path: r.path,
  target: {
    accountId: r.account_id,
    listId: r.list_id,
    taskId: r.task_id,
    listName: r.list_name,
    taskTitle: r.task_title,
  },
  include: JSON.parse(r.include_patterns) as string[],
  exclude: JSON.parse(r.exclude_patterns) as string[],
  recursive: r.recursive === 1,
  afterUpload: r.after_upload as AfterUploadAction,
  moveTo: r.move_to,
  poll: r.poll === 1,
  paused: r.paused === 1,
  skipAttachedContent: r.skip_attached_content === 1,
  createdAt: r.created_at,
  lastError: r.last_error,
  lastErrorAt: r.last_error_at,
});

const fileOf = (r: FileRecord): WatchedFile => ({
  folderId: r.folder_id,
  path: r.path,
  size: r.size,
  mtimeMs: r.mtime_ms,
  sha256: r.sha256,
  taskId: r.task_id,
  jobId: r.job_id,
  status: r.status as FileStatus,
  note: r.note,
  movedTo: r.moved_to,
});

function settingsColumns(settings: Omit<WatchedFolderSettings, 'path'>): Record<string, unknown> {
  return {
    ...targetColumns(settings.target),
    include_patterns: JSON.stringify(settings.include),
    exclude_patterns: JSON.stringify(settings.exclude),
    recursive: settings.recursive ? 1 : 0,
    after_upload: settings.afterUpload,
    move_to: settings.moveTo,
    poll: settings.poll ? 1 : 0,
    paused: settings.paused ? 1 : 0,
    skip_attached_content: settings.skipAttachedContent ? 1 : 0,
  };
}

const liveJobStates = sqlStates(standingStates);
const attachedOrComing = `'queued', 'done', 'kept', 'moved', 'deleted'`;

/**
 * Watched folders and the state of each of their files, in the queue's database. It reads the
 * `jobs` table too (never writes it): a file's fate is its job's, and both live in one file.
 */
export class WatchStore {
  readonly #db: Database;
  readonly #now: () => number;
  readonly #fileAt: Statement<[number, string], FileRecord>;
  readonly #upsert: Statement<Record<string, unknown>>;
  /** Prepared once each: a burst runs the same few statements thousands of times. */
  readonly #statements = new Map<string, Statement<unknown[]>>();

  constructor(db: Database, now: () => number) {
    this.#db = db;
    this.#now = now;
    this.#fileAt = db.prepare('SELECT * FROM watched_files WHERE folder_id = ? AND path = ?');
    this.#upsert = db.prepare(
      `INSERT INTO watched_files (folder_id, path, size, mtime_ms, sha256, task_id, job_id,
         status, note, moved_to, seen_at, updated_at)
       VALUES (@folder_id, @path, @size, @mtime_ms, @sha256, @task_id, @job_id, @status, @note,
         NULL, @now, @now)
       ON CONFLICT (folder_id, path) DO UPDATE SET size = excluded.size,
         mtime_ms = excluded.mtime_ms, sha256 = excluded.sha256, task_id = excluded.task_id,
         job_id = excluded.job_id, status = excluded.status, note = excluded.note,
         moved_to = NULL, updated_at = excluded.updated_at`,
    );
  }

  folders(): WatchedFolder[] {
    return this.#sql<[], FolderRecord>('SELECT * FROM watched_folders ORDER BY id')
      .all()
      .map(folderOf);
  }

  folder(id: number): WatchedFolder | undefined {
    const record = this.#sql<[number], FolderRecord>(
      'SELECT * FROM watched_folders WHERE id = ?',
    ).get(id);
    return record === undefined ? undefined : folderOf(record);
  }

  addFolder(settings: WatchedFolderSettings): WatchedFolder {
    const now = this.#now();
    const { lastInsertRowid } = this.#sql(
      `INSERT INTO watched_folders (path, account_id, list_id, task_id, list_name, task_title,
           include_patterns, exclude_patterns, recursive, after_upload, move_to, poll, paused,
           skip_attached_content, created_at, updated_at)
         VALUES (@path, @account_id, @list_id, @task_id, @list_name, @task_title,
           @include_patterns, @exclude_patterns, @recursive, @after_upload, @move_to, @poll,
           @paused, @skip_attached_content, @now, @now)`,
    ).run({ path: settings.path, now, ...settingsColumns(settings) });
    return this.#require(Number(lastInsertRowid));
  }

  updateFolder(id: number, settings: Omit<WatchedFolderSettings, 'path'>): WatchedFolder {
    const columns = settingsColumns(settings);
    const assignments = Object.keys(columns).map((name) => `${name} = @${name}`);
    this.#sql(
      `UPDATE watched_folders SET ${assignments.join(', ')}, updated_at = @now WHERE id = @id`,
    ).run({ ...columns, id, now: this.#now() });
    return this.#require(id);
  }

  /** Its file states go with it (ON DELETE CASCADE); its jobs stay in the queue. */
  removeFolder(id: number): boolean {
    return this.#sql('DELETE FROM watched_folders WHERE id = ?').run(id).changes > 0;
  }

  setLastError(id: number, message: string | null): void {
    this.#sql('UPDATE watched_folders SET last_error = ?, last_error_at = ? WHERE id = ?').run(
      message,
      message === null ? null : this.#now(),
      id,
    );
  }

  #require(id: number): WatchedFolder {
    const folder = this.folder(id);
    if (folder === undefined) throw new RangeError(`no watched folder ${id}`);
    return folder;
  }

  file(folderId: number, path: string): WatchedFile | undefined {
    const record = this.#fileAt.get(folderId, path);
    return record === undefined ? undefined : fileOf(record);
  }

  /** The paths the folder has a record of. */
  recordedPaths(folderId: number): Set<string> {
    const rows = this.#sql<[number], { path: string }>(
      'SELECT path FROM watched_files WHERE folder_id = ?',
    ).all(folderId);
    return new Set(rows.map((row) => row.path));
  }

  /** Writes a file's state whole; call inside the enqueue transaction when it has a new job. */
  putFile(file: Omit<WatchedFile, 'movedTo'>): void {
    this.#upsert.run({
      folder_id: file.folderId,
      path: file.path,
      size: file.size,
      mtime_ms: file.mtimeMs,
      sha256: file.sha256,
      task_id: file.taskId,
      job_id: file.jobId,
      status: file.status,
      note: file.note,
      now: this.#now(),
    });
  }

  /** The same content under a new name: the record follows the file. */
  renameFile(folderId: number, from: string, to: string, stamp: FileStamp): void {
    this.#db.transaction(() => {
      this.#sql('DELETE FROM watched_files WHERE folder_id = ? AND path = ?').run(folderId, to);
      this.#sql(
        `UPDATE watched_files SET path = ?, size = ?, mtime_ms = ?, updated_at = ?
           WHERE folder_id = ? AND path = ?`,
      ).run(to, stamp.size, stamp.mtimeMs, this.#now(), folderId, from);
    })();
  }

  /** Same content, touched: the new size and mtime are the ones known from now on. */
  restamp(folderId: number, path: string, stamp: FileStamp): void {
    this.#sql(
      'UPDATE watched_files SET size = ?, mtime_ms = ?, updated_at = ? WHERE folder_id = ? AND path = ?',
    ).run(stamp.size, stamp.mtimeMs, this.#now(), folderId, path);
  }

  /**
   * A file's new status, with a note (null clears it) and where it was moved. `forgetJob`:
   * its job left the queue, and SQLite may give that id to another job later.
   */
  setStatus(
    folderId: number,
    path: string,
    status: FileStatus,
    extra: { note?: string | null; movedTo?: string; forgetJob?: boolean } = {},
  ): void {
    this.#sql(
      `UPDATE watched_files SET status = @status, note = @note,
           moved_to = COALESCE(@moved_to, moved_to),
           job_id = CASE WHEN @forget_job = 1 THEN NULL ELSE job_id END, updated_at = @now
         WHERE folder_id = @folder_id AND path = @path`,
    ).run({
      status,
      note: extra.note ?? null,
      moved_to: extra.movedTo ?? null,
      forget_job: extra.forgetJob === true ? 1 : 0,
      now: this.#now(),
      folder_id: folderId,
      path,
    });
  }

  /** The files of each of these jobs, in one statement (a burst changes thousands at once). */
  filesOfJobs(jobIds: readonly number[]): WatchedFile[] {
    if (jobIds.length === 0) return [];
    return this.#sql<[string], FileRecord>(
      'SELECT * FROM watched_files WHERE job_id IN (SELECT value FROM json_each(?))',
    )
      .all(JSON.stringify(jobIds))
      .map(fileOf);
  }

  /** Files of the folder with this content whose content went (or goes) to its task. */
  sameContent(folderId: number, sha256: string): WatchedFile[] {
    return this.#sql<[number, string], FileRecord>(
      `SELECT * FROM watched_files WHERE folder_id = ? AND sha256 = ?
           AND status IN ('queued', 'done', 'kept')`,
    )
      .all(folderId, sha256)
      .map(fileOf);
  }

  /**
   * For each of these contents that a job attached (or is about to attach) to this task, from
   * any watched folder or from the queue itself (a dropped file, once its upload hashed it):
   * that job, by content. One look for a whole batch of files.
   */
  contentOnTask(taskId: string, sha256s: readonly string[]): Map<string, { jobId: number | null }> {
    const found = new Map<string, { jobId: number | null }>();
    if (sha256s.length === 0) return found;
    const wanted = JSON.stringify([...new Set(sha256s)]);
    const watched = this.#sql<[string, string], { sha256: string; job_id: number | null }>(
      `SELECT sha256, job_id FROM watched_files
         WHERE task_id = ? AND sha256 IN (SELECT value FROM json_each(?))
           AND status IN (${attachedOrComing})`,
    ).all(taskId, wanted);
    for (const row of watched) {
      if (!found.has(row.sha256)) found.set(row.sha256, { jobId: row.job_id });
    }
    const queued = this.#sql<[string, string], { sha256: string; id: number }>(
      `SELECT sha256, MIN(id) AS id FROM jobs
         WHERE task_id = ? AND sha256 IN (SELECT value FROM json_each(?))
           AND state IN (${liveJobStates})
         GROUP BY sha256`,
    ).all(taskId, wanted);
    for (const row of queued) {
      if (!found.has(row.sha256)) found.set(row.sha256, { jobId: row.id });
    }
    return found;
  }

  /** Files whose job may have moved on while nobody watched, with their job's state. */
  unsettled(folderId: number): WatchedFileWithJob[] {
    return this.#sql<
      [number],
      FileRecord & { job_state: string | null; job_problem: string | null }
    >(
      `SELECT f.*, j.state AS job_state, j.error_message AS job_problem
         FROM watched_files f LEFT JOIN jobs j ON j.id = f.job_id
         WHERE f.folder_id = ? AND f.status IN ('queued', 'failed', 'done')`,
    )
      .all(folderId)
      .map((record) => ({
        ...fileOf(record),
        jobState: record.job_state as JobState | null,
        jobProblem: record.job_problem,
      }));
  }

  counts(folderId: number): Record<FileStatus, number> {
    const counts = Object.fromEntries(fileStatuses.map((status) => [status, 0])) as Record<
      FileStatus,
      number
    >;
    const rows = this.#sql<[number], { status: string; n: number }>(
      'SELECT status, COUNT(*) AS n FROM watched_files WHERE folder_id = ? GROUP BY status',
    ).all(folderId);
    for (const row of rows) counts[row.status as FileStatus] = row.n;
    return counts;
  }

  #sql<P extends unknown[] | object = unknown[], R = unknown>(
    source: string,
  ): P extends unknown[] ? Statement<P, R> : Statement<[P], R> {
    let statement = this.#statements.get(source);
    if (statement === undefined) {
      statement = this.#db.prepare(source);
      this.#statements.set(source, statement);
    }
    return statement as unknown as P extends unknown[] ? Statement<P, R> : Statement<[P], R>;
  }
}
