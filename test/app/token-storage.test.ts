import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appTokenStore } from '../../main/app/token-storage.ts';
import { MicrosoftAccounts } from '../../main/core/auth/microsoft-accounts.ts';
import { MsalAuth } from '../../main/core/auth/msal-auth.ts';
import { sealedCachePath } from '../../main/core/auth/token-store.ts';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import { clientId, fakeSafeStorage, signInByDeviceCode } from '../auth/support.ts';

let sim: RunningSimulator;
let dataDir: string;

beforeEach(async () => {
  sim = await startSimulator({ seed: 'demo', identity: { devicePollIntervalSeconds: 0.05 } });
  dataDir = mkdtempSync(join(tmpdir(), 'taskdrop-app-tokens-'));
});
afterEach(async () => {
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The app's accounts as main.ts makes them: the real MSAL over the app's token store. */
function appAccounts(backend: string, allowed: () => boolean) {
  const store = appTokenStore(dataDir, fakeSafeStorage(true, backend), async () => allowed(), {
    platform: 'linux',
  });
  const { cachePlugin } = store;
  const auth = new MsalAuth({
    clientId,
    loginServiceOrigin: sim.origin,
    ...(cachePlugin === undefined ? {} : { cachePlugin }),
  });
  return { store, accounts: new MicrosoftAccounts(auth, { graphUrl: sim.graphUrl }) };
}

describe('the app on Linux without a keyring (safeStorage basic_text)', () => {
  it('keeps a sign-in in memory only until the person agrees, then saves it at once', async () => {
    let agreed = false;
    const { store, accounts } = appAccounts('basic_text', () => agreed);
    expect(store.storage).toBe('obfuscated');
    expect(store.warning).toContain('not truly encrypted');
    const account = await signInByDeviceCode(accounts, sim);
    expect((await accounts.list()).map((config) => config.id)).toEqual([account.id]);
    expect(existsSync(sealedCachePath(dataDir))).toBe(false);
    // The next start of the app, still without the person's word: signed out.
    expect(await appAccounts('basic_text', () => agreed).accounts.list()).toEqual([]);

    agreed = true;
    // The first cache access once agreed writes the sign-in, though MSAL saw no change.
    await accounts.list();
    expect(existsSync(sealedCachePath(dataDir))).toBe(true);
    const next = appAccounts('basic_text', () => agreed);
    expect((await next.accounts.list()).map((config) => config.id)).toEqual([account.id]);
  });

  it('with a keyring: sealed and saved from the first sign-in, nothing to ask', async () => {
    const { store, accounts } = appAccounts('gnome_libsecret', () => false);
    expect(store.storage).toBe('os');
    expect(store.warning).toBeNull();
    await signInByDeviceCode(accounts, sim);
    expect(existsSync(sealedCachePath(dataDir))).toBe(true);
  });

  it('with no encryption at all: memory only, said as such', () => {
    const store = appTokenStore(dataDir, fakeSafeStorage(false, 'unknown'), async () => true, {
      platform: 'linux',
    });
    expect(store).toMatchObject({ cachePlugin: undefined, storage: 'memory' });
  });
});
