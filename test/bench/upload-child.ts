/**
 * An engine in a process of its own that uploads the files it is given (or resumes them, in a
 * queue a killed one left) and answers its memory. Orders as JSON in argv[2]; one JSON line on
 * stdout once all are done.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { TaskTarget } from '../../preload/shared/contract.ts';
import { openEngine, unlimited, untilDone, type SimAddress } from './bench-support.ts';

export interface UploadOrders extends SimAddress {
  dataDir: string;
  target: TaskTarget;
  paths: string[];
}

export interface UploadAnswer {
  /** After opening the queue, before any upload. */
  openedRssBytes: number;
  peakRssBytes: number;
}

/**
 * This process's own peak. Linux's VmHWM counts from the exec; getrusage's maxRSS there also
 * counts the copy of the parent the process was forked from, before it became Node.
 */
function peakRssBytes(): number {
  const status = '/proc/self/status';
  const hwm = existsSync(status) ? /VmHWM:\s+(\d+) kB/.exec(readFileSync(status, 'utf8')) : null;
  return hwm === null ? process.resourceUsage().maxRSS * 1024 : Number(hwm[1]) * 1024;
}

const orders = JSON.parse(process.argv[2] ?? '{}') as UploadOrders;
const engine = openEngine(orders, orders.dataDir, { pacing: unlimited });
const openedRssBytes = process.memoryUsage.rss();
engine.start();
const done = untilDone(engine, orders.paths.length);
await engine.enqueue({ paths: orders.paths, target: orders.target });
await done;
await engine.close();
const answer: UploadAnswer = {
  openedRssBytes,
  peakRssBytes: peakRssBytes(),
};
process.stdout.write(`${JSON.stringify(answer)}\n`);
