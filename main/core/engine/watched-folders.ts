import type { Database } from 'better-sqlite3';
import { isAbsolute, relative } from 'node:path';
import type {
  NewWatchedFolder,
  Unsubscribe,
  WatchCommands,
  WatchedFolderUpdate,
  WatchedFolderView,
} from '../../../preload/shared/contract.ts';
import type { Logger } from '../logging/logger.ts';
import type { JobRow } from '../queue/job-store.ts';
import { WatchRequestError } from '../watch/folder-settings.ts';
import type { TrashFile, WatchActivity, WatchOptions } from '../watch/types.ts';
import { WatchService } from '../watch/watch-service.ts';
import type { Accounts } from './accounts.ts';
import { logWatchActivity } from './engine-log.ts';
import { EngineRequestError, type ChooseFolder } from './engine-types.ts';
import type { EventHub } from './events.ts';
import { watchedOrigin, type JobIntake } from './job-intake.ts';

/** The watched folders' paths, longest first: which one a watched job's file came from. */
export class FolderPaths {
  #paths: string[] = [];

  set(folders: readonly WatchedFolderView[]): void {
    this.#paths = folders.map((folder) => folder.path).sort((a, b) => b.length - a.length);
  }

  folderOf(row: JobRow): string | null {
    if (row.origin !== watchedOrigin) return null;
    return this.#paths.find((path) => isInside(row.sourcePath, path)) ?? null;
  }
}

/** The contract's watched-folder commands, and the watching itself (the app, `taskdrop watch`). */
export interface WatchedFoldersService extends WatchCommands {
  /** Resolves once each folder is looked through; `trash` deletes files after their upload. */
  start(trash?: TrashFile): Promise<void>;
  stop(): Promise<void>;
  onActivity(listener: (event: WatchActivity) => void): Unsubscribe;
}

export interface WatchedFoldersDeps {
  db: Database;
  now: () => number;
  intake: Pick<JobIntake, 'enqueueWatched'>;
  accounts: Pick<Accounts, 'has'>;
  events: EventHub;
  paths: FolderPaths;
  chooseFolder: ChooseFolder | undefined;
  log: Logger;
  options: WatchOptions | undefined;
}

export class WatchedFolders implements WatchedFoldersService {
  readonly #watch: WatchService;
  readonly #chooseFolder: ChooseFolder | undefined;

  constructor(deps: WatchedFoldersDeps) {
    const { events, paths } = deps;
    this.#chooseFolder = deps.chooseFolder;
    this.#watch = new WatchService({
      db: deps.db,
      now: deps.now,
      queue: {
        enqueue: (files, target, record) => deps.intake.enqueueWatched(files, target, record),
        onJobsChanged: (listener) => events.on('jobsChanged', listener),
        hasAccount: (accountId) => deps.accounts.has(accountId),
      },
      emit: (folders) => {
        paths.set(folders);
        events.emit('watchedFoldersChanged', folders);
      },
      ...deps.options,
    });
    paths.set(this.#watch.list());
    this.#watch.onActivity((event) => logWatchActivity(deps.log, event));
  }

  listWatchedFolders(): Promise<WatchedFolderView[]> {
    return Promise.resolve(this.#watch.list());
  }

  addWatchedFolder(folder: NewWatchedFolder): Promise<WatchedFolderView> {
    return asEngineRequest(() => this.#watch.add(folder));
  }

  updateWatchedFolder(update: WatchedFolderUpdate): Promise<WatchedFolderView> {
    return asEngineRequest(() => this.#watch.update(update));
  }

  removeWatchedFolder(id: number): Promise<boolean> {
    return this.#watch.remove(id);
  }

  chooseFolder(): Promise<string | null> {
    return this.#chooseFolder?.() ?? Promise.resolve(null);
  }

  start(trash?: TrashFile): Promise<void> {
    return this.#watch.start(trash);
  }

  stop(): Promise<void> {
    return this.#watch.stop();
  }

  onActivity(listener: (event: WatchActivity) => void): Unsubscribe {
    return this.#watch.onActivity(listener);
  }
}

/** Whether `path` is `folder` itself or anywhere under it. */
function isInside(path: string, folder: string): boolean {
  const rest = relative(folder, path);
  return rest !== '' && !rest.startsWith('..') && !isAbsolute(rest);
}

/** A watched-folder request the engine cannot act on, as the engine's own kind of refusal. */
async function asEngineRequest<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WatchRequestError)
      throw new EngineRequestError(error.reason, error.message);
    throw error;
  }
}
