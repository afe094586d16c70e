import {
  readAuthSettings,
  resolveClientId,
  updateAuthSettings,
} from '../../core/auth/auth-settings.ts';
import {
  openCachedSignIn,
  SignInSetupError,
  type CachedSignIn,
} from '../../core/auth/cached-sign-in.ts';
import { findKeyStore, type KeyStore } from '../../core/auth/keychain.ts';
import { type DeviceCodePrompt, type MicrosoftAccount } from '../../core/auth/msal-auth.ts';
import { clientIdVariable } from '../../core/auth/msal-config.ts';
import { SignInFailedError } from '../../core/auth/msal-errors.ts';
import { accessTokenVariable } from '../../core/auth/token-provider.ts';
import {
  plaintextCachePath,
  sealedCachePath,
  type TokenStore,
} from '../../core/auth/token-store.ts';
import { openQueueDatabase } from '../../core/queue/database.ts';
import { UsageError, type CliArgs } from '../args.ts';

type Print = (text: string) => void;

export interface AuthCommandIo {
  print: Print;
  warn: Print;
  env: NodeJS.ProcessEnv;
  interrupt: AbortSignal;
  /** Where the OS keychain is looked up; tests pass one (or none). */
  keyStore?: () => Promise<KeyStore | null>;
}

/** Sign-in as the CLI sets it up for a data folder. */
export type CliAuth = CachedSignIn;

export const notSignedInMessage =
  'Not signed in. Sign in with "taskdrop login" (the README\'s "Sign in with Microsoft" shows ' +
  `how). Set ${accessTokenVariable} to a Graph access token (Tasks.ReadWrite) instead, or add ` +
  '--demo to try taskdrop against its built-in simulator.';

const missingClientId =
  `taskdrop signs in through your own app registration: give its client id with --client-id ` +
  `or ${clientIdVariable} (the README, "Sign in with Microsoft", shows how to make one).`;

/** MSAL for this data folder, or null when no client id is configured anywhere. */
export async function openCliAuth(
  args: CliArgs,
  env: NodeJS.ProcessEnv,
  dataDir: string,
  options: { graphUrl?: string; warn?: Print; keyStore?: () => Promise<KeyStore | null> } = {},
): Promise<CliAuth | null> {
  try {
    return await openCachedSignIn(dataDir, env, { ...options, clientId: args.clientId });
  } catch (error) {
    if (error instanceof SignInSetupError) throw new UsageError(error.message);
    throw error;
  }
}

function storeText(store: TokenStore, dataDir: string): string {
  switch (store.kind) {
    case 'sealed':
      return `Tokens are kept encrypted in ${sealedCachePath(dataDir)} (${store.description}).`;
    case 'plaintext-file':
      return `Tokens are kept UNENCRYPTED in ${plaintextCachePath(dataDir)} (you chose this).`;
    case 'memory':
      return 'Tokens are not kept after this command.';
  }
}

const plaintextWarning = (path: string): string =>
  `Warning: with no OS keychain here, your Microsoft sign-in is kept UNENCRYPTED in ${path} ` +
  '(readable only by your user account, mode 0600). Anyone who can read your files can use it ' +
  'to read and change your To Do tasks until you run "taskdrop logout".';

const noKeychainRefusal =
  'No OS keychain was found (GNOME Keyring/KWallet through secret-tool, or the macOS ' +
  'keychain), so taskdrop cannot keep your sign-in encrypted. Either run this on a machine with ' +
  'one, or add --plaintext-token-cache to keep it in an unencrypted file only your user account ' +
  `can read, or use ${accessTokenVariable} instead.`;

/** Holds the data folder (one taskdrop at a time) while sign-in changes its token cache. */
function lockDataDir(dataDir: string): () => void {
  const db = openQueueDatabase(dataDir);
  return () => db.close();
}

/** `taskdrop login`: the device code flow; silent when --account is still signed in. */
export async function login(args: CliArgs, dataDir: string, io: AuthCommandIo): Promise<number> {
  const env = io.env;
  const settings = readAuthSettings(dataDir);
  const clientId = resolveClientId(args.clientId, env, settings);
  if (clientId === undefined) throw new UsageError(missingClientId);
  const unlock = lockDataDir(dataDir);
  try {
    const findStore = io.keyStore ?? (() => findKeyStore());
    if (args.plaintextTokenCache && settings.tokenStore !== 'plaintext-file') {
      if ((await findStore()) === null) {
        await updateAuthSettings(dataDir, { tokenStore: 'plaintext-file' });
        io.warn(`${plaintextWarning(plaintextCachePath(dataDir))}\n`);
      } else {
        io.warn('An OS keychain is available: tokens are kept encrypted with it instead.\n');
      }
    }
    const auth = await openCliAuth(args, env, dataDir, { warn: io.warn, keyStore: findStore });
    if (auth === null) throw new UsageError(missingClientId);
    if (auth.store.kind === 'memory') throw new UsageError(noKeychainRefusal);
    if (auth.clientId !== settings.clientId) {
      await updateAuthSettings(dataDir, { clientId: auth.clientId });
    }
    const showCode = (prompt: DeviceCodePrompt): void =>
      io.print(
        args.json
          ? `${JSON.stringify({ event: 'device-code', userCode: prompt.userCode, verificationUri: prompt.verificationUri, message: prompt.message })}\n`
          : `${prompt.message}\nWaiting for you to sign in… (Ctrl-C stops)\n`,
      );
    const account = await auth.accounts.auth.signIn(
      { kind: 'device-code', showCode },
      { ...(args.account === undefined ? {} : { account: args.account }), signal: io.interrupt },
    );
    io.print(
      args.json
        ? `${JSON.stringify({ event: 'signed-in', account })}\n`
        : `Signed in as ${account.username}. ${storeText(auth.store, dataDir)}\n`,
    );
    return 0;
  } catch (error) {
    if (io.interrupt.aborted && error instanceof SignInFailedError) return 130;
    throw error;
  } finally {
    unlock();
  }
}

function describe(account: MicrosoftAccount): string {
  return `${account.username} (${account.name}; id ${account.id})`;
}

/** `taskdrop logout [account|all]`: removes that account's tokens; the others stay. */
export async function logout(args: CliArgs, dataDir: string, io: AuthCommandIo): Promise<number> {
  const unlock = lockDataDir(dataDir);
  try {
    const auth = await openCliAuth(args, io.env, dataDir, { warn: io.warn, ...keyStoreOf(io) });
    const accounts = auth === null ? [] : await auth.accounts.auth.accounts();
    if (auth === null || accounts.length === 0) {
      io.print('Not signed in.\n');
      return 0;
    }
    const wanted = args.positionals[0] ?? args.account;
    const leaving = pickAccounts(accounts, wanted);
    for (const account of leaving) {
      await auth.accounts.signOut(account.id);
      io.print(
        args.json
          ? `${JSON.stringify({ event: 'signed-out', account })}\n`
          : `Signed out of ${account.username}. Its queued files wait until you sign in to it again.\n`,
      );
    }
    return 0;
  } finally {
    unlock();
  }
}

function pickAccounts(
  accounts: readonly MicrosoftAccount[],
  wanted: string | undefined,
): MicrosoftAccount[] {
  const names = accounts.map((account) => account.username).join(', ');
  if (wanted === 'all') return [...accounts];
  if (wanted === undefined) {
    if (accounts.length === 1) return [...accounts];
    throw new UsageError(`Several accounts are signed in (${names}): name one, or "all".`);
  }
  const lower = wanted.toLowerCase();
  const found = accounts.find(
    (account) => account.id === wanted || account.username.toLowerCase() === lower,
  );
  if (found === undefined)
    throw new UsageError(`"${wanted}" is not signed in. Signed in: ${names}.`);
  return [found];
}

/** `taskdrop whoami`: the signed-in accounts and where their tokens are kept. */
export async function whoami(args: CliArgs, dataDir: string, io: AuthCommandIo): Promise<number> {
  const auth = await openCliAuth(args, io.env, dataDir, { warn: io.warn, ...keyStoreOf(io) });
  const accounts = auth === null ? [] : await auth.accounts.auth.accounts();
  const envToken = (io.env[accessTokenVariable]?.trim() ?? '') !== '';
  if (args.json) {
    for (const account of accounts) io.print(`${JSON.stringify({ account })}\n`);
  } else if (auth !== null && accounts.length > 0) {
    for (const account of accounts) io.print(`${describe(account)}\n`);
    io.print(`${storeText(auth.store, dataDir)}\n`);
  }
  if (envToken && !args.json) {
    io.print(`${accessTokenVariable} is set: uploads use that token, not a signed-in account.\n`);
  }
  if (accounts.length > 0 || envToken) return 0;
  if (!args.json) io.print(`${notSignedInMessage}\n`);
  return 3;
}

function keyStoreOf(io: AuthCommandIo): { keyStore?: () => Promise<KeyStore | null> } {
  return io.keyStore === undefined ? {} : { keyStore: io.keyStore };
}
