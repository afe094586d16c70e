import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAppEngine } from '../../main/app/app-engine.ts';
import { appOverrides } from '../../main/app/launch-settings.ts';
import { parseCli } from '../../main/cli/args.ts';
import { openContext, SignInNeededError } from '../../main/cli/context.ts';
import { updateAuthSettings } from '../../main/core/auth/auth-settings.ts';
import { openCachedSignIn } from '../../main/core/auth/cached-sign-in.ts';
import type { AccountConfig } from '../../main/core/engine/accounts.ts';
import type { Engine } from '../../main/core/engine/engine.ts';
import { createLogger } from '../../main/core/logging/logger.ts';
import { openSimulatedBrowser } from '../../main/simulator/identity/browser.ts';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import { openWebEngine } from '../../main/web/web-engine.ts';
import { clientId, fakeSafeStorage, signInByDeviceCode } from '../auth/support.ts';

/** An engine one entry point opened, and how it closes. */
interface Opened {
  engine: Engine;
  close(): Promise<void>;
}

type EntryPoint = 'app' | 'cli' | 'web';

let sim: RunningSimulator;
let dir: string;

beforeEach(async () => {
  sim = await startSimulator({ seed: 'demo', identity: { devicePollIntervalSeconds: 0.05 } });
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-assembly-'));
});
afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The same environment for all three: the simulator's Graph and login service, and `more`. */
function environment(more: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    TASKDROP_GRAPH_URL: sim.graphUrl,
    TASKDROP_LOGIN_SERVICE: sim.origin,
    TASKDROP_ACCESS_TOKEN: '',
    TASKDROP_CLIENT_ID: '',
    ...more,
  };
}

/** Opens the engine as `entry` does, through its own code, each over its own SQLite file. */
function openAs(entry: EntryPoint, env: NodeJS.ProcessEnv, dataDir: string): Promise<Opened> {
  switch (entry) {
    case 'app':
      return openAppEngine({
        dataDir,
        env,
        overrides: appOverrides(env, false),
        log: createLogger({}),
        safeStorage: fakeSafeStorage(true, 'gnome_libsecret'),
        desktop: { showItemInFolder: () => undefined, openExternal: openSimulatedBrowser },
        chooseFolder: () => Promise.resolve(null),
        runtimeVersions: {},
      });
    case 'cli':
      return openContext(
        parseCli(['queue', '--data-dir', dataDir, '--graph-url', sim.graphUrl]),
        env,
      );
    case 'web':
      return openWebEngine({ dataDir, env, graphUrl: sim.graphUrl });
  }
}

/** What each entry point runs with; the engines are closed again. */
async function accountsOf(
  env: NodeJS.ProcessEnv,
  prepare: (entry: EntryPoint, dataDir: string) => Promise<void> = () => Promise.resolve(),
): Promise<Record<EntryPoint, AccountConfig[]>> {
  const found: Partial<Record<EntryPoint, AccountConfig[]>> = {};
  for (const entry of ['app', 'cli', 'web'] as const) {
    const dataDir = join(dir, entry);
    await prepare(entry, dataDir);
    const opened = await openAs(entry, env, dataDir);
    try {
      found[entry] = opened.engine.accounts();
      // The account really works against the simulator: its lists come back.
      for (const account of found[entry]) {
        expect((await opened.engine.listTaskLists(account.id)).length).toBeGreaterThan(0);
      }
    } finally {
      await opened.close();
    }
  }
  return found as Record<EntryPoint, AccountConfig[]>;
}

describe('one assembly: the app, the CLI and the web server run the same accounts', () => {
  it('honours TASKDROP_ACCESS_TOKEN in all three, the web server and the app included', async () => {
    const env = environment({ TASKDROP_ACCESS_TOKEN: sim.testToken });
    const token = {
      id: 'token',
      graphUrl: sim.graphUrl,
      label: 'Token from TASKDROP_ACCESS_TOKEN',
      kind: 'token',
    };
    expect(await accountsOf(env)).toEqual({ app: [token], cli: [token], web: [token] });
  });

  it('runs the accounts signed in earlier in each, the web server included', async () => {
    const env = environment({ TASKDROP_CLIENT_ID: clientId });
    const signedIn: AccountConfig[] = [];
    const found = await accountsOf(env, async (entry, dataDir) => {
      if (entry === 'app') {
        // The app's own first run: signed in through its engine, its cache sealed by safeStorage.
        const first = await openAs('app', env, dataDir);
        try {
          signedIn.push(await first.engine.signIn().then(() => first.engine.accounts()[0]!));
        } finally {
          await first.close();
        }
        return;
      }
      // As `taskdrop login --plaintext-token-cache` leaves it (no keychain needed).
      await updateAuthSettings(dataDir, { tokenStore: 'plaintext-file' });
      const cache = await openCachedSignIn(dataDir, env, { graphUrl: sim.graphUrl });
      signedIn.push(await signInByDeviceCode(cache!.accounts, sim));
    });
    expect(signedIn.map((account) => account.kind)).toEqual([
      'microsoft',
      'microsoft',
      'microsoft',
    ]);
    expect(found).toEqual({ app: [signedIn[0]], cli: [signedIn[1]], web: [signedIn[2]] });
  });

  it('without token or sign-in runs demo mode where nobody can sign in; the CLI asks for --demo', async () => {
    const env = environment({});
    const app = await openAs('app', env, join(dir, 'app'));
    const web = await openAs('web', env, join(dir, 'web'));
    try {
      for (const opened of [app, web]) {
        expect(opened.engine.accounts().map((account) => account.kind)).toEqual(['demo']);
        expect((await opened.engine.appInfo()).demo).toBe(true);
      }
    } finally {
      await app.close();
      await web.close();
    }
    await expect(openAs('cli', env, join(dir, 'cli'))).rejects.toBeInstanceOf(SignInNeededError);
    const demo = await openContext(
      parseCli(['queue', '--demo', '--data-dir', join(dir, 'cli')]),
      env,
    );
    try {
      expect(demo.engine.accounts().map((account) => account.kind)).toEqual(['demo']);
    } finally {
      await demo.close();
    }
  });

  it('with a client ID but nobody signed in, the app waits for a sign-in and offers demo mode', async () => {
    const env = environment({ TASKDROP_CLIENT_ID: clientId });
    const app = await openAs('app', env, join(dir, 'app'));
    try {
      expect(app.engine.accounts()).toEqual([]);
      const info = await app.engine.appInfo();
      expect({ canSignIn: info.canSignIn, canTryDemo: info.canTryDemo }).toEqual({
        canSignIn: true,
        canTryDemo: true,
      });
    } finally {
      await app.close();
    }
  });
});
