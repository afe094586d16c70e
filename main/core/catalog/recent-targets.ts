import type { Database } from 'better-sqlite3';
import type { TaskTarget } from '../../../preload/shared/contract.ts';

const kept = 12;

interface TargetRecord {
  account_id: string;
  list_id: string;
  task_id: string;
  list_name: string;
  task_title: string;
}

/** The tasks files went to lately, newest first: the picker shows them before anything else. */
export class RecentTargets {
  readonly #db: Database;
  readonly #now: () => number;

  constructor(db: Database, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  list(): TaskTarget[] {
    return this.#db
      .prepare<[number], TargetRecord>(
        'SELECT * FROM recent_targets ORDER BY used_at DESC, rowid DESC LIMIT ?',
      )
      .all(kept)
      .map((record) => ({
        accountId: record.account_id,
        listId: record.list_id,
        taskId: record.task_id,
        listName: record.list_name,
        taskTitle: record.task_title,
      }));
  }

  use(target: TaskTarget): void {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO recent_targets (account_id, list_id, task_id, list_name, task_title, used_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (account_id, task_id) DO UPDATE SET list_id = excluded.list_id,
             list_name = excluded.list_name, task_title = excluded.task_title,
             used_at = excluded.used_at`,
        )
        .run(
          target.accountId,
          target.listId,
          target.taskId,
          target.listName,
          target.taskTitle,
          this.#now(),
        );
      this.#db
        .prepare(
          `DELETE FROM recent_targets WHERE rowid NOT IN
             (SELECT rowid FROM recent_targets ORDER BY used_at DESC LIMIT ?)`,
        )
        .run(kept);
    })();
  }

  /** A task that no longer exists leaves the list. */
  forget(accountId: string, taskId: string): void {
    this.#db
      .prepare('DELETE FROM recent_targets WHERE account_id = ? AND task_id = ?')
      .run(accountId, taskId);
  }
}
