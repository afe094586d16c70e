import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaskdropEvents, TaskTarget } from '../../preload/shared/contract.ts';
import { realTimers, type Timers } from './timers.ts';

/**
 * The files a launch names: everything after the executable that is not a flag (Chromium adds
 * its own), relative paths resolved against the launching instance's folder, `file://` URLs
 * (some Linux file managers) turned into paths, the app's own script left out, and only files
 * that exist. Everything after `--` is a file, even one starting with a dash.
 */
export function filesFromArgv(
  argv: readonly string[],
  cwd: string,
  isFile: (path: string) => boolean,
  ownPaths: readonly string[] = [],
): string[] {
  const own = new Set(ownPaths.map((path) => resolve(cwd, path)));
  const files: string[] = [];
  let operandsOnly = false;
  for (const arg of argv.slice(1)) {
    if (!operandsOnly && arg === '--') {
      operandsOnly = true;
      continue;
    }
    if ((!operandsOnly && arg.startsWith('-')) || arg === '') continue;
    const path = toPath(arg, cwd);
    if (path === null || own.has(path) || files.includes(path) || !isFile(path)) continue;
    files.push(path);
  }
  return files;
}

function toPath(arg: string, cwd: string): string | null {
  if (!arg.startsWith('file:')) return resolve(cwd, arg);
  try {
    return fileURLToPath(arg);
  } catch {
    return null;
  }
}

export interface LaunchBatcherOptions {
  /** Receives each batch, once: the app opens the target picker with it. */
  onBatch: (paths: string[]) => void;
  isFile: (path: string) => boolean;
  /** The app itself on the command line: its main script when run unpackaged. */
  ownPaths?: readonly string[];
  /** Quiet time after the last launch before the batch goes. */
  debounceMs?: number;
  /** The longest a batch waits while launches keep coming. */
  maxWaitMs?: number;
  /**
   * Hold batches until `ready()`: macOS sends `open-file` before the app has a window to show
   * them in (a file dropped on the Dock icon starts it), and those files must not be lost.
   */
  holdUntilReady?: boolean;
  timers?: Timers;
}

export const defaultDebounceMs = 400;
export const defaultMaxWaitMs = 2_000;

/**
 * Single-instance batching: Explorer's "Open with" starts the app once per selected file, and
 * each start hands its files to the running instance. Files arriving close together become one
 * batch: it goes once launches have been quiet for `debounceMs`, or `maxWaitMs` after the
 * batch's first file, whichever comes first.
 */
export class LaunchBatcher {
  readonly #options: LaunchBatcherOptions;
  readonly #timers: Timers;
  #pending: string[] = [];
  #ready: boolean;
  #quietTimer: unknown;
  #maxTimer: unknown;

  constructor(options: LaunchBatcherOptions) {
    this.#options = options;
    this.#timers = options.timers ?? realTimers;
    this.#ready = options.holdUntilReady !== true;
  }

  /** The app can show batches now: what arrived before goes at once. */
  ready(): void {
    this.#ready = true;
    this.flush();
  }

  /** A launch's command line (the first instance's, or a second one's): how many files it brought. */
  launched(argv: readonly string[], cwd: string): number {
    const files = filesFromArgv(argv, cwd, this.#options.isFile, this.#options.ownPaths);
    this.add(files);
    return files.length;
  }

  /** Files from elsewhere: macOS `open-file`, a drop on the Dock or tray icon. */
  add(paths: readonly string[]): void {
    const fresh = paths.filter((path) => !this.#pending.includes(path));
    if (fresh.length === 0) return;
    this.#pending.push(...fresh);
    const timers = this.#timers;
    timers.clearTimeout(this.#quietTimer);
    this.#quietTimer = timers.setTimeout(() => this.flush(), this.#debounceMs);
    this.#maxTimer ??= timers.setTimeout(() => this.flush(), this.#maxWaitMs);
  }

  /** Sends the batch now (say, the app is quitting); nothing when there is none or not ready. */
  flush(): void {
    this.#clearTimers();
    if (!this.#ready) return;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length > 0) this.#options.onBatch(batch);
  }

  /** Drops what is pending without sending it. */
  dispose(): void {
    this.#clearTimers();
    this.#pending = [];
  }

  get #debounceMs(): number {
    return this.#options.debounceMs ?? defaultDebounceMs;
  }

  get #maxWaitMs(): number {
    return this.#options.maxWaitMs ?? defaultMaxWaitMs;
  }

  #clearTimers(): void {
    this.#timers.clearTimeout(this.#quietTimer);
    this.#timers.clearTimeout(this.#maxTimer);
    this.#quietTimer = undefined;
    this.#maxTimer = undefined;
  }
}

/** What the picker is asked for a batch: those files, the last target used preselected. */
export function targetRequestFor(
  paths: string[],
  recentTargets: readonly TaskTarget[],
): TaskdropEvents['targetRequested'] {
  return { paths, suggested: recentTargets[0] ?? null };
}
