import type { Database } from 'better-sqlite3';
import type {
  EnqueueRequest,
  EnqueueResult,
  Refusal,
  TaskTarget,
} from '../../../preload/shared/contract.ts';
import type { RecentTargets } from '../catalog/recent-targets.ts';
import { contentTypeFor } from '../files/content-type.ts';
import { inspectFile, inspectKnown, type FileCheck } from '../files/inspect-file.ts';
import type { Logger } from '../logging/logger.ts';
import { queueFileErrorOf } from '../queue/queue-file.ts';
import type { JobRow, JobStore, NewJob } from '../queue/job-store.ts';
import { forEachLimited } from '../watch/limited.ts';
import type { EnqueueOutcome, FoundFile } from '../watch/types.ts';
import type { Accounts } from './accounts.ts';
import { logEnqueued } from './engine-log.ts';
import type { CopiesRequest } from './engine-types.ts';
import type { JobFeed } from './job-feed.ts';

/** Files inspected at once while enqueueing: enough to hide disk latency, few enough for the OS. */
const inspectionConcurrency = 32;
/** The `origin` of jobs a watched folder queued; a person's drops are 'manual'. */
export const watchedOrigin = 'watched-folder';

/** How files become jobs: checked (docs/upload-rules.md rule 1), duplicates refused, queued. */
export interface JobIntake {
  /** A person's files, by path. */
  enqueue(request: EnqueueRequest): Promise<EnqueueResult>;
  /**
   * Copies made for the queue (a browser's drops, staged): a copy has no path of its own to be
   * known by, so the same content for the same task is what is refused as already there.
   */
  enqueueCopies(request: CopiesRequest): Promise<EnqueueResult>;
  /** A watched folder's files; `record` runs inside the transaction that inserts them. */
  enqueueWatched(
    files: readonly FoundFile[],
    target: TaskTarget,
    record: (outcomes: EnqueueOutcome[]) => void,
  ): Promise<void>;
}

export interface JobIntakeDeps {
  db: Database;
  dataDir: string;
  store: JobStore;
  recent: RecentTargets;
  accounts: Pick<Accounts, 'get'>;
  feed: Pick<JobFeed, 'view' | 'changed'>;
  /** New jobs are due: the scheduler looks. */
  pump: () => void;
  log: Logger;
}

/** A path to enqueue as it was given, what inspecting it found, and its hash when known. */
interface GivenFile {
  path: string;
  check: FileCheck;
  sha256: string | null;
}

export class QueueIntake implements JobIntake {
  readonly #deps: JobIntakeDeps;

  constructor(deps: JobIntakeDeps) {
    this.#deps = deps;
  }

  async enqueue(request: EnqueueRequest): Promise<EnqueueResult> {
    this.#deps.accounts.get(request.target.accountId);
    const paths = request.paths.map((path) => ({ path, sha256: null }));
    const given = await inspectAll(paths, ({ path }) => inspectFile(path));
    return this.#answer(this.#insert(given, request.target, 'manual'));
  }

  async enqueueCopies(request: CopiesRequest): Promise<EnqueueResult> {
    this.#deps.accounts.get(request.target.accountId);
    const given = await inspectAll(request.files, ({ path }) => inspectFile(path));
    return this.#answer(this.#insert(given, request.target, 'manual', { byContent: true }));
  }

  async enqueueWatched(
    files: readonly FoundFile[],
    target: TaskTarget,
    record: (outcomes: EnqueueOutcome[]) => void,
  ): Promise<void> {
    this.#insert(await inspectAll(files, inspectKnown), target, watchedOrigin, { record });
  }

  #answer({ ids, refused }: { ids: number[]; refused: Refusal[] }): EnqueueResult {
    const accepted = this.#deps.store.select({ ids }).map((row) => this.#deps.feed.view(row));
    return { accepted, refused };
  }

  /**
   * Refuses what inspection refused and duplicates (by path, and `byContent` by hash too), and
   * inserts the rest in one transaction; `record` (a watched folder's bookkeeping) runs inside
   * that same transaction, told what became of each path as given.
   */
  #insert(
    given: readonly GivenFile[],
    target: TaskTarget,
    origin: string,
    options: { record?: (outcomes: EnqueueOutcome[]) => void; byContent?: boolean } = {},
  ): { ids: number[]; refused: Refusal[] } {
    const { store, recent, db, log } = this.#deps;
    const { record } = options;
    const refused: Refusal[] = [];
    const fresh: NewJob[] = [];
    const freshPaths: string[] = [];
    const outcomes: EnqueueOutcome[] = [];
    const seen = new Set<string>();
    const ok = given.flatMap(({ check, sha256 }) => (check.ok ? [{ ...check.file, sha256 }] : []));
    const duplicates = store.duplicatesOf(
      target.taskId,
      ok.map((file) => ({ ...file, sourcePath: file.path })),
    );
    const sameContent =
      options.byContent === true
        ? store.sameContentOf(
            target.taskId,
            ok.flatMap((file) => (file.sha256 === null ? [] : [file.sha256])),
          )
        : new Map<string, JobRow>();
    for (const { path, check, sha256 } of given) {
      if (!check.ok) {
        refused.push(check.refusal);
        outcomes.push({ path, jobId: null, refusal: check.refusal });
        continue;
      }
      const { file } = check;
      const keys =
        sha256 !== null && options.byContent === true ? [file.path, sha256] : [file.path];
      const repeated = keys.some((key) => seen.has(key));
      const duplicate = repeated
        ? null
        : (duplicates.get(file.path) ?? (sha256 === null ? undefined : sameContent.get(sha256)));
      if (repeated || duplicate !== undefined) {
        const refusal = duplicateRefusal(file.path, file.name, duplicate ?? null, target.taskTitle);
        refused.push(refusal);
        outcomes.push({ path, jobId: refusal.jobId, refusal });
        continue;
      }
      for (const key of keys) seen.add(key);
      fresh.push({
        sourcePath: file.path,
        fileName: file.name,
        contentType: contentTypeFor(file.name),
        size: file.size,
        mtimeMs: file.mtimeMs,
        sha256,
        target,
        origin,
      });
      freshPaths.push(path);
    }
    const insert = (): number[] => {
      const ids = store.insertMany(fresh);
      ids.forEach((jobId, index) =>
        outcomes.push({ path: freshPaths[index] ?? '', jobId, refusal: null }),
      );
      record?.(outcomes);
      // A watched folder's target is not the person's choice of the moment: not a recent one.
      if (ids.length > 0 && origin === 'manual') recent.use(target);
      return ids;
    };
    // One transaction: a write that fails (a full disk) queues nothing, as its error says. A
    // watched folder's batch needs no fsync: docs/upload-rules.md, "Watched files".
    const commit = db.transaction(insert);
    const ids = this.#queueWrite(() =>
      origin === watchedOrigin ? commit() : store.durably(commit),
    );
    logEnqueued(log, origin, ids.length, refused);
    this.#deps.feed.changed(ids);
    this.#deps.pump();
    return { ids, refused };
  }

  /** A queue write whose failure (disk full, read-only) is said in plain words. */
  #queueWrite<T>(write: () => T): T {
    try {
      return write();
    } catch (error) {
      throw queueFileErrorOf(error, this.#deps.dataDir) ?? error;
    }
  }
}

/** Inspects every file, a few at a time (enough to hide disk latency); answers in order. */
async function inspectAll<T extends { path: string; sha256: string | null }>(
  files: readonly T[],
  inspect: (file: T) => Promise<FileCheck>,
): Promise<GivenFile[]> {
  const given = new Array<GivenFile>(files.length);
  await forEachLimited(
    files.map((file, index) => ({ file, index })),
    inspectionConcurrency,
    async ({ file, index }) => {
      given[index] = { path: file.path, check: await inspect(file), sha256: file.sha256 };
    },
  );
  return given;
}

/** The same file for the same task again: named in the same request, queued, or done. */
function duplicateRefusal(
  path: string,
  name: string,
  existing: JobRow | null,
  taskTitle: string,
): Refusal {
  const jobId = existing?.id ?? null;
  return existing?.state === 'done'
    ? {
        path,
        reason: 'already-attached',
        message: `${name} is already attached to “${taskTitle}”; it was not sent again.`,
        jobId,
      }
    : {
        path,
        reason: 'duplicate',
        message: `${name} is already in the queue for “${taskTitle}”.`,
        jobId,
      };
}
