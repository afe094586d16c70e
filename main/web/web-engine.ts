import { openCachedSignIn } from '../core/auth/cached-sign-in.ts';
import { openEngine, type OpenedEngine } from '../core/engine/open-engine.ts';
import type { Logger } from '../core/logging/logger.ts';
import { startDemoGraph } from '../simulator/demo.ts';

/**
 * The web server's engine: the one assembly (docs/architecture.md "One assembly"), with the
 * token cache plain Node keeps (as the CLI's `taskdrop login` leaves it). The browser cannot
 * sign in itself, so with no account found it runs demo mode.
 */
export function openWebEngine(options: {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  graphUrl?: string | undefined;
  log?: Logger;
  warn?: (text: string) => void;
}): Promise<OpenedEngine> {
  const { dataDir, env, graphUrl, log, warn } = options;
  return openEngine(
    { dataDir, env, graphUrl },
    {
      ...(log === undefined ? {} : { log }),
      startDemo: startDemoGraph,
      signedIn: async () => {
        const cache = await openCachedSignIn(dataDir, env, {
          ...(graphUrl === undefined ? {} : { graphUrl }),
          ...(warn === undefined ? {} : { warn }),
        });
        return cache?.accounts ?? null;
      },
    },
  );
}
