/**
 * The queue file's troubles in plain words (docs/security.md §3): which file, what is wrong
 * with it, and the exact commands that restore the backup or start afresh. An existing queue
 * that cannot be read is never replaced by an empty one.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const queueFileName = 'queue.sqlite3';
export const backupFileName = 'queue.backup.sqlite3';

export const queuePath = (dataDir: string): string => join(dataDir, queueFileName);
export const backupPath = (dataDir: string): string => join(dataDir, backupFileName);

export type QueueFileProblem = 'damaged' | 'unwritable' | 'full';

export class QueueFileError extends Error {
  readonly problem: QueueFileProblem;
  readonly path: string;

  constructor(problem: QueueFileProblem, path: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'QueueFileError';
    this.problem = problem;
    this.path = path;
  }
}

/** SQLite's error code (SQLITE_FULL, SQLITE_NOTADB...) or the OS's (ENOSPC, EACCES...). */
export function errorCodeOf(error: unknown): string {
  return error instanceof Error && 'code' in error ? String(error.code) : '';
}

const damagedCodes = /^SQLITE_(?:NOTADB|CORRUPT)/;
const fullCodes = /^(?:SQLITE_FULL|ENOSPC|EDQUOT|EFBIG)/;
/** Whether a failure is the disk (or the person's quota) having no room left. */
export const isDiskFull = (error: unknown): boolean => fullCodes.test(errorCodeOf(error));
const unwritableCodes = /^(?:SQLITE_(?:READONLY|CANTOPEN|PERM|AUTH|IOERR)|EACCES|EPERM|EROFS)/;

/** The QueueFileError a failure to open or write the queue of `dataDir` is, or null. */
export function queueFileErrorOf(error: unknown, dataDir: string): QueueFileError | null {
  if (error instanceof QueueFileError) return error;
  const code = errorCodeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (damagedCodes.test(code)) return damagedQueue(dataDir, detail, error);
  if (isDiskFull(error)) {
    return new QueueFileError(
      'full',
      queuePath(dataDir),
      `The disk holding ${dataDir} is full, so the queue could not be saved; it is as it was ` +
        'before this change. Free some space, then try again.',
      error,
    );
  }
  if (unwritableCodes.test(code)) {
    return new QueueFileError(
      'unwritable',
      queuePath(dataDir),
      `taskdrop cannot write its queue in ${dataDir} (${detail}); nothing was changed. Check that ` +
        'the folder and queue.sqlite3 belong to you and are writable, or choose another --data-dir.',
      error,
    );
  }
  return null;
}

/** A queue file that is not a readable queue: what happened, and the way back. */
export function damagedQueue(dataDir: string, detail: string, cause?: unknown): QueueFileError {
  const path = queuePath(dataDir);
  const aside = join(dataDir, `queue.damaged-${stamp(new Date())}.sqlite3`);
  const wal = `${path}-wal`;
  const moveAside = [move(path, aside), ...(existsSync(wal) ? [move(wal, `${aside}-wal`)] : [])];
  const backup = backupPath(dataDir);
  const lines = [
    `The queue file ${path} is damaged (${detail}). taskdrop left it as it is and did not start ` +
      'with an empty queue.',
  ];
  if (existsSync(backup)) {
    const when = statSync(backup).mtime.toISOString().slice(0, 16).replace('T', ' ');
    lines.push(
      `To go back to the backup of ${when} UTC (the queue as it was then: look at "taskdrop ` +
        'queue" before uploading, a file attached since then shows as queued again):',
      `  ${[...moveAside, copy(backup, path)].join(' && ')}`,
    );
  } else {
    lines.push('There is no backup of it yet.');
  }
  lines.push(
    'To start with an empty queue instead, keeping the damaged file:',
    `  ${moveAside.join(' && ')}`,
  );
  return new QueueFileError('damaged', path, lines.join('\n'), cause);
}

/** 2026-12-03T07-40-05Z: sorts by time, and is a valid file name everywhere. */
function stamp(date: Date): string {
  return date.toISOString().slice(0, 19).replaceAll(':', '-') + 'Z';
}

function quote(path: string): string {
  return process.platform === 'win32' ? `"${path}"` : `'${path.replaceAll("'", `'\\''`)}'`;
}

function move(from: string, to: string): string {
  return `${process.platform === 'win32' ? 'move' : 'mv'} ${quote(from)} ${quote(to)}`;
}

function copy(from: string, to: string): string {
  return `${process.platform === 'win32' ? 'copy' : 'cp'} ${quote(from)} ${quote(to)}`;
}
