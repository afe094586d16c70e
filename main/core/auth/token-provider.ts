/**
 * Where the engine gets bearer tokens. Sign-in (MSAL) implements it for real accounts; until an
 * account is signed in, TASKDROP_ACCESS_TOKEN serves automation with a token obtained elsewhere.
 */
export interface TokenProvider {
  /** Rejects with SignInRequiredError when only the person can fix it by signing in. */
  getAccessToken(accountId: string, options: { forceRefresh: boolean }): Promise<string>;
}

export class SignInRequiredError extends Error {
  readonly accountId: string;

  constructor(accountId: string, message: string) {
    super(message);
    this.name = 'SignInRequiredError';
    this.accountId = accountId;
  }
}

export const accessTokenVariable = 'TASKDROP_ACCESS_TOKEN';

/** A bearer token handed in through the environment: it cannot be refreshed, only replaced. */
export class EnvTokenProvider implements TokenProvider {
  readonly #env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.#env = env;
  }

  getAccessToken(accountId: string, options: { forceRefresh: boolean }): Promise<string> {
    const token = this.#env[accessTokenVariable]?.trim();
    if (token === undefined || token === '') {
      return Promise.reject(
        new SignInRequiredError(
          accountId,
          `No access token: set ${accessTokenVariable} or sign in.`,
        ),
      );
    }
    if (options.forceRefresh) {
      return Promise.reject(
        new SignInRequiredError(
          accountId,
          `Microsoft refused the token in ${accessTokenVariable} (expired or revoked). Set a fresh one.`,
        ),
      );
    }
    return Promise.resolve(token);
  }
}

/** Tokens from a function that can mint fresh ones (demo mode's in-process simulator). */
export class IssuingTokenProvider implements TokenProvider {
  readonly #issue: (accountId: string) => string;
  readonly #tokens = new Map<string, string>();

  constructor(issue: (accountId: string) => string) {
    this.#issue = issue;
  }

  getAccessToken(accountId: string, options: { forceRefresh: boolean }): Promise<string> {
    let token = this.#tokens.get(accountId);
    if (token === undefined || options.forceRefresh) {
      token = this.#issue(accountId);
      this.#tokens.set(accountId, token);
    }
    return Promise.resolve(token);
  }
}
