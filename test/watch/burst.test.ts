import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { WatchActivity } from '../../main/core/watch/types.ts';
import {
  eventually,
  fastTimings,
  jobsUnder,
  watchHarness,
  type WatchHarness,
} from './watch-harness.ts';

let h: WatchHarness;

beforeAll(async () => {
  h = await watchHarness({ ...fastTimings, checkIntervalMs: 200 });
});
afterAll(() => h.close());

const count = 2_000;

/** The longest the event loop went without a turn while `work` ran. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ value: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  try {
    return { value: await work(), stallMs };
  } finally {
    clearInterval(ticker);
  }
}

it(
  `enqueues a burst of ${count} files exactly once, in batches, without blocking`,
  { timeout: 60_000 },
  async () => {
    // No uploads: the point is the intake, and the queue it leaves behind.
    let engine = await h.watching({ upload: false });
    const dir = h.folder('burst');
    await engine.addWatchedFolder({ path: dir, target: h.target });
    const queuedAt: number[] = [];
    engine.onWatchActivity((event: WatchActivity) => {
      if (event.kind === 'queued') queuedAt.push(performance.now());
    });

    const writeStart = performance.now();
    for (let i = 0; i < count; i += 1) {
      writeFileSync(join(dir, `scan-${String(i).padStart(5, '0')}.pdf`), `page ${i}\n`);
    }
    const written = performance.now();
    const { stallMs } = await longestStall(() =>
      eventually(
        async () => queuedAt.length >= count,
        () => `${count} queued, ${queuedAt.length} so far`,
        45_000,
      ),
    );
    const jobs = await jobsUnder(engine, dir);
    expect(jobs).toHaveLength(count);
    expect(new Set(jobs.map((job) => job.sourcePath)).size).toBe(count);

    const enqueueMs = Math.max(...queuedAt) - Math.min(...queuedAt);
    process.stdout.write(
      `\nwatched-folder burst: ${count} files written in ${Math.round(written - writeStart)} ms; ` +
        `all ${jobs.length} queued ${Math.round(Math.max(...queuedAt) - written)} ms after the last write ` +
        `(readiness wait included); intake from first to last job ${Math.round(enqueueMs)} ms ` +
        `(${Math.round((count / Math.max(enqueueMs, 1)) * 1000)} files/s); longest event-loop stall ${Math.round(stallMs)} ms\n`,
    );
    // Batches give the event loop a turn: nothing close to the whole burst's time in one go.
    expect(stallMs).toBeLessThan(1_500);

    await engine.close();
    engine = await h.watching({ upload: false });
    const again: WatchActivity[] = [];
    engine.onWatchActivity((event) => again.push(event));
    writeFileSync(join(dir, 'after-restart.pdf'), 'one more');
    await eventually(
      async () => (await jobsUnder(engine, dir)).length === count + 1,
      'the one new file',
    );
    expect(again.filter((event) => event.kind === 'queued')).toHaveLength(1);
    await engine.close();
  },
);
