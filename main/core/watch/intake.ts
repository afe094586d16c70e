import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { sameStamp } from '../files/file-reader.ts';
import { errorCode } from '../files/inspect-file.ts';
import { hashWithStamp } from './content-hash.ts';
import { fsWords } from './fs-words.ts';
import { forEachLimited, yieldToEventLoop } from './limited.ts';
import type { ReadyFile } from './readiness.ts';
import type {
  EnqueueOutcome,
  FoundFile,
  WatchActivity,
  WatchQueue,
  WatchTimings,
} from './types.ts';
import type { WatchedFile, WatchedFolder, WatchStore } from './watch-store.ts';

/** A folder as the intake needs it, while it is watched. */
export interface IntakeFolder {
  folder: WatchedFolder;
  lookAgain(paths: readonly string[], afterMs?: number): void;
}

export interface IntakeDeps {
  store: WatchStore;
  queue: WatchQueue;
  timings: Pick<WatchTimings, 'batchSize' | 'slowCheckIntervalMs'>;
  /** The folder now; undefined once it is no longer watched (removed, paused, stopped). */
  folder: (id: number) => IntakeFolder | undefined;
  activity: (event: WatchActivity) => void;
  problem: (folderId: number, why: string) => void;
  /** Counts moved: time for a status update. */
  changed: () => void;
}

/** Files hashed at once: reads, so fewer than the stat calls of the readiness checks. */
const hashConcurrency = 16;

/**
 * Takes the files that are ready and decides, once, what each one is: the same content seen
 * before (touched, or renamed inside the folder), content the task has already, or a file to
 * send. Those to send go to the queue in batched transactions, with the event loop getting a
 * turn between batches, so a burst of thousands never blocks the app.
 */
export class Intake {
  readonly #deps: IntakeDeps;
  readonly #backlog: { folderId: number; file: ReadyFile }[] = [];
  #draining: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: IntakeDeps) {
    this.#deps = deps;
  }

  add(folderId: number, files: readonly ReadyFile[]): void {
    for (const file of files) this.#backlog.push({ folderId, file });
    this.#kick();
  }

  /** One drain at a time; files added as one ends (after its last look) start the next. */
  #kick(): void {
    if (this.#draining !== undefined || this.#stopped) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#backlog.length > 0) this.#kick();
    });
  }

  /** Finishes the batch in hand; what is left is found again by the next start's scan. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#draining;
    this.#backlog.length = 0;
  }

  async #drain(): Promise<void> {
    while (this.#backlog.length > 0 && !this.#stopped) {
      const batch = this.#backlog.splice(0, this.#deps.timings.batchSize);
      const byFolder = new Map<number, ReadyFile[]>();
      for (const { folderId, file } of batch) {
        byFolder.set(folderId, [...(byFolder.get(folderId) ?? []), file]);
      }
      for (const [folderId, files] of byFolder) await this.#takeSafely(folderId, files);
      this.#deps.changed();
      await yieldToEventLoop();
    }
  }

  async #takeSafely(folderId: number, files: ReadyFile[]): Promise<void> {
    const watched = this.#deps.folder(folderId);
    if (watched === undefined) return;
    try {
      await this.#take(watched, files);
    } catch (error) {
      this.#deps.problem(folderId, `Files could not be queued: ${fsWords(error)}. Trying again.`);
      watched.lookAgain(
        files.map((file) => file.path),
        this.#deps.timings.slowCheckIntervalMs,
      );
    }
  }

  async #take(watched: IntakeFolder, files: readonly ReadyFile[]): Promise<void> {
    const { folder } = watched;
    if (!this.#deps.queue.hasAccount(folder.target.accountId)) {
      this.#deps.problem(
        folder.id,
        `Files wait: the account of “${folder.target.taskTitle}” is not signed in. Sign in again.`,
      );
      watched.lookAgain(
        files.map((file) => file.path),
        this.#deps.timings.slowCheckIntervalMs,
      );
      return;
    }
    const hashed = await this.#hashAll(watched, files);
    const toSend: FoundFile[] = [];
    // The task's contents before this batch, looked up at once; what the batch sends joins them.
    const onTask = folder.skipAttachedContent
      ? this.#deps.store.contentOnTask(
          folder.target.taskId,
          hashed.map((file) => file.sha256),
        )
      : new Map<string, { jobId: number | null }>();
    for (const file of hashed) {
      if ((await this.#decide(folder, file, onTask)) === 'send') {
        toSend.push(file);
        onTask.set(file.sha256, { jobId: null });
      }
    }
    if (toSend.length > 0) await this.#send(folder, toSend);
  }

  /** Hashes, then checks the file did not change meanwhile; one that did is looked at again. */
  async #hashAll(watched: IntakeFolder, files: readonly ReadyFile[]): Promise<FoundFile[]> {
    const hashed: FoundFile[] = [];
    const again: string[] = [];
    await forEachLimited(files, hashConcurrency, async (file) => {
      try {
        const { sha256, stamp } = await hashWithStamp(file.path, file.size);
        if (sameStamp(stamp, file)) hashed.push({ ...file, sha256 });
        else again.push(file.path);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return;
        this.#deps.problem(watched.folder.id, `${basename(file.path)}: ${fsWords(error)}.`);
        again.push(file.path);
      }
    });
    if (again.length > 0) watched.lookAgain(again);
    return hashed;
  }

  /** `onTask`: contents the task has or is about to get, with the job that brings each. */
  async #decide(
    folder: WatchedFolder,
    file: FoundFile,
    onTask: ReadonlyMap<string, { jobId: number | null }>,
  ): Promise<'send' | 'settled'> {
    const { store } = this.#deps;
    const known = store.file(folder.id, file.path);
    const stillHere = known !== undefined && known.status !== 'moved' && known.status !== 'deleted';
    if (stillHere && known.sha256 === file.sha256) {
      // Touched, not changed: what became of this content before stands.
      store.restamp(folder.id, file.path, file);
      return 'settled';
    }
    const renamed = await this.#renamedFrom(folder.id, file);
    if (renamed !== undefined) {
      store.renameFile(folder.id, renamed.path, file.path, file);
      this.#skipped(folder, file, `renamed from ${basename(renamed.path)}, which went already`);
      return 'settled';
    }
    if (!folder.skipAttachedContent) return 'send';
    const attached = onTask.get(file.sha256);
    if (attached === undefined) return 'send';
    const why = `the same content is already attached to “${folder.target.taskTitle}”`;
    store.putFile(
      this.#record(folder, file, { status: 'skipped', jobId: attached.jobId, note: why }),
    );
    this.#skipped(folder, file, why);
    return 'settled';
  }

  /** A file of this folder with this content that went (or goes) and is not where it was. */
  async #renamedFrom(folderId: number, file: FoundFile): Promise<WatchedFile | undefined> {
    for (const candidate of this.#deps.store.sameContent(folderId, file.sha256)) {
      if (candidate.path !== file.path && !(await exists(candidate.path))) return candidate;
    }
    return undefined;
  }

  async #send(folder: WatchedFolder, files: readonly FoundFile[]): Promise<void> {
    const byPath = new Map(files.map((file) => [file.path, file]));
    const events: WatchActivity[] = [];
    const problems: string[] = [];
    await this.#deps.queue.enqueue(files, folder.target, (outcomes) => {
      for (const outcome of outcomes) {
        const file = byPath.get(outcome.path);
        if (file !== undefined) this.#settle(folder, file, outcome, events, problems);
      }
    });
    for (const event of events) this.#deps.activity(event);
    for (const why of problems) this.#deps.problem(folder.id, why);
  }

  /** Writes what the queue answered for one file; runs inside the enqueue transaction. */
  #settle(
    folder: WatchedFolder,
    file: FoundFile,
    outcome: EnqueueOutcome,
    events: WatchActivity[],
    problems: string[],
  ): void {
    const { store } = this.#deps;
    const base = { folderId: folder.id, path: file.path };
    if (outcome.refusal === null || outcome.refusal.reason === 'duplicate') {
      // A duplicate is this very file queued already (dropped by hand, say): its job is ours.
      if (outcome.jobId === null) return;
      store.putFile(this.#record(folder, file, { status: 'queued', jobId: outcome.jobId }));
      events.push({ kind: 'queued', ...base, jobId: outcome.jobId });
      return;
    }
    const { reason, message } = outcome.refusal;
    if (reason === 'missing') return;
    if (reason === 'already-attached') {
      store.putFile(
        this.#record(folder, file, { status: 'skipped', jobId: outcome.jobId, note: message }),
      );
      events.push({ kind: 'skipped', ...base, why: message });
      return;
    }
    store.putFile(this.#record(folder, file, { status: 'refused', jobId: null, note: message }));
    events.push({ kind: 'refused', ...base, why: message });
    problems.push(message);
  }

  #record(
    folder: WatchedFolder,
    file: FoundFile,
    fate: Pick<WatchedFile, 'status' | 'jobId'> & { note?: string },
  ): Omit<WatchedFile, 'movedTo'> {
    return {
      folderId: folder.id,
      path: file.path,
      size: file.size,
      mtimeMs: file.mtimeMs,
      sha256: file.sha256,
      taskId: folder.target.taskId,
      jobId: fate.jobId,
      status: fate.status,
      note: fate.note ?? null,
    };
  }

  #skipped(folder: WatchedFolder, file: FoundFile, why: string): void {
    this.#deps.activity({ kind: 'skipped', folderId: folder.id, path: file.path, why });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    return errorCode(error) !== 'ENOENT' && errorCode(error) !== 'ENOTDIR';
  }
}
