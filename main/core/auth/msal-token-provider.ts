import type { AccessToken } from './msal-auth.ts';
import { SignInServiceUnavailableError } from './msal-errors.ts';
import { SignInRequiredError, type TokenProvider } from './token-provider.ts';

/** Where fresh tokens come from: MsalAuth, silently. */
export interface AccessTokenSource {
  accessToken(accountId: string, options: { forceRefresh: boolean }): Promise<AccessToken>;
}

export interface MsalTokenProviderOptions {
  now?: () => number;
  /**
   * A token this close to its expiry is not handed out again; MSAL renews it instead. MSAL's
   * own margin is five minutes, so asking sooner would only read the cache.
   */
  reuseMarginMs?: number;
}

interface InFlight {
  forced: boolean;
  token: Promise<AccessToken>;
}

const defaultReuseMarginMs = 5 * 60_000;

/**
 * The engine's TokenProvider for signed-in Microsoft accounts (engine account id = MSAL home
 * account id). Keeps each account's current token in memory, so an upload does not open the
 * sealed cache for every range, and runs one MSAL call per account at a time.
 */
export class MsalTokenProvider implements TokenProvider {
  readonly #source: AccessTokenSource;
  readonly #now: () => number;
  readonly #marginMs: number;
  readonly #current = new Map<string, AccessToken>();
  readonly #inFlight = new Map<string, InFlight>();
  /** Bumped by forget(): a token fetched before a sign-out is never kept after it. */
  readonly #generation = new Map<string, number>();

  constructor(source: AccessTokenSource, options: MsalTokenProviderOptions = {}) {
    this.#source = source;
    this.#now = options.now ?? Date.now;
    this.#marginMs = options.reuseMarginMs ?? defaultReuseMarginMs;
  }

  async getAccessToken(accountId: string, options: { forceRefresh: boolean }): Promise<string> {
    const current = this.#current.get(accountId);
    if (!options.forceRefresh && current !== undefined) {
      if (current.expiresAt - this.#now() > this.#marginMs) return current.token;
    }
    try {
      return (await this.#fetch(accountId, options.forceRefresh)).token;
    } catch (error) {
      // Renewing early failed for want of the sign-in service: the token still works for now.
      const usable = current !== undefined && current.expiresAt > this.#now();
      if (usable && !options.forceRefresh && error instanceof SignInServiceUnavailableError) {
        return current.token;
      }
      throw error;
    }
  }

  /** Drops what is kept for the account (it signed out, or in again). */
  forget(accountId: string): void {
    this.#current.delete(accountId);
    this.#inFlight.delete(accountId);
    this.#generation.set(accountId, (this.#generation.get(accountId) ?? 0) + 1);
  }

  #fetch(accountId: string, forced: boolean): Promise<AccessToken> {
    const running = this.#inFlight.get(accountId);
    // A plain call in flight may answer with the very token that was just refused.
    if (running !== undefined && (running.forced || !forced)) return running.token;
    const generation = this.#generation.get(accountId) ?? 0;
    const token = this.#source
      .accessToken(accountId, { forceRefresh: forced })
      .then((fresh) => {
        if ((this.#generation.get(accountId) ?? 0) === generation) {
          this.#current.set(accountId, fresh);
        }
        return fresh;
      })
      .catch((error: unknown) => {
        if (error instanceof SignInRequiredError) this.#current.delete(accountId);
        throw error;
      })
      .finally(() => {
        if (this.#inFlight.get(accountId)?.token === token) this.#inFlight.delete(accountId);
      });
    this.#inFlight.set(accountId, { forced, token });
    return token;
  }
}
