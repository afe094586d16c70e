import type { Database } from 'better-sqlite3';

/**
 * Versioned migrations, applied in order inside one transaction each; `user_version` records
 * how far a database has come. Append, never edit, once a version has shipped.
 */
const migrations: readonly string[] = [
  `CREATE TABLE jobs (
     id INTEGER PRIMARY KEY,
     state TEXT NOT NULL,
     source_path TEXT NOT NULL,
     file_name TEXT NOT NULL,
     content_type TEXT NOT NULL,
     size INTEGER NOT NULL,
     mtime_ms INTEGER NOT NULL,
     sha256 TEXT,
     account_id TEXT NOT NULL,
     list_id TEXT NOT NULL,
     task_id TEXT NOT NULL,
     list_name TEXT NOT NULL,
     task_title TEXT NOT NULL,
     protocol TEXT,
     upload_url TEXT,
     upload_expires_at INTEGER,
     acked_offset INTEGER NOT NULL DEFAULT 0,
     final_sent_at INTEGER,
     attempts INTEGER NOT NULL DEFAULT 0,
     failures_in_a_row INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER,
     error_kind TEXT,
     error_message TEXT,
     error_next_step TEXT,
     error_code TEXT,
     error_status INTEGER,
     error_request_id TEXT,
     error_at INTEGER,
     attachment_id TEXT,
     origin TEXT NOT NULL DEFAULT 'manual',
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     finished_at INTEGER
   );
   CREATE INDEX jobs_by_state ON jobs (state, next_attempt_at, id);
   CREATE INDEX jobs_by_file ON jobs (source_path, task_id);`,
  `CREATE TABLE recent_targets (
     account_id TEXT NOT NULL,
     list_id TEXT NOT NULL,
     task_id TEXT NOT NULL,
     list_name TEXT NOT NULL,
     task_title TEXT NOT NULL,
     used_at INTEGER NOT NULL,
     PRIMARY KEY (account_id, task_id)
   );
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // Watched folders, and per folder the state of each file: what makes each go exactly once.
  `CREATE TABLE watched_folders (
     id INTEGER PRIMARY KEY,
     path TEXT NOT NULL UNIQUE,
     account_id TEXT NOT NULL,
     list_id TEXT NOT NULL,
     task_id TEXT NOT NULL,
     list_name TEXT NOT NULL,
     task_title TEXT NOT NULL,
     include_patterns TEXT NOT NULL DEFAULT '[]',
     exclude_patterns TEXT NOT NULL DEFAULT '[]',
     recursive INTEGER NOT NULL DEFAULT 0,
     after_upload TEXT NOT NULL DEFAULT 'keep',
     move_to TEXT NOT NULL DEFAULT 'uploaded',
     poll INTEGER NOT NULL DEFAULT 0,
     paused INTEGER NOT NULL DEFAULT 0,
     skip_attached_content INTEGER NOT NULL DEFAULT 1,
     last_error TEXT,
     last_error_at INTEGER,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE watched_files (
     folder_id INTEGER NOT NULL REFERENCES watched_folders (id) ON DELETE CASCADE,
     path TEXT NOT NULL,
     size INTEGER NOT NULL,
     mtime_ms INTEGER NOT NULL,
     sha256 TEXT NOT NULL,
     task_id TEXT NOT NULL,
     job_id INTEGER,
     status TEXT NOT NULL,
     note TEXT,
     moved_to TEXT,
     seen_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (folder_id, path)
   );
   CREATE INDEX watched_files_by_content ON watched_files (folder_id, sha256);
   CREATE INDEX watched_files_by_task ON watched_files (task_id, sha256);
   CREATE INDEX watched_files_by_job ON watched_files (job_id);
   CREATE INDEX jobs_by_content ON jobs (task_id, sha256);`,
  // The identity of the file the sent bytes came from (docs/upload-rules.md rule 8): a resumed
  // upload compares it, as a rewrite that keeps size and mtime still changes these.
  `ALTER TABLE jobs ADD COLUMN file_ino INTEGER;
   ALTER TABLE jobs ADD COLUMN file_ctime_ms REAL;`,
  // What the engine (or `taskdrop doctor --live`) learned about each account's service, so it
  // stops making calls that cannot work there (docs/upload-rules.md rule 11; service-knowledge.ts).
  `CREATE TABLE service_facts (
     account_id TEXT NOT NULL,
     fact TEXT NOT NULL,
     value TEXT NOT NULL,
     source TEXT NOT NULL,
     learned_at INTEGER NOT NULL,
     PRIMARY KEY (account_id, fact)
   );`,
];

export const schemaVersion = migrations.length;

export function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > schemaVersion) {
    throw new Error(
      `this queue was written by a newer taskdrop (schema ${current}, this one knows ${schemaVersion}); update taskdrop`,
    );
  }
  for (let version = current; version < schemaVersion; version += 1) {
    db.transaction(() => {
      db.exec(migrations[version] ?? '');
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
