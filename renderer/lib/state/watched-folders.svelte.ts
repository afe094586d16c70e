import type {
  AfterUploadAction,
  TaskdropApi,
  TaskTarget,
  Unsubscribe,
  WatchedFolderSettings,
  WatchedFolderView,
} from '../../../preload/shared/contract.ts';
import { watchedFolderDefaults } from '../../../preload/shared/contract.ts';
import { parsePatterns, patternsText } from '../folder-display.ts';
import type { Reporter } from './queue.svelte.ts';

export type DraftField = 'path' | 'target' | 'include' | 'exclude' | 'moveTo';

/** Each field's element id, in the order the form shows them. */
export const draftFieldIds: Record<DraftField, string> = {
  path: 'folder-path',
  target: 'folder-target',
  include: 'folder-include',
  exclude: 'folder-exclude',
  moveTo: 'folder-move-to',
};

/**
 * Everything the form sets: the path (fixed once watched) and the settings but pausing. The
 * subfolder only when files move there: otherwise the one saved stays, for the next switch.
 */
type FormSettings = Omit<WatchedFolderSettings, 'paused' | 'moveTo'> & { moveTo?: string };

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** A path as pasted: "Copy as path" on Windows wraps it in quotes. */
function cleanPath(text: string): string {
  const trimmed = text.trim();
  const quoted = /^(["'])(.*)\1$/.exec(trimmed);
  return (quoted?.[2] ?? trimmed).trim();
}

function patternProblem(patterns: readonly string[]): string | undefined {
  const bad = patterns.find((pattern) => /[\\/]/.test(pattern));
  return bad === undefined
    ? undefined
    : `“${bad}” is not a file-name pattern: use names like *.pdf or scan-*, without / or \\.`;
}

function subfolderProblem(moveTo: string): string | undefined {
  if (moveTo === '') return 'Name the subfolder, like uploaded.';
  if (/^([\\/]|[A-Za-z]:)/.test(moveTo) || moveTo.split(/[\\/]+/).includes('..')) {
    return `“${moveTo}” must be a subfolder inside the watched folder, like uploaded.`;
  }
  return undefined;
}

/**
 * The add/edit form of one watched folder: what the person typed, kept as typed (nothing is
 * lost when the engine refuses), each problem next to its field, and the engine's refusal.
 */
export class FolderDraft {
  /** The folder being edited; null when adding one. */
  readonly id: number | null;
  path = $state('');
  target = $state.raw<TaskTarget | null>(null);
  include = $state('');
  exclude = $state('');
  recursive = $state(watchedFolderDefaults.recursive);
  afterUpload = $state<AfterUploadAction>(watchedFolderDefaults.afterUpload);
  moveTo = $state(watchedFolderDefaults.moveTo);
  poll = $state(watchedFolderDefaults.poll);
  skipAttachedContent = $state(watchedFolderDefaults.skipAttachedContent);
  errors = $state<Partial<Record<DraftField, string>>>({});
  /** Why the engine refused it, in its words. */
  refusal = $state('');
  saving = $state(false);

  constructor(folder: WatchedFolderView | null = null) {
    this.id = folder?.id ?? null;
    if (folder === null) return;
    this.path = folder.path;
    this.target = folder.target;
    this.include = patternsText(folder.include);
    this.exclude = patternsText(folder.exclude);
    this.recursive = folder.recursive;
    this.afterUpload = folder.afterUpload;
    this.moveTo = folder.moveTo;
    this.poll = folder.poll;
    this.skipAttachedContent = folder.skipAttachedContent;
  }

  get adding(): boolean {
    return this.id === null;
  }

  /** The field to show first: the first one with a problem. */
  get firstProblem(): DraftField | null {
    const order = Object.keys(draftFieldIds) as DraftField[];
    return order.find((field) => this.errors[field] !== undefined) ?? null;
  }

  /** The settings as the engine takes them; null, with each problem by its field, if any. */
  settings(): FormSettings | null {
    const path = cleanPath(this.path);
    const include = parsePatterns(this.include);
    const exclude = parsePatterns(this.exclude);
    const moveTo = this.moveTo.trim();
    const errors: Partial<Record<DraftField, string>> = {
      path: path === '' ? 'Enter the folder’s full path.' : undefined,
      target: this.target === null ? 'Choose the task its files go to.' : undefined,
      include: patternProblem(include),
      exclude: patternProblem(exclude),
      moveTo: this.afterUpload === 'move' ? subfolderProblem(moveTo) : undefined,
    };
    this.errors = Object.fromEntries(
      Object.entries(errors).filter(([, message]) => message !== undefined),
    );
    if (this.target === null || this.firstProblem !== null) return null;
    return {
      path,
      target: this.target,
      include,
      exclude,
      recursive: this.recursive,
      afterUpload: this.afterUpload,
      ...(this.afterUpload === 'move' ? { moveTo } : {}),
      poll: this.poll,
      skipAttachedContent: this.skipAttachedContent,
    };
  }

  setTarget(target: TaskTarget): void {
    this.target = target;
    this.errors = { ...this.errors, target: undefined };
  }
}

/**
 * The Watched folders view: every folder with its live status (`watchedFoldersChanged`), and
 * the commands to add, edit, pause and resume, and remove one.
 */
export class WatchedFoldersState {
  readonly #api: TaskdropApi;
  readonly #report: Reporter;
  #heardFromEngine = false;

  folders = $state.raw<readonly WatchedFolderView[]>([]);
  loaded = $state(false);
  /** Folders with a command under way: their buttons wait for it. */
  busy = $state.raw<ReadonlySet<number>>(new Set());

  constructor(api: TaskdropApi, report: Reporter) {
    this.#api = api;
    this.#report = report;
  }

  start(): Unsubscribe {
    const stop = this.#api.on('watchedFoldersChanged', (folders) => {
      this.#heardFromEngine = true;
      this.folders = folders;
      this.loaded = true;
    });
    void this.#load();
    return stop;
  }

  async #load(): Promise<void> {
    try {
      const folders = await this.#api.listWatchedFolders();
      // An event that arrived meanwhile is newer than this answer.
      if (!this.#heardFromEngine) this.folders = folders;
      this.loaded = true;
    } catch (error) {
      this.#report('The watched folders could not be loaded', error);
    }
  }

  get(id: number): WatchedFolderView | undefined {
    return this.folders.find((folder) => folder.id === id);
  }

  /** Adds or changes the draft's folder; the engine's refusal stays on the draft. */
  async save(draft: FolderDraft): Promise<WatchedFolderView | null> {
    if (draft.saving) return null;
    draft.refusal = '';
    const settings = draft.settings();
    if (settings === null) return null;
    draft.saving = true;
    try {
      const { path, ...changes } = settings;
      const saved =
        draft.id === null
          ? await this.#api.addWatchedFolder({ path, ...changes, mustExist: true })
          : await this.#api.updateWatchedFolder({ id: draft.id, changes });
      this.#upsert(saved);
      return saved;
    } catch (error) {
      const message = messageOf(error);
      // A refusal that names the folder's path is about the path: it shows at that field.
      const path = settings.path;
      if (draft.id === null && (message.includes(path) || /full path/.test(message))) {
        draft.errors = { ...draft.errors, path: message };
      } else {
        draft.refusal = message;
      }
      return null;
    } finally {
      draft.saving = false;
    }
  }

  setPaused(id: number, paused: boolean): Promise<void> {
    return this.#command(id, paused ? 'Pausing did not work' : 'Resuming did not work', async () =>
      this.#upsert(await this.#api.updateWatchedFolder({ id, changes: { paused } })),
    );
  }

  /** Watches it again from scratch (an update that changes nothing restarts its watcher). */
  retry(id: number): Promise<void> {
    return this.#command(id, 'Watching did not start again', async () =>
      this.#upsert(await this.#api.updateWatchedFolder({ id, changes: {} })),
    );
  }

  /** Stops watching it; what it queued stays in the queue. */
  remove(id: number): Promise<void> {
    return this.#command(id, 'The folder could not be removed', async () => {
      await this.#api.removeWatchedFolder(id);
      this.folders = this.folders.filter((folder) => folder.id !== id);
    });
  }

  /** The system's folder chooser (the app only); null when closed or not available. */
  async chooseFolder(): Promise<string | null> {
    try {
      return await this.#api.chooseFolder();
    } catch (error) {
      this.#report('The folder chooser did not open', error);
      return null;
    }
  }

  async #command(id: number, what: string, work: () => Promise<void>): Promise<void> {
    if (this.busy.has(id)) return;
    this.busy = new Set([...this.busy, id]);
    try {
      await work();
    } catch (error) {
      this.#report(what, error);
    } finally {
      this.busy = new Set([...this.busy].filter((busy) => busy !== id));
    }
  }

  /** The engine's answer, in place: its event usually came first, but need not. */
  #upsert(view: WatchedFolderView): void {
    const known = this.folders.some((folder) => folder.id === view.id);
    this.folders = known
      ? this.folders.map((folder) => (folder.id === view.id ? view : folder))
      : [...this.folders, view];
  }
}
