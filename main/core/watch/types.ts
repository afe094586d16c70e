import type {
  JobsChanged,
  Refusal,
  TaskTarget,
  Unsubscribe,
  WatchState,
} from '../../../preload/shared/contract.ts';
import type { FileStamp } from '../files/file-reader.ts';

/** How patient the watcher is. Every value is injectable so tests can scale time down. */
export interface WatchTimings {
  /** How often a file that has not settled yet is looked at again. */
  checkIntervalMs: number;
  /** Looks in a row with the same size and mtime before a file counts as complete. */
  stableChecks: number;
  /** A file modified more recently than this is still being written, whatever else it says. */
  minAgeMs: number;
  /** After this long unsettled a file is looked at less often; it shows as waiting all along. */
  slowAfterMs: number;
  slowCheckIntervalMs: number;
  /**
   * How often the folder itself is looked at: gone (an unmounted drive), back, or replaced. Its
   * parent is watched too, so most of these are noticed at once; the look is for the rest.
   */
  folderCheckMs: number;
  /** The polling backend's period, for folders watched with `poll`. */
  pollIntervalMs: number;
  /** A full look through the folder now and then, for events the OS dropped; 0 never. */
  rescanIntervalMs: number;
  /** Files per enqueue transaction in a burst; the event loop gets a turn between batches. */
  batchSize: number;
  /** Status changes go out at most this often. */
  statusIntervalMs: number;
  /** …and, while they keep coming (a burst), backing off to at most this often. */
  statusMaxIntervalMs: number;
}

export const defaultWatchTimings: WatchTimings = {
  checkIntervalMs: 1_000,
  stableChecks: 3,
  minAgeMs: 2_000,
  slowAfterMs: 60_000,
  slowCheckIntervalMs: 15_000,
  folderCheckMs: 60_000,
  pollIntervalMs: 2_000,
  rescanIntervalMs: 300_000,
  batchSize: 500,
  statusIntervalMs: 250,
  statusMaxIntervalMs: 4_000,
};

/** Moves a file to the OS trash: Electron's `shell.trashItem` in the app, `trash` in the CLI. */
export type TrashFile = (path: string) => Promise<void>;

export interface WatchOptions {
  trash?: TrashFile;
  timings?: Partial<WatchTimings>;
}

/** What the engine answered for one path of an enqueue. */
export type EnqueueOutcome =
  | { path: string; jobId: number; refusal: null }
  | { path: string; jobId: number | null; refusal: Refusal };

/** The engine as the watcher uses it: a narrow port, so the watcher never reaches inside. */
/**
 * A file a watched folder found ready: a regular file, just read whole to hash it. The queue
 * takes these facts instead of looking the file up again.
 */
export interface FoundFile extends FileStamp {
  path: string;
  sha256: string;
}

export interface WatchQueue {
  /**
   * Enqueues `files` for `target` as watched-folder jobs; `record` runs inside the transaction
   * that inserts them, so a file's state and its job are written together or not at all.
   */
  enqueue(
    files: readonly FoundFile[],
    target: TaskTarget,
    record: (outcomes: readonly EnqueueOutcome[]) => void,
  ): Promise<void>;
  onJobsChanged(listener: (change: JobsChanged) => void): Unsubscribe;
  hasAccount(accountId: string): boolean;
}

/** What a watching process did, for a person to read (the CLI prints these). */
export type WatchActivity =
  | { kind: 'queued'; folderId: number; path: string; jobId: number }
  | { kind: 'skipped'; folderId: number; path: string; why: string }
  | { kind: 'refused'; folderId: number; path: string; why: string }
  | { kind: 'attached'; folderId: number; path: string; jobId: number }
  | { kind: 'failed'; folderId: number; path: string; jobId: number; why: string }
  | { kind: 'moved'; folderId: number; path: string; to: string }
  | { kind: 'deleted'; folderId: number; path: string }
  | { kind: 'state'; folderId: number; path: string; state: WatchState; why: string | null }
  | { kind: 'problem'; folderId: number; path: string; why: string };
