import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { JobState, JobView, TaskTarget } from '../../preload/contract.ts';
import { IssuingTokenProvider } from '../../main/core/auth/token-provider.ts';
import { Engine, type EngineOptions } from '../../main/core/engine/engine.ts';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../main/simulator/index.ts';
import { raw } from './raw-http.ts';

export const simAccountId = 'sim';

export interface Harness {
  sim: RunningSimulator;
  dir: string;
  dataDir: string;
  target: TaskTarget;
  open(options?: Partial<EngineOptions>): Engine;
  /** Writes a file of random bytes; returns its path. */
  file(name: string, size: number): string;
  close(): Promise<void>;
}

/** A simulator, a temp folder, and engines on it: what every engine test starts from. */
export async function harness(simOptions: SimulatorOptions = {}): Promise<Harness> {
  const sim = await startSimulator({ seed: 'demo', ...simOptions });
  const dir = mkdtempSync(join(tmpdir(), 'taskdrop-test-'));
  const engines: Engine[] = [];
  const target = await firstTask(sim, 'Receipts 2026');
  return {
    sim,
    dir,
    dataDir: join(dir, 'data'),
    target,
    open(options = {}) {
      const engine = Engine.open({
        dataDir: join(dir, 'data'),
        accounts: [{ id: simAccountId, graphUrl: sim.graphUrl, label: 'Simulator' }],
        tokens: new IssuingTokenProvider(() => sim.control.issueToken().accessToken),
        retry: { baseDelayMs: 50, maxDelayMs: 400 },
        progressIntervalMs: 50,
        ...options,
      });
      engines.push(engine);
      return engine;
    },
    file(name, size) {
      const path = join(dir, name);
      writeFileSync(path, randomBytes(size));
      return path;
    },
    async close() {
      await Promise.all(engines.map((engine) => engine.close()));
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function firstTask(
  sim: RunningSimulator,
  listName: string,
  index = 0,
): Promise<TaskTarget> {
  const headers = { Authorization: `Bearer ${sim.testToken}` };
  const lists = (await raw(`${sim.graphUrl}/me/todo/lists?$top=100`, { headers })).json() as {
    value: { id: string; displayName: string }[];
  };
  const list = lists.value.find((candidate) => candidate.displayName === listName);
  if (list === undefined) throw new Error(`no list ${listName}`);
  const tasks = (
    await raw(`${sim.graphUrl}/me/todo/lists/${encodeURIComponent(list.id)}/tasks?$top=100`, {
      headers,
    })
  ).json() as { value: { id: string; title: string }[] };
  const task = tasks.value[index];
  if (task === undefined) throw new Error(`list ${listName} has no task ${index}`);
  return {
    accountId: simAccountId,
    listId: list.id,
    taskId: task.id,
    listName,
    taskTitle: task.title,
  };
}

/** Resolves once every job is in one of `states`; rejects after `timeoutMs`. */
export async function settle(
  engine: Engine,
  ids: readonly number[],
  states: readonly JobState[] = ['done', 'failed', 'cancelled', 'needs-sign-in'],
  timeoutMs = 15_000,
): Promise<JobView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = (await engine.listJobs()).filter((job) => ids.includes(job.id));
    if (jobs.length === ids.length && jobs.every((job) => states.includes(job.state))) return jobs;
    if (Date.now() > deadline) {
      throw new Error(
        `jobs did not settle: ${jobs.map((job) => `${job.id}:${job.state}`).join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
