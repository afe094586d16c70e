/**
 * Uploads over a link shaped as home Wi-Fi (BENCHMARKS.md, "The shaped link": 20 Mbit/s each
 * way, 80 ms round trip): one 25 MB file, taskdrop against the bare PUT loop, and 200 files of
 * 100 KB, taskdrop against a bare loop with taskdrop's concurrency. Both go through the same
 * proxy to the same simulator, alternating.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings } from '../../main/core/settings/settings-store.ts';
import { shapedLink } from '../chaos/fault-proxy.ts';
import {
  benchTarget,
  emit,
  note,
  openEngine,
  quick,
  repetitions,
  startSimulatorBehindProxy,
  unlimited,
  writeRandomFile,
} from './bench-support.ts';
import {
  alternate,
  bareBatch,
  barePutLoop,
  ratioRow,
  taskdropBatch,
  taskdropEngine,
  timeRow,
} from './uploaders.ts';

const bigSize = 26_214_400;
const smallSize = 100_000;
const smallCount = quick ? 60 : 200;
const reps = repetitions(3, 1);
const concurrency = defaultSettings.maxConcurrentUploads;

const dir = mkdtempSync(join(tmpdir(), 'taskdrop-bench-wan-'));
const sim = await startSimulatorBehindProxy(
  { retainBytes: false, limits: unlimited },
  { seed: 1, ...shapedLink(20, 80) },
);
try {
  const big = writeRandomFile(join(dir, 'big.bin'), bigSize);
  mkdirSync(join(dir, 'small'));
  const smalls = Array.from({ length: smallCount }, (_, n) =>
    writeRandomFile(join(dir, 'small', `photo-${n}.jpg`), smallSize),
  );
  const setup = openEngine(sim, join(dir, 'setup'));
  const target = await benchTarget(setup);
  await setup.close();

  note(`wan: one 25 MB file over 20 Mbit/s and 80 ms, ${reps} runs each, alternating`);
  const one = await alternate(
    {
      bare: barePutLoop(sim, target),
      taskdrop: taskdropEngine(sim, target, (run) => join(dir, `big-${run}`)),
    },
    big,
    reps,
  );

  note(`wan: ${smallCount} files of 100 KB, ${concurrency} at a time, ${reps} runs each`);
  const bare = bareBatch(sim, target, concurrency);
  const ours = taskdropBatch(sim, target, (run) => join(dir, `small-${run}`));
  const many: Record<'bare' | 'taskdrop', number[]> = { bare: [], taskdrop: [] };
  for (let rep = 0; rep < reps; rep += 1) {
    many.bare.push(await bare(smalls));
    many.taskdrop.push(await ours(smalls));
  }

  const batchBytes = smallCount * smallSize;
  emit([
    timeRow('25 MB over the shaped link, bare PUT loop', one['bare'] ?? [], bigSize),
    timeRow('25 MB over the shaped link, taskdrop', one['taskdrop'] ?? [], bigSize),
    ratioRow(
      'shaped link, 25 MB: taskdrop / bare PUT loop',
      one['taskdrop'] ?? [],
      one['bare'] ?? [],
      0.95,
    ),
    timeRow(`${smallCount} × 100 KB, bare loop, ${concurrency} at a time`, many.bare, batchBytes),
    timeRow(`${smallCount} × 100 KB, taskdrop`, many.taskdrop, batchBytes),
    ratioRow(
      `shaped link, ${smallCount} × 100 KB: taskdrop / bare loop`,
      many.taskdrop,
      many.bare,
      0.9,
    ),
  ]);
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
