import { isClientId, readAuthSettings, resolveClientId } from './auth-settings.ts';
import type { KeyStore } from './keychain.ts';
import { loginServiceVariable, loopbackHttpOrigin } from './login-host.ts';
import { MicrosoftAccounts } from './microsoft-accounts.ts';
import { MsalAuth } from './msal-auth.ts';
import { cliTokenStore, type TokenStore } from './token-store.ts';

/** Sign-in as plain Node keeps it for a data folder (the CLI, the web server). */
export interface CachedSignIn {
  accounts: MicrosoftAccounts;
  store: TokenStore;
  clientId: string;
}

/** A client id or login service given that cannot be one: said before anything is asked. */
export class SignInSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInSetupError';
  }
}

function loginServiceOrigin(env: NodeJS.ProcessEnv): string | undefined {
  const value = env[loginServiceVariable]?.trim();
  if (value === undefined || value === '') return undefined;
  const origin = loopbackHttpOrigin(value);
  if (origin === null) {
    throw new SignInSetupError(
      `${loginServiceVariable} must be a loopback http:// origin (a simulator).`,
    );
  }
  return origin;
}

/**
 * MSAL for this data folder with its token cache (the OS keychain's key, or the plaintext file
 * the person chose; docs/security.md), or null when no client id is configured anywhere.
 */
export async function openCachedSignIn(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  options: {
    clientId?: string | undefined;
    graphUrl?: string;
    warn?: (text: string) => void;
    keyStore?: () => Promise<KeyStore | null>;
  } = {},
): Promise<CachedSignIn | null> {
  const settings = readAuthSettings(dataDir);
  const clientId = resolveClientId(options.clientId, env, settings);
  if (clientId === undefined) return null;
  if (!isClientId(clientId)) {
    throw new SignInSetupError(
      `"${clientId}" is not a client id (it looks like 00000000-0000-0000-0000-000000000000).`,
    );
  }
  const store = await cliTokenStore(dataDir, settings, {
    ...(options.warn === undefined ? {} : { onUnreadable: options.warn }),
    ...(options.keyStore === undefined ? {} : { keyStore: options.keyStore }),
  });
  const origin = loginServiceOrigin(env);
  const auth = new MsalAuth({
    clientId,
    ...(store.kind === 'memory' ? {} : { cachePlugin: store.plugin }),
    ...(origin === undefined ? {} : { loginServiceOrigin: origin }),
  });
  const accounts = new MicrosoftAccounts(auth, {
    ...(options.graphUrl === undefined ? {} : { graphUrl: options.graphUrl }),
  });
  return { accounts, store, clientId };
}
