import Database from 'better-sqlite3';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { backupPath, damagedQueue, queueFileErrorOf, queuePath } from './queue-file.ts';
import { migrate } from './schema.ts';

export class DataDirInUseError extends Error {
  readonly dataDir: string;

  constructor(dataDir: string, holder: string | null) {
    super(
      `Another taskdrop${holder === null ? '' : ` (${holder})`} is already using ${dataDir}. ` +
        'Close it first, or use another --data-dir.',
    );
    this.name = 'DataDirInUseError';
    this.dataDir = dataDir;
  }
}

const ownerFile = (dataDir: string): string => join(dataDir, 'queue.owner');

/** How long a start waits for the lock: another taskdrop may be closing. */
const busyTimeoutMs = 200;
/** When queue.owner names a process that is gone: the lock's holder is starting or dying. */
const staleOwnerTimeoutMs = 3_000;

/** The data folder and its files are the user's alone: paths, titles and upload URLs. */
const privateDirMode = 0o700;
const privateFileMode = 0o600;

/**
 * Opens the queue database of a data folder and takes it for this process alone. The lock is
 * SQLite's own exclusive lock, held for the life of the connection: the OS drops it when the
 * process dies, even by SIGKILL, so a crash never leaves a stale lock behind.
 *
 * A queue that exists but cannot be read is never replaced (docs/security.md §3): a
 * QueueFileError says which file and what to do. So does a folder that cannot be written.
 */
export function openQueueDatabase(dataDir: string): Database.Database {
  try {
    return openChecked(dataDir);
  } catch (error) {
    throw queueFileErrorOf(error, dataDir) ?? error;
  }
}

function openChecked(dataDir: string): Database.Database {
  makePrivateDir(dataDir);
  const path = queuePath(dataDir);
  const existed = existsSync(path);
  // SQLite takes an empty file for a new database: a queue cut to 0 bytes would silently be
  // an empty one. A new queue is never left empty (it is migrated at once), so 0 is damage.
  if (existed && statSync(path).size === 0) throw damagedQueue(dataDir, 'it is empty: 0 bytes');
  let db = lock(dataDir, busyTimeoutMs);
  if (db === null && ownerIsGone(dataDir)) db = lock(dataDir, staleOwnerTimeoutMs);
  // A name that is gone would send the person looking for a process that is not there.
  if (db === null)
    throw new DataDirInUseError(dataDir, ownerIsGone(dataDir) ? null : readOwner(dataDir));
  try {
    // Written as soon as the lock is held, before anything slow: never a stale name for it.
    writeOwner(dataDir);
    if (existed) checkIntegrity(db, dataDir);
    migrate(db);
    makePrivateFiles(dataDir);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** The exclusive lock on the queue, or null while another process holds it. */
function lock(dataDir: string, timeout: number): Database.Database | null {
  const db = new Database(queuePath(dataDir), { timeout });
  try {
    // Readable by nobody else from its first byte: SQLite gives its WAL file the same mode.
    if (process.platform !== 'win32') chmodSync(queuePath(dataDir), privateFileMode);
    // Exclusive before WAL: the WAL index then lives in this process's memory, no -shm file.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    // NORMAL survives a crash of the process; JobStore asks for FULL (fsync) on the few writes
    // that must also survive a power cut (see JobStore.#durably).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
    return db;
  } catch (error) {
    db.close();
    if (isBusy(error)) return null;
    throw error;
  }
}

/** A queue with damaged pages fails here, before any of it is used or backed up. */
function checkIntegrity(db: Database.Database, dataDir: string): void {
  const rows = db.pragma('quick_check') as { quick_check: string }[];
  const problems = rows.map((row) => row.quick_check).filter((text) => text !== 'ok');
  if (problems.length > 0) throw damagedQueue(dataDir, problems.slice(0, 3).join('; '));
}

/**
 * Keeps a copy of the queue as it is now beside it (SQLite's online backup), replacing the
 * previous copy only once the new one is whole. Called at start and daily; the copy is what
 * a damaged queue's message offers to restore.
 */
export async function backUpQueue(db: Database.Database, dataDir: string): Promise<void> {
  const target = backupPath(dataDir);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  try {
    await db.backup(partial);
    if (process.platform !== 'win32') chmodSync(partial, privateFileMode);
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

const backupIntervalMs = 24 * 60 * 60 * 1000;

export interface QueueBackups {
  /** Ends the daily backups, once the one under way (if any) is done. */
  stop(): Promise<void>;
}

/** Backs the queue up now and then daily while it is open; a failure is passed to `failed`. */
export function keepBackups(
  db: Database.Database,
  dataDir: string,
  failed: (error: unknown) => void,
): QueueBackups {
  let running: Promise<void> = Promise.resolve();
  const backUp = (): void => {
    running = running.then(() => backUpQueue(db, dataDir)).catch(failed);
  };
  backUp();
  const timer = setInterval(backUp, backupIntervalMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      return running;
    },
  };
}

function makePrivateDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: privateDirMode });
  // A folder made before (by an older version, or by hand) is tightened too.
  if (process.platform !== 'win32' && (statSync(dataDir).mode & 0o077) !== 0) {
    chmodSync(dataDir, privateDirMode);
  }
}

function makePrivateFiles(dataDir: string): void {
  if (process.platform === 'win32') return;
  const path = queuePath(dataDir);
  for (const file of [`${path}-wal`, backupPath(dataDir), ownerFile(dataDir)]) {
    if (existsSync(file)) chmodSync(file, privateFileMode);
  }
}

function isBusy(error: unknown): boolean {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_BUSY');
}

function writeOwner(dataDir: string): void {
  writeFileSync(ownerFile(dataDir), `pid ${process.pid}`, { mode: privateFileMode });
}

function readOwner(dataDir: string): string | null {
  try {
    return readFileSync(ownerFile(dataDir), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** Whether queue.owner names a process that no longer runs (on this machine). */
function ownerIsGone(dataDir: string): boolean {
  const pid = Number(/^pid (\d+)$/.exec(readOwner(dataDir) ?? '')?.[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'ESRCH';
  }
}
