/**
 * An engine process as the app keeps one all day, for the `idle` and `watch-scale` groups. Orders
 * as JSON in argv[2]; it reports one JSON line per phase on stdout. It idles until the parent
 * writes a line on stdin, so no timer of its own wakes it meanwhile.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { NewWatchedFolder } from '../../preload/shared/contract.ts';
import { installTimerCensus, type TimerWakeups } from './timer-census.ts';
import { openEngine, type SimAddress } from './bench-support.ts';

const census = installTimerCensus();

export interface ResidentOrders extends SimAddress {
  dataDir: string;
  /** Start the scheduler (an account that is signed in and online). */
  start: boolean;
  /** Folders to add before watching starts. */
  addFolders: NewWatchedFolder[];
  /** Report `queued` once this many watched files are queued. */
  expectQueued: number;
}

export type ResidentReport =
  | { phase: 'ready'; readyMs: number; rssBytes: number }
  | { phase: 'queued'; queuedMs: number; rssBytes: number }
  | {
      phase: 'idle';
      idleMs: number;
      cpuMs: number;
      rssBytes: number;
      peakRssBytes: number;
      timers: TimerWakeups[];
    };

function report(line: ResidentReport): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function peakRssBytes(): number {
  const status = '/proc/self/status';
  const hwm = existsSync(status) ? /VmHWM:\s+(\d+) kB/.exec(readFileSync(status, 'utf8')) : null;
  return hwm === null ? process.resourceUsage().maxRSS * 1024 : Number(hwm[1]) * 1024;
}

const input = createInterface({ input: process.stdin });
/** Lines that came before anyone asked for them wait here. */
const early: string[] = [];
let waiter: ((line: string) => void) | undefined;
input.on('line', (line) => {
  if (waiter === undefined) early.push(line);
  else waiter(line);
  waiter = undefined;
});
const nextLine = (): Promise<string> =>
  new Promise((resolve) => {
    const line = early.shift();
    if (line === undefined) waiter = resolve;
    else resolve(line);
  });

const orders = JSON.parse(process.argv[2] ?? '{}') as ResidentOrders;
const engine = openEngine(orders, orders.dataDir);
for (const folder of orders.addFolders) await engine.addWatchedFolder(folder);
let queued = 0;
let allQueued: () => void = () => undefined;
const queuedAll = new Promise<void>((resolve) => (allQueued = resolve));
if (orders.expectQueued === 0) allQueued();
engine.onWatchActivity((event) => {
  if (event.kind !== 'queued') return;
  queued += 1;
  if (queued === orders.expectQueued) allQueued();
});
const started = performance.now();
if (orders.start) engine.start();
await engine.startWatching();
report({
  phase: 'ready',
  readyMs: performance.now() - started,
  rssBytes: process.memoryUsage.rss(),
});
await queuedAll;
report({
  phase: 'queued',
  queuedMs: performance.now() - started,
  rssBytes: process.memoryUsage.rss(),
});

// The parent lets it settle, then says when idling begins and when it ends.
await nextLine();
census.begin();
const cpuBefore = process.cpuUsage();
const idleStarted = performance.now();
await nextLine();
const cpu = process.cpuUsage(cpuBefore);
const idleMs = performance.now() - idleStarted;
report({
  phase: 'idle',
  idleMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  rssBytes: process.memoryUsage.rss(),
  peakRssBytes: peakRssBytes(),
  timers: census.end(),
});
await engine.close();
input.close();
