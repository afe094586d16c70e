import { access } from 'node:fs/promises';
import type {
  NewTaskRequest,
  PickerCommands,
  TaskListView,
  TaskQuery,
  TaskTarget,
  TaskView,
} from '../../../preload/shared/contract.ts';
import { toDoWebApp } from '../../../preload/shared/contract.ts';
import type { RecentTargets } from '../catalog/recent-targets.ts';
import type { TaskCatalog } from '../catalog/task-catalog.ts';
import type { JobRow, JobStore } from '../queue/job-store.ts';
import type { Accounts } from './accounts.ts';
import { EngineRequestError, type Desktop } from './engine-types.ts';
import type { EventHub } from './events.ts';

/** The contract's picker commands (the accounts' list is the AccountService's). */
export interface PickerService extends Omit<PickerCommands, 'listAccounts'> {
  /** Tasks that no longer exist leave the recent ones and the picker's copy at once. */
  tasksGone(targets: readonly TaskTarget[]): Promise<void>;
}

export interface PickerServiceDeps {
  accounts: Pick<Accounts, 'get' | 'find'>;
  catalog: TaskCatalog;
  recent: RecentTargets;
  store: Pick<JobStore, 'get'>;
  events: EventHub;
  desktop: Desktop | undefined;
}

export class TaskPickerService implements PickerService {
  readonly #deps: PickerServiceDeps;

  constructor(deps: PickerServiceDeps) {
    this.#deps = deps;
  }

  listTaskLists(accountId: string): Promise<TaskListView[]> {
    this.#deps.accounts.get(accountId);
    return this.#deps.catalog.lists(accountId);
  }

  findTasks(query: TaskQuery): Promise<TaskView[]> {
    this.#deps.accounts.get(query.accountId);
    return this.#deps.catalog.find(query);
  }

  async createTask(request: NewTaskRequest): Promise<TaskTarget> {
    this.#deps.accounts.get(request.accountId);
    if (request.title.trim() === '') {
      throw new EngineRequestError('invalid-request', 'A new task needs a title.');
    }
    return this.#deps.catalog.createTask(request);
  }

  recentTargets(): Promise<TaskTarget[]> {
    return Promise.resolve(this.#deps.recent.list());
  }

  /** Reloads; recent tasks the reload no longer finds are gone from To Do, and said to be. */
  async refreshTasks(accountId: string): Promise<void> {
    const { accounts, catalog, recent } = this.#deps;
    accounts.get(accountId);
    await catalog.refresh(accountId);
    const mine = recent.list().filter((target) => target.accountId === accountId);
    const found = await Promise.all(mine.map((target) => catalog.has(target)));
    await this.tasksGone(mine.filter((_, index) => found[index] === false));
  }

  async tasksGone(targets: readonly TaskTarget[]): Promise<void> {
    if (targets.length === 0) return;
    for (const target of targets) {
      this.#deps.recent.forget(target.accountId, target.taskId);
      await this.#deps.catalog.forgetTask(target);
    }
    this.#deps.events.emit('tasksGone', [...targets]);
  }

  async showInFolder(jobId: number): Promise<void> {
    const job = this.#job(jobId);
    const desktop = this.#requireDesktop();
    try {
      await access(job.sourcePath);
    } catch {
      throw new EngineRequestError(
        'invalid-request',
        `${job.fileName} is no longer at ${job.sourcePath}: it was moved or deleted since.`,
      );
    }
    desktop.showItemInFolder(job.sourcePath);
  }

  async openInToDo(jobId: number): Promise<void> {
    const job = this.#job(jobId);
    const desktop = this.#requireDesktop();
    if (this.#deps.accounts.find(job.target.accountId)?.config.kind === 'demo') {
      throw new EngineRequestError(
        'not-available',
        'The demo account’s tasks live in taskdrop’s built-in simulator, not in Microsoft To Do.',
      );
    }
    await desktop.openExternal(toDoWebApp);
  }

  #job(jobId: number): JobRow {
    const job = this.#deps.store.get(jobId);
    if (job === undefined) {
      throw new EngineRequestError('invalid-request', 'That file is no longer in the queue.');
    }
    return job;
  }

  #requireDesktop(): Desktop {
    const desktop = this.#deps.desktop;
    if (desktop === undefined) {
      throw new EngineRequestError('not-available', 'Only the taskdrop app can open that here.');
    }
    return desktop;
  }
}
