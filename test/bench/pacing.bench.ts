/**
 * Pacing to the mailbox limits with their windows scaled down to 15 s (time runs 20 times faster;
 * the amounts are Outlook's own where they bind): a batch that needs several windows of the
 * upload-volume budget, and one of small files that needs several of the request budget. The
 * engine is told the same limits, as the app knows the real ones. Measured at the simulator:
 * the share of each full window's budget used, and the 429s provoked.
 */
import { linkSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MailboxLimits, RequestLogEntry } from '../../main/simulator/index.ts';
import { startSimulator } from '../../main/simulator/index.ts';
import { receivedAt } from '../support/engine-harness.ts';
import {
  benchTarget,
  emit,
  note,
  openEngine,
  quick,
  range,
  stats,
  untilDone,
  writeRandomFile,
  type BenchRow,
} from './bench-support.ts';

const windowMs = 15_000;
const target = 0.95;
const uploadMethods = new Set(['PUT', 'POST', 'PATCH']);

interface Scenario {
  name: string;
  limits: MailboxLimits;
  /** The files of the batch, made in `dir`. */
  files: (dir: string) => string[];
  /** What one request spends of the budget that binds. */
  spend: (entry: RequestLogEntry) => number;
  budget: (limits: MailboxLimits) => number;
}

const volume: Scenario = {
  name: 'upload volume (150 MB per window)',
  limits: {
    maxConcurrentRequests: 4,
    maxRequestsPerWindow: 10_000,
    requestWindowMs: 2 * windowMs,
    maxUploadBytesPerWindow: 150e6,
    uploadWindowMs: windowMs,
  },
  files: (dir) => {
    const original = writeRandomFile(join(dir, 'original.bin'), 26_214_400);
    return Array.from({ length: quick ? 12 : 24 }, (_, n) => {
      const path = join(dir, `big-${n}.bin`);
      linkSync(original, path);
      return path;
    });
  },
  spend: (entry) => (uploadMethods.has(entry.method) ? entry.bodyBytes : 0),
  budget: (limits) => limits.maxUploadBytesPerWindow,
};

const requests: Scenario = {
  name: 'requests (250 per window)',
  limits: {
    maxConcurrentRequests: 4,
    maxRequestsPerWindow: 250,
    requestWindowMs: windowMs,
    maxUploadBytesPerWindow: 150e6,
    uploadWindowMs: windowMs,
  },
  files: (dir) =>
    Array.from({ length: quick ? 375 : 875 }, (_, n) => {
      const path = join(dir, `small-${n}.txt`);
      writeFileSync(path, Buffer.alloc(10_000, n % 256));
      return path;
    }),
  spend: () => 1,
  budget: (limits) => limits.maxRequestsPerWindow,
};

/** The share of the budget each full window (counted from the first request) used. */
function windowShares(log: readonly RequestLogEntry[], scenario: Scenario): number[] {
  const start = receivedAt(log[0]!);
  const end = receivedAt(log.at(-1)!);
  const budget = scenario.budget(scenario.limits);
  const shares: number[] = [];
  for (let from = start; from + windowMs <= end; from += windowMs) {
    const used = log
      .filter((entry) => receivedAt(entry) >= from && receivedAt(entry) < from + windowMs)
      .reduce((sum, entry) => sum + scenario.spend(entry), 0);
    shares.push(used / budget);
  }
  return shares;
}

async function measure(scenario: Scenario): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'taskdrop-bench-pacing-'));
  const sim = await startSimulator({ retainBytes: false, limits: scenario.limits });
  try {
    const paths = scenario.files(dir);
    const engine = openEngine(sim, join(dir, 'data'), {
      pacing: { ...scenario.limits, maxConcurrentRequests: 3 },
    });
    try {
      // Finding the task counts too: all the engine sends is paced, and measured.
      const seq = sim.control.requests().at(-1)?.seq ?? 0;
      const task = await benchTarget(engine);
      note(`pacing: ${paths.length} files, ${scenario.name}`);
      engine.start();
      const done = untilDone(engine, paths.length);
      await engine.enqueue({ paths, target: task });
      await done;
      const log = sim.control.requests(seq);
      const shares = windowShares(log, scenario);
      const s = stats(shares);
      const percent = (value: number): string => `${(value * 100).toFixed(1)} %`;
      const throttled = Object.values(sim.control.counters().throttled).reduce((a, b) => a + b, 0);
      return [
        {
          measure: `${scenario.name}: budget used per full window (${shares.length})`,
          result: percent(s.median),
          spread: range(s, percent),
          target: `≥ ${percent(target)}`,
          met: s.min >= target,
        },
        {
          measure: `${scenario.name}: 429s provoked`,
          result: String(throttled),
          spread: '',
          target: '0',
          met: throttled === 0,
        },
      ];
    } finally {
      await engine.close();
    }
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

emit([...(await measure(volume)), ...(await measure(requests))]);
