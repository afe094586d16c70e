import { microsoftGraphUrl } from '../core/graph/trusted-hosts.ts';
import { assertTrustedGraphUrl, UntrustedGraphUrlError } from '../core/graph/trusted-hosts.ts';
import type { AccountConfig } from '../core/engine/accounts.ts';
import type { Engine, EngineOptions } from '../core/engine/engine.ts';
import { NoAccountError, openEngine, type OpenedEngine } from '../core/engine/open-engine.ts';
import { openProcessLog } from '../core/logging/logger.ts';
import { defaultDataDir, defaultLogDir } from '../core/paths.ts';
import { startDemoGraph } from '../simulator/demo.ts';
import { UsageError, type CliArgs, type CommandName } from './args.ts';
import { notSignedInMessage, openCliAuth } from './commands/auth.ts';

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
    const context = await openEngineFor({ args, env, warn, shared: { dataDir, log } });
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

/** The one assembly (open-engine.ts) with what the CLI adds: its sign-in cache and refusal. */
async function openEngineFor({ args, env, warn, shared }: Opening): Promise<CliContext> {
  // Demo mode has its own Graph: a --graph-url beside --demo is not looked at.
  const graphUrl = args.demo ? undefined : checkedGraphUrl(args);
  let opened: OpenedEngine;
  try {
    opened = await openEngine(
      { dataDir: shared.dataDir, env, graphUrl, demo: args.demo },
      {
        ...shared,
        startDemo: startDemoGraph,
        signedIn: async () => {
          const options = { ...(graphUrl === undefined ? {} : { graphUrl }), warn };
          return (await openCliAuth(args, env, shared.dataDir, options))?.accounts ?? null;
        },
        withoutAccount: 'refuse',
      },
    );
  } catch (error) {
    if (error instanceof NoAccountError) throw new SignInNeededError(notSignedInMessage);
    throw error;
  }
  const { engine, accounts, source } = opened;
  // Only the commands about one account's tasks (upload, lists, tasks) need to know which.
  let chosen: AccountConfig | UsageError | undefined;
  try {
    chosen = source === 'signed-in' ? chooseAccount(accounts, args.account) : accounts[0];
  } catch (error) {
    await opened.close();
    throw error;
  }
  return {
    engine,
    get account() {
      if (chosen === undefined) throw new SignInNeededError(notSignedInMessage);
      if (chosen instanceof UsageError) throw chosen;
      return chosen;
    },
    dataDir: shared.dataDir,
    close: () => opened.close(),
  };
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
