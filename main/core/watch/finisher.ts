import { basename } from 'node:path';
import type { JobsChanged, JobState } from '../../../preload/shared/contract.ts';
import { pendingStates } from '../../../preload/shared/job-states.ts';
import { moveIntoSubfolder, stillAttachedContent } from './after-upload.ts';
import { fsWords } from './fs-words.ts';
import type { TrashFile, WatchActivity } from './types.ts';
import type { FileStatus, WatchedFile, WatchedFolder, WatchStore } from './watch-store.ts';

export interface FinisherDeps {
  store: WatchStore;
  trash: TrashFile;
  /** The folder now, and whether it is there and watched (not missing, not paused). */
  folder: (id: number) => { folder: WatchedFolder; present: boolean } | undefined;
  activity: (event: WatchActivity) => void;
  problem: (folderId: number, why: string) => void;
  changed: () => void;
}

/**
 * Where a file goes when its job moves; undefined when it stays. Only files whose job stands
 * for them move: `skipped` ones point at someone else's job, attached ones are finished.
 */
export function nextStatus(current: FileStatus, job: JobState | null): FileStatus | undefined {
  if (current !== 'queued' && current !== 'failed') return undefined;
  if (job === 'done') return 'done';
  if (job === 'failed' || job === 'cancelled') return 'failed';
  if (job === null) return 'removed';
  return pendingStates.includes(job) ? 'queued' : undefined;
}

/**
 * Follows the jobs of watched files: records their outcome, and once (and only once) a job is
 * done, does the folder's after-upload action: keep, move into the subfolder, or trash. A file
 * whose upload failed, or that changed after it was attached, is never touched.
 */
export class Finisher {
  readonly #deps: FinisherDeps;
  /** One action at a time per folder, in order. */
  readonly #chains = new Map<number, Promise<void>>();

  constructor(deps: FinisherDeps) {
    this.#deps = deps;
  }

  jobsChanged(change: JobsChanged): void {
    const moves = new Map<number, { state: JobState | null; problem: string | null }>();
    for (const job of change.upserted) {
      moves.set(job.id, { state: job.state, problem: job.problem?.message ?? null });
    }
    for (const id of change.removed) moves.set(id, { state: null, problem: null });
    // One look for every job's files (a burst of thousands), then in the order the jobs came.
    const filesOf = new Map<number, WatchedFile[]>();
    for (const file of this.#deps.store.filesOfJobs([...moves.keys()])) {
      if (file.jobId !== null) filesOf.set(file.jobId, [...(filesOf.get(file.jobId) ?? []), file]);
    }
    for (const [jobId, { state, problem }] of moves) {
      for (const file of filesOf.get(jobId) ?? []) {
        const present = this.#deps.folder(file.folderId)?.present ?? false;
        this.#apply(file, nextStatus(file.status, state), problem, present);
      }
    }
  }

  /** The folder is there (at start or back): outcomes and actions missed meanwhile, now. */
  async catchUp(folderId: number): Promise<void> {
    const { store } = this.#deps;
    for (const file of store.unsettled(folderId)) {
      if (file.status === 'done') {
        this.#queueAction(file, true);
        continue;
      }
      this.#apply(file, nextStatus(file.status, file.jobState), file.jobProblem, true);
    }
    await this.#chains.get(folderId);
  }

  async stop(): Promise<void> {
    await Promise.all(this.#chains.values());
  }

  #apply(
    file: WatchedFile,
    next: FileStatus | undefined,
    problem: string | null,
    present: boolean,
  ): void {
    if (next === undefined || next === file.status) return;
    const { store, activity } = this.#deps;
    const where = { folderId: file.folderId, path: file.path };
    store.setStatus(file.folderId, file.path, next, {
      note: next === 'failed' ? problem : null,
      forgetJob: next === 'removed',
    });
    this.#deps.changed();
    if (next === 'done' && file.jobId !== null) {
      activity({ kind: 'attached', ...where, jobId: file.jobId });
      this.#queueAction(file, present);
    } else if (next === 'failed' && file.jobId !== null) {
      const why = problem ?? 'its upload did not finish';
      activity({ kind: 'failed', ...where, jobId: file.jobId, why });
      this.#deps.problem(file.folderId, `${basename(file.path)}: ${why}`);
    }
  }

  #queueAction(file: WatchedFile, present: boolean): void {
    // A folder not there now (or paused) keeps its file `done`; catchUp acts on its return.
    if (!present) return;
    const previous = this.#chains.get(file.folderId) ?? Promise.resolve();
    const next = previous.then(() => this.#act(file.folderId, file.path));
    this.#chains.set(file.folderId, next);
    void next.finally(() => {
      if (this.#chains.get(file.folderId) === next) this.#chains.delete(file.folderId);
    });
  }

  async #act(folderId: number, path: string): Promise<void> {
    const { store } = this.#deps;
    const folder = this.#deps.folder(folderId)?.folder;
    const file = store.file(folderId, path);
    if (folder === undefined || file?.status !== 'done') return;
    try {
      await this.#afterUpload(folder, file);
    } catch (error) {
      const verb =
        folder.afterUpload === 'move' ? `moved into ${folder.moveTo}` : 'put in the trash';
      this.#deps.problem(
        folderId,
        `${basename(path)} is attached but could not be ${verb}: ${fsWords(error)}. It stays where it is; taskdrop tries again next time it starts.`,
      );
    }
    this.#deps.changed();
  }

  async #afterUpload(folder: WatchedFolder, file: WatchedFile): Promise<void> {
    const { store, activity } = this.#deps;
    const where = { folderId: folder.id, path: file.path };
    if (folder.afterUpload === 'keep') {
      store.setStatus(folder.id, file.path, 'kept');
      return;
    }
    const verdict = await stillAttachedContent(file.path, file);
    if (verdict !== 'same') {
      const note =
        verdict === 'gone'
          ? 'not there any more after its upload; nothing to move'
          : 'changed after it was attached, so it was left where it is';
      store.setStatus(folder.id, file.path, 'kept', { note });
      return;
    }
    if (folder.afterUpload === 'move') {
      const to = await moveIntoSubfolder(file.path, folder.path, folder.moveTo);
      store.setStatus(folder.id, file.path, 'moved', { movedTo: to });
      activity({ kind: 'moved', ...where, to });
      return;
    }
    await this.#deps.trash(file.path);
    store.setStatus(folder.id, file.path, 'deleted');
    activity({ kind: 'deleted', ...where });
  }
}
