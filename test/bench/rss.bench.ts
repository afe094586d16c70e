/**
 * Peak memory while uploading many 25 MB files: each count in a fresh engine process (so the
 * numbers are independent), against the simulator in this one.
 */
import { execFile } from 'node:child_process';
import { linkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSimulator } from '../../main/simulator/index.ts';
import { firstTask } from '../support/engine-harness.ts';
import {
  benchAccountId,
  buildLikeTheApp,
  emit,
  mb,
  note,
  quick,
  range,
  repetitions,
  stats,
  unlimited,
  writeRandomFile,
  type BenchRow,
} from './bench-support.ts';
import type { UploadAnswer, UploadOrders } from './upload-child.ts';

const size = 26_214_400;
const counts = quick ? [5, 10, 20] : [10, 50, 100];
const reps = repetitions(3, 1);
const ceilingBytes = 150e6;
/** "Flat": the largest batch may use at most this much more than the smallest. */
const flatSlackBytes = 10e6;

const dir = mkdtempSync(join(tmpdir(), 'taskdrop-bench-rss-'));
const sim = await startSimulator({ retainBytes: false, limits: unlimited });
try {
  const target = { ...(await firstTask(sim, 'Work')), accountId: benchAccountId };
  const original = writeRandomFile(join(dir, 'original.bin'), size);
  const script = await buildLikeTheApp(new URL('./upload-child.ts', import.meta.url).pathname);
  const peaks = new Map<number, number[]>();
  const opened: number[] = [];
  for (let rep = 0; rep < reps; rep += 1) {
    for (const count of counts) {
      note(`rss: ${count} files of 25 MB, run ${rep + 1} of ${reps}`);
      // Links to one file: each is its own path to the engine, and the disk holds 25 MB only.
      const paths = Array.from({ length: count }, (_, n) => {
        const path = join(dir, `r${rep}-c${count}-${n}.bin`);
        linkSync(original, path);
        return path;
      });
      const orders: UploadOrders = {
        graphUrl: sim.graphUrl,
        testToken: sim.testToken,
        dataDir: join(dir, `data-${rep}-${count}`),
        target,
        paths,
      };
      const { stdout } = await promisify(execFile)(process.execPath, [
        script,
        JSON.stringify(orders),
      ]);
      const answer = JSON.parse(stdout) as UploadAnswer;
      peaks.set(count, [...(peaks.get(count) ?? []), answer.peakRssBytes]);
      opened.push(answer.openedRssBytes);
    }
  }
  const medians = counts.map((count) => stats(peaks.get(count) ?? []).median);
  const growth = (medians.at(-1) ?? 0) - (medians[0] ?? 0);
  const rows: BenchRow[] = counts.map((count) => {
    const s = stats(peaks.get(count) ?? []);
    return {
      measure: `peak RSS uploading ${count} files of 25 MB`,
      result: mb(s.median),
      spread: range(s, mb),
      target: `< ${mb(ceilingBytes)}`,
      met: s.max < ceilingBytes,
    };
  });
  const base = stats(opened);
  emit([
    {
      measure: 'RSS of the engine process once its queue is open',
      result: mb(base.median),
      spread: range(base, mb),
      target: '',
      met: null,
    },
    ...rows,
    {
      measure: `peak RSS growth, ${counts[0]} → ${counts.at(-1)} files`,
      result: mb(growth),
      spread: '',
      target: `flat (< ${mb(flatSlackBytes)})`,
      met: growth < flatSlackBytes,
    },
  ]);
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
