import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { waitForValue, waitUntil } from './wait.ts';
import type {
  EnqueueResult,
  JobState,
  JobView,
  TaskTarget,
} from '../../preload/shared/contract.ts';
import { IssuingTokenProvider, type TokenProvider } from '../../main/core/auth/token-provider.ts';
import { Engine, type EngineOptions } from '../../main/core/engine/engine.ts';
import {
  startSimulator,
  type Operation,
  type RequestLogEntry,
  type RunningSimulator,
  type SimulatorOptions,
  type StoredAttachmentInfo,
} from '../../main/simulator/index.ts';
import type { ChildOrders } from '../engine/engine-child.ts';
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
        accounts: [{ id: simAccountId, graphUrl: sim.graphUrl, label: 'Simulator', kind: 'demo' }],
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
  let jobs: JobView[] = [];
  return waitForValue(
    async () => {
      jobs = (await engine.listJobs()).filter((job) => ids.includes(job.id));
      const settled = jobs.length === ids.length && jobs.every((job) => states.includes(job.state));
      return settled ? jobs : undefined;
    },
    () => `jobs to settle: ${jobs.map((job) => `${job.id}:${job.state}`).join(', ')}`,
    { timeoutMs, intervalMs: 20 },
  );
}

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Engine options where the point is the protocol: many small ranges, POST only below 16 KiB. */
export const smallRanges = { rangeSize: 64 * 1024, smallUploadMaxBytes: 16 * 1024 } as const;

/**
 * Rule 4 as the server sees it: exactly one attachment of that name on the job's task, the
 * job's id, the file's exact bytes, and no upload session left behind.
 */
export function expectAttachedOnce(sim: RunningSimulator, job: JobView): StoredAttachmentInfo {
  expect(job.state, job.problem?.message).toBe('done');
  const matching = sim.control
    .attachments()
    .filter((attachment) => attachment.name === job.fileName);
  expect(matching).toHaveLength(1);
  const attachment = matching[0]!;
  expect(attachment.id).toBe(job.attachmentId);
  expect(attachment.taskId).toBe(job.target.taskId);
  expect(attachment.sha256).toBe(sha256Of(readFileSync(job.sourcePath)));
  expect(sim.control.sessions()).toEqual([]);
  return attachment;
}

/** The simulator's request log for one operation, oldest first. */
export function requestsFor(sim: RunningSimulator, operation: Operation): RequestLogEntry[] {
  return sim.control.requests().filter((entry) => entry.operation === operation);
}

/** When the simulator received a logged request, in ms since the epoch (its own clock). */
export const receivedAt = (entry: RequestLogEntry): number => Date.parse(entry.time);

/** Every view of every job the engine reported through jobsChanged, in order. */
export function recordViews(engine: Engine): JobView[] {
  const views: JobView[] = [];
  engine.on('jobsChanged', (change) => views.push(...change.upserted));
  return views;
}

/** Waits (bounded) for `condition` to hold: test/support/wait.ts. */
export { waitUntil };

/** Tokens from the simulator, counting how often the engine asked for a fresh one. */
export class CountingTokens implements TokenProvider {
  refreshes = 0;
  readonly #inner: IssuingTokenProvider;

  constructor(sim: RunningSimulator) {
    this.#inner = new IssuingTokenProvider(() => sim.control.issueToken().accessToken);
  }

  getAccessToken(accountId: string, options: { forceRefresh: boolean }): Promise<string> {
    if (options.forceRefresh) this.refreshes += 1;
    return this.#inner.getAccessToken(accountId, options);
  }
}

/** Deletes a task behind the engine's back, as another device would. */
export async function deleteTaskOnServer(sim: RunningSimulator, target: TaskTarget): Promise<void> {
  const list = encodeURIComponent(target.listId);
  const task = encodeURIComponent(target.taskId);
  const res = await raw(`${sim.graphUrl}/me/todo/lists/${list}/tasks/${task}`, {
    method: 'DELETE',
    headers: { Authorization: `Bearer ${sim.testToken}` },
  });
  if (res.status !== 204) throw new Error(`deleting the task answered ${res.status}: ${res.text}`);
}

/**
 * Uploads `path` from an engine in a child process and kills it (SIGKILL) while its third range
 * is held up on the server: what a crash mid-upload leaves in the queue.
 */
export async function killMidUpload(h: Harness, path: string): Promise<void> {
  h.sim.control.addFault({
    operation: 'uploadContent',
    nth: 3,
    action: { type: 'delay', ms: 2_000 },
  });
  const child = spawnEngineChild({
    dataDir: h.dataDir,
    graphUrl: h.sim.graphUrl,
    token: h.sim.testToken,
    target: h.target,
    paths: [path],
    upload: true,
    ...smallRanges,
  });
  expect((await child.enqueued).accepted).toHaveLength(1);
  await waitUntil(
    () => (h.sim.control.counters().byOperation.uploadContent ?? 0) >= 3,
    'the third range to reach the simulator',
  );
  child.process.kill('SIGKILL');
  expect(await child.exited).toBe('SIGKILL');
  h.sim.control.clearFaults();
}

export interface EngineChild {
  process: ChildProcess;
  /** What its enqueue answered. */
  enqueued: Promise<EnqueueResult>;
  /** Resolves with the exit code (or signal) once it has ended. */
  exited: Promise<number | string | null>;
}

/** Starts test/engine/engine-child.ts; `user` runs it as that uid/gid (tests run as root). */
/** The capabilities that let root open any file whatever its mode. */
const fileOverrideCaps = ['cap_dac_override', 'cap_dac_read_search'];

/**
 * A command prefix that runs a program as this user (root) without those capabilities, so that
 * file modes apply to it, wherever the checkout lives (switching to "nobody" cannot reach a
 * checkout under a 0700 folder); null, with the reason, when neither setpriv nor capsh can.
 */
export function withoutFileOverride(): { prefix: string[] } | { reason: string } {
  const bounding = fileOverrideCaps.map((cap) => `-${cap.slice(4)}`).join(',');
  const candidates = [
    ['setpriv', '--bounding-set', bounding, '--'],
    ['capsh', `--drop=${fileOverrideCaps.join(',')}`, '--', '-c', 'exec "$0" "$@"'],
  ];
  const failures: string[] = [];
  for (const prefix of candidates) {
    const probe = spawnSync(prefix[0]!, [...prefix.slice(1), process.execPath, '-e', ''], {
      timeout: 10_000,
    });
    if (probe.status === 0) return { prefix };
    failures.push(`${prefix[0]}: ${probe.error?.message ?? probe.stderr.toString().trim()}`);
  }
  return { reason: `cannot drop ${fileOverrideCaps.join(', ')} (${failures.join('; ')})` };
}

export function spawnEngineChild(
  orders: ChildOrders,
  prefix: readonly string[] = [],
  timeoutMs = 10_000,
): EngineChild {
  const script = new URL('../engine/engine-child.ts', import.meta.url).pathname;
  const [command, ...args] = [...prefix, process.execPath, script, JSON.stringify(orders)];
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const enqueued = new Promise<EnqueueResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the engine child did not report in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    const check = (): void => {
      const line = stdout.split('\n')[0];
      if (line === undefined || !stdout.includes('\n')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as EnqueueResult);
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      if (!stdout.includes('\n')) reject(new Error(`the engine child ended (${code}): ${stderr}`));
    });
  });
  return { process: child, enqueued, exited };
}
