import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  accessTokenVariable,
  EnvTokenProvider,
  IssuingTokenProvider,
} from '../core/auth/token-provider.ts';
import type { AccountConfig } from '../core/engine/accounts.ts';
import { Engine } from '../core/engine/engine.ts';
import { defaultDataDir } from '../core/paths.ts';
import { startSimulator, type RunningSimulator } from '../simulator/index.ts';
import { UsageError, type CliArgs } from './args.ts';

export const defaultGraphUrl = 'https://graph.microsoft.com/v1.0';
export const demoAccountId = 'demo';
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
  const account = { id: tokenAccountId, graphUrl, label: `Token from ${accessTokenVariable}`, kind: 'token' as const };
  const engine = Engine.open({ dataDir, accounts: [account], tokens: new EnvTokenProvider(env) });
  return { engine, account, dataDir, close: () => engine.close() };
}

/**
 * Demo mode: the simulator runs inside this process with its mailbox under the data dir, and
 * signs in by itself. It keeps its port between runs, because queued jobs remember their
 * upload URLs.
 */
async function openDemo(dataDir: string): Promise<CliContext> {
  const simDir = join(dataDir, 'demo-graph');
  mkdirSync(simDir, { recursive: true });
  const sim = await startDemoSimulator(simDir);
  const account = { id: demoAccountId, graphUrl: sim.graphUrl, label: 'Demo account (simulator)', kind: 'demo' as const };
  let engine: Engine;
  try {
    engine = Engine.open({
      dataDir,
      accounts: [account],
      tokens: new IssuingTokenProvider(() => sim.control.issueToken().accessToken),
    });
  } catch (error) {
    await sim.close();
    throw error;
  }
  return {
    engine,
    account,
    dataDir,
    close: async () => {
      await engine.close();
      await sim.close();
    },
  };
}

async function startDemoSimulator(simDir: string): Promise<RunningSimulator> {
  const portFile = join(simDir, 'port');
  const previous = Number(readOptional(portFile));
  const options = { dataDir: simDir, inspection: false };
  let sim: RunningSimulator;
  try {
    sim = await startSimulator({ ...options, port: Number.isInteger(previous) ? previous : 0 });
  } catch {
    sim = await startSimulator({ ...options, port: 0 });
  }
  writeFileSync(portFile, String(sim.port));
  return sim;
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
