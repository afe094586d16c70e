/**
 * One 25 MB upload over loopback to the simulator, which runs in its own process: taskdrop
 * against a bare loop that PUTs the same ranges to the same simulator with no bookkeeping.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchTarget,
  emit,
  note,
  openEngine,
  repetitions,
  startSimulatorProcess,
  unlimited,
  writeRandomFile,
} from './bench-support.ts';
import { alternate, barePutLoop, ratioRow, taskdropEngine, timeRow } from './uploaders.ts';

const size = 26_214_400;
const reps = repetitions(11, 3);

const dir = mkdtempSync(join(tmpdir(), 'taskdrop-bench-'));
const sim = await startSimulatorProcess({ retainBytes: false, limits: unlimited });
try {
  const file = writeRandomFile(join(dir, 'bench.bin'), size);
  const setup = openEngine(sim, join(dir, 'setup'));
  const target = await benchTarget(setup);
  await setup.close();
  note(`throughput: one 25 MB file, ${reps} runs each, alternating`);
  const samples = await alternate(
    {
      bare: barePutLoop(sim, target),
      taskdrop: taskdropEngine(sim, target, (run) => join(dir, `data-${run}`)),
    },
    file,
    reps,
  );
  const bare = samples['bare'] ?? [];
  const ours = samples['taskdrop'] ?? [];
  emit([
    timeRow('25 MB upload, bare PUT loop (the limit)', bare, size),
    timeRow('25 MB upload, taskdrop', ours, size),
    ratioRow('throughput: taskdrop / bare PUT loop', ours, bare, 0.9),
  ]);
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
