import { AuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import type { AccessToken } from '../../main/core/auth/msal-auth.ts';
import {
  classifyMsalError,
  SignInServiceUnavailableError,
  tokenFailure,
} from '../../main/core/auth/msal-errors.ts';
import {
  MsalTokenProvider,
  type AccessTokenSource,
} from '../../main/core/auth/msal-token-provider.ts';
import { SignInRequiredError } from '../../main/core/auth/token-provider.ts';

/** Hands out numbered tokens; each call can be held until the test releases it. */
class FakeSource implements AccessTokenSource {
  calls: { accountId: string; forced: boolean }[] = [];
  #next = 0;
  lifetimeMs = 3_600_000;
  failWith: Error | null = null;
  gate: Promise<void> = Promise.resolve();

  async accessToken(accountId: string, options: { forceRefresh: boolean }): Promise<AccessToken> {
    this.calls.push({ accountId, forced: options.forceRefresh });
    this.#next += 1;
    const token = `token-${this.#next}`;
    await this.gate;
    if (this.failWith !== null) throw this.failWith;
    return { token, expiresAt: Date.now() + this.lifetimeMs };
  }
}

describe('MsalTokenProvider', () => {
  it('hands out the current token until it is near expiry, then asks MSAL', async () => {
    const source = new FakeSource();
    let now = Date.now();
    const provider = new MsalTokenProvider(source, { now: () => now, reuseMarginMs: 60_000 });
    expect(await provider.getAccessToken('a', { forceRefresh: false })).toBe('token-1');
    expect(await provider.getAccessToken('a', { forceRefresh: false })).toBe('token-1');
    now += 3_600_000 - 59_000;
    expect(await provider.getAccessToken('a', { forceRefresh: false })).toBe('token-2');
    expect(await provider.getAccessToken('b', { forceRefresh: false })).toBe('token-3');
    expect(source.calls.map((call) => call.accountId)).toEqual(['a', 'a', 'b']);
  });

  it('refreshes when forced, once for all who ask at the same time', async () => {
    const source = new FakeSource();
    const provider = new MsalTokenProvider(source);
    await provider.getAccessToken('a', { forceRefresh: false });
    let release: () => void = () => undefined;
    source.gate = new Promise((resolve) => (release = resolve));
    const asks = [1, 2, 3].map(() => provider.getAccessToken('a', { forceRefresh: true }));
    release();
    expect(await Promise.all(asks)).toEqual(['token-2', 'token-2', 'token-2']);
    expect(source.calls.filter((call) => call.forced)).toHaveLength(1);
  });

  it('does not answer a forced refresh with a plain call that is still running', async () => {
    const source = new FakeSource();
    const provider = new MsalTokenProvider(source);
    let release: () => void = () => undefined;
    source.gate = new Promise((resolve) => (release = resolve));
    const plain = provider.getAccessToken('a', { forceRefresh: false });
    const forced = provider.getAccessToken('a', { forceRefresh: true });
    release();
    expect(await plain).toBe('token-1');
    expect(await forced).toBe('token-2');
  });

  it('keeps using a still-valid token when early renewal cannot reach the sign-in service', async () => {
    const source = new FakeSource();
    let now = Date.now();
    const provider = new MsalTokenProvider(source, { now: () => now, reuseMarginMs: 60_000 });
    expect(await provider.getAccessToken('a', { forceRefresh: false })).toBe('token-1');
    now += 3_600_000 - 30_000;
    source.failWith = new SignInServiceUnavailableError('offline');
    expect(await provider.getAccessToken('a', { forceRefresh: false })).toBe('token-1');
    await expect(provider.getAccessToken('a', { forceRefresh: true })).rejects.toThrow('offline');
    now += 60_000;
    await expect(provider.getAccessToken('a', { forceRefresh: false })).rejects.toThrow('offline');
  });

  it('keeps nothing for an account once it signed out, even from a call already running', async () => {
    const source = new FakeSource();
    const provider = new MsalTokenProvider(source);
    let release: () => void = () => undefined;
    source.gate = new Promise((resolve) => (release = resolve));
    const running = provider.getAccessToken('a', { forceRefresh: false });
    provider.forget('a');
    release();
    await running;
    source.failWith = new SignInRequiredError('a', 'signed out');
    await expect(provider.getAccessToken('a', { forceRefresh: false })).rejects.toBeInstanceOf(
      SignInRequiredError,
    );
  });
});

describe('MSAL errors, as the engine needs them', () => {
  const context = { accountId: 'acc', who: 'kim@outlook.com', clientId: 'cid' };

  it('turns every "sign in again" answer into SignInRequiredError with a plain message', () => {
    const answers = [
      new InteractionRequiredAuthError('interaction_required', '', 'AADSTS50076: MFA'),
      new InteractionRequiredAuthError('no_tokens_found', ''),
      new ServerError('invalid_grant', '', 'AADSTS50173: The provided grant has expired'),
      new ServerError('invalid_grant', '', 'AADSTS70008: expired', 'bad_token'),
    ];
    for (const answer of answers) {
      const failure = tokenFailure(answer, context);
      expect(failure).toBeInstanceOf(SignInRequiredError);
      expect((failure as SignInRequiredError).accountId).toBe('acc');
      expect(failure.message).toContain('sign in again as kim@outlook.com');
      expect(failure.message).not.toContain('AADSTS');
    }
  });

  it('tells a refused app registration apart, and an unreachable service', () => {
    const client = tokenFailure(
      new ServerError('unauthorized_client', '', 'AADSTS700016'),
      context,
    );
    expect(client).toBeInstanceOf(SignInRequiredError);
    expect(client.message).toContain('client id cid');
    expect(classifyMsalError(new AuthError('network_error', 'Network request failed'))).toBe(
      'unavailable',
    );
    const busy = new ServerError('temporarily_unavailable', '', 'try later', '', undefined, 503);
    expect(tokenFailure(busy, context)).toBeInstanceOf(SignInServiceUnavailableError);
    expect(classifyMsalError(new Error('other'))).toBe('other');
  });
});
