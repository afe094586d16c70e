import type { Database } from 'better-sqlite3';
import { arch, homedir, release } from 'node:os';
import { access } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import packageJson from '../../../package.json' with { type: 'json' };
import type {
  AccountView,
  AppInfo,
  ConnectionReport,
  TokenStorage,
  EnqueueRequest,
  EnqueueResult,
  JobSelection,
  JobState,
  JobView,
  NewTaskRequest,
  QueueSummary,
  Refusal,
  RetargetRequest,
  Settings,
  TaskdropApi,
  TaskdropEvents,
  TaskListView,
  TaskQuery,
  TaskTarget,
  TaskView,
  Unsubscribe,
  NewWatchedFolder,
  WatchedFolderUpdate,
  WatchedFolderView,
  PastedClipboard,
  PastedImageRequest,
  ShortcutStatus,
} from '../../../preload/contract.ts';
import { jobStates, toDoWebApp } from '../../../preload/contract.ts';
import { RecentTargets } from '../catalog/recent-targets.ts';
import { desktopPlatformOf } from '../../../preload/accelerator.ts';
import type { ClipboardHost } from '../clipboard/clipboard-host.ts';
import { filesNamedBy } from '../clipboard/pasted-text.ts';
import type { ShortcutHost } from '../settings/shortcut-host.ts';
import { TaskCatalog } from '../catalog/task-catalog.ts';
import { settingsSchema, SettingsStore } from '../settings/settings-store.ts';
import type { TokenProvider } from '../auth/token-provider.ts';
import { contentTypeFor } from '../files/content-type.ts';
import { inspectFile, inspectKnown, type FileCheck } from '../files/inspect-file.ts';
import { probeService, type LearnedFacts } from '../doctor/service-probe.ts';
import { ScratchLedger } from '../doctor/scratch-ledger.ts';
import { diagnosticsReport } from '../logging/diagnostics.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import type { GraphClient } from '../graph/client.ts';
import { defaultPacingLimits, type PacingLimits } from '../pacing/account-pacer.ts';
import { queueFileErrorOf } from '../queue/queue-file.ts';
import { keepBackups, openQueueDatabase, type QueueBackups } from '../queue/database.ts';
import { JobStore, type JobRow, type NewJob } from '../queue/job-store.ts';
import { ServiceKnowledge, type FactId } from '../queue/service-knowledge.ts';
import { retargetableStates } from '../queue/states.ts';
import { cancelUpload } from '../upload/cancel-upload.ts';
import { defaultRetryPolicy, type RetryPolicy } from '../upload/retry-policy.ts';
import { defaultRangeSize, defaultSmallUploadMaxBytes } from '../upload/upload-attempt.ts';
import { WatchRequestError } from '../watch/folder-settings.ts';
import type { EnqueueOutcome, TrashFile, WatchActivity, WatchOptions } from '../watch/types.ts';
import { forEachLimited } from '../watch/limited.ts';
import { bytesPerMb } from '../../../preload/sizes.ts';
import { WatchService } from '../watch/watch-service.ts';
import {
  accountView,
  createAccountRuntime,
  type AccountConfig,
  type AccountRuntime,
} from './accounts.ts';
import { accountFields, logEnqueued, logWatchActivity } from './engine-log.ts';
import { EventHub } from './events.ts';
import { toJobView, toSummary } from './job-view.ts';
import { defaultStallAfterMs, ProgressTracker } from './progress-tracker.ts';
import { Scheduler } from './scheduler.ts';

export interface EngineOptions {
  dataDir: string;
  accounts: AccountConfig[];
  tokens: TokenProvider;
  fetch?: typeof fetch;
  now?: () => number;
  pacing?: Partial<PacingLimits>;
  retry?: Partial<RetryPolicy>;
  rangeSize?: number;
  smallUploadMaxBytes?: number;
  /** How often progress batches go out while uploading. */
  progressIntervalMs?: number;
  stallAfterMs?: number;
  /** Interactive sign-in with Microsoft (the app); absent in demo and token modes. */
  signIn?: InteractiveSignIn;
  /** The desktop's file manager and browser (the app); absent in a browser and the CLI. */
  desktop?: Desktop;
  /** Starts demo mode's Graph on request (the first run's "Try demo mode"); absent: not offered. */
  demo?: StartDemo;
  /** Watched folders: the trash to use, and timings (tests scale them down). */
  watch?: WatchOptions;
  /** The system's folder chooser (the app); absent where there is none (web, CLI, tests). */
  chooseFolder?: ChooseFolder;
  /**
   * Where the engine writes what happens (its owner opens and closes it); without one it only
   * keeps the recent problems in memory, for the diagnostics.
   */
  log?: Logger;
  /** Versions the engine cannot know itself (Electron, Chromium), for the diagnostics. */
  runtimeVersions?: Readonly<Record<string, string>>;
  /** How the shell keeps sign-ins between runs, for Settings to show (default 'none'). */
  tokenStorage?: TokenStorage;
  /** The system clipboard (the app); absent where a paste arrives with the page's own data. */
  clipboard?: ClipboardHost;
  /** Claims Settings.globalShortcut from the OS (the app); absent where there is none. */
  shortcut?: ShortcutHost;
}

/** Shows a folder chooser; answers the chosen folder's path, or null when it was closed. */
export type ChooseFolder = () => Promise<string | null>;

/** How the person signs in and out of Microsoft accounts, given by the shell that can. */
export interface InteractiveSignIn {
  signIn(): Promise<AccountConfig>;
  /** Removes the account's tokens. */
  signOut(accountId: string): Promise<void>;
}

/** What the app's shell can open on this computer. */
export interface Desktop {
  showItemInFolder(path: string): void;
  openExternal(url: string): Promise<void>;
}

/** The demo account and where its tokens come from (the simulator mints them). */
export type StartDemo = () => Promise<{ account: AccountConfig; tokens: TokenProvider }>;

/** A request the engine cannot act on, in words for the person. */
export class EngineRequestError extends Error {
  readonly reason: 'unknown-account' | 'invalid-request' | 'not-available';

  constructor(reason: EngineRequestError['reason'], message: string) {
    super(message);
    this.name = 'EngineRequestError';
    this.reason = reason;
  }
}

/** What a queue command's action answers when the job turned out not to need it. */
const notApplied = Symbol('not applied');

/** Files inspected at once while enqueueing: enough to hide disk latency, few enough for the OS. */
const inspectionConcurrency = 32;
const defaultProgressIntervalMs = 250;
/** The `origin` of jobs a watched folder queued; a person's drops are 'manual'. */
const watchedOrigin = 'watched-folder';

/**
 * The engine facade: the contract's commands and events over the queue store, the scheduler
 * and the accounts. UI and CLI talk to this and nothing below it.
 */
export class Engine implements TaskdropApi {
  readonly #db: Database;
  readonly #options: EngineOptions;
  readonly #store: JobStore;
  readonly #settings: SettingsStore;
  readonly #recent: RecentTargets;
  readonly #catalog: TaskCatalog;
  readonly #knowledge: ServiceKnowledge;
  readonly #accounts = new Map<string, AccountRuntime>();
  readonly #progress: ProgressTracker;
  readonly #scheduler: Scheduler;
  readonly #watch: WatchService;
  readonly #events = new EventHub();
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #progressIntervalMs: number;
  readonly #pendingChanges = new Set<number>();
  /** A connection check under way per account: asking again joins it. */
  readonly #checks = new Map<string, Promise<ConnectionReport>>();
  #flushScheduled = false;
  #demoStarting: Promise<string> | undefined;
  /** The watched folders' paths, longest first: which one a watched file came from. */
  #folderPaths: string[] = [];
  #progressTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #backups: QueueBackups | undefined;

  private constructor(options: EngineOptions, db: Database) {
    this.#db = db;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? createLogger({ now: this.#now });
    this.#store = new JobStore(db, this.#now);
    this.#settings = new SettingsStore(db);
    this.#recent = new RecentTargets(db, this.#now);
    this.#knowledge = new ServiceKnowledge(db, this.#now);
    this.#catalog = new TaskCatalog((accountId) => this.#account(accountId).graph);
    this.#progressIntervalMs = options.progressIntervalMs ?? defaultProgressIntervalMs;
    for (const config of options.accounts) this.#register(config);
    this.#progress = new ProgressTracker(this.#now, options.stallAfterMs ?? defaultStallAfterMs);
    this.#scheduler = new Scheduler({
      store: this.#store,
      knowledge: this.#knowledge,
      accounts: this.#accounts,
      progress: this.#progress,
      now: this.#now,
      retry: { ...defaultRetryPolicy, ...options.retry },
      rangeSize: options.rangeSize ?? defaultRangeSize,
      smallUploadMaxBytes: options.smallUploadMaxBytes ?? defaultSmallUploadMaxBytes,
      changed: (ids) => this.#changed(ids),
      accountsChanged: () => this.#accountsChanged(),
      taskGone: (target) => void this.#tasksGone([target]),
      log: this.#log.child({ part: 'upload' }),
    });
    this.#watch = new WatchService({
      db,
      now: this.#now,
      queue: {
        enqueue: async (files, target, record) => {
          this.#enqueue(await inspectAll(files, inspectKnown), target, watchedOrigin, {
            record,
          });
        },
        onJobsChanged: (listener) => this.#events.on('jobsChanged', listener),
        hasAccount: (accountId) => this.#accounts.has(accountId),
      },
      emit: (folders) => {
        this.#folderPaths = longestFirst(folders.map((folder) => folder.path));
        this.#events.emit('watchedFoldersChanged', folders);
      },
      ...options.watch,
    });
    this.#folderPaths = longestFirst(this.#watch.list().map((folder) => folder.path));
    const watchLog = this.#log.child({ part: 'watch' });
    this.#watch.onActivity((event) => logWatchActivity(watchLog, event));
  }

  /**
   * Opens the queue in `dataDir` (refused while another engine holds it) and recovers jobs a
   * crash left mid-upload. Nothing runs before `start()`.
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
    return this.#watch.start(options.trash);
  }

  /** What the watched folders do, as it happens (the CLI prints it). */
  onWatchActivity(listener: (event: WatchActivity) => void): Unsubscribe {
    return this.#watch.onActivity(listener);
  }

  /** Stops uploads in flight (they resume on the next start) and closes the queue. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#watch.stop();
    await this.#scheduler.shutdown();
    clearInterval(this.#progressTimer);
    this.#flush();
    await this.#backups?.stop();
    this.#db.close();
    this.#log.info('queue closed');
  }

  graphFor(accountId: string): GraphClient {
    return this.#account(accountId).graph;
  }

  accounts(): AccountConfig[] {
    return [...this.#accounts.values()].map((account) => account.config);
  }

  /** An account signed in while running; its queued jobs can run. */
  addAccount(config: AccountConfig, tokens?: TokenProvider): void {
    this.#log.info('account added', accountFields(config));
    this.#register(config, tokens);
    this.#accountsChanged();
    this.#scheduler.pump();
  }

  #register(config: AccountConfig, tokens: TokenProvider = this.#options.tokens): void {
    this.#accounts.set(
      config.id,
      createAccountRuntime(config, {
        tokens,
        limits: this.#pacingLimits(this.#settings.get()),
        fetch: this.#options.fetch ?? ((input, init) => fetch(input, init)),
        now: this.#now,
      }),
    );
  }

  /** Signed out: its jobs wait (needs-sign-in) until it is back; the others go on. */
  async removeAccount(accountId: string): Promise<void> {
    this.#log.info('account removed', { account: accountId });
    // Gone first: a stopped upload goes back to waiting, and the scheduler must not restart it.
    this.#accounts.delete(accountId);
    this.#catalog.forget(accountId);
    const running = this.#store
      .idsOfAccount(accountId, ['uploading'])
      .filter((id) => this.#scheduler.isRunning(id));
    await Promise.all(running.map((id) => this.#scheduler.stop(id, 'shutdown')));
    this.#accountsChanged();
    this.#scheduler.pump();
  }

  #accountsChanged(): void {
    this.#events.emit('accountsChanged', [...this.#accounts.values()].map(accountView));
  }

  #pacingLimits(settings: Settings): PacingLimits {
    return {
      ...defaultPacingLimits,
      maxConcurrentRequests: settings.maxConcurrentUploads,
      // The budget is in the app's one MB (preload/sizes.ts), but never above Graph's
      // "150 MB" read as the smaller 150,000,000 bytes (docs/graph-unknowns.md).
      maxUploadBytesPerWindow: Math.min(
        settings.uploadBudgetMb * bytesPerMb,
        defaultPacingLimits.maxUploadBytesPerWindow,
      ),
      ...this.#options.pacing,
    };
  }

  async signIn(): Promise<AccountView> {
    const service = this.#options.signIn;
    if (service === undefined) {
      throw new EngineRequestError(
        'not-available',
        'Signing in needs a Microsoft app registration (a client ID): see “Sign in with Microsoft” in the README. Until then taskdrop runs in demo mode.',
      );
    }
    let config: AccountConfig;
    try {
      config = await service.signIn();
    } catch (error) {
      this.#log.warn('sign-in did not complete', { error });
      throw error;
    }
    this.#log.info('signed in', accountFields(config));
    if (!this.#accounts.has(config.id)) this.addAccount(config);
    this.signedIn(config.id);
    return accountView(this.#account(config.id));
  }

  async signOut(accountId: string): Promise<void> {
    const account = this.#account(accountId);
    const service = this.#options.signIn;
    if (service === undefined || account.config.kind !== 'microsoft') {
      throw new EngineRequestError(
        'not-available',
        `${account.config.label} is not a Microsoft sign-in, so there is nothing to sign out of.`,
      );
    }
    await service.signOut(accountId);
    this.#log.info('signed out', accountFields(account.config));
    await this.removeAccount(accountId);
  }

  async tryDemo(): Promise<AccountView> {
    const existing = [...this.#accounts.values()].find(({ config }) => config.kind === 'demo');
    if (existing !== undefined) return accountView(existing);
    const start = this.#options.demo;
    if (start === undefined) {
      throw new EngineRequestError('not-available', 'Demo mode is not available here.');
    }
    // Two clicks start one simulator.
    this.#demoStarting ??= start().then(({ account, tokens }) => {
      this.addAccount(account, tokens);
      return account.id;
    });
    try {
      return accountView(this.#account(await this.#demoStarting));
    } finally {
      this.#demoStarting = undefined;
    }
  }

  listAccounts(): Promise<AccountView[]> {
    return Promise.resolve([...this.#accounts.values()].map(accountView));
  }

  listTaskLists(accountId: string): Promise<TaskListView[]> {
    this.#account(accountId);
    return this.#catalog.lists(accountId);
  }

  findTasks(query: TaskQuery): Promise<TaskView[]> {
    this.#account(query.accountId);
    return this.#catalog.find(query);
  }

  async createTask(request: NewTaskRequest): Promise<TaskTarget> {
    this.#account(request.accountId);
    if (request.title.trim() === '') {
      throw new EngineRequestError('invalid-request', 'A new task needs a title.');
    }
    return this.#catalog.createTask(request);
  }

  recentTargets(): Promise<TaskTarget[]> {
    return Promise.resolve(this.#recent.list());
  }

  /** Reloads; recent tasks the reload no longer finds are gone from To Do, and said to be. */
  async refreshTasks(accountId: string): Promise<void> {
    this.#account(accountId);
    await this.#catalog.refresh(accountId);
    const recent = this.#recent.list().filter((target) => target.accountId === accountId);
    const found = await Promise.all(recent.map((target) => this.#catalog.has(target)));
    await this.#tasksGone(recent.filter((_, index) => found[index] === false));
  }

  /** Tasks that no longer exist leave the recent ones and the picker's copy at once. */
  async #tasksGone(targets: readonly TaskTarget[]): Promise<void> {
    if (targets.length === 0) return;
    for (const target of targets) {
      this.#recent.forget(target.accountId, target.taskId);
      await this.#catalog.forgetTask(target);
    }
    this.#events.emit('tasksGone', [...targets]);
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
    if (this.#accounts.get(job.target.accountId)?.config.kind === 'demo') {
      throw new EngineRequestError(
        'not-available',
        'The demo account’s tasks live in taskdrop’s built-in simulator, not in Microsoft To Do.',
      );
    }
    await desktop.openExternal(toDoWebApp);
  }

  #job(jobId: number): JobRow {
    const job = this.#store.get(jobId);
    if (job === undefined) {
      throw new EngineRequestError('invalid-request', 'That file is no longer in the queue.');
    }
    return job;
  }

  #requireDesktop(): Desktop {
    const desktop = this.#options.desktop;
    if (desktop === undefined) {
      throw new EngineRequestError('not-available', 'Only the taskdrop app can open that here.');
    }
    return desktop;
  }

  appInfo(): Promise<AppInfo> {
    return Promise.resolve({
      version: packageJson.version,
      demo: [...this.#accounts.values()].some((account) => account.config.kind === 'demo'),
      transport: 'electron',
      dropsCarryPaths: true,
      canChooseFolders: this.#options.chooseFolder !== undefined,
      logFile: this.#log.file,
      tokenStorage: this.#options.tokenStorage ?? 'none',
      canSignIn: this.#options.signIn !== undefined,
      canTryDemo: this.#options.demo !== undefined,
      canOpenOnDesktop: this.#options.desktop !== undefined,
    });
  }

  async diagnostics(): Promise<string> {
    const [settings, accounts, queue, folders] = await Promise.all([
      this.getSettings(),
      this.listAccounts(),
      this.summary(),
      this.listWatchedFolders(),
    ]);
    return diagnosticsReport({
      at: this.#now(),
      versions: {
        taskdrop: packageJson.version,
        'Node.js': process.versions.node,
        ...this.#options.runtimeVersions,
        OS: `${process.platform} ${release()} (${arch()})`,
      },
      settings,
      accounts,
      queue,
      folders,
      problems: this.#log.recentProblems(),
      logFile: this.#log.file,
      home: homedir(),
    });
  }

  /** The contract's check; the CLI passes Ctrl-C as `signal` (the clean-up still runs). */
  checkConnection(
    accountId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<ConnectionReport> {
    const account = this.#account(accountId);
    const running = this.#checks.get(accountId);
    if (running !== undefined) return running;
    const check = probeService({
      account: account.config,
      graph: account.graph,
      transport: account.transport,
      ledger: new ScratchLedger(this.#options.dataDir),
      now: this.#now,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
      .then(({ report, learned }) => {
        if (!this.#closed) this.#learn(accountId, learned);
        this.#log.info('connection checked', {
          account: accountId,
          differing: report.findings
            .filter((line) => line.agrees === false)
            .map((line) => line.fact),
          leftovers: report.leftovers.length,
        });
        return report;
      })
      .finally(() => this.#checks.delete(accountId));
    this.#checks.set(accountId, check);
    return check;
  }

  /** What a check settled, the engine's knowledge from now on (upload rule 11). */
  #learn(accountId: string, learned: LearnedFacts): void {
    for (const [fact, value] of Object.entries(learned) as [FactId, LearnedFacts[FactId]][]) {
      if (value !== undefined) this.#knowledge.learn(accountId, fact, value, 'doctor');
    }
  }

  getSettings(): Promise<Settings> {
    return Promise.resolve(this.#settings.get());
  }

  /** Applies at once: pacing of every account follows the new caps. */
  async updateSettings(changes: Partial<Settings>): Promise<Settings> {
    const parsed = settingsSchema.partial().safeParse(changes);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EngineRequestError(
        'invalid-request',
        `${issue?.path.join('.') ?? 'settings'}: ${issue?.message ?? 'not a valid value'}`,
      );
    }
    this.#claimShortcut(parsed.data.globalShortcut);
    const settings = this.#settings.update(parsed.data);
    this.#log.info('settings changed', { changes: parsed.data });
    for (const account of this.#accounts.values()) {
      account.pacer.setLimits(this.#pacingLimits(settings));
    }
    this.#events.emit('settingsChanged', settings);
    this.#scheduler.pump();
    return settings;
  }

  /** A shortcut another app holds is refused, not saved: the one before stays (or none). */
  #claimShortcut(accelerator: string | null | undefined): void {
    const host = this.#options.shortcut;
    if (accelerator === undefined || host === undefined) return;
    const status = host.apply(accelerator);
    if (status.state === 'taken') throw new EngineRequestError('not-available', status.message);
  }

  shortcutStatus(): Promise<ShortcutStatus> {
    return Promise.resolve(
      this.#options.shortcut?.status() ?? {
        state: 'unavailable',
        message: 'A global shortcut works in the taskdrop app, not in a browser.',
      },
    );
  }

  async readClipboard(): Promise<PastedClipboard> {
    return this.#requireClipboard().read();
  }

  pastedText(text: string): Promise<PastedClipboard> {
    return filesNamedBy(text, { platform: desktopPlatformOf(process.platform) });
  }

  async enqueuePasted(request: PastedImageRequest): Promise<EnqueueResult> {
    this.#account(request.target.accountId);
    return this.#requireClipboard().enqueuePasted(request);
  }

  #requireClipboard(): ClipboardHost {
    const clipboard = this.#options.clipboard;
    if (clipboard === undefined) {
      throw new EngineRequestError(
        'not-available',
        'Only the taskdrop app reads the clipboard; in a browser, paste into the page.',
      );
    }
    return clipboard;
  }

  /** After the person signed in again: the account's waiting jobs continue. */
  signedIn(accountId: string): void {
    this.#account(accountId);
    this.#scheduler.resumeAccount(accountId);
  }

  on<E extends keyof TaskdropEvents>(
    event: E,
    listener: (payload: TaskdropEvents[E]) => void,
  ): Unsubscribe {
    return this.#events.on(event, listener);
  }

  async enqueue(request: EnqueueRequest): Promise<EnqueueResult> {
    this.#account(request.target.accountId);
    const paths = request.paths.map((path) => ({ path, sha256: null }));
    return this.#enqueueInspected(
      await inspectAll(paths, ({ path }) => inspectFile(path)),
      request,
    );
  }

  /**
   * Queues copies made for the queue (a browser's drops, staged): a copy has no path of its own
   * to be known by, so the same content for the same task is what is refused as already there.
   */
  async enqueueCopies(request: CopiesRequest): Promise<EnqueueResult> {
    this.#account(request.target.accountId);
    const given = await inspectAll(request.files, ({ path }) => inspectFile(path));
    return this.#enqueueInspected(given, request, { byContent: true });
  }

  #enqueueInspected(
    given: readonly GivenFile[],
    { target }: { target: TaskTarget },
    options: { byContent?: boolean } = {},
  ): EnqueueResult {
    const { ids, refused } = this.#enqueue(given, target, 'manual', options);
    return { accepted: this.#store.select({ ids }).map((row) => this.#view(row)), refused };
  }

  /**
   * Refuses what inspection refused and duplicates (by path, and `byContent` by hash too), and
   * inserts the rest in one transaction; `record` (a watched folder's bookkeeping) runs inside
   * that same transaction, told what became of each path as given.
   */
  #enqueue(
    given: readonly GivenFile[],
    target: TaskTarget,
    origin: string,
    options: { record?: (outcomes: EnqueueOutcome[]) => void; byContent?: boolean } = {},
  ): { ids: number[]; refused: Refusal[] } {
    const { record } = options;
    const refused: Refusal[] = [];
    const fresh: NewJob[] = [];
    const freshPaths: string[] = [];
    const outcomes: EnqueueOutcome[] = [];
    const seen = new Set<string>();
    const ok = given.flatMap(({ check, sha256 }) => (check.ok ? [{ ...check.file, sha256 }] : []));
    const duplicates = this.#store.duplicatesOf(
      target.taskId,
      ok.map((file) => ({ ...file, sourcePath: file.path })),
    );
    const sameContent =
      options.byContent === true
        ? this.#store.sameContentOf(
            target.taskId,
            ok.flatMap((file) => (file.sha256 === null ? [] : [file.sha256])),
          )
        : new Map<string, JobRow>();
    for (const { path, check, sha256 } of given) {
      if (!check.ok) {
        refused.push(check.refusal);
        outcomes.push({ path, jobId: null, refusal: check.refusal });
        continue;
      }
      const { file } = check;
      const keys =
        sha256 !== null && options.byContent === true ? [file.path, sha256] : [file.path];
      const repeated = keys.some((key) => seen.has(key));
      const duplicate = repeated
        ? null
        : (duplicates.get(file.path) ?? (sha256 === null ? undefined : sameContent.get(sha256)));
      if (repeated || duplicate !== undefined) {
        const refusal = duplicateRefusal(file.path, file.name, duplicate ?? null, target.taskTitle);
        refused.push(refusal);
        outcomes.push({ path, jobId: refusal.jobId, refusal });
        continue;
      }
      for (const key of keys) seen.add(key);
      fresh.push({
        sourcePath: file.path,
        fileName: file.name,
        contentType: contentTypeFor(file.name),
        size: file.size,
        mtimeMs: file.mtimeMs,
        sha256,
        target,
        origin,
      });
      freshPaths.push(path);
    }
    const insert = (): number[] => {
      const ids = this.#store.insertMany(fresh);
      ids.forEach((jobId, index) =>
        outcomes.push({ path: freshPaths[index] ?? '', jobId, refusal: null }),
      );
      record?.(outcomes);
      // A watched folder's target is not the person's choice of the moment: not a recent one.
      if (ids.length > 0 && origin === 'manual') this.#recent.use(target);
      return ids;
    };
    // One transaction: a write that fails (a full disk) queues nothing, as its error says.
    const ids = this.#queueWrite(() => this.#store.durably(this.#db.transaction(insert)));
    logEnqueued(this.#log, origin, ids.length, refused);
    this.#changed(ids);
    this.#scheduler.pump();
    return { ids, refused };
  }

  /** A queue write whose failure (disk full, read-only) is said in plain words. */
  #queueWrite<T>(write: () => T): T {
    try {
      return write();
    } catch (error) {
      throw queueFileErrorOf(error, this.#options.dataDir) ?? error;
    }
  }

  listWatchedFolders(): Promise<WatchedFolderView[]> {
    return Promise.resolve(this.#watch.list());
  }

  addWatchedFolder(folder: NewWatchedFolder): Promise<WatchedFolderView> {
    return asEngineRequest(() => this.#watch.add(folder));
  }

  updateWatchedFolder(update: WatchedFolderUpdate): Promise<WatchedFolderView> {
    return asEngineRequest(() => this.#watch.update(update));
  }

  removeWatchedFolder(id: number): Promise<boolean> {
    return this.#watch.remove(id);
  }

  chooseFolder(): Promise<string | null> {
    return this.#options.chooseFolder?.() ?? Promise.resolve(null);
  }

  listJobs(): Promise<JobView[]> {
    return Promise.resolve(this.#store.all().map((row) => this.#view(row)));
  }

  summary(): Promise<QueueSummary> {
    return Promise.resolve(toSummary(this.#store.countByState()));
  }

  async pause(selection: JobSelection): Promise<number> {
    return this.#apply(selection, ['waiting', 'retrying', 'needs-sign-in', 'uploading'], (row) =>
      this.#scheduler.isRunning(row.id)
        ? this.#scheduler.stop(row.id, 'pause')
        : this.#store.transition(row.id, 'paused'),
    );
  }

  async resume(selection: JobSelection): Promise<number> {
    const count = await this.#apply(selection, ['paused'], (row) =>
      this.#store.transition(row.id, 'waiting', { nextAttemptAt: null }),
    );
    this.#scheduler.pump();
    return count;
  }

  async retry(selection: JobSelection): Promise<number> {
    const count = await this.#apply(
      selection,
      ['failed', 'cancelled', 'retrying', 'needs-sign-in'],
      (row) =>
        this.#store.transition(row.id, 'waiting', {
          problem: null,
          failuresInARow: 0,
          nextAttemptAt: null,
        }),
    );
    this.#scheduler.pump();
    return count;
  }

  async cancel(selection: JobSelection): Promise<number> {
    return this.#apply(
      selection,
      ['waiting', 'uploading', 'retrying', 'paused', 'needs-sign-in', 'failed'],
      (row) =>
        this.#scheduler.isRunning(row.id)
          ? this.#scheduler.stop(row.id, 'cancel')
          : this.#cancelIdle(row),
    );
  }

  async remove(selection: JobSelection): Promise<number> {
    return this.#apply(selection, jobStates, async (row) => {
      if (this.#scheduler.isRunning(row.id)) {
        await this.#scheduler.stop(row.id, 'remove');
      } else if (row.uploadUrl !== null) {
        await this.#cancelIdle(row);
      }
      // A job stopped in flight may have deleted its own row already.
      this.#store.delete([row.id]);
    });
  }

  async clearFinished(): Promise<number> {
    const finished = this.#store
      .all()
      .filter((row) => row.state === 'done' || row.state === 'cancelled');
    return this.remove({ ids: finished.map((row) => row.id) });
  }

  /** Sends jobs that are not in flight to another task; a failed one is queued again. */
  async retarget(request: RetargetRequest): Promise<number> {
    this.#account(request.target.accountId);
    this.#recent.use(request.target);
    const count = await this.#apply({ ids: request.ids }, retargetableStates, async (row) => {
      const unsure =
        row.uploadUrl !== null || (row.finalSentAt !== null && row.state !== 'cancelled');
      // Its last request may have attached the file after all: then it stays where it landed.
      if (unsure && (await this.#cancelIdle(row, { keepState: true }))) return notApplied;
      this.#store.record(row.id, {
        target: request.target,
        uploadUrl: null,
        uploadExpiresAt: null,
        ackedOffset: 0,
        finalSentAt: null,
        protocol: null,
      });
      if (row.state === 'failed' || row.state === 'cancelled' || row.state === 'needs-sign-in') {
        this.#store.transition(row.id, 'waiting', { problem: null, failuresInARow: 0 });
      }
    });
    this.#scheduler.pump();
    return count;
  }

  /** Lets go of an idle job's session; true when that showed the file attached, the job done. */
  async #cancelIdle(row: JobRow, options: { keepState?: boolean } = {}): Promise<boolean> {
    const account = this.#accounts.get(row.target.accountId);
    const result =
      account === undefined
        ? ({ kind: 'cancelled' } as const)
        : await cancelUpload(row, account.graph, this.#store, this.#now());
    if (result.kind === 'attached') {
      // The last request had landed after all: the file is attached, and the job says so.
      this.#store.finishAttached(row.id, result.attachmentId);
      return true;
    }
    if (options.keepState !== true && row.state !== 'cancelled') {
      this.#store.transition(row.id, 'cancelled', { uploadUrl: null, uploadExpiresAt: null });
    }
    return false;
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
    const ids = this.#store.select(selection).map((row) => row.id);
    const touched: number[] = [];
    let count = 0;
    this.#scheduler.hold(ids);
    try {
      for (const id of ids) {
        const row = this.#store.get(id);
        if (row === undefined || !states.includes(row.state)) continue;
        touched.push(id);
        if ((await action(row)) !== notApplied) count += 1;
      }
    } finally {
      this.#scheduler.release(ids);
    }
    this.#changed(touched);
    return count;
  }

  #account(accountId: string): AccountRuntime {
    const account = this.#accounts.get(accountId);
    if (account === undefined) {
      throw new EngineRequestError('unknown-account', `No account "${accountId}" is signed in.`);
    }
    return account;
  }

  #view(row: JobRow): JobView {
    const folder =
      row.origin === watchedOrigin
        ? (this.#folderPaths.find((path) => isInside(row.sourcePath, path)) ?? null)
        : null;
    return toJobView(row, this.#progress.view(row.id), folder);
  }

  /** Coalesces row changes into one jobsChanged event per turn of the event loop. */
  #changed(ids: readonly number[]): void {
    for (const id of ids) this.#pendingChanges.add(id);
    this.#ensureProgressTimer();
    if (this.#flushScheduled || this.#closed) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#pendingChanges.size === 0) return;
    const ids = [...this.#pendingChanges];
    this.#pendingChanges.clear();
    if (!this.#events.has('jobsChanged')) return;
    const upserted: JobView[] = [];
    const removed: number[] = [];
    for (const id of ids) {
      const row = this.#store.get(id);
      if (row === undefined) removed.push(id);
      else upserted.push(this.#view(row));
    }
    this.#events.emit('jobsChanged', {
      upserted,
      removed,
      summary: toSummary(this.#store.countByState()),
    });
  }

  #ensureProgressTimer(): void {
    if (this.#progressTimer !== undefined || this.#closed) return;
    this.#progressTimer = setInterval(() => {
      const changed = this.#progress.drain();
      if (changed.length > 0) this.#events.emit('progress', changed);
      if (this.#progress.active === 0 && this.#scheduler.activeCount === 0) {
        clearInterval(this.#progressTimer);
        this.#progressTimer = undefined;
      }
    }, this.#progressIntervalMs);
    this.#progressTimer.unref();
  }
}

function longestFirst(paths: readonly string[]): string[] {
  return [...paths].sort((a, b) => b.length - a.length);
}

/** Whether `path` is `folder` itself or anywhere under it. */
function isInside(path: string, folder: string): boolean {
  const rest = relative(folder, path);
  return rest !== '' && !rest.startsWith('..') && !isAbsolute(rest);
}

/** A watched-folder request the engine cannot act on, as the engine's own kind of refusal. */
async function asEngineRequest<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof WatchRequestError)
      throw new EngineRequestError(error.reason, error.message);
    throw error;
  }
}

/** Copies to queue (see Engine.enqueueCopies), each with the hash of its content. */
export interface CopiesRequest {
  files: { path: string; sha256: string }[];
  target: TaskTarget;
}

/** A path to enqueue as it was given, what inspecting it found, and its hash when known. */
interface GivenFile {
  path: string;
  check: FileCheck;
  sha256: string | null;
}

/** Inspects every file, a few at a time (enough to hide disk latency); answers in order. */
async function inspectAll<T extends { path: string; sha256: string | null }>(
  files: readonly T[],
  inspect: (file: T) => Promise<FileCheck>,
): Promise<GivenFile[]> {
  const given = new Array<GivenFile>(files.length);
  await forEachLimited(
    files.map((file, index) => ({ file, index })),
    inspectionConcurrency,
    async ({ file, index }) => {
      given[index] = { path: file.path, check: await inspect(file), sha256: file.sha256 };
    },
  );
  return given;
}

/** The same file for the same task again: named in the same request, queued, or done. */
function duplicateRefusal(
  path: string,
  name: string,
  existing: JobRow | null,
  taskTitle: string,
): Refusal {
  const jobId = existing?.id ?? null;
  return existing?.state === 'done'
    ? {
        path,
        reason: 'already-attached',
        message: `${name} is already attached to “${taskTitle}”; it was not sent again.`,
        jobId,
      }
    : {
        path,
        reason: 'duplicate',
        message: `${name} is already in the queue for “${taskTitle}”.`,
        jobId,
      };
}
