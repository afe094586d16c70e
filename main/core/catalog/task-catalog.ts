import type {
  NewTaskRequest,
  TaskListView,
  TaskQuery,
  TaskTarget,
  TaskView,
} from '../../../preload/shared/contract.ts';
import type { GraphClient } from '../graph/client.ts';
import type { TodoTask, TodoTaskList } from '../graph/types.ts';
import { searchTasks } from './task-search.ts';

interface AccountTasks {
  lists: TodoTaskList[];
  tasks: Map<string, TaskView[]>;
}

const defaultLimit = 50;

function taskView(accountId: string, list: TodoTaskList, task: TodoTask): TaskView {
  return {
    accountId,
    listId: list.id,
    listName: list.displayName,
    id: task.id,
    title: task.title,
    status: task.status,
  };
}

/** "Tasks" first, then lists by name; "Flagged emails" last (it holds mail, rarely a target). */
function listOrder(list: TodoTaskList): number {
  if (list.wellknownListName === 'defaultList') return 0;
  return list.wellknownListName === 'flaggedEmails' ? 2 : 1;
}

/**
 * The picker's copy of each account's lists and tasks: loaded once, searched in memory (fast
 * with thousands of tasks), reloaded on request. Loading twice at once shares one load.
 */
export class TaskCatalog {
  readonly #graph: (accountId: string) => GraphClient;
  readonly #loaded = new Map<string, Promise<AccountTasks>>();

  constructor(graph: (accountId: string) => GraphClient) {
    this.#graph = graph;
  }

  async lists(accountId: string): Promise<TaskListView[]> {
    const { lists, tasks } = await this.#load(accountId);
    return lists.map((list) => {
      const ofList = tasks.get(list.id) ?? [];
      return {
        accountId,
        id: list.id,
        displayName: list.displayName,
        wellknownListName: list.wellknownListName,
        taskCount: ofList.length,
        openTaskCount: ofList.filter((task) => task.status !== 'completed').length,
      };
    });
  }

  async find(query: TaskQuery): Promise<TaskView[]> {
    const { lists, tasks } = await this.#load(query.accountId);
    const limit = query.limit ?? defaultLimit;
    const inScope = lists
      .filter((list) => query.listId === undefined || list.id === query.listId)
      .flatMap((list) => tasks.get(list.id) ?? [])
      .filter((task) => query.includeCompleted === true || task.status !== 'completed');
    return searchTasks(inScope, query.text, limit);
  }

  async createTask(request: NewTaskRequest): Promise<TaskTarget> {
    const catalog = await this.#load(request.accountId);
    const list = catalog.lists.find((candidate) => candidate.id === request.listId);
    if (list === undefined) throw new RangeError('That list no longer exists; reload the lists.');
    const task = await this.#graph(request.accountId).createTask(list.id, {
      title: request.title.trim(),
    });
    const view = taskView(request.accountId, list, task);
    catalog.tasks.set(list.id, [view, ...(catalog.tasks.get(list.id) ?? [])]);
    return {
      accountId: request.accountId,
      listId: list.id,
      taskId: task.id,
      listName: list.displayName,
      taskTitle: task.title,
    };
  }

  async refresh(accountId: string): Promise<void> {
    this.#loaded.delete(accountId);
    await this.#load(accountId);
  }

  forget(accountId: string): void {
    this.#loaded.delete(accountId);
  }

  /** A task Graph says is gone leaves the copy at once, without waiting for a reload. */
  async forgetTask(target: TaskTarget): Promise<void> {
    const catalog = await this.#loaded.get(target.accountId)?.catch(() => undefined);
    const ofList = catalog?.tasks.get(target.listId);
    if (catalog === undefined || ofList === undefined) return;
    catalog.tasks.set(
      target.listId,
      ofList.filter((task) => task.id !== target.taskId),
    );
  }

  /** Whether the task is in the copy: false for one deleted since, once the copy is reloaded. */
  async has(target: TaskTarget): Promise<boolean> {
    const { tasks } = await this.#load(target.accountId);
    return (tasks.get(target.listId) ?? []).some((task) => task.id === target.taskId);
  }

  #load(accountId: string): Promise<AccountTasks> {
    let loading = this.#loaded.get(accountId);
    if (loading === undefined) {
      loading = this.#fetch(accountId);
      this.#loaded.set(accountId, loading);
      // A failed load is not kept: the next call tries again.
      loading.catch(() => this.#loaded.delete(accountId));
    }
    return loading;
  }

  async #fetch(accountId: string): Promise<AccountTasks> {
    const graph = this.#graph(accountId);
    const lists = (await graph.listLists()).sort(
      (a, b) => listOrder(a) - listOrder(b) || a.displayName.localeCompare(b.displayName),
    );
    const tasks = new Map<string, TaskView[]>();
    await Promise.all(
      lists.map(async (list) => {
        const listed = await graph.listTasks(list.id);
        tasks.set(
          list.id,
          listed.map((task) => taskView(accountId, list, task)),
        );
      }),
    );
    return { lists, tasks };
  }
}
