/**
 * `npm run bench [-- --quick] [--group name]… [group...]`: runs each benchmark group in a process of its own
 * (so one's memory and load do not reach the next) and prints one table, with the machine and
 * the date. All groups unless some are named. BENCHMARKS.md says what each measures.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import {
  benchRowHeaders,
  machine,
  rowCells,
  rowsPrefix,
  table,
  type BenchRow,
} from './bench-support.ts';

const groups = [
  'throughput',
  'sdk',
  'rss',
  'enqueue',
  'start',
  'crash',
  'pacing',
  'wan',
  'latency',
  'watch-scale',
  'idle',
] as const;

const { values, positionals } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    group: { type: 'string', multiple: true, default: [] },
  },
  allowPositionals: true,
});
const named = [...values.group, ...positionals];
const unknown = named.filter((name) => !groups.some((group) => group === name));
if (unknown.length > 0) {
  process.stderr.write(`No benchmark ${unknown.join(', ')}. There are: ${groups.join(', ')}.\n`);
  process.exit(2);
}
const chosen = named.length > 0 ? named : [...groups];

/** Runs one group; its rows, or one row saying it failed. */
function runGroup(group: string): Promise<BenchRow[]> {
  const script = new URL(`./${group}.bench.ts`, import.meta.url).pathname;
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, BENCH_RUNNER: '1', BENCH_QUICK: values.quick ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const line = stdout.split('\n').find((candidate) => candidate.startsWith(rowsPrefix));
      if (code === 0 && line !== undefined) {
        resolve(JSON.parse(line.slice(rowsPrefix.length)) as BenchRow[]);
        return;
      }
      const failure = `${group}: the benchmark failed (exit ${code}); its output is above`;
      resolve([{ measure: failure, result: '', spread: '', target: '', met: false }]);
    });
  });
}

const rows: [string, BenchRow][] = [];
const started = performance.now();
for (const group of chosen) {
  process.stderr.write(`${group}…\n`);
  const groupStarted = performance.now();
  for (const row of await runGroup(group)) rows.push([group, row]);
  process.stderr.write(`${group}: ${((performance.now() - groupStarted) / 1000).toFixed(0)} s\n`);
}

const date = new Date().toISOString().slice(0, 10);
const mode = values.quick ? ' (--quick: fewer runs, smaller batches)' : '';
process.stdout.write(
  `\ntaskdrop benchmarks, ${date}${mode}, ${((performance.now() - started) / 1000).toFixed(0)} s\n` +
    `${machine()}\n\n` +
    `${table(
      ['group', ...benchRowHeaders],
      rows.map(([group, row]) => [group, ...rowCells(row)]),
    )}\n`,
);
process.exitCode = rows.some(([, row]) => row.measure.includes('the benchmark failed')) ? 1 : 0;
