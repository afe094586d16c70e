import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { cpus, release, totalmem, type } from 'node:os';
import { createInterface } from 'node:readline';
import type { TaskTarget } from '../../preload/shared/contract.ts';
import { IssuingTokenProvider } from '../../main/core/auth/token-provider.ts';
import { Engine, type EngineOptions } from '../../main/core/engine/engine.ts';
import { preferSmallHeap } from '../../main/core/runtime/heap-mode.ts';
import type { SimulatorOptions } from '../../main/simulator/index.ts';
import type { FaultProxyOptions } from '../chaos/fault-proxy.ts';

// Every group runs the engine the way the app's main process and the CLI do.
preferSmallHeap();

/** Median and spread of repeated measurements: machines here are shared and noisy. */
export interface Stats {
  median: number;
  min: number;
  max: number;
}

export function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] ?? 0)
      : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.versions.node}, ${type()} ${release()}`;
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [
    line(headers),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** `npm run bench -- --quick`: fewer repetitions and smaller batches, for a first look. */
export const quick = process.env['BENCH_QUICK'] === '1';

/** Repetitions of a measurement: BENCH_REPS when set, else the full or the quick count. */
export function repetitions(full: number, fast: number): number {
  return Number(process.env['BENCH_REPS'] ?? (quick ? fast : full));
}

/** One line of the benchmark table. */
export interface BenchRow {
  measure: string;
  /** The median, or the one number that answers the question. */
  result: string;
  /** min–max over the repetitions. */
  spread: string;
  target: string;
  /** Whether the target was met; null where there is none. */
  met: boolean | null;
}

export const benchRowHeaders = ['measure', 'result (median)', 'spread (min–max)', 'target', ''];

export function rowCells(row: BenchRow): string[] {
  const verdict = row.met === null ? '' : row.met ? 'met' : 'MISSED';
  return [row.measure, row.result, row.spread, row.target, verdict];
}

/** Where the runner (run.ts) reads a group's rows from: the last line of its stdout. */
export const rowsPrefix = 'BENCH_ROWS ';

/** Hands a group's rows to the runner, or prints them when the group runs on its own. */
export function emit(rows: readonly BenchRow[]): void {
  if (process.env['BENCH_RUNNER'] === '1') {
    process.stdout.write(`${rowsPrefix}${JSON.stringify(rows)}\n`);
    return;
  }
  process.stdout.write(`\n${machine()}\n\n${table(benchRowHeaders, rows.map(rowCells))}\n`);
}

/** Progress for the person waiting; stdout carries only the rows. */
export function note(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

export const ms = (value: number): string => `${value.toFixed(0)} ms`;
export const range = (s: Stats, format: (value: number) => string): string =>
  `${format(s.min)} – ${format(s.max)}`;

/** Lifts the mailbox budgets on both sides: for measuring speed, not pacing. */
export const unlimited = { maxUploadBytesPerWindow: 1e12, maxRequestsPerWindow: 1e9 } as const;

export const benchAccountId = 'sim';

/** Where a simulator answers, in-process or not. */
export interface SimAddress {
  graphUrl: string;
  testToken: string;
}

/** An engine on `dataDir` with one account on the simulator. Not started. */
export function openEngine(
  sim: SimAddress,
  dataDir: string,
  options: Partial<EngineOptions> = {},
): Engine {
  return Engine.open({
    dataDir,
    accounts: [{ id: benchAccountId, graphUrl: sim.graphUrl, label: 'bench', kind: 'demo' }],
    tokens: new IssuingTokenProvider(() => sim.testToken),
    ...options,
  });
}

/** A new task in the first list, found and made through the engine's own calls. */
export async function benchTarget(engine: Engine): Promise<TaskTarget> {
  const [list] = await engine.listTaskLists(benchAccountId);
  if (list === undefined) throw new Error('the simulator has no task list');
  return engine.createTask({ accountId: benchAccountId, listId: list.id, title: 'Benchmark' });
}

/** Resolves once `count` jobs are done; rejects when one fails. */
export function untilDone(engine: Engine, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = engine.on('jobsChanged', ({ upserted, summary }) => {
      const failed = upserted.find((job) => job.state === 'failed');
      if (failed !== undefined) {
        stop();
        reject(new Error(`${failed.fileName} failed: ${failed.problem?.message ?? '?'}`));
      } else if (summary.byState.done >= count) {
        stop();
        resolve();
      }
    });
  });
}

/** Writes `size` random bytes, 1 MB at a time. */
export function writeRandomFile(path: string, size: number): string {
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size; written += 1 << 20) {
      writeSync(fd, randomBytes(Math.min(1 << 20, size - written)));
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

export interface SimProcess extends SimAddress {
  close(): Promise<void>;
}

/**
 * The simulator in a process of its own (sim-process.ts), so its work does not share the
 * client's thread, as Graph's does not.
 */
export async function startSimulatorProcess(options: SimulatorOptions): Promise<SimProcess> {
  const { answer, close } = await serveFromProcess('./sim-process.ts', options);
  return { ...(answer as SimAddress), close };
}

/**
 * The simulator behind the fault proxy, each in a process of its own: what the client sees is
 * the proxy's address, and the upload URLs the simulator hands out name it too.
 */
export async function startSimulatorBehindProxy(
  options: SimulatorOptions,
  proxy: Omit<FaultProxyOptions, 'targetPort'>,
): Promise<SimProcess> {
  const sim = await startSimulatorProcess(options);
  const targetPort = Number(new URL(sim.graphUrl).port);
  const served = await serveFromProcess('./proxy-process.ts', { ...proxy, targetPort });
  const { origin } = served.answer as { origin: string };
  return {
    graphUrl: `${origin}${new URL(sim.graphUrl).pathname}`,
    testToken: sim.testToken,
    close: async () => {
      await served.close();
      await sim.close();
    },
  };
}

/** Starts `script` (next to this file) with `options`; its first line of stdout, as JSON. */
async function serveFromProcess(
  script: string,
  options: object,
): Promise<{ answer: unknown; close(): Promise<void> }> {
  const path = new URL(script, import.meta.url).pathname;
  const child = spawn(process.execPath, [path, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} ended (${code}) before it listened`)));
  });
  return {
    answer: JSON.parse(line),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Builds `entry` (a .ts file) into one ES module the way the app's main process is built: no
 * type stripping at run time, native and Electron modules left outside. Memory is measured on
 * that, not on Node running the sources. Answers the built file's path.
 */
export async function buildLikeTheApp(entry: string): Promise<string> {
  const { build } = await import('vite');
  const root = new URL('../../', import.meta.url).pathname;
  const outDir = `${root}test-output/bench-build`;
  const name = basename(entry, '.ts');
  const { default: app } = await import('../../vite.app.config.ts');
  await build({
    configFile: false,
    logLevel: 'warn',
    root,
    build: {
      outDir,
      emptyOutDir: false,
      target: 'node22',
      minify: false,
      ssr: true,
      rollupOptions: {
        external: app.build?.rollupOptions?.external,
        input: { [name]: entry },
        output: { format: 'es', entryFileNames: '[name].mjs' },
      },
    },
  });
  return `${outDir}/${name}.mjs`;
}
