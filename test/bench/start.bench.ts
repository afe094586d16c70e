/**
 * Engine start with 10,000 jobs waiting in the queue: opening the queue (recovery included) and
 * starting the scheduler, which launches the first uploads; then the first full job list, what a
 * window shows first. The simulator holds those first uploads, so the queue stays as it was.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../main/simulator/index.ts';
import {
  benchTarget,
  emit,
  ms,
  note,
  openEngine,
  range,
  repetitions,
  stats,
} from './bench-support.ts';

const count = 10_000;
const reps = repetitions(9, 3);
const targetMs = 300;

const dir = mkdtempSync(join(tmpdir(), 'taskdrop-bench-start-'));
const sim = await startSimulator({ retainBytes: false });
try {
  const dataDir = join(dir, 'data');
  const setup = openEngine(sim, dataDir);
  const target = await benchTarget(setup);
  const folder = join(dir, 'files');
  mkdirSync(folder);
  const paths = Array.from({ length: count }, (_, n) => {
    const path = join(folder, `file-${n}.txt`);
    writeFileSync(path, `file ${n}\n`);
    return path;
  });
  await setup.enqueue({ paths, target });
  await setup.close();
  // The uploads a start launches wait until the engine closes again.
  sim.control.addFault({ operation: '*', times: 0, action: { type: 'delay', ms: 60_000 } });

  const startMs: number[] = [];
  const listMs: number[] = [];
  for (let rep = 0; rep < reps; rep += 1) {
    note(`start: ${count} jobs waiting, run ${rep + 1} of ${reps}`);
    const started = performance.now();
    const engine = openEngine(sim, dataDir);
    engine.start();
    startMs.push(performance.now() - started);
    const jobs = await engine.listJobs();
    listMs.push(performance.now() - started);
    await engine.close();
    if (jobs.length !== count) throw new Error(`the queue holds ${jobs.length} jobs, not ${count}`);
  }

  const start = stats(startMs);
  const list = stats(listMs);
  emit([
    {
      measure: `engine open + start, ${count.toLocaleString('en')} jobs queued`,
      result: ms(start.median),
      spread: range(start, ms),
      target: `< ${ms(targetMs)}`,
      met: start.median < targetMs,
    },
    {
      measure: `… and the first list of all ${count.toLocaleString('en')} jobs`,
      result: ms(list.median),
      spread: range(list, ms),
      target: '',
      met: null,
    },
  ]);
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
