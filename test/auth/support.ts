import type { SafeStorageLike } from '../../main/core/auth/safe-storage.ts';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskTarget } from '../../preload/shared/contract.ts';
import { aesGcmEncryption, newAesKey, type Encryption } from '../../main/core/auth/encryption.ts';
import { MicrosoftAccounts } from '../../main/core/auth/microsoft-accounts.ts';
import { MsalAuth } from '../../main/core/auth/msal-auth.ts';
import { sealedCachePath, sealedTokenStore } from '../../main/core/auth/token-store.ts';
import type { AccountConfig } from '../../main/core/engine/accounts.ts';
import { openSimulatedBrowser } from '../../main/simulator/identity/browser.ts';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../main/simulator/index.ts';
import { raw } from '../support/raw-http.ts';

/** The client id of a (simulated) app registration. */
export const clientId = '5a1d0c8e-3f4b-4e62-9d7a-2b8c6e4f1a03';

export interface AuthRig {
  sim: RunningSimulator;
  dir: string;
  dataDir: string;
  encryption: Encryption;
  /** A fresh MSAL over the same sealed cache, as the next run of the app would have. */
  openAccounts(options?: { reuseMarginMs?: number }): MicrosoftAccounts;
  accounts: MicrosoftAccounts;
  close(): Promise<void>;
}

/**
 * The simulator with its identity side, a temp data folder, and the real MSAL pointed at the
 * simulator through its own options, its cache sealed with an AES-GCM test key.
 */
export async function authRig(
  simOptions: SimulatorOptions = {},
  options: { reuseMarginMs?: number } = {},
): Promise<AuthRig> {
  const sim = await startSimulator({
    seed: 'demo',
    ...simOptions,
    identity: { devicePollIntervalSeconds: 0.05, ...simOptions.identity },
  });
  const dir = mkdtempSync(join(tmpdir(), 'taskdrop-auth-'));
  const dataDir = join(dir, 'data');
  const encryption = aesGcmEncryption(newAesKey(), 'AES-256-GCM test key');
  const openAccounts = (opened: { reuseMarginMs?: number } = options): MicrosoftAccounts => {
    const store = sealedTokenStore(dataDir, encryption);
    if (store.kind !== 'sealed') throw new Error('expected a sealed store');
    const auth = new MsalAuth({
      clientId,
      cachePlugin: store.plugin,
      loginServiceOrigin: sim.origin,
    });
    return new MicrosoftAccounts(auth, { graphUrl: sim.graphUrl, ...opened });
  };
  return {
    sim,
    dir,
    dataDir,
    encryption,
    openAccounts,
    accounts: openAccounts(),
    async close() {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the device code flow, approving the code as `user` once it is shown. */
export function signInByDeviceCode(
  accounts: MicrosoftAccounts,
  sim: RunningSimulator,
  user?: string,
): Promise<AccountConfig> {
  return accounts.signIn({
    kind: 'device-code',
    showCode: (prompt) => {
      setTimeout(() => sim.control.identity.approveDevice(prompt.userCode, user), 20);
    },
  });
}

/** Signs in through the browser flow; the simulated browser picks `user` by login_hint. */
export function signInByBrowser(
  accounts: MicrosoftAccounts,
  user?: string,
): Promise<AccountConfig> {
  return accounts.signIn(
    { kind: 'browser', openBrowser: openSimulatedBrowser },
    user === undefined ? {} : { account: user },
  );
}

/** The sealed cache, opened with the rig's key: what MSAL persisted. */
export async function readSealedCache(rig: AuthRig): Promise<CacheJson> {
  const sealed = readFileSync(sealedCachePath(rig.dataDir));
  return JSON.parse(await rig.encryption.decrypt(sealed)) as CacheJson;
}

export interface CacheJson {
  Account: Record<string, { home_account_id: string; username: string }>;
  RefreshToken: Record<string, { home_account_id: string; secret: string }>;
  AccessToken: Record<string, { home_account_id: string; secret: string }>;
  IdToken: Record<string, { home_account_id: string; secret: string }>;
}

/** Every regular file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A new task in the user's default "Tasks" list, as a target for the engine account. */
export async function newTaskFor(
  sim: RunningSimulator,
  accountId: string,
  userId: string,
  title: string,
): Promise<TaskTarget> {
  const token = sim.control.issueToken({ userId }).accessToken;
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const lists = (await raw(`${sim.graphUrl}/me/todo/lists?$top=100`, { headers })).json() as {
    value: { id: string; displayName: string; wellknownListName: string }[];
  };
  const list = lists.value.find((candidate) => candidate.wellknownListName === 'defaultList');
  if (list === undefined) throw new Error('the user has no default list');
  const created = await raw(`${sim.graphUrl}/me/todo/lists/${encodeURIComponent(list.id)}/tasks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ title }),
  });
  const task = created.json() as { id: string; title: string };
  return {
    accountId,
    listId: list.id,
    taskId: task.id,
    listName: list.displayName,
    taskTitle: title,
  };
}

/** Waits (bounded) for `condition` to hold: test/support/wait.ts. */
export { waitUntil as eventually } from '../support/wait.ts';

/** Electron's safeStorage as the app hands it over, with a reversible stand-in cipher. */
export function fakeSafeStorage(available: boolean, backend: string): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (text) => Buffer.from(text, 'utf8').reverse(),
    decryptString: (bytes) => Buffer.from(bytes).reverse().toString('utf8'),
    getSelectedStorageBackend: () => backend,
  };
}
