import type {
  AccountView,
  TaskdropApi,
  TaskListView,
  TaskTarget,
  TaskView,
} from '../../../preload/shared/contract.ts';

/** What the picker is asked: words for its title and button, and a task to preselect. */
export interface PickRequest {
  title: string;
  confirmLabel: string;
  suggested: TaskTarget | null;
  /** Tasks not to offer among the recent ones: where the files are now, for instance. */
  exclude?: readonly TaskTarget[];
  /** Reload lists and tasks from Microsoft To Do first (a task turned out to be gone). */
  reload?: boolean;
}

export type PickerOption =
  | { kind: 'task'; key: string; section: 'recent' | 'tasks'; target: TaskTarget }
  | { kind: 'create'; key: string; title: string; list: TaskListView };

/** The engine searches in memory; the page shows at most this many rows. */
export const resultLimit = 100;
const recentLimit = 5;
const searchDelayMs = 100;

const sameTask = (a: TaskTarget, b: TaskTarget): boolean =>
  a.accountId === b.accountId && a.listId === b.listId && a.taskId === b.taskId;

const optionKey = (section: string, target: TaskTarget): string =>
  `${section}:${target.accountId}:${target.listId}:${target.taskId}`;

function targetOf(task: TaskView): TaskTarget {
  return {
    accountId: task.accountId,
    listId: task.listId,
    taskId: task.id,
    listName: task.listName,
    taskTitle: task.title,
  };
}

/** The engine's notion of "the same words": lower case, no accents, single spaces. */
function comparable(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .trim()
    .replace(/\s+/g, ' ');
}

/**
 * The task picker: an account's lists with their open-task counts, the chosen list's tasks,
 * recent targets first, search across every list as the person types, and a new task on the
 * spot. `pick()` opens it and answers the chosen target, or null when it was closed.
 */
export class PickerState {
  readonly #api: TaskdropApi;
  #resolve: ((target: TaskTarget | null) => void) | null = null;
  #searchTimer: ReturnType<typeof setTimeout> | undefined;
  #searchSeq = 0;
  /** The search that is due or running, so Enter never picks from an older answer. */
  #searching: Promise<void> = Promise.resolve();

  isOpen = $state(false);
  request = $state.raw<PickRequest | null>(null);
  accounts = $state.raw<readonly AccountView[]>([]);
  accountId = $state('');
  lists = $state.raw<readonly TaskListView[]>([]);
  listId = $state<string | null>(null);
  text = $state('');
  /** The chosen list's tasks, or what the search found across every list. */
  tasks = $state.raw<readonly TaskView[]>([]);
  recent = $state.raw<readonly TaskTarget[]>([]);
  activeKey = $state<string | null>(null);
  loading = $state(false);
  /** A search for what was typed is due or running: the rows shown may be older. */
  pending = $state(false);
  /** Creating a task: the picker waits for Microsoft To Do. */
  busy = $state(false);
  error = $state('');
  /** Loaded, and no account to pick from: the picker leads to signing in instead. */
  noAccount = $state(false);

  readonly searching = $derived(this.text.trim() !== '');
  readonly list = $derived(this.lists.find((list) => list.id === this.listId) ?? null);

  readonly options: readonly PickerOption[] = $derived.by(() => {
    const options: PickerOption[] = [];
    if (!this.searching) {
      for (const target of this.recent) {
        options.push({ kind: 'task', key: optionKey('recent', target), section: 'recent', target });
      }
    }
    for (const task of this.tasks) {
      const target = targetOf(task);
      options.push({ kind: 'task', key: optionKey('tasks', target), section: 'tasks', target });
    }
    const title = this.text.trim().replace(/\s+/g, ' ');
    const exact = this.tasks.some((task) => comparable(task.title) === comparable(title));
    if (this.searching && this.list !== null && !exact) {
      options.push({ kind: 'create', key: 'create', title, list: this.list });
    }
    return options;
  });

  /**
   * The highlighted row: the one moved to (or suggested), else the best match of a search.
   * Nothing else: Enter right after a drop must not attach to whichever task happens to be first.
   */
  readonly activeIndex = $derived.by(() => {
    const index = this.options.findIndex((option) => option.key === this.activeKey);
    return index >= 0 ? index : this.searching && this.options.length > 0 ? 0 : -1;
  });

  readonly active: PickerOption | null = $derived(this.options[this.activeIndex] ?? null);

  constructor(api: TaskdropApi) {
    this.#api = api;
  }

  /** Opens the picker; a pick still open is answered null first. */
  pick(request: PickRequest): Promise<TaskTarget | null> {
    this.#finish(null);
    this.request = request;
    this.text = '';
    this.tasks = [];
    this.recent = [];
    this.error = '';
    this.busy = false;
    this.activeKey = request.suggested === null ? null : optionKey('recent', request.suggested);
    this.isOpen = true;
    void this.#load(request);
    return new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  async #load(request: PickRequest): Promise<void> {
    const { suggested } = request;
    this.loading = true;
    try {
      const [accounts, recent] = await Promise.all([
        this.#api.listAccounts(),
        this.#api.recentTargets(),
      ]);
      this.accounts = accounts;
      const accountId =
        accounts.find((account) => account.id === suggested?.accountId)?.id ??
        accounts[0]?.id ??
        '';
      const known = (target: TaskTarget): boolean =>
        accounts.some((account) => account.id === target.accountId) &&
        !(request.exclude ?? []).some((excluded) => sameTask(excluded, target));
      const firstOf = suggested === null ? [] : [suggested];
      this.recent = [
        ...firstOf,
        ...recent.filter((target) => !firstOf.some((s) => sameTask(s, target))),
      ]
        .filter(known)
        .slice(0, recentLimit);
      if (request.reload === true && accountId !== '') await this.#api.refreshTasks(accountId);
      await this.#openAccount(accountId, suggested?.listId ?? this.recent[0]?.listId ?? null);
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.loading = false;
    }
  }

  async #openAccount(accountId: string, preferredListId: string | null): Promise<void> {
    this.accountId = accountId;
    this.noAccount = accountId === '';
    if (accountId === '') {
      this.lists = [];
      this.listId = null;
      return;
    }
    const lists = await this.#api.listTaskLists(accountId);
    this.lists = lists;
    this.listId =
      lists.find((list) => list.id === preferredListId)?.id ??
      lists.find((list) => list.wellknownListName === 'defaultList')?.id ??
      lists[0]?.id ??
      null;
    this.#search(0);
    await this.#searching;
  }

  /** Signed in (or demo mode) while the picker showed no account: it loads that one now. */
  accountsArrived(): void {
    if (this.isOpen && this.noAccount && this.request !== null) void this.#load(this.request);
  }

  /** Tasks the engine learned are gone leave what the picker offers at once. */
  tasksGone(gone: readonly TaskTarget[]): void {
    const isGone = (target: TaskTarget): boolean => gone.some((task) => sameTask(task, target));
    this.recent = this.recent.filter((target) => !isGone(target));
    this.tasks = this.tasks.filter((task) => !isGone(targetOf(task)));
  }

  async chooseAccount(accountId: string): Promise<void> {
    this.text = '';
    try {
      await this.#openAccount(accountId, null);
    } catch (error) {
      this.error = messageOf(error);
    }
  }

  /** Shows a list's tasks (and leaves a search). */
  chooseList(listId: string): void {
    this.listId = listId;
    this.text = '';
    this.activeKey = null;
    this.#search(0);
  }

  /** Searches every list as the person types, once they pause for a moment. */
  setText(text: string): void {
    this.text = text;
    this.activeKey = null;
    this.#search(searchDelayMs);
  }

  /** Asks the engine for the tasks to show, now or after `delayMs` (typing). */
  #search(delayMs: number): void {
    this.pending = true;
    clearTimeout(this.#searchTimer);
    this.#searchTimer = undefined;
    if (delayMs === 0) {
      this.#searching = this.#refreshTasks();
      return;
    }
    this.#searching = new Promise((resolve) => {
      this.#searchTimer = setTimeout(() => {
        this.#searchTimer = undefined;
        void this.#refreshTasks().then(resolve);
      }, delayMs);
    });
  }

  /** Runs a search still waiting for its delay now, and waits for its answer. */
  async #settle(): Promise<void> {
    if (this.#searchTimer !== undefined) this.#search(0);
    await this.#searching;
  }

  async #refreshTasks(): Promise<void> {
    this.#searchSeq += 1;
    const seq = this.#searchSeq;
    const text = this.text.trim();
    if (this.accountId === '') {
      this.pending = false;
      return;
    }
    try {
      const found = await this.#api.findTasks(
        text === ''
          ? {
              accountId: this.accountId,
              text: '',
              ...(this.listId === null ? {} : { listId: this.listId }),
              limit: resultLimit,
            }
          : { accountId: this.accountId, text, limit: resultLimit },
      );
      // An answer to an older query must not replace a newer one.
      if (seq !== this.#searchSeq || this.#searchTimer !== undefined) return;
      this.tasks = found;
      this.error = '';
    } catch (error) {
      if (seq === this.#searchSeq) this.error = messageOf(error);
    } finally {
      if (seq === this.#searchSeq && this.#searchTimer === undefined) this.pending = false;
    }
  }

  /** Reloads lists and tasks from Microsoft To Do. */
  async reload(): Promise<void> {
    if (this.accountId === '') return;
    this.loading = true;
    try {
      await this.#api.refreshTasks(this.accountId);
      await this.#openAccount(this.accountId, this.listId);
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.loading = false;
    }
  }

  move(delta: number): void {
    if (this.options.length === 0) return;
    const next = Math.min(this.options.length - 1, Math.max(0, this.activeIndex + delta));
    this.activeKey = this.options[next]?.key ?? null;
  }

  moveTo(edge: 'first' | 'last'): void {
    const option = edge === 'first' ? this.options[0] : this.options[this.options.length - 1];
    this.activeKey = option?.key ?? null;
  }

  /** Enter: the highlighted row once the search for what was typed has answered. */
  async chooseActive(): Promise<void> {
    await this.#settle();
    await this.choose(this.active);
  }

  /** Chooses `option`: a task, or a new task made from the text. */
  async choose(option: PickerOption | null): Promise<void> {
    if (option === null || this.busy || !this.isOpen) return;
    this.activeKey = option.key;
    if (option.kind === 'task') {
      this.#finish(option.target);
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      const target = await this.#api.createTask({
        accountId: option.list.accountId,
        listId: option.list.id,
        title: option.title,
      });
      this.#finish(target);
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.busy = false;
    }
  }

  cancel(): void {
    this.#finish(null);
  }

  #finish(target: TaskTarget | null): void {
    clearTimeout(this.#searchTimer);
    this.#searchTimer = undefined;
    this.#searching = Promise.resolve();
    this.pending = false;
    const resolve = this.#resolve;
    this.#resolve = null;
    this.isOpen = false;
    resolve?.(target);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
