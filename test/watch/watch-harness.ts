import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import type {
  JobView,
  NewWatchedFolder,
  TaskTarget,
  WatchedFolderView,
} from '../../preload/shared/contract.ts';
import type { Engine, EngineOptions } from '../../main/core/engine/engine.ts';
import type { StoredAttachmentInfo } from '../../main/simulator/index.ts';
import type { WatchActivity, WatchTimings } from '../../main/core/watch/types.ts';
import { harness, sha256Of, type Harness } from '../support/engine-harness.ts';

/** Time scaled down, but with the same shape: several looks, a minimum age, folder checks. */
export const fastTimings: Partial<WatchTimings> = {
  checkIntervalMs: 100,
  stableChecks: 3,
  minAgeMs: 400,
  slowAfterMs: 20_000,
  slowCheckIntervalMs: 1_000,
  folderCheckMs: 150,
  pollIntervalMs: 100,
  rescanIntervalMs: 0,
  statusIntervalMs: 30,
  statusMaxIntervalMs: 240,
};

export interface WatchHarness extends Harness {
  /** Files put "in the trash" by the fake trash, in order. */
  trashed: string[];
  trashDir: string;
  /** An engine with watching on and scaled timings; uploads run unless `upload: false`. */
  watching(options?: { upload?: boolean; engine?: Partial<EngineOptions> }): Promise<Engine>;
  /** A fresh folder under the test's temp dir. */
  folder(name: string): string;
}

export async function watchHarness(
  timings: Partial<WatchTimings> = fastTimings,
): Promise<WatchHarness> {
  const h = await harness();
  const trashed: string[] = [];
  const trashDir = join(h.dir, 'trash');
  mkdirSync(trashDir, { recursive: true });
  const trash = (path: string): Promise<void> => {
    trashed.push(path);
    renameSync(path, join(trashDir, `${trashed.length}-${basename(path)}`));
    return Promise.resolve();
  };
  return {
    ...h,
    trashed,
    trashDir,
    async watching(options = {}) {
      const engine = h.open({ watch: { trash, timings }, ...options.engine });
      if (options.upload !== false) engine.start();
      await engine.startWatching();
      return engine;
    },
    folder(name) {
      const path = join(h.dir, name);
      mkdirSync(path, { recursive: true });
      return path;
    },
  };
}

export function folderRequest(
  path: string,
  target: TaskTarget,
  more: Partial<NewWatchedFolder> = {},
): NewWatchedFolder {
  return { path, target, ...more };
}

/** Waits (bounded) for `probe` to answer true: test/support/wait.ts. */
export { waitUntil as eventually } from '../support/wait.ts';

export async function jobsFor(engine: Engine, path: string): Promise<JobView[]> {
  return (await engine.listJobs()).filter((job) => job.sourcePath === path);
}

export async function jobsUnder(engine: Engine, dir: string): Promise<JobView[]> {
  return (await engine.listJobs()).filter((job) => job.sourcePath.startsWith(`${dir}/`));
}

export async function folderView(engine: Engine, id: number): Promise<WatchedFolderView> {
  const view = (await engine.listWatchedFolders()).find((folder) => folder.id === id);
  if (view === undefined) throw new Error(`no watched folder ${id}`);
  return view;
}

/** Attachments of one task with this content. */
export function attachmentsWith(h: Harness, taskId: string, bytes: Buffer): StoredAttachmentInfo[] {
  const sha256 = sha256Of(bytes);
  return h.sim.control
    .attachments()
    .filter((attachment) => attachment.taskId === taskId && attachment.sha256 === sha256);
}

export const contentOf = (path: string): Buffer => readFileSync(path);

/** Every watch activity of an engine, in order. */
export function recordActivity(engine: Engine): WatchActivity[] {
  const events: WatchActivity[] = [];
  engine.onWatchActivity((event) => events.push(event));
  return events;
}
