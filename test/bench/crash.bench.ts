/**
 * Bytes sent again after a SIGKILL in the middle of uploads: an engine process uploads three 25 MB
 * files at once, is killed while a given range is on its way (a share into the batch; that range is
 * lost), and a new one resumes the same queue to the end. Every range the simulator saw beyond one
 * copy of each file (a range cut off by the kill counted whole) was sent twice. Then the same under
 * the `pessimistic` variants, where a resumed upload starts its file again.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { linkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { defaultRangeSize } from '../../main/core/upload/upload-attempt.ts';
import { decimalSizeLimit } from '../../main/core/upload/impossible-files.ts';
import { startSimulator, type VariantName } from '../../main/simulator/index.ts';
import { firstTask, waitUntil } from '../support/engine-harness.ts';
import {
  benchAccountId,
  emit,
  mb,
  note,
  quick,
  range,
  stats,
  unlimited,
  writeRandomFile,
} from './bench-support.ts';
import type { UploadOrders } from './upload-child.ts';

const size = 26_214_400;
const files = 3;
const holdMs = 300;
/** When to kill: the share of the batch's ranges sent by then. */
const killAt = quick ? [0.3, 0.6] : [0.15, 0.3, 0.45, 0.6, 0.75];

const dir = mkdtempSync(join(tmpdir(), 'taskdrop-bench-crash-'));

interface Resent {
  /** Per run: bytes the simulator saw beyond one copy of each file. */
  bytes: number[];
  /** Per run: those in ranges, per upload that was under way at the kill. */
  ranges: number[];
}

/**
 * The kills of `killAt` against a simulator with these variants (docs/simulator-variants.md),
 * for files of `fileSize` bytes.
 */
async function crashRounds(variants: readonly VariantName[], fileSize: number): Promise<Resent> {
  const sim = await startSimulator({ retainBytes: false, limits: unlimited, variants });
  try {
    const rangesPerBatch = files * Math.ceil(fileSize / defaultRangeSize);
    const target = { ...(await firstTask(sim, 'Work')), accountId: benchAccountId };
    // A slower link, as real ones are: the kill then lands with ranges half sent, not between them.
    sim.control.addFault({
      operation: 'uploadContent',
      times: 0,
      action: { type: 'delay', ms: 30 },
    });
    const tag = variants.join('-') || 'default';
    const original = writeRandomFile(join(dir, `original-${tag}.bin`), fileSize);
    const orders = (name: string): UploadOrders => ({
      graphUrl: sim.graphUrl,
      testToken: sim.testToken,
      dataDir: join(dir, `data-${tag}-${name}`),
      target,
      paths: Array.from({ length: files }, (_, n) => {
        const path = join(dir, `${tag}-${name}-${n}.bin`);
        linkSync(original, path);
        return path;
      }),
    });
    const rangesSeen = (): number => sim.control.counters().byOperation.uploadContent ?? 0;
    const resent: Resent = { bytes: [], ranges: [] };
    for (const [rep, share] of killAt.entries()) {
      note(
        `crash (${tag}): ${files} uploads of ${mb(fileSize)}, SIGKILL at ${share * 100} % of their ranges`,
      );
      const batch = orders(`killed-${rep}`);
      const seq = sim.control.requests().at(-1)?.seq ?? 0;
      // The range to die on is held at the server, so the kill finds it on its way, and then
      // lost, as a range cut off by a crash is; the others on their way land or not as they may.
      const nth = Math.max(1, Math.round(share * rangesPerBatch));
      const held = [
        sim.control.addFault({
          operation: 'uploadContent',
          nth,
          action: { type: 'delay', ms: holdMs },
        }),
        sim.control.addFault({
          operation: 'uploadContent',
          nth,
          action: { type: 'drop-before-commit' },
        }),
      ];
      const seenBefore = rangesSeen();
      const doomed = spawn(process.execPath, [script, JSON.stringify(batch)], { stdio: 'ignore' });
      await waitUntil(() => rangesSeen() >= seenBefore + nth, `range ${nth} to arrive`, 30_000);
      doomed.kill('SIGKILL');
      for (const rule of held) sim.control.removeFault(rule.id);
      await once(doomed, 'exit');
      const active = sim.control.sessions().length;
      await sleep(holdMs);
      await run(batch);

      // Every range that reached the simulator counts whole, even one cut off by the kill.
      const sent = sim.control
        .requests(seq)
        .filter((entry) => entry.operation === 'uploadContent')
        .reduce((sum, entry) => sum + entry.bodyBytes, 0);
      const extra = sent - files * fileSize;
      resent.bytes.push(extra);
      resent.ranges.push(extra / defaultRangeSize / Math.max(active, 1));
    }
    return resent;
  } finally {
    await sim.close();
  }
}

const script = new URL('./upload-child.ts', import.meta.url).pathname;
const run = (batch: UploadOrders): Promise<unknown> =>
  promisify(execFile)(process.execPath, [script, JSON.stringify(batch)]);

try {
  const plain = await crashRounds([], size);
  // Under pessimistic a session cannot be asked where it stands, so an upload under way starts
  // again from byte 0 (docs/upload-rules.md rule 11): up to a file per upload. 25 MB is read as
  // 25,000,000.
  const pessimistic = await crashRounds(['pessimistic'], decimalSizeLimit);
  const perUpload = stats(plain.ranges);
  const bytes = stats(plain.bytes);
  const worst = stats(pessimistic.bytes);
  const worstPerUpload = stats(
    pessimistic.ranges.map((ranges) => (ranges * defaultRangeSize) / decimalSizeLimit),
  );
  emit([
    {
      measure: `bytes sent again after a SIGKILL, ${files} uploads of 25 MB under way`,
      result: mb(bytes.median),
      spread: range(bytes, mb),
      target: '',
      met: null,
    },
    {
      measure: '… in ranges (3.9 MB) per upload that was under way',
      result: perUpload.median.toFixed(2),
      spread: range(perUpload, (value) => value.toFixed(2)),
      target: '≤ 1 (every run)',
      met: perUpload.max <= 1,
    },
    {
      measure: `… pessimistic: bytes sent again, ${files} uploads of 25,000,000 bytes under way`,
      result: mb(worst.median),
      spread: range(worst, mb),
      target: '',
      met: null,
    },
    {
      measure: '… pessimistic: in files per upload that was under way',
      result: worstPerUpload.median.toFixed(2),
      spread: range(worstPerUpload, (value) => value.toFixed(2)),
      target: '≤ 1 (every run)',
      met: worstPerUpload.max <= 1,
    },
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
