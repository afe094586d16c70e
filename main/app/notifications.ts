import type {
  JobsChanged,
  JobState,
  JobView,
  QueueSummary,
} from '../../preload/shared/contract.ts';
import { activeStates } from '../../preload/shared/job-states.ts';
import { realTimers, type Timers } from './timers.ts';

export interface Notice {
  kind: 'batch-done' | 'failed' | 'sign-in';
  title: string;
  body: string;
  /** The row the queue opens at when the notice is clicked; null opens the queue. */
  jobId: number | null;
}

export interface NotificationDeps {
  show: (notice: Notice) => void;
  /** Do-not-disturb (as far as the OS tells): nothing is shown meanwhile. */
  quiet: () => boolean;
  timers?: Timers;
  /** The queue idle this long ends a batch (files of one drop may arrive in waves). */
  settleMs?: number;
}

export const defaultSettleMs = 1_500;

const isIdle = (summary: QueueSummary): boolean =>
  activeStates.every((state) => summary.byState[state] === 0);

/**
 * Decides the notifications, from the queue's own events: one when a batch finishes ("3 files
 * attached to Receipts"), one per failure that needs the person (grouped when one cause fails
 * several files at once), one when uploads wait for a sign-in; never one per file, and none
 * while do-not-disturb is on.
 */
export class NotificationPlanner {
  readonly #deps: NotificationDeps;
  readonly #timers: Timers;
  readonly #states = new Map<number, JobState>();
  /** Attached since the last batch notice, by task. */
  #attached = new Map<string, { title: string; files: string[] }>();
  #settleTimer: unknown;
  #idle = true;
  #signInShown = false;

  constructor(deps: NotificationDeps) {
    this.#deps = deps;
    this.#timers = deps.timers ?? realTimers;
  }

  /** Jobs already known when the app starts: their past is no news. */
  seed(jobs: readonly JobView[]): void {
    for (const job of jobs) this.#states.set(job.id, job.state);
  }

  jobsChanged(change: JobsChanged): void {
    const failed: JobView[] = [];
    for (const job of change.upserted) {
      const before = this.#states.get(job.id);
      this.#states.set(job.id, job.state);
      if (before === job.state) continue;
      if (job.state === 'done') this.#recordAttached(job);
      if (job.state === 'failed') failed.push(job);
    }
    for (const id of change.removed) this.#states.delete(id);
    this.#failures(failed);
    this.#signIn(change.summary);
    this.#idle = isIdle(change.summary);
    this.#timers.clearTimeout(this.#settleTimer);
    this.#settleTimer = undefined;
    if (this.#idle && this.#attached.size > 0) {
      this.#settleTimer = this.#timers.setTimeout(
        () => this.#batchDone(),
        this.#deps.settleMs ?? defaultSettleMs,
      );
    }
  }

  dispose(): void {
    this.#timers.clearTimeout(this.#settleTimer);
  }

  #recordAttached(job: JobView): void {
    const entry = this.#attached.get(job.target.taskId) ?? {
      title: job.target.taskTitle,
      files: [],
    };
    entry.files.push(job.fileName);
    this.#attached.set(job.target.taskId, entry);
  }

  #batchDone(): void {
    this.#settleTimer = undefined;
    if (!this.#idle) return;
    const tasks = [...this.#attached.values()];
    this.#attached = new Map();
    const count = tasks.reduce((sum, task) => sum + task.files.length, 0);
    if (count === 0) return;
    const files = count === 1 ? '1 file' : `${count} files`;
    const body =
      tasks.length === 1
        ? count === 1
          ? `${tasks[0]?.files[0]} attached to “${tasks[0]?.title}”`
          : `${files} attached to “${tasks[0]?.title}”`
        : `${files} attached to ${tasks.length} tasks: ${quoteList(tasks.map((t) => t.title))}`;
    this.#show({ kind: 'batch-done', title: `${files} attached`, body, jobId: null });
  }

  /** One notice per cause: the files one missing task failed together are one problem. */
  #failures(failed: readonly JobView[]): void {
    const groups = new Map<string, JobView[]>();
    for (const job of failed) {
      const key = `${job.target.taskId}\n${job.problem?.kind ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), job]);
    }
    for (const jobs of groups.values()) {
      const [first] = jobs;
      if (first === undefined) continue;
      const what =
        jobs.length === 1 ? first.fileName : `${first.fileName} and ${jobs.length - 1} more`;
      this.#show({
        kind: 'failed',
        title:
          jobs.length === 1
            ? 'A file could not be attached'
            : `${jobs.length} files could not be attached`,
        body: `${what} → “${first.target.taskTitle}”: ${first.problem?.message ?? 'the upload failed.'}`,
        jobId: first.id,
      });
    }
  }

  /** Once per episode: until no upload waits for a sign-in any more. */
  #signIn(summary: QueueSummary): void {
    const waiting = summary.byState['needs-sign-in'];
    if (waiting === 0) {
      this.#signInShown = false;
      return;
    }
    if (this.#signInShown) return;
    this.#signInShown = true;
    this.#show({
      kind: 'sign-in',
      title: 'Sign in to continue',
      body: `${waiting === 1 ? '1 file waits' : `${waiting} files wait`} until you sign in again.`,
      jobId: null,
    });
  }

  #show(notice: Notice): void {
    if (!this.#deps.quiet()) this.#deps.show(notice);
  }
}

function quoteList(titles: readonly string[]): string {
  const shown = titles.slice(0, 3).map((title) => `“${title}”`);
  return titles.length > 3 ? `${shown.join(', ')} and ${titles.length - 3} more` : shown.join(', ');
}
