import {
  accessTokenVariable,
  EnvTokenProvider,
  IssuingTokenProvider,
} from '../core/auth/token-provider.ts';
import type { AccountConfig } from '../core/engine/accounts.ts';
import { Engine } from '../core/engine/engine.ts';
import { defaultDataDir } from '../core/paths.ts';
import { startDemoGraph } from '../simulator/demo.ts';
import { UsageError, type CliArgs } from './args.ts';

export const defaultGraphUrl = 'https://graph.microsoft.com/v1.0';
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

export async function openContext(args: CliArgs, env: NodeJS.ProcessEnv): Promise<CliContext> {
  const dataDir = args.dataDir ?? defaultDataDir(env);
  if (args.demo) return openDemo(dataDir);
  const token = env[accessTokenVariable]?.trim();
  if (token === undefined || token === '') {
    throw new SignInNeededError(
      `Not signed in. Set ${accessTokenVariable} to a Graph access token (Tasks.ReadWrite), ` +
        'or add --demo to try taskdrop against its built-in simulator.',
    );
  }
  const graphUrl = args.graphUrl ?? defaultGraphUrl;
  if (!/^https?:\/\/[^/]+/.test(graphUrl))
    throw new UsageError(`--graph-url must be an http(s) URL, not "${graphUrl}".`);
  const account = {
    id: tokenAccountId,
    graphUrl,
    label: `Token from ${accessTokenVariable}`,
    kind: 'token' as const,
  };
  const engine = Engine.open({ dataDir, accounts: [account], tokens: new EnvTokenProvider(env) });
  return { engine, account, dataDir, close: () => engine.close() };
}

/** Demo mode: the built-in simulator, signed in by itself (see startDemoGraph). */
async function openDemo(dataDir: string): Promise<CliContext> {
  const demo = await startDemoGraph(dataDir);
  let engine: Engine;
  try {
    engine = Engine.open({
      dataDir,
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
    dataDir,
    close: async () => {
      await engine.close();
      await demo.sim.close();
    },
  };
}
