import type { Database } from 'better-sqlite3';
import type {
  NewWatchedFolder,
  Unsubscribe,
  WatchedFolderUpdate,
  WatchedFolderView,
  WatchState,
} from '../../../preload/shared/contract.ts';
import { sameStamp, type FileStamp } from '../files/file-reader.ts';
import { Finisher } from './finisher.ts';
import { changedSettings, newFolderSettings, WatchRequestError } from './folder-settings.ts';
import { FolderWatcher } from './folder-watcher.ts';
import { Intake } from './intake.ts';
import {
  defaultWatchTimings,
  type TrashFile,
  type WatchActivity,
  type WatchQueue,
  type WatchTimings,
} from './types.ts';
import { WatchStore, type WatchedFolder } from './watch-store.ts';

export interface WatchServiceDeps {
  db: Database;
  now: () => number;
  queue: WatchQueue;
  /** Announces every folder's view (the contract's `watchedFoldersChanged`). */
  emit: (folders: WatchedFolderView[]) => void;
  trash?: TrashFile;
  timings?: Partial<WatchTimings>;
}

/** One watched folder while the service runs. */
interface Runtime {
  folder: WatchedFolder;
  /** None while paused. */
  watcher: FolderWatcher | undefined;
  state: WatchState;
}

/** Pieces that live from start() to stop(). */
interface Running {
  intake: Intake;
  finisher: Finisher;
  unsubscribe: Unsubscribe;
}

const noTrash: TrashFile = () =>
  Promise.reject(new Error('this taskdrop cannot put files in the trash'));

/**
 * Watched folders: the commands behind the UI's view and the CLI (add, list, update, remove),
 * and, between start() and stop(), one watcher per folder feeding the upload queue.
 */
export class WatchService {
  readonly #deps: WatchServiceDeps;
  readonly #store: WatchStore;
  readonly #timings: WatchTimings;
  readonly #runtimes = new Map<number, Runtime>();
  readonly #listeners = new Set<(event: WatchActivity) => void>();
  #running: Running | undefined;
  #statusTimer: NodeJS.Timeout | undefined;
  /** The wait before the next status announcement: doubles while changes keep coming. */
  #statusDelayMs: number;
  #lastAnnouncedAt = -Infinity;

  constructor(deps: WatchServiceDeps) {
    this.#deps = deps;
    this.#store = new WatchStore(deps.db, deps.now);
    this.#timings = { ...defaultWatchTimings, ...deps.timings };
    this.#statusDelayMs = this.#timings.statusIntervalMs;
  }

  list(): WatchedFolderView[] {
    return this.#store.folders().map((folder) => this.#view(folder));
  }

  async add(request: NewWatchedFolder): Promise<WatchedFolderView> {
    const settings = newFolderSettings(request);
    this.#requireAccount(settings.target.accountId);
    const same = this.#store.folders().find((folder) => folder.path === settings.path);
    if (same !== undefined) {
      throw new WatchRequestError(
        'invalid-request',
        `${settings.path} is watched already (folder ${same.id}, to “${same.target.taskTitle}”).`,
      );
    }
    const folder = this.#store.addFolder(settings);
    if (this.#running !== undefined) await this.#run(folder);
    this.#announce();
    return this.#view(folder);
  }

  async update(update: WatchedFolderUpdate): Promise<WatchedFolderView> {
    const current = this.#store.folder(update.id);
    if (current === undefined) throw unknownFolder(update.id);
    const settings = changedSettings(current, update);
    if (update.changes.target !== undefined) this.#requireAccount(settings.target.accountId);
    const folder = this.#store.updateFolder(update.id, settings);
    if (this.#running !== undefined) {
      await this.#halt(folder.id);
      await this.#run(folder);
    }
    this.#announce();
    return this.#view(folder);
  }

  async remove(id: number): Promise<boolean> {
    await this.#halt(id);
    const removed = this.#store.removeFolder(id);
    if (removed) this.#announce();
    return removed;
  }

  /** Starts watching every folder; resolves once each has been looked through. */
  async start(trash?: TrashFile): Promise<void> {
    if (this.#running !== undefined) return;
    const finisher = new Finisher({
      store: this.#store,
      trash: trash ?? this.#deps.trash ?? noTrash,
      folder: (id) => {
        const runtime = this.#runtimes.get(id);
        return runtime && { folder: runtime.folder, present: runtime.state === 'watching' };
      },
      activity: (event) => this.#activity(event),
      problem: (folderId, why) => this.#problem(folderId, why),
      changed: () => this.#statusChanged(),
    });
    const intake = new Intake({
      store: this.#store,
      queue: this.#deps.queue,
      timings: this.#timings,
      folder: (id) => {
        const runtime = this.#runtimes.get(id);
        const watcher = runtime?.watcher;
        if (runtime === undefined || watcher === undefined) return undefined;
        return {
          folder: runtime.folder,
          lookAgain: (paths, afterMs) => watcher.lookAgain(paths, afterMs),
        };
      },
      activity: (event) => this.#activity(event),
      problem: (folderId, why) => this.#problem(folderId, why),
      changed: () => this.#statusChanged(),
    });
    const unsubscribe = this.#deps.queue.onJobsChanged((change) => finisher.jobsChanged(change));
    this.#running = { intake, finisher, unsubscribe };
    await Promise.all(this.#store.folders().map((folder) => this.#run(folder)));
    this.#announce();
  }

  /** Stops every watcher; files half-way are found again by the next start's scan. */
  async stop(): Promise<void> {
    const running = this.#running;
    if (running === undefined) return;
    this.#running = undefined;
    running.unsubscribe();
    await Promise.all([...this.#runtimes.keys()].map((id) => this.#halt(id)));
    await running.intake.stop();
    await running.finisher.stop();
    clearTimeout(this.#statusTimer);
    this.#statusTimer = undefined;
  }

  onActivity(listener: (event: WatchActivity) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #run(folder: WatchedFolder): Promise<void> {
    const running = this.#running;
    if (running === undefined) return;
    const runtime: Runtime = { folder, watcher: undefined, state: 'paused' };
    this.#runtimes.set(folder.id, runtime);
    if (folder.paused) return;
    const watcher = new FolderWatcher({
      folder,
      timings: this.#timings,
      now: this.#deps.now,
      isKnown: (path, stamp) => this.#isKnown(folder.id, path, stamp),
      onReady: (files) => running.intake.add(folder.id, files),
      onState: (state, why) => {
        runtime.state = state;
        if (why !== null) this.#store.setLastError(folder.id, why);
        this.#activity({ kind: 'state', folderId: folder.id, path: folder.path, state, why });
        this.#statusChanged();
      },
      onProblem: (why) => this.#problem(folder.id, why),
      onWaitingChanged: () => this.#statusChanged(),
      onArrived: () => running.finisher.catchUp(folder.id),
    });
    runtime.watcher = watcher;
    runtime.state = 'stopped';
    await watcher.start();
  }

  async #halt(id: number): Promise<void> {
    const runtime = this.#runtimes.get(id);
    if (runtime === undefined) return;
    this.#runtimes.delete(id);
    await runtime.watcher?.stop();
  }

  /** This exact file (path, size, mtime) has been taken care of and is still where it was. */
  #isKnown(folderId: number, path: string, stamp: FileStamp): boolean {
    const file = this.#store.file(folderId, path);
    if (file === undefined || file.status === 'moved' || file.status === 'deleted') return false;
    return sameStamp(file, stamp);
  }

  #requireAccount(accountId: string): void {
    if (!this.#deps.queue.hasAccount(accountId)) {
      throw new WatchRequestError('unknown-account', `No account "${accountId}" is signed in.`);
    }
  }

  #view(folder: WatchedFolder): WatchedFolderView {
    const runtime = this.#runtimes.get(folder.id);
    const counts = this.#store.counts(folder.id);
    const recorded = Object.values(counts).reduce((sum, n) => sum + n, 0);
    const waitingPaths = runtime?.watcher?.waitingPaths() ?? [];
    const waitingNew = this.#unrecorded(folder.id, waitingPaths);
    const { lastError, lastErrorAt, id, createdAt, ...settings } = folder;
    return {
      ...settings,
      id,
      createdAt,
      status: {
        state: runtime?.state ?? (folder.paused ? 'paused' : 'stopped'),
        filesSeen: recorded + waitingNew,
        waiting: waitingPaths.length,
        queued: counts.queued,
        uploaded: counts.done + counts.kept + counts.moved + counts.deleted,
        failed: counts.failed + counts.refused,
        skipped: counts.skipped,
        lastError,
        lastErrorAt,
      },
    };
  }

  #problem(folderId: number, why: string): void {
    const folder = this.#runtimes.get(folderId)?.folder ?? this.#store.folder(folderId);
    if (folder === undefined) return;
    this.#store.setLastError(folderId, why);
    this.#activity({ kind: 'problem', folderId, path: folder.path, why });
    this.#statusChanged();
  }

  #activity(event: WatchActivity): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('taskdrop: a watch activity listener failed', error);
      }
    }
  }

  /** How many of `paths` the folder has no record of; in a burst, tens of thousands. */
  #unrecorded(folderId: number, paths: readonly string[]): number {
    if (paths.length <= unrecordedLookupLimit) {
      return paths.filter((path) => !this.#store.file(folderId, path)).length;
    }
    const recorded = this.#store.recordedPaths(folderId);
    return paths.filter((path) => !recorded.has(path)).length;
  }

  /**
   * Status moves often in a burst: one announcement per interval at most, and the interval
   * doubles (up to `statusMaxIntervalMs`) while changes keep coming, since every announcement
   * counts each folder's files again. A change after a quiet interval goes out at the first.
   */
  #statusChanged(): void {
    if (this.#statusTimer !== undefined || this.#running === undefined) return;
    const { statusIntervalMs, statusMaxIntervalMs } = this.#timings;
    const sinceLast = this.#deps.now() - this.#lastAnnouncedAt;
    this.#statusDelayMs =
      sinceLast > 2 * this.#statusDelayMs
        ? statusIntervalMs
        : Math.min(2 * this.#statusDelayMs, Math.max(statusIntervalMs, statusMaxIntervalMs));
    this.#statusTimer = setTimeout(() => {
      this.#statusTimer = undefined;
      this.#lastAnnouncedAt = this.#deps.now();
      this.#announce();
    }, this.#statusDelayMs);
  }

  #announce(): void {
    this.#deps.emit(this.list());
  }
}

/** Up to this many waiting paths are looked up one by one; more, all the folder's at once. */
const unrecordedLookupLimit = 200;

function unknownFolder(id: number): WatchRequestError {
  return new WatchRequestError('invalid-request', `There is no watched folder ${id}.`);
}
