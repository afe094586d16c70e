import type { TokenStorage, TaskTarget } from '../../../preload/shared/contract.ts';
import type { TokenProvider } from '../auth/token-provider.ts';
import type { Logger } from '../logging/logger.ts';
import type { PacingLimits } from '../pacing/account-pacer.ts';
import type { RetryPolicy } from '../upload/retry-policy.ts';
import type { WatchOptions } from '../watch/types.ts';
import type { AccountConfig } from './accounts.ts';
import type { ClipboardHost } from '../clipboard/clipboard-host.ts';
import type { ShortcutHost } from '../settings/shortcut-host.ts';

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
  /** Where the tokens of the accounts it signs in come from (default: the engine's `tokens`). */
  tokens?: TokenProvider;
}

/** What the app's shell can open on this computer. */
export interface Desktop {
  showItemInFolder(path: string): void;
  openExternal(url: string): Promise<void>;
}

/** The demo account and where its tokens come from (the simulator mints them). */
export type StartDemo = () => Promise<{ account: AccountConfig; tokens: TokenProvider }>;

/** Copies to queue (see Engine.enqueueCopies), each with the hash of its content. */
export interface CopiesRequest {
  files: { path: string; sha256: string }[];
  target: TaskTarget;
}

/** A request the engine cannot act on, in words for the person. */
export class EngineRequestError extends Error {
  readonly reason: 'unknown-account' | 'invalid-request' | 'not-available';

  constructor(reason: EngineRequestError['reason'], message: string) {
    super(message);
    this.name = 'EngineRequestError';
    this.reason = reason;
  }
}
