import { watch, type FSWatcher } from 'chokidar';
import {
  stat as statCallback,
  statSync,
  watch as watchDir,
  type FSWatcher as DirWatcher,
} from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { basename, dirname, join } from 'node:path';
import type { FileStamp } from '../files/file-reader.ts';
import { errorCode } from '../files/inspect-file.ts';
import { FolderRules } from './folder-rules.ts';
import { fsWords } from './fs-words.ts';
import { yieldToEventLoop } from './limited.ts';
import { ReadinessTracker, type Look, type ReadyFile } from './readiness.ts';
import type { WatchTimings } from './types.ts';
import type { WatchedFolder } from './watch-store.ts';

export type FolderState = 'watching' | 'folder-missing' | 'error';

export interface FolderWatcherDeps {
  folder: WatchedFolder;
  timings: WatchTimings;
  now: () => number;
  isKnown: (path: string, stamp: FileStamp) => boolean;
  onReady: (files: ReadyFile[]) => void;
  onState: (state: FolderState, why: string | null) => void;
  /** Something went wrong that the person should hear of, though watching goes on. */
  onProblem: (why: string) => void;
  /** The waiting count moved. */
  onWaitingChanged: () => void;
  /** The folder is there (at start, or back): settle what happened while nobody looked. */
  onArrived: () => Promise<void>;
}

/** How long chokidar may take to set up before its files are scanned anyway. */
const readyTimeoutMs = 30_000;

/**
 * Watches one folder: chokidar for events (no initial ones), a scan for what arrived while
 * nobody watched, a readiness tracker that decides when a file is complete, and the folder
 * itself, so a folder that disappears is reported and picked up again on return: its nearest
 * existing parent is watched for the folder's name (a rename, a delete, a return is noticed at
 * once), and the folder is looked at once a minute besides, for what no event tells (a drive
 * mounted onto an existing empty folder, a network share).
 */
export class FolderWatcher {
  readonly #deps: FolderWatcherDeps;
  readonly #root: string;
  readonly #rules: FolderRules;
  readonly #tracker: ReadinessTracker;
  #watcher: FSWatcher | undefined;
  /** The folder as last seen, so one replaced by another of the same name is noticed. */
  #identity: string | undefined;
  #checkTimer: NodeJS.Timeout | undefined;
  /** Watches the nearest existing parent for the name of the next folder down to the root. */
  #parentWatch: { dir: string; watcher: DirWatcher } | undefined;
  #rescanTimer: NodeJS.Timeout | undefined;
  #checking: Promise<void> = Promise.resolve();
  /** Ends a wait for chokidar to be ready when the watcher is closed meanwhile. */
  #attaching: AbortController | undefined;
  #state: FolderState | undefined;
  #stopped = false;

  constructor(deps: FolderWatcherDeps) {
    this.#deps = deps;
    this.#root = deps.folder.path;
    this.#rules = new FolderRules(deps.folder);
    this.#tracker = new ReadinessTracker({
      timings: deps.timings,
      now: deps.now,
      look: lookAt,
      isKnown: deps.isKnown,
      onReady: deps.onReady,
      onWaitingChanged: deps.onWaitingChanged,
    });
  }

  get waiting(): number {
    return this.#tracker.waiting;
  }

  waitingPaths(): string[] {
    return this.#tracker.paths();
  }

  get state(): FolderState | undefined {
    return this.#state;
  }

  async start(): Promise<void> {
    await this.#checkFolder();
    this.#scheduleCheck();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#checkTimer);
    clearInterval(this.#rescanTimer);
    this.#unwatchParent();
    this.#attaching?.abort();
    await this.#checking;
    await this.#detach();
    await this.#tracker.stop();
  }

  /** Files the intake could not take now (say, their account signed out): looked at again. */
  lookAgain(paths: readonly string[], afterMs?: number): void {
    for (const path of paths) this.#tracker.observe(path, afterMs);
  }

  #scheduleCheck(): void {
    if (this.#stopped) return;
    this.#checkTimer = setTimeout(() => {
      void this.#checkFolder().finally(() => this.#scheduleCheck());
    }, this.#deps.timings.folderCheckMs);
  }

  /** One look at the folder itself; looks never overlap. */
  #checkFolder(): Promise<void> {
    this.#checking = this.#checking
      .then(() => this.#checkFolderNow())
      .finally(() => this.#watchParent());
    return this.#checking;
  }

  /**
   * Watches the nearest parent that exists for the entry that leads to the folder. Where no
   * parent can be watched, the minute's look is all there is.
   */
  #watchParent(): void {
    if (this.#stopped) return;
    const [dir, name] = nearestParent(this.#root);
    if (this.#parentWatch?.dir === dir) return;
    this.#unwatchParent();
    if (dir === undefined) return;
    try {
      // The entry leading down, or the parent itself (renamed or deleted: its own name).
      const self = basename(dir);
      const watcher = watchDir(dir, { persistent: false }, (_event, entry) => {
        if (entry === null || entry === name || entry === self) void this.#checkFolder();
      });
      watcher.on('error', () => this.#unwatchParent());
      this.#parentWatch = { dir, watcher };
    } catch {
      // Not watchable (gone meanwhile, no permission): the minute's look goes on.
    }
  }

  #unwatchParent(): void {
    this.#parentWatch?.watcher.close();
    this.#parentWatch = undefined;
  }

  async #checkFolderNow(): Promise<void> {
    if (this.#stopped) return;
    let identity: string;
    try {
      const facts = await stat(this.#root);
      if (!facts.isDirectory()) {
        await this.#detach();
        this.#setState('error', `${this.#root} is a file, not a folder.`);
        return;
      }
      identity = `${facts.dev}:${facts.ino}`;
    } catch (error) {
      await this.#detach();
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        this.#setState(
          'folder-missing',
          `${this.#root} is not there. Is its drive connected? Watching resumes when it is back.`,
        );
      } else {
        this.#setState('error', `${this.#root} cannot be read: ${fsWords(error)}.`);
      }
      return;
    }
    if (this.#watcher !== undefined && identity === this.#identity) return;
    await this.#detach();
    this.#identity = identity;
    await this.#attach();
  }

  async #attach(): Promise<void> {
    await this.#deps.onArrived();
    if (this.#stopped) return;
    const { folder, timings } = this.#deps;
    const watcher = watch(this.#root, {
      ignoreInitial: true,
      depth: folder.recursive ? undefined : 0,
      backend: folder.poll ? 'polling' : 'auto',
      pollingInterval: timings.pollIntervalMs,
      ignored: (path, stats) => this.#rules.ignored(path, stats),
    });
    this.#watcher = watcher;
    const attaching = new AbortController();
    this.#attaching = attaching;
    watcher.on('add', (path) => this.#sighted(path));
    watcher.on('change', (path) => this.#sighted(path));
    watcher.on('unlink', (path) => this.#tracker.forget(path));
    watcher.on('unlinkDir', (path) => {
      if (path === this.#root) void this.#checkFolder();
      else this.#tracker.forgetUnder(path);
    });
    watcher.on('error', (error) =>
      this.#deps.onProblem(`Watching ${this.#root}: ${fsWords(error)}.`),
    );
    await whenReady(watcher, attaching.signal);
    if (this.#stopped || this.#watcher !== watcher) return;
    this.#setState('watching', null);
    await this.#scan();
    clearInterval(this.#rescanTimer);
    if (timings.rescanIntervalMs > 0) {
      this.#rescanTimer = setInterval(() => void this.#scan(), timings.rescanIntervalMs);
    }
  }

  async #detach(): Promise<void> {
    clearInterval(this.#rescanTimer);
    this.#attaching?.abort();
    const watcher = this.#watcher;
    this.#watcher = undefined;
    this.#identity = undefined;
    this.#tracker.forgetUnder(this.#root);
    await watcher?.close();
  }

  #sighted(path: string): void {
    if (this.#rules.wantsFile(path)) this.#tracker.observe(path);
  }

  /** Every file in the folder is looked at; known ones drop out at their first look. */
  async #scan(): Promise<void> {
    const dirs = [this.#root];
    for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (dir === this.#root) void this.#checkFolder();
        else this.#deps.onProblem(`${dir} cannot be read: ${fsWords(error)}.`);
        continue;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!this.#rules.skipsDir(path)) dirs.push(path);
        } else if (entry.isFile() || entry.isSymbolicLink()) {
          this.#sighted(path);
        }
      }
      if (this.#stopped || this.#watcher === undefined) return;
      await yieldToEventLoop();
    }
  }

  #setState(state: FolderState, why: string | null): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#deps.onState(state, why);
  }
}

/**
 * The nearest folder above `root` that exists, and the name in it that leads down to `root`;
 * [undefined, ''] when even the top is not there.
 */
function nearestParent(root: string): [string | undefined, string] {
  let child = root;
  for (let dir = dirname(root); ; dir = dirname(dir)) {
    if (isDirectory(dir)) return [dir, basename(child)];
    if (dirname(dir) === dir) return [undefined, ''];
    child = dir;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function whenReady(watcher: FSWatcher, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, readyTimeoutMs);
    watcher.once('ready', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

// Every file found is looked at, thousands in a burst: the callback stat costs a third of the
// promise one per call.
const statOf = promisify(statCallback);

async function lookAt(path: string): Promise<Look> {
  try {
    const facts = await statOf(path);
    if (!facts.isFile()) return { kind: 'not-a-file' };
    return { kind: 'file', stamp: { size: facts.size, mtimeMs: Math.trunc(facts.mtimeMs) } };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'gone' };
    return { kind: 'unreadable', why: fsWords(error) };
  }
}
