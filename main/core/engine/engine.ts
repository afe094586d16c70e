import type { Database } from 'better-sqlite3';
import packageJson from '../../../package.json' with { type: 'json' };
import type {
  AccountView,
  AppInfo,
  ConnectionReport,
  EnqueueRequest,
  EnqueueResult,
  JobSelection,
  JobView,
  NewTaskRequest,
  NewWatchedFolder,
  PastedClipboard,
  PastedImageRequest,
  QueueSummary,
  RetargetRequest,
  Settings,
  ShortcutStatus,
  TaskdropApi,
  TaskdropEvents,
  TaskListView,
  TaskQuery,
  TaskTarget,
  TaskView,
  Unsubscribe,
  WatchedFolderUpdate,
  WatchedFolderView,
} from '../../../preload/shared/contract.ts';
import type { TokenProvider } from '../auth/token-provider.ts';
import type { GraphClient } from '../graph/client.ts';
import type { Logger } from '../logging/logger.ts';
import { keepBackups, openQueueDatabase, type QueueBackups } from '../queue/database.ts';
import type { JobStore } from '../queue/job-store.ts';
import type { TrashFile, WatchActivity } from '../watch/types.ts';
import type { AccountService } from './account-service.ts';
import type { AccountConfig, Accounts } from './accounts.ts';
import type { ClipboardService } from './clipboard-service.ts';
import { composeServices } from './compose.ts';
import type { DiagnosticsService } from './diagnostics-service.ts';
import { accountFields } from './engine-log.ts';
import type { CopiesRequest, EngineOptions } from './engine-types.ts';
import { EventHub } from './events.ts';
import type { JobFeed } from './job-feed.ts';
import type { JobIntake } from './job-intake.ts';
import type { PickerService } from './picker-service.ts';
import type { QueueService } from './queue-service.ts';
import type { Scheduler } from './scheduler.ts';
import type { SettingsService } from './settings-service.ts';
import type { WatchedFoldersService } from './watched-folders.ts';

export type {
  ChooseFolder,
  CopiesRequest,
  Desktop,
  EngineOptions,
  InteractiveSignIn,
  StartDemo,
} from './engine-types.ts';
export { EngineRequestError } from './engine-types.ts';

/**
 * The engine facade: the contract's commands and events, each group answered by its service
 * (queue, intake, accounts, picker, settings, watched folders, diagnostics), which it composes
 * here and nothing more. UI and CLI talk to this and nothing below it.
 */
export class Engine implements TaskdropApi {
  readonly #db: Database;
  readonly #log: Logger;
  readonly #events = new EventHub();
  readonly #store: JobStore;
  readonly #accounts: Accounts;
  readonly #scheduler: Scheduler;
  readonly #feed: JobFeed;
  readonly #intake: JobIntake;
  readonly #queue: QueueService;
  readonly #accountService: AccountService;
  readonly #picker: PickerService;
  readonly #settings: SettingsService;
  readonly #clipboard: ClipboardService;
  readonly #folders: WatchedFoldersService;
  readonly #diagnostics: DiagnosticsService;
  #closed = false;
  #backups: QueueBackups | undefined;

  private constructor(options: EngineOptions, db: Database) {
    const services = composeServices(options, db, this.#events, () => this.#closed);
    this.#db = db;
    this.#log = services.log;
    this.#store = services.store;
    this.#accounts = services.accounts;
    this.#scheduler = services.scheduler;
    this.#feed = services.feed;
    this.#intake = services.intake;
    this.#queue = services.queue;
    this.#accountService = services.accountService;
    this.#picker = services.picker;
    this.#settings = services.settings;
    this.#clipboard = services.clipboard;
    this.#folders = services.folders;
    this.#diagnostics = services.diagnostics;
  }

  /**
   * Opens the queue in `dataDir` (refused while another engine holds it) and recovers jobs a
   * crash left mid-upload. Nothing runs before `start()`. The shells open it through
   * `openEngine` (open-engine.ts), which decides the accounts.
   */
  static open(options: EngineOptions): Engine {
    const db = openQueueDatabase(options.dataDir);
    const engine = new Engine(options, db);
    engine.#backups = keepBackups(db, options.dataDir, (error) =>
      engine.#log.warn('queue backup failed', { error }),
    );
    const interrupted = engine.#store.recoverInterrupted();
    engine.#log.info('queue opened', {
      version: packageJson.version,
      dataDir: options.dataDir,
      accounts: options.accounts.map(accountFields),
      jobs: engine.#store.countByState().reduce((sum, count) => sum + count.jobs, 0),
      interrupted,
    });
    return engine;
  }

  start(): void {
    this.#log.info('uploads started');
    this.#scheduler.start();
  }

  /**
   * Watches the watched folders (the app, `taskdrop watch run`): files they take are queued,
   * and uploaded once `start()` runs too. `trash` is how files are deleted after upload (the
   * app's shell.trashItem, the CLI's trash package). Resolves once each folder is looked through.
   */
  startWatching(options: { trash?: TrashFile } = {}): Promise<void> {
    return this.#folders.start(options.trash);
  }

  /** What the watched folders do, as it happens (the CLI prints it). */
  onWatchActivity(listener: (event: WatchActivity) => void): Unsubscribe {
    return this.#folders.onActivity(listener);
  }

  /** Stops uploads in flight (they resume on the next start) and closes the queue. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#feed.closing();
    await this.#folders.stop();
    await this.#scheduler.shutdown();
    this.#feed.close();
    await this.#backups?.stop();
    this.#db.close();
    this.#log.info('queue closed');
  }

  on<E extends keyof TaskdropEvents>(
    event: E,
    listener: (payload: TaskdropEvents[E]) => void,
  ): Unsubscribe {
    return this.#events.on(event, listener);
  }

  graphFor(accountId: string): GraphClient {
    return this.#accounts.get(accountId).graph;
  }

  accounts(): AccountConfig[] {
    return this.#accounts.configs();
  }

  // Accounts (AccountService).
  addAccount(config: AccountConfig, tokens?: TokenProvider): void {
    this.#accountService.addAccount(config, tokens);
  }
  removeAccount(accountId: string): Promise<void> {
    return this.#accountService.removeAccount(accountId);
  }
  signedIn(accountId: string): void {
    this.#accountService.signedIn(accountId);
  }
  listAccounts(): Promise<AccountView[]> {
    return this.#accountService.listAccounts();
  }
  signIn(): Promise<AccountView> {
    return this.#accountService.signIn();
  }
  signOut(accountId: string): Promise<void> {
    return this.#accountService.signOut(accountId);
  }
  tryDemo(): Promise<AccountView> {
    return this.#accountService.tryDemo();
  }

  // Queue (JobIntake and QueueService).
  enqueue(request: EnqueueRequest): Promise<EnqueueResult> {
    return this.#intake.enqueue(request);
  }
  /** Copies made for the queue (a browser's drops, staged), refused by content when repeated. */
  enqueueCopies(request: CopiesRequest): Promise<EnqueueResult> {
    return this.#intake.enqueueCopies(request);
  }
  listJobs(): Promise<JobView[]> {
    return this.#queue.listJobs();
  }
  summary(): Promise<QueueSummary> {
    return this.#queue.summary();
  }
  pause(selection: JobSelection): Promise<number> {
    return this.#queue.pause(selection);
  }
  resume(selection: JobSelection): Promise<number> {
    return this.#queue.resume(selection);
  }
  retry(selection: JobSelection): Promise<number> {
    return this.#queue.retry(selection);
  }
  cancel(selection: JobSelection): Promise<number> {
    return this.#queue.cancel(selection);
  }
  remove(selection: JobSelection): Promise<number> {
    return this.#queue.remove(selection);
  }
  clearFinished(): Promise<number> {
    return this.#queue.clearFinished();
  }
  retarget(request: RetargetRequest): Promise<number> {
    return this.#queue.retarget(request);
  }

  // Picker (PickerService).
  listTaskLists(accountId: string): Promise<TaskListView[]> {
    return this.#picker.listTaskLists(accountId);
  }
  findTasks(query: TaskQuery): Promise<TaskView[]> {
    return this.#picker.findTasks(query);
  }
  createTask(request: NewTaskRequest): Promise<TaskTarget> {
    return this.#picker.createTask(request);
  }
  recentTargets(): Promise<TaskTarget[]> {
    return this.#picker.recentTargets();
  }
  refreshTasks(accountId: string): Promise<void> {
    return this.#picker.refreshTasks(accountId);
  }
  showInFolder(jobId: number): Promise<void> {
    return this.#picker.showInFolder(jobId);
  }
  openInToDo(jobId: number): Promise<void> {
    return this.#picker.openInToDo(jobId);
  }

  // Settings (SettingsService) and About (DiagnosticsService).
  getSettings(): Promise<Settings> {
    return this.#settings.getSettings();
  }
  updateSettings(changes: Partial<Settings>): Promise<Settings> {
    return this.#settings.updateSettings(changes);
  }
  shortcutStatus(): Promise<ShortcutStatus> {
    return this.#settings.shortcutStatus();
  }

  // Paste (ClipboardService).
  readClipboard(): Promise<PastedClipboard> {
    return this.#clipboard.readClipboard();
  }
  pastedText(text: string): Promise<PastedClipboard> {
    return this.#clipboard.pastedText(text);
  }
  enqueuePasted(request: PastedImageRequest): Promise<EnqueueResult> {
    return this.#clipboard.enqueuePasted(request);
  }
  appInfo(): Promise<AppInfo> {
    return this.#diagnostics.appInfo();
  }
  diagnostics(): Promise<string> {
    return this.#diagnostics.diagnostics();
  }
  checkConnection(
    accountId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<ConnectionReport> {
    return this.#diagnostics.checkConnection(accountId, options);
  }

  // Watched folders (WatchedFoldersService).
  listWatchedFolders(): Promise<WatchedFolderView[]> {
    return this.#folders.listWatchedFolders();
  }
  addWatchedFolder(folder: NewWatchedFolder): Promise<WatchedFolderView> {
    return this.#folders.addWatchedFolder(folder);
  }
  updateWatchedFolder(update: WatchedFolderUpdate): Promise<WatchedFolderView> {
    return this.#folders.updateWatchedFolder(update);
  }
  removeWatchedFolder(id: number): Promise<boolean> {
    return this.#folders.removeWatchedFolder(id);
  }
  chooseFolder(): Promise<string | null> {
    return this.#folders.chooseFolder();
  }
}
