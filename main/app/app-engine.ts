import { rmSync } from 'node:fs';
import type { Settings } from '../../preload/shared/contract.ts';
import { readAuthSettings, resolveClientId } from '../core/auth/auth-settings.ts';
import { MicrosoftAccounts } from '../core/auth/microsoft-accounts.ts';
import { MsalAuth } from '../core/auth/msal-auth.ts';
import type { ClipboardHost } from '../core/clipboard/clipboard-host.ts';
import type { SafeStorageLike } from '../core/auth/safe-storage.ts';
import { sealedCachePath } from '../core/auth/token-store.ts';
import type { ChooseFolder, Desktop } from '../core/engine/engine.ts';
import { openEngine, type OpenedEngine } from '../core/engine/open-engine.ts';
import type { Logger } from '../core/logging/logger.ts';
import type { ShortcutHost } from '../core/settings/shortcut-host.ts';
import { startDemoGraph } from '../simulator/demo.ts';
import type { AppOverrides } from './launch-settings.ts';
import { appTokenStore } from './token-storage.ts';

/** What Electron gives the app's engine; main.ts passes the real parts. */
export interface AppShellParts {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  overrides: Pick<AppOverrides, 'graphUrl' | 'loginServiceOrigin'>;
  log: Logger;
  safeStorage: SafeStorageLike;
  desktop: Desktop;
  chooseFolder: ChooseFolder;
  runtimeVersions: Readonly<Record<string, string>>;
  /** The system clipboard and the global shortcut (the app; a test may leave them out). */
  clipboard?: ClipboardHost;
  shortcut?: ShortcutHost;
}

/**
 * The app's engine: the one assembly (docs/architecture.md "One assembly"), with what the app
 * adds. With a client ID (TASKDROP_CLIENT_ID, or saved by `taskdrop login`): sign-in through the
 * system browser, tokens sealed by safeStorage, and "Try demo mode" on the first run. Without
 * one nobody can sign in, so no account found means demo mode.
 */
export async function openAppEngine(parts: AppShellParts): Promise<OpenedEngine> {
  const { dataDir, env, overrides, log, desktop } = parts;
  const environment = { dataDir, env, graphUrl: overrides.graphUrl };
  const shared = {
    log,
    desktop,
    chooseFolder: parts.chooseFolder,
    runtimeVersions: parts.runtimeVersions,
    ...(parts.clipboard === undefined ? {} : { clipboard: parts.clipboard }),
    ...(parts.shortcut === undefined ? {} : { shortcut: parts.shortcut }),
    startDemo: startDemoGraph,
  };
  const clientId = resolveClientId(undefined, env, readAuthSettings(dataDir));
  if (clientId === undefined) return openEngine(environment, shared);
  // Whether an obfuscated cache may be kept is a setting: asked only once the queue is open.
  let settings: (() => Promise<Settings>) | undefined;
  const store = appTokenStore(
    dataDir,
    parts.safeStorage,
    async () => settings !== undefined && (await settings()).allowWeakTokenStorage,
  );
  if (store.warning !== null) {
    console.warn(`taskdrop: ${store.warning}`);
    log.warn('token encryption unavailable', { why: store.warning });
  }
  const { cachePlugin } = store;
  const { graphUrl, loginServiceOrigin } = overrides;
  const accounts = new MicrosoftAccounts(
    new MsalAuth({
      clientId,
      ...(cachePlugin === undefined ? {} : { cachePlugin }),
      ...(loginServiceOrigin === undefined ? {} : { loginServiceOrigin }),
    }),
    graphUrl === undefined ? {} : { graphUrl },
  );
  const opened = await openEngine(environment, {
    ...shared,
    tokenStorage: store.storage,
    offerDemo: true,
    signedIn: () =>
      Promise.resolve({
        tokens: accounts.tokens,
        list: (read) => {
          settings = read;
          return accounts.list();
        },
      }),
    signIn: {
      // MsalAuth opens only Microsoft's login host; the browser is the person's own.
      signIn: () =>
        accounts.signIn({ kind: 'browser', openBrowser: (url) => desktop.openExternal(url) }),
      signOut: async (accountId) => {
        await accounts.signOut(accountId);
      },
      tokens: accounts.tokens,
    },
  });
  settings = () => opened.engine.getSettings();
  if (store.storage === 'obfuscated') {
    // Agreed: a cache access saves the sign-in now. Withdrawn: the saved copy goes.
    opened.engine.on('settingsChanged', ({ allowWeakTokenStorage }) => {
      if (allowWeakTokenStorage) void accounts.list();
      else rmSync(sealedCachePath(dataDir), { force: true });
    });
  }
  return opened;
}
