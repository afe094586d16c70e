import type {
  JobSelection,
  JobState,
  JobView,
  QueueCommands,
  QueueSummary,
  RetargetRequest,
} from '../../../preload/shared/contract.ts';
import { commandStates, isFinished, retargetRequeues } from '../../../preload/shared/job-states.ts';
import type { RecentTargets } from '../catalog/recent-targets.ts';
import type { JobRow, JobStore } from '../queue/job-store.ts';
import type { Accounts } from './accounts.ts';
import { cancelJob } from './cancel-job.ts';
import type { JobFeed } from './job-feed.ts';
import { toSummary } from './job-view.ts';
import type { Scheduler } from './scheduler.ts';

/** The contract's queue commands but enqueueing (that is JobIntake). */
export type QueueService = Omit<QueueCommands, 'enqueue'>;

export interface QueueServiceDeps {
  store: JobStore;
  scheduler: Pick<Scheduler, 'isRunning' | 'stop' | 'hold' | 'release' | 'pump'>;
  accounts: Pick<Accounts, 'find' | 'get'>;
  recent: RecentTargets;
  feed: Pick<JobFeed, 'view' | 'changed'>;
  now: () => number;
}

/** What a command's action answers when the job turned out not to need it. */
const notApplied = Symbol('not applied');

export class QueueCommandService implements QueueService {
  readonly #deps: QueueServiceDeps;

  constructor(deps: QueueServiceDeps) {
    this.#deps = deps;
  }

  listJobs(): Promise<JobView[]> {
    return Promise.resolve(this.#deps.store.all().map((row) => this.#deps.feed.view(row)));
  }

  summary(): Promise<QueueSummary> {
    return Promise.resolve(toSummary(this.#deps.store.countByState()));
  }

  async pause(selection: JobSelection): Promise<number> {
    const { scheduler, store } = this.#deps;
    return this.#apply(selection, commandStates('pause'), (row) =>
      scheduler.isRunning(row.id)
        ? scheduler.stop(row.id, 'pause')
        : store.transition(row.id, 'paused'),
    );
  }

  async resume(selection: JobSelection): Promise<number> {
    const count = await this.#apply(selection, commandStates('resume'), (row) =>
      this.#deps.store.transition(row.id, 'waiting', { nextAttemptAt: null }),
    );
    this.#deps.scheduler.pump();
    return count;
  }

  async retry(selection: JobSelection): Promise<number> {
    const count = await this.#apply(selection, commandStates('retry'), (row) =>
      this.#deps.store.transition(row.id, 'waiting', {
        problem: null,
        failuresInARow: 0,
        nextAttemptAt: null,
      }),
    );
    this.#deps.scheduler.pump();
    return count;
  }

  async cancel(selection: JobSelection): Promise<number> {
    return this.#apply(selection, commandStates('cancel'), (row) => this.#cancel(row, 'cancel'));
  }

  async remove(selection: JobSelection): Promise<number> {
    return this.#apply(selection, commandStates('remove'), async (row) => {
      if (this.#deps.scheduler.isRunning(row.id) || row.uploadUrl !== null) {
        await this.#cancel(row, 'remove');
      }
      // A job stopped in flight may have deleted its own row already.
      this.#deps.store.delete([row.id]);
    });
  }

  async clearFinished(): Promise<number> {
    const finished = this.#deps.store.all().filter((row) => isFinished(row.state));
    return this.remove({ ids: finished.map((row) => row.id) });
  }

  /** Sends jobs that are not in flight to another task; a failed one is queued again. */
  async retarget(request: RetargetRequest): Promise<number> {
    const { accounts, recent, store, scheduler } = this.#deps;
    accounts.get(request.target.accountId);
    recent.use(request.target);
    const count = await this.#apply(
      { ids: request.ids },
      commandStates('retarget'),
      async (row) => {
        const unsure =
          row.uploadUrl !== null || (row.finalSentAt !== null && row.state !== 'cancelled');
        // Its last request may have attached the file after all: then it stays where it landed.
        if (unsure && (await this.#cancelIdle(row, { keepState: true })) === 'attached') {
          return notApplied;
        }
        store.record(row.id, {
          target: request.target,
          uploadUrl: null,
          uploadExpiresAt: null,
          ackedOffset: 0,
          finalSentAt: null,
          protocol: null,
        });
        if (retargetRequeues(row.state)) {
          store.transition(row.id, 'waiting', { problem: null, failuresInARow: 0 });
        }
      },
    );
    scheduler.pump();
    return count;
  }

  /** The one cancel path: an upload in flight is stopped (it cancels as it ends), or cancelled. */
  async #cancel(row: JobRow, reason: 'cancel' | 'remove'): Promise<void> {
    if (await this.#deps.scheduler.stop(row.id, reason)) return;
    await this.#cancelIdle(row);
  }

  #cancelIdle(row: JobRow, options: { keepState?: boolean } = {}): ReturnType<typeof cancelJob> {
    const { accounts, store, now } = this.#deps;
    return cancelJob(row, accounts.find(row.target.accountId)?.graph, store, now(), options);
  }

  /**
   * Applies `action` to the selected jobs whose state allows it; answers how many it applied to
   * (an action answering `notApplied` does not count). The selected jobs are held back from the
   * scheduler until all are done, so none starts while an action awaits the network, and each
   * is read when its turn comes: an earlier action may have let it finish meanwhile.
   */
  async #apply(
    selection: JobSelection,
    states: readonly JobState[],
    action: (row: JobRow) => unknown,
  ): Promise<number> {
    const { store, scheduler } = this.#deps;
    const ids = store.select(selection).map((row) => row.id);
    const touched: number[] = [];
    let count = 0;
    scheduler.hold(ids);
    try {
      for (const id of ids) {
        const row = store.get(id);
        if (row === undefined || !states.includes(row.state)) continue;
        touched.push(id);
        if ((await action(row)) !== notApplied) count += 1;
      }
    } finally {
      scheduler.release(ids);
    }
    this.#deps.feed.changed(touched);
    return count;
  }
}
