/**
 * Taking in 10,000 files: one enqueue call with 10,000 paths (a big drop), and a watched folder
 * that holds 10,000 files when watching starts (a burst that arrived while the app was closed).
 * Nothing uploads: the account's Graph address is never called.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskTarget } from '../../preload/shared/contract.ts';
import type { WatchTimings } from '../../main/core/watch/types.ts';
import {
  benchAccountId,
  emit,
  ms,
  note,
  openEngine,
  range,
  repetitions,
  stats,
} from './bench-support.ts';

const count = 10_000;
const reps = repetitions(5, 2);
const targetMs = 1_000;
/** Never called: nothing is started. */
const offline = { graphUrl: 'http://127.0.0.1:9/v1.0', testToken: 'unused' };
const target: TaskTarget = {
  accountId: benchAccountId,
  listId: 'list',
  taskId: 'task',
  listName: 'Inbox',
  taskTitle: 'Scans',
};
/** One look finds a file ready: what is measured is the intake, not the wait for writers. */
const timings: Partial<WatchTimings> = { checkIntervalMs: 20, stableChecks: 1, minAgeMs: 0 };

const dir = mkdtempSync(join(tmpdir(), 'taskdrop-bench-enqueue-'));
try {
  const folder = join(dir, 'scans');
  mkdirSync(folder);
  const paths = Array.from({ length: count }, (_, n) => {
    const path = join(folder, `scan-${String(n).padStart(5, '0')}.pdf`);
    writeFileSync(path, `page ${n}\n`);
    return path;
  });

  const enqueueMs: number[] = [];
  const watchedMs: number[] = [];
  /** CPU time of this process over the same span: what a loaded machine's waiting leaves out. */
  const watchedCpuMs: number[] = [];
  for (let rep = 0; rep < reps; rep += 1) {
    note(`enqueue: ${count} paths in one call, run ${rep + 1} of ${reps}`);
    const engine = openEngine(offline, join(dir, `drop-${rep}`));
    const started = performance.now();
    const { accepted } = await engine.enqueue({ paths, target });
    enqueueMs.push(performance.now() - started);
    await engine.close();
    if (accepted.length !== count) throw new Error(`only ${accepted.length} of ${count} queued`);

    note(`enqueue: a watched folder with ${count} files, run ${rep + 1} of ${reps}`);
    const watching = openEngine(offline, join(dir, `watch-${rep}`), { watch: { timings } });
    await watching.addWatchedFolder({ path: folder, target });
    let queued = 0;
    const allQueued = new Promise<void>((resolve) => {
      watching.onWatchActivity((event) => {
        if (event.kind === 'queued') queued += 1;
        if (queued === count) resolve();
      });
    });
    const watchStarted = performance.now();
    const cpuBefore = process.cpuUsage();
    await watching.startWatching();
    await allQueued;
    watchedMs.push(performance.now() - watchStarted);
    const cpu = process.cpuUsage(cpuBefore);
    watchedCpuMs.push((cpu.user + cpu.system) / 1000);
    await watching.close();
  }

  const drop = stats(enqueueMs);
  const watched = stats(watchedMs);
  const watchedCpu = stats(watchedCpuMs);
  emit([
    {
      measure: `enqueue ${count.toLocaleString('en')} files in one call`,
      result: ms(drop.median),
      spread: range(drop, ms),
      target: `< ${ms(targetMs)}`,
      met: drop.median < targetMs,
    },
    {
      measure: `watched folder: ${count.toLocaleString('en')} files found at start, all queued`,
      result: ms(watched.median),
      spread: range(watched, ms),
      target: `< ${ms(targetMs)}`,
      met: watched.median < targetMs,
    },
    {
      measure: '… CPU time of the process meanwhile (all its threads)',
      result: ms(watchedCpu.median),
      spread: range(watchedCpu, ms),
      target: '',
      met: null,
    },
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
