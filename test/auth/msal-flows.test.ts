import { statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { browse } from '../../main/simulator/identity/browser.ts';
import { sealedCachePath } from '../../main/core/auth/token-store.ts';
import { SignInFailedError } from '../../main/core/auth/msal-errors.ts';
import { SignInRequiredError } from '../../main/core/auth/token-provider.ts';
import { raw } from '../support/raw-http.ts';
import {
  authRig,
  readSealedCache,
  signInByBrowser,
  signInByDeviceCode,
  type AuthRig,
} from './support.ts';

let rig: AuthRig;

beforeEach(async () => {
  rig = await authRig();
});
afterEach(async () => {
  await rig.close();
});

async function graphAccepts(token: string): Promise<number> {
  const res = await raw(`${rig.sim.graphUrl}/me/todo/lists`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return res.status;
}

describe('interactive sign-in (system browser, MSAL loopback, PKCE)', () => {
  it('completes end to end: the loopback gets the code, a token comes back, Graph takes it', async () => {
    const opened: string[] = [];
    const account = await rig.accounts.signIn({
      kind: 'browser',
      openBrowser: async (url) => {
        opened.push(url);
        const page = await browse(url);
        // The browser ends on MSAL's own loopback server, showing taskdrop's page.
        expect(page.url).toMatch(/^http:\/\/localhost:\d+\/?$/);
        expect(page.html).toContain('You are signed in to taskdrop');
      },
    });
    expect(opened).toHaveLength(1);
    const authorize = new URL(opened[0]!);
    expect(authorize.origin).toBe(rig.sim.origin);
    expect(authorize.pathname).toBe('/common/oauth2/v2.0/authorize');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('response_mode')).toBe('form_post');
    expect(authorize.searchParams.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining(['Tasks.ReadWrite', 'offline_access']),
    );
    expect(account).toMatchObject({ kind: 'microsoft', label: rig.sim.user.userPrincipalName });
    expect(account.id).toBe(`${rig.sim.user.id}.${account.id.split('.')[1]}`);

    const token = await rig.accounts.tokens.getAccessToken(account.id, { forceRefresh: false });
    expect(await graphAccepts(token)).toBe(200);
    const counters = rig.sim.control.identity.counters();
    expect(counters.grants).toEqual({ authorization_code: 1, refresh_token: 0, device_code: 0 });
    expect(statSync(sealedCachePath(rig.dataDir)).mode & 0o777).toBe(0o600);
  });

  it('signs in as the account named by login_hint', async () => {
    const other = rig.sim.control.addUser('Robin Work', 'robin@contoso.example');
    const account = await signInByBrowser(rig.accounts, other.userPrincipalName);
    expect(account.label).toBe('robin@contoso.example');
    expect(account.id.startsWith(`${other.id}.`)).toBe(true);
    const token = await rig.accounts.tokens.getAccessToken(account.id, { forceRefresh: false });
    const me = await raw(`${rig.sim.graphUrl}/users/${other.id}/todo/lists`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);
  });

  it('is silent for an account that is still signed in: no browser, no new grant', async () => {
    const account = await signInByBrowser(rig.accounts);
    const again = await rig.openAccounts().signIn(
      {
        kind: 'browser',
        openBrowser: () => Promise.reject(new Error('the browser must not open')),
      },
      { account: account.label },
    );
    expect(again.id).toBe(account.id);
    expect(rig.sim.control.identity.counters().grants.authorization_code).toBe(1);
  });

  it('stops waiting when cancelled, and says so in plain words', async () => {
    const controller = new AbortController();
    const signingIn = rig.accounts.signIn(
      {
        kind: 'browser',
        openBrowser: () => {
          // The person never comes back from the browser; the app's Cancel button is pressed.
          setTimeout(() => controller.abort(), 50);
          return Promise.resolve();
        },
      },
      { signal: controller.signal },
    );
    await expect(signingIn).rejects.toThrow(
      new SignInFailedError('cancelled', 'Sign-in was cancelled.'),
    );
    expect(await rig.accounts.list()).toEqual([]);
  });

  it('sends the browser to nothing but the login service', async () => {
    const signingIn = rig.accounts.signIn({
      kind: 'browser',
      openBrowser: () => Promise.reject(new Error('no browser on this machine')),
    });
    await expect(signingIn).rejects.toThrow(
      'Could not open a browser to sign in (no browser on this machine).',
    );
  });
});

describe('device code sign-in', () => {
  it('waits while the code is pending and completes once approved through the control route', async () => {
    let shown = '';
    const account = await rig.accounts.signIn({
      kind: 'device-code',
      showCode: (prompt) => {
        shown = prompt.message;
        expect(prompt.verificationUri).toBe(`${rig.sim.origin}/devicelogin`);
        setTimeout(() => {
          void raw(`${rig.sim.inspectUrl}/identity/device/approve`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ userCode: prompt.userCode }),
          });
        }, 200);
      },
    });
    expect(shown).toMatch(/enter the code [A-Z0-9]{9} to authenticate/);
    expect(account.label).toBe(rig.sim.user.userPrincipalName);
    const counters = rig.sim.control.identity.counters();
    expect(counters.grants.device_code).toBe(1);
    expect(counters.errors['authorization_pending']).toBeGreaterThan(0);
    const token = await rig.accounts.tokens.getAccessToken(account.id, { forceRefresh: false });
    expect(await graphAccepts(token)).toBe(200);
  });

  it('approves through the verification page as a person would', async () => {
    rig.sim.control.addUser('Kim Personal', 'kim@outlook.com');
    const account = await rig.accounts.signIn({
      kind: 'device-code',
      showCode: (prompt) => {
        void raw(prompt.verificationUri, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            user_code: prompt.userCode,
            login_hint: 'kim@outlook.com',
          }).toString(),
        });
      },
    });
    // A personal account: the consumers tenant.
    expect(account.id.endsWith('.9188040d-6c67-4c5b-b112-36a304b66dad')).toBe(true);
  });

  it('can be cancelled while polling', async () => {
    const controller = new AbortController();
    const signingIn = rig.accounts.signIn(
      { kind: 'device-code', showCode: () => setTimeout(() => controller.abort(), 30) },
      { signal: controller.signal },
    );
    await expect(signingIn).rejects.toThrow('Sign-in was cancelled.');
  });
});

describe('tokens and sign-out', () => {
  it('refreshes silently, and asks for a sign-in in plain words once the refresh token is revoked', async () => {
    const account = await signInByDeviceCode(rig.accounts, rig.sim);
    const first = await rig.accounts.tokens.getAccessToken(account.id, { forceRefresh: false });
    const second = await rig.accounts.tokens.getAccessToken(account.id, { forceRefresh: true });
    expect(second).not.toBe(first);
    expect(await graphAccepts(second)).toBe(200);
    expect(rig.sim.control.identity.counters().grants.refresh_token).toBe(1);

    rig.sim.control.identity.revokeRefreshTokens();
    const refused = rig.accounts.tokens.getAccessToken(account.id, { forceRefresh: true });
    await expect(refused).rejects.toBeInstanceOf(SignInRequiredError);
    await expect(refused).rejects.toThrow(
      `Microsoft needs you to sign in again as ${rig.sim.user.userPrincipalName} (the sign-in expired or was revoked). Sign in again: uploads continue where they stopped.`,
    );
  });

  it('signs out of one account and leaves the other signed in', async () => {
    const robin = rig.sim.control.addUser('Robin Work', 'robin@contoso.example');
    const first = await signInByDeviceCode(rig.accounts, rig.sim);
    const second = await signInByDeviceCode(rig.accounts, rig.sim, robin.id);
    expect((await rig.accounts.list()).map((account) => account.id).sort()).toEqual(
      [first.id, second.id].sort(),
    );
    expect(await rig.accounts.signOut(first.id)).toBe(true);

    // What a fresh start reads from the sealed file.
    const later = rig.openAccounts();
    expect((await later.list()).map((account) => account.id)).toEqual([second.id]);
    await expect(
      later.tokens.getAccessToken(first.id, { forceRefresh: false }),
    ).rejects.toBeInstanceOf(SignInRequiredError);
    expect(
      await graphAccepts(await later.tokens.getAccessToken(second.id, { forceRefresh: false })),
    ).toBe(200);
    const cache = await readSealedCache(rig);
    const owners = [
      ...Object.values(cache.RefreshToken),
      ...Object.values(cache.AccessToken),
      ...Object.values(cache.IdToken),
      ...Object.values(cache.Account),
    ].map((entry) => entry.home_account_id);
    expect(owners.length).toBeGreaterThan(0);
    expect(new Set(owners)).toEqual(new Set([second.id]));
  });
});
