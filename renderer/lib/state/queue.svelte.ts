import type {
  JobProgress,
  JobsChanged,
  JobSelection,
  JobState,
  JobView,
  QueueSummary,
  TaskdropApi,
  TaskTarget,
  Unsubscribe,
} from '../../../preload/shared/contract.ts';
import { jobStates } from '../../../preload/shared/contract.ts';
import { plural } from '../format.ts';
import { activeStates, canApply, type QueueCommand } from '../../../preload/shared/job-states.ts';
import { queueFilters, type FilterId } from '../job-display.ts';
import type { NoticeState } from './notices.svelte.ts';
import { SelectionState } from './selection.svelte.ts';

/** How long "Undo" is offered before removed files really leave the queue. */
export const undoMs = 6_000;
/** Files finishing within this of each other are one batch: one "attached" message. */
const batchQuietMs = 1_500;

/** The words people search file names by: lower case, no accents. */
const comparable = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();

/** One queued file. Its view changes with every progress tick; its state only with the engine's. */
export class JobEntry {
  readonly id: number;
  /**
   * A plain copy of `view.state`, read by the filter: progress ticks replace `view` without
   * touching the order or the filter of ten thousand rows.
   */
  state: JobState;
  view: JobView;

  constructor(view: JobView) {
    this.id = view.id;
    this.state = view.state;
    this.view = $state.raw(view);
  }
}

function emptySummary(): QueueSummary {
  const byState = Object.fromEntries(jobStates.map((state) => [state, 0])) as Record<
    JobState,
    number
  >;
  return { total: 0, byState, overallPercent: 0 };
}

export type Reporter = (what: string, error: unknown) => void;

/**
 * The queue as the person sees it: every job by id, fed by `jobsChanged` and `progress`, in
 * the order files arrived; the state filter and the selection; and the queue commands.
 */
export class QueueState {
  readonly selection = new SelectionState();
  readonly #api: TaskdropApi;
  readonly #report: Reporter;
  readonly #notices: NoticeState | null;
  readonly #entries = new Map<number, JobEntry>();
  /** Removed by the person, with "Undo" still offered: hidden, and still in the engine. */
  #leaving = new Set<number>();
  /** Files attached since the last "attached" message, by task. */
  readonly #attached = new Map<string, { target: TaskTarget; count: number }>();
  #attachedTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped when a job arrives, leaves or changes state: what the order and filter follow. */
  #revision = $state(0);
  /** Jobs removed by an event that overtook the first listJobs answer. */
  #removedEarly: Set<number> | null = new Set();
  #heardFromEngine = false;

  loaded = $state(false);
  filter = $state<FilterId>('all');
  summary = $state.raw<QueueSummary>(emptySummary());
  /** Acknowledged bytes over the bytes of every job not cancelled, live between events. */
  overallPercent = $state(0);
  /** Every upload's smoothed speed together, bytes per second; null when none is moving. */
  overallSpeed = $state<number | null>(null);
  /** Seconds until every queued byte is sent at that speed; null when unknown. */
  overallEta = $state<number | null>(null);
  /** Words to find in file names; empty shows every file. */
  search = $state('');
  /** Cancelling would throw away confirmed bytes: the person is asked first. */
  confirmingCancel = $state.raw<{ ids: readonly number[]; files: number; bytes: number } | null>(
    null,
  );

  /** Every job, oldest first. */
  readonly all: readonly JobEntry[] = $derived.by(() => {
    void this.#revision;
    return [...this.#entries.values()]
      .filter((entry) => !this.#leaving.has(entry.id))
      .sort((a, b) => a.id - b.id);
  });

  /** The jobs the filter and the search let through, in order. */
  readonly visible: readonly JobEntry[] = $derived.by(() => {
    const states = queueFilters.find((filter) => filter.id === this.filter)?.states ?? null;
    const words = comparable(this.search.trim());
    return this.all.filter(
      (entry) =>
        (states === null || states.includes(entry.state)) &&
        (words === '' || comparable(entry.view.fileName).includes(words)),
    );
  });

  readonly visibleIds: readonly number[] = $derived(this.visible.map((entry) => entry.id));

  /** Ticked rows that are on screen now: what bulk actions act on. */
  readonly selected: readonly number[] = $derived.by(() => {
    const shown = new Set(this.visibleIds);
    return [...this.selection.ids].filter((id) => shown.has(id));
  });

  /** How many jobs each filter would show. */
  readonly filterCounts: Record<FilterId, number> = $derived.by(() => {
    const counts = {} as Record<FilterId, number>;
    for (const filter of queueFilters) {
      counts[filter.id] =
        filter.states === null
          ? this.summary.total
          : filter.states.reduce((sum, state) => sum + this.summary.byState[state], 0);
    }
    return counts;
  });

  constructor(api: TaskdropApi, report: Reporter, notices: NoticeState | null = null) {
    this.#api = api;
    this.#report = report;
    this.#notices = notices;
  }

  /** Listens to the engine, then loads the queue; returns how to stop listening. */
  start(): Unsubscribe {
    const stops = [
      this.#api.on('jobsChanged', (change) => this.#applyChanges(change)),
      this.#api.on('progress', (progress) => this.#applyProgress(progress)),
    ];
    void this.#load();
    return () => {
      for (const stop of stops) stop();
    };
  }

  get(id: number): JobEntry | undefined {
    return this.#entries.get(id);
  }

  setFilter(filter: FilterId): void {
    this.filter = filter;
    this.selection.clear();
  }

  setSearch(text: string): void {
    this.search = text;
    this.selection.clear();
  }

  async #load(): Promise<void> {
    try {
      const [jobs, summary] = await Promise.all([this.#api.listJobs(), this.#api.summary()]);
      const removed = this.#removedEarly ?? new Set<number>();
      for (const view of jobs) {
        // An event that arrived meanwhile is newer than this answer.
        if (removed.has(view.id) || this.#entries.has(view.id)) continue;
        this.#entries.set(view.id, new JobEntry(view));
      }
      this.#removedEarly = null;
      if (!this.#heardFromEngine) this.summary = summary;
      this.#revision += 1;
      this.#recount();
      this.loaded = true;
    } catch (error) {
      this.#report('The queue could not be loaded', error);
    }
  }

  #applyChanges(change: JobsChanged): void {
    this.#heardFromEngine = true;
    let reorder = false;
    for (const view of change.upserted) {
      const entry = this.#entries.get(view.id);
      if (entry === undefined) {
        this.#entries.set(view.id, new JobEntry(view));
        reorder = true;
      } else {
        if (entry.state !== view.state) reorder = true;
        if (entry.state !== 'done' && view.state === 'done') this.#justAttached(view);
        entry.state = view.state;
        entry.view = view;
      }
    }
    for (const id of change.removed) {
      if (this.#entries.delete(id)) reorder = true;
      this.#removedEarly?.add(id);
    }
    if (change.removed.length > 0) this.selection.forget(change.removed);
    this.summary = change.summary;
    if (reorder) this.#revision += 1;
    this.#recount();
  }

  #applyProgress(batch: readonly JobProgress[]): void {
    for (const progress of batch) {
      const entry = this.#entries.get(progress.id);
      // A late tick must not pull a finished job's bar back.
      if (entry?.state !== 'uploading') continue;
      entry.view = { ...entry.view, ...progress };
    }
    this.#recount();
  }

  /** One message per finished batch, as the OS notification says it outside the window. */
  #justAttached(view: JobView): void {
    if (this.#notices === null) return;
    const key = `${view.target.accountId}:${view.target.taskId}`;
    const batch = this.#attached.get(key) ?? { target: view.target, count: 0 };
    batch.count += 1;
    this.#attached.set(key, batch);
    clearTimeout(this.#attachedTimer);
    this.#attachedTimer = setTimeout(() => {
      for (const { target, count } of this.#attached.values()) {
        this.#notices?.push(
          'success',
          `${plural(count, 'file')} attached to “${target.taskTitle}” (${target.listName}).`,
        );
      }
      this.#attached.clear();
    }, batchQuietMs);
  }

  /** The overall percentage, speed and time left, as the engine counts them, between events too. */
  #recount(): void {
    let bytes = 0;
    let acked = 0;
    let speed = 0;
    let moving = false;
    let left = 0;
    for (const entry of this.#entries.values()) {
      if (entry.state === 'cancelled') continue;
      bytes += entry.view.size;
      acked += entry.state === 'done' ? entry.view.size : entry.view.bytesAcked;
      if (entry.state === 'uploading' && entry.view.speed !== null) {
        speed += entry.view.speed;
        moving = true;
      }
      if (activeStates.includes(entry.state)) {
        left += entry.view.size - entry.view.bytesAcked;
      }
    }
    const total = this.#entries.size;
    this.overallPercent = bytes === 0 ? (total === 0 ? 0 : 100) : Math.floor((acked / bytes) * 100);
    this.overallSpeed = moving && speed > 0 ? speed : null;
    this.overallEta = this.overallSpeed === null ? null : left / this.overallSpeed;
  }

  /** Ids of the jobs in `states`, in order. */
  idsIn(states: readonly JobState[]): number[] {
    return this.all.filter((entry) => states.includes(entry.state)).map((entry) => entry.id);
  }

  /** How many of `ids` a command would change: what the bulk buttons show. */
  applicable(command: QueueCommand, ids: readonly number[]): number {
    let count = 0;
    for (const id of ids) {
      const entry = this.#entries.get(id);
      if (entry !== undefined && canApply(command, entry.state)) count += 1;
    }
    return count;
  }

  readonly hasActive = $derived(
    this.summary.byState.waiting +
      this.summary.byState.uploading +
      this.summary.byState.retrying +
      this.summary.byState['needs-sign-in'] >
      0,
  );
  readonly hasPaused = $derived(this.summary.byState.paused > 0);
  readonly hasFailed = $derived(this.summary.byState.failed > 0);
  readonly hasFinished = $derived(this.summary.byState.done + this.summary.byState.cancelled > 0);

  pauseAll(): Promise<number> {
    return this.#run('Pausing did not work', () => this.#api.pause({ all: true }));
  }

  resumeAll(): Promise<number> {
    return this.#run('Resuming did not work', () => this.#api.resume({ all: true }));
  }

  retryFailed(): Promise<number> {
    const ids = this.idsIn(['failed']);
    if (ids.length === 0) return Promise.resolve(0);
    return this.#run('Retrying did not work', () => this.#api.retry({ ids }));
  }

  /** Finished files leave the list at once; "Undo" brings them back for a few seconds. */
  clearFinished(): Promise<number> {
    const ids = this.idsIn(['done', 'cancelled']);
    return Promise.resolve(this.#removeSoon(ids, 'finished'));
  }

  /**
   * Hides the files now and removes them once "Undo" is no longer offered. A file still
   * uploading goes on meanwhile: undone, nothing was lost.
   */
  #removeSoon(ids: readonly number[], what: 'finished' | 'removed'): number {
    const leaving = ids.filter((id) => this.#entries.has(id) && !this.#leaving.has(id));
    if (leaving.length === 0) return 0;
    this.#leaving = new Set([...this.#leaving, ...leaving]);
    this.selection.forget(leaving);
    this.#revision += 1;
    let undone = false;
    const timer = setTimeout(() => {
      if (undone) return;
      void this.#run('Removing did not work', () => this.#api.remove({ ids: leaving })).then(() =>
        this.#stopLeaving(leaving),
      );
    }, undoMs);
    const title =
      what === 'finished'
        ? `${plural(leaving.length, 'finished file')} cleared from the queue.`
        : `${plural(leaving.length, 'file')} removed from the queue.`;
    this.#notices?.push('info', title, [], {
      label: 'Undo',
      run: () => {
        undone = true;
        clearTimeout(timer);
        this.#stopLeaving(leaving);
      },
    });
    return leaving.length;
  }

  #stopLeaving(ids: readonly number[]): void {
    const leaving = new Set(this.#leaving);
    for (const id of ids) leaving.delete(id);
    this.#leaving = leaving;
    this.#revision += 1;
  }

  /**
   * Cancel cannot be undone (the upload session is let go), so when bytes are already
   * confirmed it asks first; with nothing sent yet it cancels at once.
   */
  requestCancel(ids: readonly number[]): Promise<number> {
    let bytes = 0;
    let files = 0;
    for (const id of ids) {
      const entry = this.#entries.get(id);
      if (entry === undefined || !canApply('cancel', entry.state)) continue;
      files += 1;
      bytes += entry.view.bytesAcked;
    }
    if (bytes === 0) return this.apply('cancel', ids);
    this.confirmingCancel = { ids, files, bytes };
    return Promise.resolve(0);
  }

  /** The answer to requestCancel's question. */
  confirmCancel(confirmed: boolean): Promise<number> {
    const asked = this.confirmingCancel;
    this.confirmingCancel = null;
    return asked === null || !confirmed ? Promise.resolve(0) : this.apply('cancel', asked.ids);
  }

  /** One of the per-job commands, for one row or the ticked ones. */
  apply(command: Exclude<QueueCommand, 'retarget'>, ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    if (command === 'remove') return Promise.resolve(this.#removeSoon(ids, 'removed'));
    const selection: JobSelection = { ids: [...ids] };
    const words: Record<typeof command, string> = {
      pause: 'Pausing',
      resume: 'Resuming',
      retry: 'Retrying',
      cancel: 'Cancelling',
    };
    return this.#run(`${words[command]} did not work`, () => this.#api[command](selection));
  }

  async showInFolder(id: number): Promise<void> {
    await this.#run('The folder could not be shown', async () => {
      await this.#api.showInFolder(id);
      return 1;
    });
  }

  async openInToDo(id: number): Promise<void> {
    await this.#run('Microsoft To Do could not be opened', async () => {
      await this.#api.openInToDo(id);
      return 1;
    });
  }

  retarget(ids: readonly number[], target: TaskTarget): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    return this.#run('Sending to another task did not work', () =>
      this.#api.retarget({ ids: [...ids], target }),
    );
  }

  async #run(what: string, command: () => Promise<number>): Promise<number> {
    try {
      return await command();
    } catch (error) {
      this.#report(what, error);
      return 0;
    }
  }
}
