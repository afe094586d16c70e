import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * Opens the queue database of a data folder and takes it for this process alone. The lock is
 * SQLite's own exclusive lock, held for the life of the connection: the OS drops it when the
 * process dies, even by SIGKILL, so a crash never leaves a stale lock behind.
 */
export function openQueueDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'queue.sqlite3'), { timeout: 200 });
  try {
    // Exclusive before WAL: the WAL index then lives in this process's memory, no -shm file.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    // NORMAL survives a crash of the process; JobStore asks for FULL (fsync) on the few writes
    // that must also survive a power cut (see JobStore.#durably).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
  } catch (error) {
    db.close();
    if (isBusy(error)) throw new DataDirInUseError(dataDir, readOwner(dataDir));
    throw error;
  }
  migrate(db);
  writeFileSync(ownerFile(dataDir), `pid ${process.pid}`);
  return db;
}

function isBusy(error: unknown): boolean {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_BUSY');
}

function readOwner(dataDir: string): string | null {
  try {
    return readFileSync(ownerFile(dataDir), 'utf8').trim() || null;
  } catch {
    return null;
  }
}
