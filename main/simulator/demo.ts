import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from './index.ts';

export const demoAccountId = 'demo';

export interface DemoGraph {
  sim: RunningSimulator;
  account: { id: string; graphUrl: string; label: string; kind: 'demo' };
  /** Mints a fresh token for the demo user: demo mode signs in by itself. */
  issueToken: () => string;
}

/**
 * Demo mode's Graph: the simulator in this process, its mailbox under the data dir, without the
 * test-only /_sim routes. It keeps its port between runs, because queued jobs remember their
 * upload URLs.
 */
export async function startDemoGraph(dataDir: string): Promise<DemoGraph> {
  const simDir = join(dataDir, 'demo-graph');
  mkdirSync(simDir, { recursive: true });
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
  return {
    sim,
    account: {
      id: demoAccountId,
      graphUrl: sim.graphUrl,
      label: 'Demo account (simulator)',
      kind: 'demo',
    },
    issueToken: () => sim.control.issueToken().accessToken,
  };
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
