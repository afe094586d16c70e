import {
  PublicClientApplication,
  type AccountInfo,
  type AuthenticationResult,
  type DeviceCodeRequest,
} from '@azure/msal-node';
import { assertLoginUrl, rerouteLoginUrl } from './login-host.ts';
import { graphScopes, msalConfiguration, signInScopes, type MsalSetup } from './msal-config.ts';
import {
  classifyMsalError,
  signedOutMessage,
  SignInFailedError,
  signInFailure,
  tokenFailure,
} from './msal-errors.ts';
import { signedInPage, signInFailedPage } from './sign-in-pages.ts';
import { SignInRequiredError } from './token-provider.ts';

/** A Microsoft account MSAL holds tokens for. */
export interface MicrosoftAccount {
  /** MSAL's home account id (`oid.tid`), which the engine uses as the account's id too. */
  id: string;
  /** The sign-in name, e.g. someone@outlook.com. */
  username: string;
  name: string;
  tenantId: string;
}

export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  /** Microsoft's own sentence: open this page, enter this code. */
  message: string;
  expiresAt: number;
}

export interface AccessToken {
  token: string;
  expiresAt: number;
}

/** How the person signs in when MSAL says they must. */
export type Interaction =
  /** The system browser, answering to MSAL's loopback server (PKCE by MSAL). */
  | { kind: 'browser'; openBrowser: (url: string) => Promise<void> }
  /** A code to enter on another device: for terminals. */
  | { kind: 'device-code'; showCode: (prompt: DeviceCodePrompt) => void };

export interface SignInOptions {
  /** Sign in (again) as this account, id or username: silently when it still can. */
  account?: string;
  /** Cancels a sign-in that is waiting for the person. */
  signal?: AbortSignal;
}

function toAccount(info: AccountInfo): MicrosoftAccount {
  return {
    id: info.homeAccountId,
    username: info.username,
    name: info.name ?? info.username,
    tenantId: info.tenantId,
  };
}

/**
 * Sign-in with Microsoft through MSAL's PublicClientApplication: authority /common, scopes
 * Tasks.ReadWrite + offline_access, silent first and interactive only when MSAL says so.
 */
export class MsalAuth {
  readonly clientId: string;
  readonly #pca: PublicClientApplication;
  readonly #loginServiceOrigin: string | undefined;

  constructor(setup: MsalSetup) {
    this.clientId = setup.clientId;
    this.#loginServiceOrigin = setup.loginServiceOrigin;
    this.#pca = new PublicClientApplication(msalConfiguration(setup));
  }

  async accounts(): Promise<MicrosoftAccount[]> {
    const accounts = await this.#pca.getAllAccounts();
    return accounts.map(toAccount);
  }

  /** The account with this id or username, if MSAL holds it. */
  async find(ref: string): Promise<MicrosoftAccount | undefined> {
    const info = await this.#info(ref);
    return info === undefined ? undefined : toAccount(info);
  }

  async #info(ref: string): Promise<AccountInfo | undefined> {
    const lower = ref.toLowerCase();
    const accounts = await this.#pca.getAllAccounts();
    return (
      accounts.find((account) => account.homeAccountId === ref) ??
      accounts.find((account) => account.username.toLowerCase() === lower)
    );
  }

  /**
   * Silent first: an account that can still get tokens comes back without a prompt. Otherwise
   * (or for a new account) the person signs in through `interaction`.
   */
  async signIn(interaction: Interaction, options: SignInOptions = {}): Promise<MicrosoftAccount> {
    const known = options.account === undefined ? undefined : await this.#info(options.account);
    if (known !== undefined) {
      try {
        await this.#pca.acquireTokenSilent({ account: known, scopes: graphScopes });
        return toAccount(known);
      } catch (error) {
        if (classifyMsalError(error) !== 'sign-in') throw signInFailure(error, this.clientId);
      }
    }
    const hint = known?.username ?? options.account;
    return interaction.kind === 'browser'
      ? this.#browser(interaction.openBrowser, hint, options.signal)
      : this.#deviceCode(interaction.showCode, options.signal);
  }

  /** A token for Graph, silently; rejects with SignInRequiredError when the person must act. */
  async accessToken(accountId: string, options: { forceRefresh: boolean }): Promise<AccessToken> {
    const account = await this.#info(accountId);
    if (account === undefined) {
      throw new SignInRequiredError(accountId, signedOutMessage('This Microsoft account'));
    }
    let result: AuthenticationResult;
    try {
      result = await this.#pca.acquireTokenSilent({
        account,
        scopes: graphScopes,
        forceRefresh: options.forceRefresh,
      });
    } catch (error) {
      throw tokenFailure(error, { accountId, who: account.username, clientId: this.clientId });
    }
    return { token: result.accessToken, expiresAt: result.expiresOn?.getTime() ?? 0 };
  }

  /** Removes the account and its tokens from the cache; the other accounts stay signed in. */
  async signOut(accountId: string): Promise<boolean> {
    const account = await this.#info(accountId);
    if (account === undefined) return false;
    await this.#pca.signOut({ account });
    return true;
  }

  async #browser(
    openBrowser: (url: string) => Promise<void>,
    loginHint: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<MicrosoftAccount> {
    let waiting: { redirectUri: string; state: string } | undefined;
    let browserError: unknown;
    const cancel = (): void => {
      if (waiting !== undefined) void answerCancelled(waiting.redirectUri, waiting.state);
    };
    const open = async (url: string): Promise<void> => {
      // MSAL built this address; the browser is only ever sent to the login host.
      const parsed = assertLoginUrl(url);
      waiting = {
        redirectUri: parsed.searchParams.get('redirect_uri') ?? '',
        state: parsed.searchParams.get('state') ?? '',
      };
      if (signal?.aborted === true) return cancel();
      const target =
        this.#loginServiceOrigin === undefined
          ? url
          : rerouteLoginUrl(url, this.#loginServiceOrigin);
      try {
        await openBrowser(target);
      } catch (error) {
        browserError = error;
        throw error;
      }
    };
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const result = await this.#pca.acquireTokenInteractive({
        scopes: signInScopes,
        openBrowser: open,
        successTemplate: signedInPage,
        errorTemplate: signInFailedPage,
        // A new account: let the person pick. MSAL drops hints under select_account.
        ...(loginHint === undefined ? { prompt: 'select_account' } : { loginHint }),
      });
      return this.#accountOf(result);
    } catch (error) {
      if (browserError !== undefined) {
        const reason = browserError instanceof Error ? browserError.message : String(browserError);
        throw new SignInFailedError('browser', `Could not open a browser to sign in (${reason}).`);
      }
      throw error instanceof SignInFailedError ? error : signInFailure(error, this.clientId);
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  async #deviceCode(
    showCode: (prompt: DeviceCodePrompt) => void,
    signal: AbortSignal | undefined,
  ): Promise<MicrosoftAccount> {
    const request: DeviceCodeRequest = {
      scopes: signInScopes,
      deviceCodeCallback: (response) =>
        showCode({
          userCode: response.userCode,
          verificationUri: response.verificationUri,
          message: response.message,
          expiresAt: Date.now() + response.expiresIn * 1000,
        }),
    };
    // MSAL checks this flag between polls.
    const cancel = (): void => void (request.cancel = true);
    if (signal?.aborted === true) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const result = await this.#pca.acquireTokenByDeviceCode(request);
      if (result === null) throw new SignInFailedError('no-result', 'Sign-in did not complete.');
      return this.#accountOf(result);
    } catch (error) {
      throw error instanceof SignInFailedError ? error : signInFailure(error, this.clientId);
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  #accountOf(result: AuthenticationResult): MicrosoftAccount {
    if (result.account === null) {
      throw new SignInFailedError('no-account', 'Microsoft did not say who signed in. Try again.');
    }
    return toAccount(result.account);
  }
}

/**
 * Ends a browser sign-in nobody will finish: MSAL's loopback server waits for an answer, so
 * it gets the one a login page sends when the person declines.
 */
async function answerCancelled(redirectUri: string, state: string): Promise<void> {
  const body = new URLSearchParams({
    error: 'access_denied',
    error_description: 'The sign-in was cancelled in taskdrop.',
    state,
  });
  try {
    await fetch(redirectUri, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  } catch {
    // The loopback server has closed already: the sign-in is over either way.
  }
}
