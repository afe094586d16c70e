import type { Database } from 'better-sqlite3';
import { RecentTargets } from '../catalog/recent-targets.ts';
import { TaskCatalog } from '../catalog/task-catalog.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { JobStore } from '../queue/job-store.ts';
import { ServiceKnowledge } from '../queue/service-knowledge.ts';
import { SettingsStore } from '../settings/settings-store.ts';
import { defaultRetryPolicy } from '../upload/retry-policy.ts';
import { defaultRangeSize, defaultSmallUploadMaxBytes } from '../upload/upload-attempt.ts';
import { AccountCommandService, type AccountService } from './account-service.ts';
import { AccountRegistry, type Accounts } from './accounts.ts';
import { EngineDiagnostics, type DiagnosticsService } from './diagnostics-service.ts';
import type { EngineOptions } from './engine-types.ts';
import type { EventHub } from './events.ts';
import { JobChangeFeed, type JobFeed } from './job-feed.ts';
import { QueueIntake, type JobIntake } from './job-intake.ts';
import { TaskPickerService, type PickerService } from './picker-service.ts';
import { defaultStallAfterMs, ProgressTracker } from './progress-tracker.ts';
import { QueueCommandService, type QueueService } from './queue-service.ts';
import { Scheduler } from './scheduler.ts';
import { pacingLimitsFor, QueueSettingsService, type SettingsService } from './settings-service.ts';
import { ClipboardCommandService, type ClipboardService } from './clipboard-service.ts';
import { desktopPlatformOf } from '../../../preload/shared/accelerator.ts';
import { FolderPaths, WatchedFolders, type WatchedFoldersService } from './watched-folders.ts';

const defaultProgressIntervalMs = 250;

/** The engine's services, each owning its part of the state, wired to one another. */
export interface EngineServices {
  log: Logger;
  store: JobStore;
  accounts: Accounts;
  scheduler: Scheduler;
  feed: JobFeed;
  intake: JobIntake;
  queue: QueueService;
  accountService: AccountService;
  picker: PickerService;
  settings: SettingsService;
  clipboard: ClipboardService;
  folders: WatchedFoldersService;
  diagnostics: DiagnosticsService;
}

/**
 * Builds the services over one open queue database: each is given its collaborators, in the
 * order they need one another. `closed` tells whether the engine has closed meanwhile.
 */
export function composeServices(
  options: EngineOptions,
  db: Database,
  events: EventHub,
  closed: () => boolean,
): EngineServices {
  const now = options.now ?? Date.now;
  const log = options.log ?? createLogger({ now });
  const store = new JobStore(db, now);
  const settingsStore = new SettingsStore(db);
  const recent = new RecentTargets(db, now);
  const knowledge = new ServiceKnowledge(db, now);
  const accounts = new AccountRegistry({
    initial: options.accounts,
    tokens: options.tokens,
    limits: () => pacingLimitsFor(settingsStore.get(), options.pacing),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    now,
    published: (views) => events.emit('accountsChanged', views),
  });
  const catalog = new TaskCatalog((accountId) => accounts.get(accountId).graph);
  const progress = new ProgressTracker(now, options.stallAfterMs ?? defaultStallAfterMs);
  const paths = new FolderPaths();
  const feed = new JobChangeFeed({
    store,
    events,
    progress,
    folderOf: (row) => paths.folderOf(row),
    // The scheduler reports its changes here, so it comes after; asked only on a timer tick.
    uploadsInFlight: () => scheduler.activeCount,
    intervalMs: options.progressIntervalMs ?? defaultProgressIntervalMs,
  });
  const picker = new TaskPickerService({
    accounts,
    catalog,
    recent,
    store,
    events,
    desktop: options.desktop,
  });
  const scheduler = new Scheduler({
    store,
    knowledge,
    accounts,
    progress,
    now,
    retry: { ...defaultRetryPolicy, ...options.retry },
    rangeSize: options.rangeSize ?? defaultRangeSize,
    smallUploadMaxBytes: options.smallUploadMaxBytes ?? defaultSmallUploadMaxBytes,
    changed: (ids) => feed.changed(ids),
    taskGone: (target) => void picker.tasksGone([target]),
    log: log.child({ part: 'upload' }),
  });
  const pump = (): void => scheduler.pump();
  const intake = new QueueIntake({
    db,
    dataDir: options.dataDir,
    store,
    recent,
    accounts,
    feed,
    pump,
    log,
  });
  const queue = new QueueCommandService({ store, scheduler, accounts, recent, feed, now });
  const accountService = new AccountCommandService({
    accounts,
    scheduler,
    store,
    catalog,
    signIn: options.signIn,
    demo: options.demo,
    log,
  });
  const settings = new QueueSettingsService({
    store: settingsStore,
    accounts,
    events,
    pump,
    log,
    pacing: options.pacing,
    shortcut: options.shortcut,
  });
  const clipboard = new ClipboardCommandService({
    host: options.clipboard,
    accounts,
    platform: desktopPlatformOf(process.platform),
  });
  const folders = new WatchedFolders({
    db,
    now,
    intake,
    accounts,
    events,
    paths,
    chooseFolder: options.chooseFolder,
    log: log.child({ part: 'watch' }),
    options: options.watch,
  });
  const diagnostics = new EngineDiagnostics({
    accounts,
    knowledge,
    snapshot: async () => ({
      settings: await settings.getSettings(),
      accounts: await accountService.listAccounts(),
      queue: await queue.summary(),
      folders: await folders.listWatchedFolders(),
    }),
    shell: {
      canChooseFolders: options.chooseFolder !== undefined,
      canSignIn: options.signIn !== undefined,
      canTryDemo: options.demo !== undefined,
      canOpenOnDesktop: options.desktop !== undefined,
      tokenStorage: options.tokenStorage ?? 'none',
      runtimeVersions: options.runtimeVersions,
    },
    dataDir: options.dataDir,
    log,
    now,
    closed,
  });
  return {
    log,
    store,
    accounts,
    scheduler,
    feed,
    intake,
    queue,
    accountService,
    picker,
    settings,
    clipboard,
    folders,
    diagnostics,
  };
}
