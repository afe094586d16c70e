import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import trash from 'trash';
import { microsoftGraphUrl } from '../core/graph/trusted-hosts.ts';
import { openProcessLog } from '../core/logging/logger.ts';
import { defaultDataDir, defaultLogDir } from '../core/paths.ts';
import { preferSmallHeap } from '../core/runtime/heap-mode.ts';
import { openWebEngine } from './web-engine.ts';
import { startWebServer } from './web-server.ts';

const rendererDir = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

/**
 * `npm run web`: the engine and the UI in a browser on 127.0.0.1, with the accounts the one
 * assembly finds (TASKDROP_ACCESS_TOKEN, `taskdrop login`'s, else demo mode).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'data-dir': { type: 'string' },
      'graph-url': { type: 'string', default: microsoftGraphUrl },
    },
  });
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error('the UI is not built: run "npm run build:renderer" (npm run web does it)');
  }
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const log = openProcessLog(defaultLogDir(values['data-dir']), 'web', process.env);
  const opened = await openWebEngine({
    dataDir,
    env: process.env,
    graphUrl: values['graph-url'],
    log,
    warn: (text) => void process.stderr.write(`taskdrop: ${text}\n`),
  });
  const { engine } = opened;
  engine.start();
  await engine.startWatching({ trash: (path) => trash(path) });
  const web = await startWebServer({
    api: engine,
    staticDir: rendererDir,
    stageDir: join(dataDir, 'staged'),
    port: Number(values.port),
    log: log.child({ part: 'web' }),
  });
  process.stdout.write(
    `taskdrop${opened.source === 'demo' ? ' (demo mode)' : ''} is running. Open this in your browser:\n\n  ${web.url}\n\nCtrl-C stops it; the queue resumes next time.\n`,
  );
  const stop = (): void => {
    void web
      .close()
      .then(() => opened.close())
      .finally(() => {
        log.close();
        process.exit(0);
      });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

preferSmallHeap();
main().catch((error: unknown) => {
  process.stderr.write(`taskdrop: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
