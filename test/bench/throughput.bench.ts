import { mkdtempSync, rmSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { IssuingTokenProvider } from '../../main/core/auth/token-provider.ts';
import { Engine } from '../../main/core/engine/engine.ts';
import { defaultRangeSize } from '../../main/core/upload/upload-attempt.ts';
import { startSimulator } from '../../main/simulator/index.ts';
import { firstTask } from '../support/engine-harness.ts';
import { machine, mb, stats, table } from './bench-support.ts';

/**
 * One 25 MB upload over loopback: taskdrop (queue, write-ahead, hashing, pacing) against a bare
 * loop that PUTs the same ranges to the same simulator with no bookkeeping at all.
 */
const size = 26_214_400;
const repetitions = Number(process.env['BENCH_REPS'] ?? 7);

const dir = mkdtempSync(join(tmpdir(), 'taskdrop-bench-'));
const file = join(dir, 'bench.bin');
writeFileSync(file, randomBytes(size));
// Throughput, not pacing: lift the mailbox volume limit on both sides.
const unlimited = { maxUploadBytesPerWindow: 1e12, maxRequestsPerWindow: 1e9 };
const sim = await startSimulator({ retainBytes: false, limits: unlimited });
const target = await firstTask(sim, 'Work');
const auth = { Authorization: `Bearer ${sim.testToken}` };

async function bareLoop(): Promise<number> {
  const started = performance.now();
  const taskUrl = `${sim.graphUrl}/me/todo/lists/${encodeURIComponent(target.listId)}/tasks/${encodeURIComponent(target.taskId)}`;
  const created = await fetch(`${taskUrl}/attachments/createUploadSession`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ attachmentInfo: { attachmentType: 'file', name: 'bare.bin', size } }),
  });
  const { uploadUrl } = (await created.json()) as { uploadUrl: string };
  const fd = openSync(file, 'r');
  try {
    for (let start = 0; start < size; start += defaultRangeSize) {
      const length = Math.min(defaultRangeSize, size - start);
      const bytes = Buffer.allocUnsafe(length);
      readSync(fd, bytes, 0, length, start);
      const answer = await fetch(`${uploadUrl}/content`, {
        method: 'PUT',
        headers: {
          ...auth,
          'Content-Type': 'application/octet-stream',
          'Content-Range': `bytes ${start}-${start + length - 1}/${size}`,
        },
        body: bytes,
      });
      await answer.arrayBuffer();
    }
  } finally {
    closeSync(fd);
  }
  return performance.now() - started;
}

async function taskdrop(run: number): Promise<number> {
  const engine = Engine.open({
    dataDir: join(dir, `data-${run}`),
    accounts: [{ id: 'sim', graphUrl: sim.graphUrl, label: 'bench', kind: 'demo' }],
    tokens: new IssuingTokenProvider(() => sim.control.issueToken().accessToken),
    pacing: unlimited,
  });
  engine.start();
  const started = performance.now();
  const done = new Promise<void>((resolve) => {
    engine.on('jobsChanged', ({ upserted }) => {
      if (upserted.some((job) => job.state === 'done')) resolve();
    });
  });
  await engine.enqueue({ paths: [file], target });
  await done;
  const elapsed = performance.now() - started;
  await engine.close();
  return elapsed;
}

const bare: number[] = [];
const ours: number[] = [];
for (let run = 0; run < repetitions; run += 1) {
  // Alternate, so drift in the machine's load falls on both sides alike.
  bare.push(await bareLoop());
  ours.push(await taskdrop(run));
}
await sim.close();
rmSync(dir, { recursive: true, force: true });

const rate = (ms: number): string => `${mb((size / ms) * 1000)}/s`;
const b = stats(bare);
const o = stats(ours);
console.log(
  `\nOne 25 MB upload over loopback, ${repetitions} runs each — ${machine()}, ${new Date().toISOString().slice(0, 10)}\n`,
);
console.log(
  table(
    ['', 'median', 'min', 'max', 'throughput (median)'],
    [
      [
        'bare PUT loop (the limit)',
        `${b.median.toFixed(0)} ms`,
        `${b.min.toFixed(0)} ms`,
        `${b.max.toFixed(0)} ms`,
        rate(b.median),
      ],
      [
        'taskdrop engine',
        `${o.median.toFixed(0)} ms`,
        `${o.min.toFixed(0)} ms`,
        `${o.max.toFixed(0)} ms`,
        rate(o.median),
      ],
    ],
  ),
);
console.log(`\ntaskdrop / bare throughput: ${(b.median / o.median).toFixed(2)} (target ≥ 0.90)`);
