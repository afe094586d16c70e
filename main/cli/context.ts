import {
  accessTokenVariable,
  EnvTokenProvider,
  IssuingTokenProvider,
} from '../core/auth/token-provider.ts';
import {
  assertTrustedGraphUrl,
  microsoftGraphUrl,
  UntrustedGraphUrlError,
} from '../core/graph/trusted-hosts.ts';
import type { AccountConfig } from '../core/engine/accounts.ts';
import { Engine, type EngineOptions } from '../core/engine/engine.ts';
import { openProcessLog } from '../core/logging/logger.ts';
import { defaultDataDir, defaultLogDir } from '../core/paths.ts';
import { startDemoGraph } from '../simulator/demo.ts';
import { UsageError, type CliArgs, type CommandName } from './args.ts';
import { notSignedInMessage, openCliAuth } from './commands/auth.ts';

export const tokenAccountId = 'token';

/** An engine opened for one CLI command, and what must be closed after it. */
export interface CliContext {
  engine: Engine;
  account: AccountConfig;
  dataDir: string;
  close(): Promise<void>;
}

export class SignInNeededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInNeededError';
  }
}

/**
 * The commands whose records go to the shared log: those that upload or watch. A script that
 * asks `taskdrop queue` every few seconds must not push the app's history out of the log.
 */
const loggedCommands: ReadonlySet<CommandName> = new Set(['upload', 'run', 'watch']);

/** What opening the engine for one command needs. */
interface Opening {
  args: CliArgs;
  env: NodeJS.ProcessEnv;
  warn: (text: string) => void;
  /** What every kind of account shares: the data folder, and the log (upload, run, watch). */
  shared: Pick<EngineOptions, 'dataDir' | 'log'>;
}

export async function openContext(
  args: CliArgs,
  env: NodeJS.ProcessEnv,
  warn: (text: string) => void = () => undefined,
): Promise<CliContext> {
  const dataDir = args.dataDir ?? defaultDataDir(env);
  const log = loggedCommands.has(args.command)
    ? openProcessLog(defaultLogDir(args.dataDir, env), 'cli', env)
    : undefined;
  try {
    const context = await openEngine({ args, env, warn, shared: { dataDir, log } });
    const closeEngine = context.close;
    context.close = async () => {
      await closeEngine();
      log?.close();
    };
    return context;
  } catch (error) {
    log?.close();
    throw error;
  }
}

async function openEngine(opening: Opening): Promise<CliContext> {
  const { args, env, shared } = opening;
  if (args.demo) return openDemo(shared);
  const token = env[accessTokenVariable]?.trim();
  if (token === undefined || token === '') return openSignedIn(opening);
  const graphUrl = checkedGraphUrl(args);
  const account = {
    id: tokenAccountId,
    graphUrl,
    label: `Token from ${accessTokenVariable}`,
    kind: 'token' as const,
  };
  const engine = Engine.open({ ...shared, accounts: [account], tokens: new EnvTokenProvider(env) });
  return { engine, account, dataDir: shared.dataDir, close: () => engine.close() };
}

function checkedGraphUrl(args: CliArgs): string {
  const graphUrl = args.graphUrl ?? microsoftGraphUrl;
  try {
    assertTrustedGraphUrl(graphUrl);
  } catch (error) {
    // Before any token is asked for, let alone sent.
    if (error instanceof UntrustedGraphUrlError)
      throw new UsageError(`--graph-url: ${error.message}`);
    throw error;
  }
  return graphUrl;
}

/** The Microsoft accounts signed in with `taskdrop login`: all of them run, one is chosen. */
async function openSignedIn({ args, env, warn, shared }: Opening): Promise<CliContext> {
  const graphUrl = checkedGraphUrl(args);
  const auth = await openCliAuth(args, env, shared.dataDir, { graphUrl, warn });
  const accounts = auth === null ? [] : await auth.accounts.list();
  if (auth === null || accounts.length === 0) throw new SignInNeededError(notSignedInMessage);
  const chosen = chooseAccount(accounts, args.account);
  const engine = Engine.open({ ...shared, accounts, tokens: auth.accounts.tokens });
  return {
    engine,
    // Only the commands about one account's tasks (upload, lists, tasks) need to know which.
    get account() {
      if (chosen instanceof UsageError) throw chosen;
      return chosen;
    },
    dataDir: shared.dataDir,
    close: () => engine.close(),
  };
}

function chooseAccount(
  accounts: readonly AccountConfig[],
  wanted: string | undefined,
): AccountConfig | UsageError {
  const names = accounts.map((account) => account.label).join(', ');
  if (wanted === undefined) {
    const [only, ...others] = accounts;
    return only !== undefined && others.length === 0
      ? only
      : new UsageError(
          `Several Microsoft accounts are signed in (${names}): choose one with --account.`,
        );
  }
  const lower = wanted.toLowerCase();
  const found = accounts.find(
    (account) => account.id === wanted || account.label.toLowerCase() === lower,
  );
  if (found === undefined)
    throw new UsageError(`"${wanted}" is not signed in. Signed in: ${names}.`);
  return found;
}

/** Demo mode: the built-in simulator, signed in by itself (see startDemoGraph). */
async function openDemo(shared: Opening['shared']): Promise<CliContext> {
  const demo = await startDemoGraph(shared.dataDir);
  let engine: Engine;
  try {
    engine = Engine.open({
      ...shared,
      accounts: [demo.account],
      tokens: new IssuingTokenProvider(demo.issueToken),
    });
  } catch (error) {
    await demo.sim.close();
    throw error;
  }
  return {
    engine,
    account: demo.account,
    dataDir: shared.dataDir,
    close: async () => {
      await engine.close();
      await demo.sim.close();
    },
  };
}
