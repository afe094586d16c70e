import type {
  JobProblem,
  JobState,
  NextStep,
  ProblemKind,
  TaskTarget,
} from '../../../preload/shared/contract.ts';

/** The queue's rows both ways: the `jobs` table's columns and the engine's `JobRow`. */

export type UploadProtocol = 'post' | 'session';

/** A queued file: the facts docs/upload-rules.md rule 2 writes ahead, enough to resume after any crash. */
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
  /** When the request that may have completed the attachment was sent (docs/upload-rules.md rule 4). */
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

/** A row of the `jobs` table, as SQLite answers it. */
export interface JobRecord {
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

export type Columns = Partial<Omit<JobRecord, 'id'>>;

export function toRow(record: JobRecord): JobRow {
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

export function targetColumns(target: TaskTarget): Columns {
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

export function toColumns(facts: JobFacts): Columns {
  const columns: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(factColumns)) {
    const value = facts[key as keyof typeof factColumns];
    if (value !== undefined) columns[column] = value;
  }
  if (facts.target !== undefined) Object.assign(columns, targetColumns(facts.target));
  if (facts.problem !== undefined) Object.assign(columns, problemColumns(facts.problem));
  return columns as Columns;
}
