import type { Settings } from '../../../preload/shared/contract.ts';
import { microsoftGraphUrl } from '../graph/trusted-hosts.ts';
import {
  accessTokenVariable,
  EnvTokenProvider,
  IssuingTokenProvider,
  type TokenProvider,
} from '../auth/token-provider.ts';
import type { AccountConfig } from './accounts.ts';
import { Engine } from './engine.ts';
import type { EngineOptions } from './engine-types.ts';

/** The id of the account TASKDROP_ACCESS_TOKEN signs in. */
export const tokenAccountId = 'token';

/** What decides the accounts: the same for every shell (docs/architecture.md "One assembly"). */
export interface EngineEnvironment {
  dataDir: string;
  /** Where TASKDROP_ACCESS_TOKEN is read (and re-read: a fresh token replaces the old one). */
  env: NodeJS.ProcessEnv;
  /** Graph root of the token account (default Microsoft's); signed-in accounts keep their own. */
  graphUrl?: string | undefined;
  /** Demo mode asked for by name (the CLI's --demo). */
  demo?: boolean;
}

/** Demo mode's Graph, as main/simulator/demo.ts starts it (core does not import the simulator). */
export interface DemoGraphHandle {
  account: AccountConfig;
  issueToken: () => string;
  sim: { close(): Promise<void> };
}

/** Microsoft accounts kept signed in between runs, in the token cache the shell keeps. */
export interface SignedInAccounts {
  tokens: TokenProvider;
  /** Asked once the queue is open; `settings` reads the queue's settings (the app's consent). */
  list(settings: () => Promise<Settings>): Promise<AccountConfig[]>;
}

/** What a shell brings: its parts of the engine's options, and how it treats "no account". */
export interface EngineShell extends Omit<
  EngineOptions,
  'dataDir' | 'accounts' | 'tokens' | 'demo'
> {
  /** Starts demo mode's Graph (the shell passes main/simulator/demo.ts's startDemoGraph). */
  startDemo: (dataDir: string) => Promise<DemoGraphHandle>;
  /**
   * Opens the signed-in accounts' token cache, only when the rule gets that far; null (or
   * absent) when no client ID is known.
   */
  signedIn?: () => Promise<SignedInAccounts | null>;
  /** "Try demo mode" on the first run (the app): demo starts later, on request. */
  offerDemo?: boolean;
  /** No account found and no way to sign in here: demo mode (default), or refuse (the CLI). */
  withoutAccount?: 'demo' | 'refuse';
}

/** Which part of the rule gave the accounts. */
export type AccountSource = 'demo' | 'token' | 'signed-in' | 'none';

export interface OpenedEngine {
  engine: Engine;
  source: AccountSource;
  /** The accounts it opened with (sign-ins and "Try demo mode" add more later). */
  accounts: AccountConfig[];
  /** Closes the engine, then every demo Graph it started. */
  close(): Promise<void>;
}

/** No account, and the shell refuses demo mode: sign in first (the CLI says how). */
export class NoAccountError extends Error {
  constructor() {
    super('no account: not signed in, no access token, and demo mode not asked for');
    this.name = 'NoAccountError';
  }
}

/**
 * The one assembly of the engine, for the app, the CLI and the web server alike. Which accounts
 * exist, in this order: demo mode when asked for; else the token account when
 * TASKDROP_ACCESS_TOKEN is set; else the Microsoft accounts signed in (when a client ID is
 * known). None found: the first run waits for a sign-in when the shell can sign in, the CLI
 * refuses, and otherwise demo mode runs.
 */
export async function openEngine(
  environment: EngineEnvironment,
  shell: EngineShell,
): Promise<OpenedEngine> {
  const { startDemo, signedIn, offerDemo, withoutAccount, ...options } = shell;
  const { dataDir } = environment;
  const sims: DemoGraphHandle['sim'][] = [];
  const demo = async (): Promise<{ account: AccountConfig; tokens: TokenProvider }> => {
    const graph = await startDemo(dataDir);
    sims.push(graph.sim);
    return { account: graph.account, tokens: new IssuingTokenProvider(graph.issueToken) };
  };
  const closeSims = async (): Promise<void> => {
    await Promise.all(sims.map((sim) => sim.close()));
  };
  const open = (accounts: AccountConfig[], tokens: TokenProvider, source: AccountSource) => {
    const engine = Engine.open({
      ...options,
      dataDir,
      accounts,
      tokens,
      ...(offerDemo === true ? { demo } : {}),
    });
    const close = async (): Promise<void> => {
      await engine.close();
      await closeSims();
    };
    return { engine, source, accounts, close };
  };
  try {
    const token = environment.env[accessTokenVariable]?.trim();
    if (environment.demo !== true && token !== undefined && token !== '') {
      const account = tokenAccount(environment.graphUrl ?? microsoftGraphUrl);
      return open([account], new EnvTokenProvider(environment.env), 'token');
    }
    const cache = environment.demo === true ? null : ((await signedIn?.()) ?? null);
    if (cache !== null) {
      const opened = open([], cache.tokens, 'signed-in');
      const found = await listOrClose(opened, cache);
      for (const account of found) opened.engine.addAccount(account);
      if (found.length > 0) return { ...opened, accounts: found };
      if (shell.signIn !== undefined) return { ...opened, source: 'none' };
      await opened.close();
    }
    if (environment.demo !== true && withoutAccount === 'refuse') throw new NoAccountError();
    const started = await demo();
    return open([started.account], started.tokens, 'demo');
  } catch (error) {
    await closeSims();
    throw error;
  }
}

/** The signed-in accounts; a cache that cannot be read closes the engine it opened for them. */
async function listOrClose(
  opened: { engine: Engine; close(): Promise<void> },
  signedIn: SignedInAccounts,
): Promise<AccountConfig[]> {
  try {
    return await signedIn.list(() => opened.engine.getSettings());
  } catch (error) {
    await opened.close();
    throw error;
  }
}

function tokenAccount(graphUrl: string): AccountConfig {
  return {
    id: tokenAccountId,
    graphUrl,
    label: `Token from ${accessTokenVariable}`,
    kind: 'token',
  };
}
