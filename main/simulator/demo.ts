import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchSimulator, type RunningSimulator } from './launch.ts';
import { parseVariantList, type VariantName } from './variants.ts';

export const demoAccountId = 'demo';

export interface DemoGraph {
  sim: RunningSimulator;
  account: { id: string; graphUrl: string; label: string; kind: 'demo' };
  /** Mints a fresh token for the demo user: demo mode signs in by itself. */
  issueToken: () => string;
}

/**
 * Demo mode's Graph: the simulator in this process, its mailbox under the data dir, launched
 * without the test-only /_sim routes (and without importing them, so the app's bundle holds none).
 * It keeps its port between runs, because queued jobs remember their upload URLs. The variants
 * (docs/simulator-variants.md) come from `TASKDROP_SIM_VARIANT=NAME[,NAME…]` unless given.
 */
export async function startDemoGraph(
  dataDir: string,
  variants: readonly VariantName[] = parseVariantList(process.env['TASKDROP_SIM_VARIANT'] ?? ''),
): Promise<DemoGraph> {
  const simDir = join(dataDir, 'demo-graph');
  mkdirSync(simDir, { recursive: true });
  const portFile = join(simDir, 'port');
  const previous = Number(readOptional(portFile));
  let sim: RunningSimulator;
  try {
    const port = Number.isInteger(previous) ? previous : 0;
    sim = await launchSimulator({ dataDir: simDir, port, variants }, null);
  } catch {
    sim = await launchSimulator({ dataDir: simDir, port: 0, variants }, null);
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
