import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildLikeTheApp } from './bench-support.ts';
import type { ResidentOrders, ResidentReport } from './resident-child.ts';

export interface ResidentRun {
  ready: Extract<ResidentReport, { phase: 'ready' }>;
  queued: Extract<ResidentReport, { phase: 'queued' }>;
  idle: Extract<ResidentReport, { phase: 'idle' }>;
}

/** Builds resident-child.ts the way the app's main process is built; answers the built file. */
export function buildResident(): Promise<string> {
  return buildLikeTheApp(new URL('./resident-child.ts', import.meta.url).pathname);
}

/**
 * Runs one resident engine process: once it has queued what it should, lets it settle for
 * `settleMs`, then measures `idleMs` of it idling.
 */
export async function runResident(
  script: string,
  orders: ResidentOrders,
  timing: { settleMs: number; idleMs: number },
): Promise<ResidentRun> {
  const child = spawn(process.execPath, [script, JSON.stringify(orders)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const reports: ResidentReport[] = [];
  const lines = createInterface({ input: child.stdout });
  const next = (): Promise<ResidentReport> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void =>
        reject(new Error(`the resident engine ended (${code}) early`));
      child.once('exit', onExit);
      lines.once('line', (line) => {
        child.off('exit', onExit);
        resolve(JSON.parse(line) as ResidentReport);
      });
    });
  for (const phase of ['ready', 'queued'] as const) {
    const line = await next();
    if (line.phase !== phase) throw new Error(`expected ${phase}, got ${line.phase}`);
    reports.push(line);
  }
  await sleep(timing.settleMs);
  child.stdin.write('begin\n');
  await sleep(timing.idleMs);
  const idle = next();
  child.stdin.write('end\n');
  reports.push(await idle);
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
  const [ready, queued, idleReport] = reports;
  if (ready?.phase !== 'ready' || queued?.phase !== 'queued' || idleReport?.phase !== 'idle') {
    throw new Error('the resident engine reported out of order');
  }
  return { ready, queued, idle: idleReport };
}

/** Share of one core: CPU time over wall time. */
export const coreShare = (cpuMs: number, wallMs: number): number => cpuMs / wallMs;

export const percent = (share: number): string => `${(share * 100).toFixed(3)} %`;
