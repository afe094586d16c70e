import { platformOfUserAgent, shortcutProblem } from '../../../preload/shared/accelerator.ts';
import type {
  AccountView,
  AppInfo,
  Settings,
  ShortcutStatus,
  TaskdropApi,
  Unsubscribe,
} from '../../../preload/shared/contract.ts';
import { settingBounds } from '../../../preload/shared/limits.ts';
import { signInBlocked } from '../accounts.ts';
import { ConnectionCheckState } from './connection-check.svelte.ts';

export type SettingKey = keyof Settings;

/** The OS this page runs on (the browser mode runs on the same computer as taskdrop). */
export const platform = platformOfUserAgent(navigator.userAgent);

/** Why a value cannot be saved, in words for the person; null when it can. */
export function checkSetting<K extends SettingKey>(key: K, value: Settings[K]): string | null {
  if (typeof value === 'boolean' || value === null) return null;
  if (typeof value === 'string') return shortcutProblem(value, platform);
  const bounds = settingBounds[key as keyof typeof settingBounds];
  const number = value as number;
  if (!Number.isInteger(number) || number < bounds.min || number > bounds.max) {
    return `Enter a whole number from ${bounds.min} to ${bounds.max}.`;
  }
  return null;
}

/** Where "Copy diagnostics" is: the text to copy by hand when the clipboard was refused. */
export type DiagnosticsCopy =
  | { kind: 'idle' | 'collecting' | 'copied' }
  | { kind: 'manual'; text: string }
  | { kind: 'failed'; message: string };

/** Writes text to the system clipboard; rejects when the browser refuses. */
export type CopyText = (text: string) => Promise<void>;

const systemClipboard: CopyText = (text) =>
  'clipboard' in navigator
    ? navigator.clipboard.writeText(text)
    : Promise.reject(new Error('There is no clipboard here.'));

/**
 * The account and settings view: who is connected (or demo mode), the app's version, and the
 * settings, each saved the moment it changes, with the engine's answer when it refuses one.
 */
export class SettingsState {
  readonly #api: TaskdropApi;
  info = $state.raw<AppInfo | null>(null);
  accounts = $state.raw<readonly AccountView[]>([]);
  settings = $state.raw<Settings | null>(null);
  /** Whether the global shortcut works, or why not (another app holds it; a browser). */
  shortcut = $state.raw<ShortcutStatus | null>(null);
  errors = $state<Partial<Record<SettingKey, string>>>({});
  /** The setting saved last, for a short "Saved" next to it. */
  saved = $state<SettingKey | null>(null);
  loadError = $state('');
  #savedTimer: ReturnType<typeof setTimeout> | undefined;

  /** Waiting for the person to finish signing in, in the system browser. */
  signingIn = $state(false);
  /** Starting demo mode's simulator. */
  startingDemo = $state(false);
  /** What went wrong signing in or out, in the engine's words. */
  accountError = $state('');

  diagnostics = $state.raw<DiagnosticsCopy>({ kind: 'idle' });
  readonly connectionCheck: ConnectionCheckState;
  readonly #copyText: CopyText;
  #copiedTimer: ReturnType<typeof setTimeout> | undefined;

  readonly demo = $derived(this.info?.demo === true);
  /** Loaded, and no account yet: the first run, which leads to signing in or demo mode. */
  readonly needsAccount = $derived(this.info !== null && this.accounts.length === 0);
  /** Why "Sign in" cannot work here (for the queue's buttons); null when it can. */
  readonly signInBlocked = $derived(signInBlocked(this.info, this.accounts[0] ?? null));

  constructor(api: TaskdropApi, copyText: CopyText = systemClipboard) {
    this.#api = api;
    this.#copyText = copyText;
    this.connectionCheck = new ConnectionCheckState(api, copyText);
  }

  start(): Unsubscribe {
    const stops = [
      this.#api.on('accountsChanged', (accounts) => {
        this.accounts = accounts;
        // Demo mode may have started: the app info says so.
        void this.#api.appInfo().then((info) => (this.info = info));
      }),
      this.#api.on('settingsChanged', (settings) => {
        this.settings = settings;
        void this.#loadShortcut();
      }),
    ];
    void this.#load();
    return () => {
      for (const stop of stops) stop();
    };
  }

  async #load(): Promise<void> {
    try {
      const [info, accounts, settings] = await Promise.all([
        this.#api.appInfo(),
        this.#api.listAccounts(),
        this.#api.getSettings(),
      ]);
      this.info = info;
      this.accounts = accounts;
      this.settings = settings;
      await this.#loadShortcut();
    } catch (error) {
      this.loadError = error instanceof Error ? error.message : String(error);
    }
  }

  async #loadShortcut(): Promise<void> {
    this.shortcut = await this.#api.shortcutStatus();
  }

  /** Signs in with Microsoft in the system browser; the account arrives by accountsChanged. */
  async signIn(): Promise<boolean> {
    if (this.signingIn) return false;
    this.signingIn = true;
    try {
      return await this.#changeAccounts(() => this.#api.signIn());
    } finally {
      this.signingIn = false;
    }
  }

  /** Adds the demo account (the built-in simulator), to try taskdrop without one. */
  async tryDemo(): Promise<boolean> {
    if (this.startingDemo) return false;
    this.startingDemo = true;
    try {
      return await this.#changeAccounts(() => this.#api.tryDemo());
    } finally {
      this.startingDemo = false;
    }
  }

  async signOut(accountId: string): Promise<void> {
    await this.#changeAccounts(() => this.#api.signOut(accountId));
  }

  /** Runs an account command; its failure is shown in the engine's words. */
  async #changeAccounts(command: () => Promise<unknown>): Promise<boolean> {
    this.accountError = '';
    try {
      await command();
      this.accounts = await this.#api.listAccounts();
      return true;
    } catch (error) {
      this.accountError = error instanceof Error ? error.message : String(error);
      return false;
    }
  }

  /** Saves one setting now; a refusal shows next to the field and keeps what was saved. */
  async update<K extends SettingKey>(key: K, value: Settings[K]): Promise<boolean> {
    const problem = checkSetting(key, value);
    if (problem !== null) {
      this.errors = { ...this.errors, [key]: problem };
      return false;
    }
    try {
      const changes: Partial<Settings> = { [key]: value };
      this.settings = await this.#api.updateSettings(changes);
      if (key === 'globalShortcut') await this.#loadShortcut();
      this.errors = { ...this.errors, [key]: undefined };
      this.saved = key;
      clearTimeout(this.#savedTimer);
      this.#savedTimer = setTimeout(() => (this.saved = null), 2_500);
      return true;
    } catch (error) {
      this.errors = {
        ...this.errors,
        [key]: error instanceof Error ? error.message : String(error),
      };
      return false;
    }
  }

  /**
   * Collects the diagnostics and puts them on the clipboard; where the browser refuses, they
   * are kept in `diagnostics` for the person to select and copy by hand.
   */
  async copyDiagnostics(): Promise<void> {
    if (this.diagnostics.kind === 'collecting') return;
    clearTimeout(this.#copiedTimer);
    this.diagnostics = { kind: 'collecting' };
    let text: string;
    try {
      text = await this.#api.diagnostics();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.diagnostics = { kind: 'failed', message };
      return;
    }
    try {
      await this.#copyText(text);
      this.diagnostics = { kind: 'copied' };
      this.#copiedTimer = setTimeout(() => (this.diagnostics = { kind: 'idle' }), 8_000);
    } catch {
      this.diagnostics = { kind: 'manual', text };
    }
  }
}
