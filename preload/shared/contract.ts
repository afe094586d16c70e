/**
 * The one contract between the UI (renderer, CLI) and the engine: commands and events, declared
 * once here and implemented once by the engine facade (main/core/engine). Transports (Electron
 * IPC, the local WebSocket) carry exactly these shapes.
 */

export const jobStates = [
  'waiting',
  'uploading',
  'retrying',
  'paused',
  'needs-sign-in',
  'done',
  'failed',
  'cancelled',
] as const;
export type JobState = (typeof jobStates)[number];

/** Where a file goes: one task of one list of one account, with names for display. */
export interface TaskTarget {
  accountId: string;
  listId: string;
  taskId: string;
  listName: string;
  taskTitle: string;
}

/** What kind of trouble, in the engine's words (docs/upload-rules.md rule 5: retry what is transient, stop on what is not). */
export type ProblemKind =
  'transient' | 'throttled' | 'session-gone' | 'not-found' | 'auth' | 'permanent' | 'file';

/** The one thing the user can do about it, which the UI offers as a button. */
export type NextStep = 'retry' | 'retarget' | 'sign-in' | 'locate-file' | 'wait' | 'none';

export interface JobProblem {
  kind: ProblemKind;
  /** Plain words for the person: what happened and what to do. */
  message: string;
  nextStep: NextStep;
  graphCode: string | null;
  httpStatus: number | null;
  requestId: string | null;
  /** Milliseconds since the epoch. */
  at: number;
}

export interface JobProgress {
  id: number;
  /** Bytes handed to the network, including a range not yet acknowledged. */
  bytesSent: number;
  /** Bytes the server has confirmed. */
  bytesAcked: number;
  /** Smoothed, bytes per second; null until there is enough to say. */
  speed: number | null;
  /** Seconds left at the smoothed speed; null when unknown. */
  etaSeconds: number | null;
  /** No progress for 30 s while uploading. */
  stalled: boolean;
}

export interface JobView extends JobProgress {
  fileName: string;
  sourcePath: string;
  size: number;
  contentType: string;
  target: TaskTarget;
  state: JobState;
  attempts: number;
  /** When a retrying job tries again (ms since the epoch). */
  nextAttemptAt: number | null;
  problem: JobProblem | null;
  attachmentId: string | null;
  /** The watched folder (its path) that queued it; null for a file the person added. */
  watchedFolder: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export type RefusalReason =
  'missing' | 'not-a-file' | 'too-large' | 'unreadable' | 'duplicate' | 'already-attached';

export interface Refusal {
  path: string;
  reason: RefusalReason;
  message: string;
  /** For a duplicate: the job already queued for (or done with) that file and task. */
  jobId: number | null;
}

export interface EnqueueRequest {
  paths: string[];
  target: TaskTarget;
}

export interface EnqueueResult {
  accepted: JobView[];
  refused: Refusal[];
}

/** Which jobs a command applies to. */
export type JobSelection = { ids: number[] } | { all: true };

export interface RetargetRequest {
  ids: number[];
  target: TaskTarget;
}

export interface QueueSummary {
  total: number;
  byState: Record<JobState, number>;
  /** Bytes acknowledged over bytes of every job not cancelled, 0..100. */
  overallPercent: number;
}

export interface JobsChanged {
  upserted: JobView[];
  removed: number[];
  summary: QueueSummary;
}

/** The queue commands; each answers how many jobs it changed, where that is the question. */
export interface QueueCommands {
  enqueue(request: EnqueueRequest): Promise<EnqueueResult>;
  listJobs(): Promise<JobView[]>;
  summary(): Promise<QueueSummary>;
  pause(selection: JobSelection): Promise<number>;
  resume(selection: JobSelection): Promise<number>;
  retry(selection: JobSelection): Promise<number>;
  cancel(selection: JobSelection): Promise<number>;
  remove(selection: JobSelection): Promise<number>;
  clearFinished(): Promise<number>;
  retarget(request: RetargetRequest): Promise<number>;
}

export interface AccountView {
  id: string;
  /** Who it is, for people: an email address, "Demo account"... */
  label: string;
  kind: 'demo' | 'token' | 'microsoft';
  /** False when its uploads wait for the person to sign in again. */
  signedIn: boolean;
}

export interface TaskListView {
  accountId: string;
  id: string;
  displayName: string;
  /** 'defaultList' for "Tasks", 'flaggedEmails', 'none'... */
  wellknownListName: string;
  /** Open (not completed) tasks. */
  openTaskCount: number;
  taskCount: number;
}

export interface TaskView {
  accountId: string;
  listId: string;
  listName: string;
  id: string;
  title: string;
  status: string;
}

export interface TaskQuery {
  accountId: string;
  /** Words to find in titles, across every list; empty lists the given list. */
  text: string;
  listId?: string;
  /** Completed tasks are left out unless asked for. */
  includeCompleted?: boolean;
  limit?: number;
}

export interface NewTaskRequest {
  accountId: string;
  listId: string;
  title: string;
}

/** The task picker: lists and tasks of an account, search, recent targets, new tasks. */
export interface PickerCommands {
  listAccounts(): Promise<AccountView[]>;
  listTaskLists(accountId: string): Promise<TaskListView[]>;
  findTasks(query: TaskQuery): Promise<TaskView[]>;
  createTask(request: NewTaskRequest): Promise<TaskTarget>;
  /** Most recent first; the first one is preselected when files arrive. */
  recentTargets(): Promise<TaskTarget[]>;
  /** Reloads lists and tasks from Microsoft To Do (the picker shows a cached copy meanwhile). */
  refreshTasks(accountId: string): Promise<void>;
  /** Shows a job's file in the system's file manager, where it still is. */
  showInFolder(jobId: number): Promise<void>;
  /** Opens Microsoft To Do on the web in the system browser, for a job's account. */
  openInToDo(jobId: number): Promise<void>;
}

export interface Settings {
  /** Uploads at once per account (Graph allows 4 requests in flight; 3 leaves room). */
  maxConcurrentUploads: number;
  /** Upload volume per 5 minutes, in MB (Graph's limit is 150). */
  uploadBudgetMb: number;
  startAtLogin: boolean;
  /**
   * Keep the sign-in saved though only obfuscation is on offer (Linux without a keyring:
   * see TokenStorage 'obfuscated'). Off until the person says so in Settings.
   */
  allowWeakTokenStorage: boolean;
  /**
   * The global shortcut that shows taskdrop ready for a paste or a drop, as an Electron
   * accelerator (`Control+Alt+T`; rules in preload/shared/accelerator.ts); null: none (the default).
   */
  globalShortcut: string | null;
}

/**
 * The global shortcut as it stands: `taken` when another app holds it (the OS refused it to
 * taskdrop), `unavailable` where there is none (a browser), with the reason in plain words.
 */
export type ShortcutStatus =
  | { state: 'off' }
  | { state: 'active'; accelerator: string }
  | { state: 'taken'; accelerator: string; message: string }
  | { state: 'unavailable'; message: string };

/**
 * How the app keeps a Microsoft sign-in between runs (docs/security.md §4): sealed by the OS
 * (Keychain, DPAPI, a Linux keyring); `obfuscated`, a fixed key (Linux without a keyring), kept
 * only once allowWeakTokenStorage is on; `memory`, not kept; `none`, nothing to keep (demo mode,
 * a token from the environment).
 */
export type TokenStorage = 'os' | 'obfuscated' | 'memory' | 'none';

export interface AppInfo {
  version: string;
  /** Running against the built-in simulator, not Microsoft. */
  demo: boolean;
  /** How the UI is connected: inside the app, or in a browser over the local WebSocket. */
  transport: 'electron' | 'websocket';
  /** Whether dropped files arrive with their paths (the app) or as bytes (a browser). */
  dropsCarryPaths: boolean;
  /** Whether `chooseFolder` shows the system's folder chooser (the app; a browser cannot). */
  canChooseFolders: boolean;
  /** Where taskdrop writes its log (for the About section); null when it keeps none. */
  logFile: string | null;
  tokenStorage: TokenStorage;
  /** Whether `signIn` can open Microsoft's sign-in here (the app has an app registration). */
  canSignIn: boolean;
  /** Whether `tryDemo` can add the demo account (the first run offers it beside signing in). */
  canTryDemo: boolean;
  /** Whether `showInFolder` and `openInToDo` can open things on this computer (the app). */
  canOpenOnDesktop: boolean;
}

/**
 * Microsoft To Do on the web, where "Open in To Do" goes. Its lists only: a link to one task is
 * not documented (docs/graph-unknowns.md), so none is made up.
 */
export const toDoWebApp = 'https://to-do.office.com/tasks/';

export interface SettingsCommands {
  appInfo(): Promise<AppInfo>;
  getSettings(): Promise<Settings>;
  updateSettings(changes: Partial<Settings>): Promise<Settings>;
  /**
   * "Copy diagnostics": plain text to paste into an issue (versions, settings, accounts as a
   * hint, queue and watched-folder states, recent problems, the log's location); no secrets.
   */
  diagnostics(): Promise<string>;
  /**
   * "Check the connection with To Do": probes the service as the account with a scratch task
   * it deletes again (docs/graph-unknowns.md §1–§4); what it finds, the engine uses at once.
   */
  checkConnection(accountId: string): Promise<ConnectionReport>;
  /** Whether the global shortcut (Settings.globalShortcut) works, or why not. */
  shortcutStatus(): Promise<ShortcutStatus>;
}

/**
 * What a paste found: files on this computer (copied in a file manager, or named by the text)
 * to queue with `enqueue`; an image, saved as a PNG in the data folder, to queue with
 * `enqueuePasted`; or nothing attachable, with why in plain words.
 */
export type PastedClipboard =
  | { kind: 'files'; paths: string[] }
  | { kind: 'image'; pasteId: string; name: string; size: number }
  | { kind: 'nothing'; message: string };

export interface PastedImageRequest {
  pasteId: string;
  target: TaskTarget;
}

/** Paste from the clipboard (Ctrl/⌘+V in the window, the tray's "Attach clipboard"). */
export interface ClipboardCommands {
  /** Reads the system clipboard (the app only: a browser gives the page what was pasted). */
  readClipboard(): Promise<PastedClipboard>;
  /** The files a pasted text names (one path or file URL a line), where they exist. */
  pastedText(text: string): Promise<PastedClipboard>;
  /** Queues the image `readClipboard` saved; its copy goes once its job ends. */
  enqueuePasted(request: PastedImageRequest): Promise<EnqueueResult>;
}

/**
 * The facts about the service that no public source settles for To Do (docs/graph-unknowns.md
 * §1–§4), by stable id: what `taskdrop doctor --live` and "Check the connection" probe.
 */
export const serviceFactIds = [
  'session-get',
  'session-list',
  'resend-answer',
  'intermediate-casing',
  'location-header',
  'size-limit',
  'empty-inline',
  'page-size',
  'session-lifetime',
] as const;
export type ServiceFactId = (typeof serviceFactIds)[number];

/** One probed fact: what the simulator assumes, what the service did, and whether they agree. */
export interface FactFinding {
  fact: ServiceFactId;
  /** The fact in a few words, for the table. */
  title: string;
  expected: string;
  seen: string;
  /** Null when the probe could not tell (a step before it failed). */
  agrees: boolean | null;
  /** What the service answered, for a bug report: status, Graph error code, request-id. */
  evidence: string | null;
}

/** A connection check's result: every fact, and whether everything it made is gone again. */
export interface ConnectionReport {
  accountId: string;
  accountLabel: string;
  graphUrl: string;
  /** Milliseconds since the epoch, when the check started. */
  at: number;
  findings: FactFinding[];
  /** Left on the service after the clean-up failed, in words (normally empty). */
  leftovers: string[];
}

/**
 * A connection check as a report to send: one finding per line, as JSON (what
 * `taskdrop doctor --live --json` prints and "Copy report" copies).
 */
export function connectionReportLines(report: ConnectionReport): string {
  return report.findings.map((finding) => `${JSON.stringify(finding)}\n`).join('');
}

/** What happens to a watched folder's file once it is attached. */
export const afterUploadActions = ['keep', 'move', 'delete'] as const;
export type AfterUploadAction = (typeof afterUploadActions)[number];

/** `stopped`: nothing watches right now (taskdrop is not running, or only its CLI is). */
export const watchStates = ['watching', 'paused', 'folder-missing', 'error', 'stopped'] as const;
export type WatchState = (typeof watchStates)[number];

/** A folder whose new files go to one task by themselves: "everything in ~/Scans to Receipts". */
export interface WatchedFolderSettings {
  /** Absolute. */
  path: string;
  target: TaskTarget;
  /** Simple globs on the file name (`*.pdf`, `scan-*`, case-insensitive); empty takes all. */
  include: string[];
  exclude: string[];
  /** Subfolders too (off: only the folder itself). */
  recursive: boolean;
  afterUpload: AfterUploadAction;
  /** The subfolder files move into when `afterUpload` is `move`; relative to the folder. */
  moveTo: string;
  /** Checks the folder every few seconds instead of waiting for the OS: for network drives. */
  poll: boolean;
  paused: boolean;
  /** A file whose content is already attached to (or queued for) the task is not sent again. */
  skipAttachedContent: boolean;
}

export interface WatchedFolderStatus {
  state: WatchState;
  /** Files that passed the folder's rules, ever (while watched). */
  filesSeen: number;
  /** Still being written, or never settling: checked again until they are complete. */
  waiting: number;
  /** In the upload queue, not attached yet. */
  queued: number;
  uploaded: number;
  /** Refused, or their upload failed: left untouched where they are. */
  failed: number;
  /** Their content was already attached to the task. */
  skipped: number;
  /** In plain words, with when it happened; null when nothing went wrong. */
  lastError: string | null;
  lastErrorAt: number | null;
}

export interface WatchedFolderView extends WatchedFolderSettings {
  id: number;
  createdAt: number;
  status: WatchedFolderStatus;
}

/** What a new watched folder does unless told otherwise. */
export const watchedFolderDefaults: Readonly<Omit<WatchedFolderSettings, 'path' | 'target'>> = {
  include: [],
  exclude: [],
  recursive: false,
  afterUpload: 'keep',
  moveTo: 'uploaded',
  poll: false,
  paused: false,
  skipAttachedContent: true,
};

/** A new watched folder: path and target, the rest as the defaults say. */
export type NewWatchedFolder = Pick<WatchedFolderSettings, 'path' | 'target'> &
  Partial<Omit<WatchedFolderSettings, 'path' | 'target'>> & {
    /**
     * Refuse a path that is not there now (the UI: most likely a typo). Without it such a path
     * is watched, and shows as missing until it appears (a drive not connected now).
     */
    mustExist?: boolean;
  };

/** Everything but the path can change; another path is another watched folder. */
export interface WatchedFolderUpdate {
  id: number;
  changes: Partial<Omit<WatchedFolderSettings, 'path'>>;
}

/** The Watched folders view: add, edit, pause (update), remove, and each folder's status. */
export interface WatchCommands {
  listWatchedFolders(): Promise<WatchedFolderView[]>;
  addWatchedFolder(folder: NewWatchedFolder): Promise<WatchedFolderView>;
  updateWatchedFolder(update: WatchedFolderUpdate): Promise<WatchedFolderView>;
  /** Stops watching it; its files and their queued jobs stay as they are. False if unknown. */
  removeWatchedFolder(id: number): Promise<boolean>;
  /** The system's folder chooser: the chosen folder, or null (closed, or none here). */
  chooseFolder(): Promise<string | null>;
}

/**
 * Files a browser dropped, staged by the WebSocket transport (a browser has no file paths):
 * each is announced, sent in pieces of at most `stagedPieceBytes`, then queued with the rest of
 * its drop, so no message grows with the drop.
 */
export const stagedPieceBytes = 1_048_576;
/** Files staged and not queued yet, per connection: a larger drop is queued in groups. */
export const stagedFilesAtOnce = 100;

export interface StagedFileStart {
  name: string;
  size: number;
}

/** A handle for the file's pieces, or why it is refused before any of its bytes travel. */
export type StagedFileStarted =
  { uploadId: string; refused: null } | { uploadId: null; refused: Refusal };

export interface StagedPiece {
  uploadId: string;
  /** Where the piece starts in the file: pieces come in order. */
  offset: number;
  /** Base64 of at most `stagedPieceBytes` bytes. */
  contentBase64: string;
}

export interface StagedEnqueueRequest {
  uploadIds: string[];
  target: TaskTarget;
}

export interface StagingCommands {
  stageFile(file: StagedFileStart): Promise<StagedFileStarted>;
  /** Answers how many bytes of the file have arrived. */
  stagePiece(piece: StagedPiece): Promise<number>;
  enqueueStaged(request: StagedEnqueueRequest): Promise<EnqueueResult>;
}

export const stagingCommandNames = [
  'stageFile',
  'stagePiece',
  'enqueueStaged',
] as const satisfies readonly (keyof StagingCommands)[];
export type StagingCommandName = (typeof stagingCommandNames)[number];

export interface TaskdropEvents {
  jobsChanged: JobsChanged;
  /** Throttled: at most a few batches a second, whatever the number of active jobs. */
  progress: JobProgress[];
  accountsChanged: AccountView[];
  settingsChanged: Settings;
  /** Files arrived outside the window (tray, dock, Send To): ask where they go. */
  targetRequested: { paths: string[]; suggested: TaskTarget | null };
  /** A notification was clicked: show the queue at that job. */
  jobFocusRequested: { jobId: number };
  /** Every watched folder, when one is added, changed, removed, or its status moves. */
  watchedFoldersChanged: WatchedFolderView[];
  /**
   * Tasks the engine learned are gone from To Do (an upload's 404, a reload that no longer
   * finds them): no longer recent, and not to be offered as where files go.
   */
  tasksGone: TaskTarget[];
  /** The global shortcut was pressed: the window shows, ready for a paste or a drop. */
  shortcutPressed: { accelerator: string };
}

export type Unsubscribe = () => void;

/** Signing in with Microsoft (the app's system-browser flow); not available in demo mode. */
export interface AccountCommands {
  /** Opens the system browser on Microsoft's sign-in page; resolves once signed in. */
  signIn(): Promise<AccountView>;
  /** Removes that account's tokens; its queued files wait until it signs in again. */
  signOut(accountId: string): Promise<void>;
  /** Adds the demo account (the built-in simulator's mailbox), to try taskdrop without one. */
  tryDemo(): Promise<AccountView>;
}

export type TaskdropCommands = QueueCommands &
  PickerCommands &
  SettingsCommands &
  WatchCommands &
  AccountCommands &
  ClipboardCommands;

export interface TaskdropApi extends TaskdropCommands {
  on<E extends keyof TaskdropEvents>(
    event: E,
    listener: (payload: TaskdropEvents[E]) => void,
  ): Unsubscribe;
}

/** Every command by name: what transports carry and bridges expose, and nothing else. */
export const commandNames = [
  'enqueue',
  'listJobs',
  'summary',
  'pause',
  'resume',
  'retry',
  'cancel',
  'remove',
  'clearFinished',
  'retarget',
  'listAccounts',
  'listTaskLists',
  'findTasks',
  'createTask',
  'recentTargets',
  'refreshTasks',
  'showInFolder',
  'openInToDo',
  'appInfo',
  'getSettings',
  'updateSettings',
  'diagnostics',
  'checkConnection',
  'shortcutStatus',
  'readClipboard',
  'pastedText',
  'enqueuePasted',
  'signIn',
  'signOut',
  'tryDemo',
  'listWatchedFolders',
  'addWatchedFolder',
  'updateWatchedFolder',
  'removeWatchedFolder',
  'chooseFolder',
] as const satisfies readonly (keyof TaskdropCommands)[];
export type CommandName = (typeof commandNames)[number];

/** Fails to compile when a command of the contract is missing from `commandNames`. */
export const everyCommandListed: [Exclude<keyof TaskdropCommands, CommandName>] extends [never]
  ? true
  : never = true;

export const eventNames = [
  'jobsChanged',
  'progress',
  'accountsChanged',
  'settingsChanged',
  'targetRequested',
  'jobFocusRequested',
  'watchedFoldersChanged',
  'tasksGone',
  'shortcutPressed',
] as const satisfies readonly (keyof TaskdropEvents)[];
export type EventName = (typeof eventNames)[number];

/** A command's failure as it crosses a transport: a kind and words for the person. */
export interface CommandFailure {
  kind: 'invalid-request' | 'unknown-account' | 'unknown-command' | 'not-available' | 'failed';
  message: string;
}
