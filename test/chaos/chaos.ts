import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { maxAttachmentBytes } from '../../preload/shared/limits.ts';
import { parseVariantList, type VariantName } from '../../main/simulator/index.ts';
import { machine } from '../bench/bench-support.ts';
import { seededRandom } from '../support/seeded-random.ts';
import { allPassed, megabytes, spreadSizes, type Check } from './batch.ts';
import { runCrashLoop, type CrashLoopResult } from './crash-loop.ts';
import { runSoak, soakSizes, type SoakResult } from './soak.ts';

/**
 * `npm run chaos`: the full crash loop and soak, with a summary to paste into the README.
 * Exits 1 when an invariant failed; the same --seed replays the same files and faults.
 */

const usage = `npm run chaos -- [options]
  --seed N               everything random comes from it (default 20261122)
  --only crash|soak      run one of the two
  --kills N              crash loop: SIGKILLs (default 100)
  --files N              crash loop: files (default 50)
  --max-size BYTES       crash loop: largest file (default ${maxAttachmentBytes}, 25 MB)
  --soak-files N         soak: files (default 1000)
  --soak-max-size BYTES  soak: largest file (default 8000000)
  --fault-rate R         soak: share of requests the simulator faults (default 0.05)
  --proxy-fault-rate R   soak: chance of a proxy fault per window of bytes (default 0.05)
  --timeout-min N        soak: give up after N minutes (default 45)
  --variant LIST         simulator variants of one round, "default" for none (docs/simulator-
                         variants.md); repeat for more rounds (default: default, then pessimistic)`;

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '20261122' },
    only: { type: 'string' },
    kills: { type: 'string', default: '100' },
    files: { type: 'string', default: '50' },
    'max-size': { type: 'string', default: String(maxAttachmentBytes) },
    'soak-files': { type: 'string', default: '1000' },
    'soak-max-size': { type: 'string', default: '8000000' },
    'fault-rate': { type: 'string', default: '0.05' },
    'proxy-fault-rate': { type: 'string', default: '0.05' },
    'timeout-min': { type: 'string', default: '45' },
    variant: { type: 'string', multiple: true, default: ['default', 'pessimistic'] },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function numberOption(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a number ≥ 0, not "${String(values[name])}"\n\n${usage}`);
    process.exit(2);
  }
  return value;
}

if (values.help || (values.only !== undefined && !['crash', 'soak'].includes(values.only))) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}

const seed = numberOption('seed');

function roundsOption(): VariantName[][] {
  try {
    return values.variant.map((list) => (list === 'default' ? [] : parseVariantList(list)));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exit(2);
  }
}
const rounds = roundsOption();
const roundName = (variants: readonly VariantName[]): string =>
  variants.length === 0 ? 'default' : variants.join(',');
const log = (line: string): void => console.log(`[${new Date().toISOString()}] ${line}`);
const minutes = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`;
const listed = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([what, count]) => `${what} × ${count}`)
    .join(', ') || 'none';
const sum = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((total, count) => total + count, 0);

function checkLines(checks: readonly Check[]): string[] {
  return checks.map((c) => `  ${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
}

function crashSummary(result: CrashLoopResult): string[] {
  return [
    `Crash loop (seed ${result.seed}, ${roundName(result.variants)}): ${result.files} files, ${megabytes(result.fileBytes)}, ` +
      `${minutes(result.elapsedMs)}`,
    `  injected: ${result.kills} SIGKILLs in ${result.launches} runs`,
    `  seen: ${megabytes(result.bytesSent)} sent for ${megabytes(result.onePassBytes)} in one clean pass: ` +
      `${megabytes(result.bytesSent - result.onePassBytes)} sent again, ` +
      `${megabytes((result.bytesSent - result.onePassBytes) / Math.max(result.kills, 1))} a kill`,
    ...checkLines(result.checks),
  ];
}

function soakSummary(result: SoakResult): string[] {
  const { proxy, simulator, graphRequests } = result.injected;
  const simulatorFaults = sum(simulator);
  const share = ((100 * simulatorFaults) / Math.max(graphRequests, 1)).toFixed(1);
  return [
    `Soak (seed ${result.seed}, ${roundName(result.variants)}): ${result.files} files, ${megabytes(result.fileBytes)}, ` +
      `${minutes(result.elapsedMs)}`,
    `  injected by the proxy: ${listed(proxy.injected)} (${proxy.connections} connections, ` +
      `${megabytes(proxy.bytesToServer)} up)`,
    `  injected by the simulator: ${simulatorFaults} of ${graphRequests} requests (${share} %): ${listed(simulator)}`,
    `  seen by the jobs (retries): ${listed(result.seen.retries)}`,
    `  answered by the simulator: ${listed(result.seen.statuses)}; the CLI: ${result.seen.exit}`,
    ...checkLines(result.checks),
  ];
}

const lines = [`taskdrop chaos, ${new Date().toISOString().slice(0, 10)}, ${machine()}`];
const results: { variants: string; crash?: CrashLoopResult; soak?: SoakResult }[] = [];
let passed = true;

for (const variants of rounds) {
  const round: (typeof results)[number] = { variants: roundName(variants) };
  results.push(round);
  if (values.only !== 'soak') {
    const sizes = spreadSizes(seededRandom(seed), numberOption('files'), numberOption('max-size'));
    const crash = await runCrashLoop({
      seed,
      kills: numberOption('kills'),
      sizes,
      variants,
      finalTimeoutMs: 20 * 60_000,
      log,
    });
    round.crash = crash;
    passed &&= allPassed(crash.checks);
    lines.push(...crashSummary(crash));
    log(crashSummary(crash).join('\n'));
  }

  if (values.only !== 'crash') {
    const sizes = soakSizes(
      seededRandom(seed),
      numberOption('soak-files'),
      numberOption('soak-max-size'),
    );
    const soak = await runSoak({
      seed,
      sizes,
      variants,
      faultRate: numberOption('fault-rate'),
      proxy: {
        faultRate: numberOption('proxy-fault-rate'),
        // One fault per 320 KB of answers at 5 %: harsh, yet a task's attachment list (hundreds of
        // KB once it holds 1,000 files) still comes through in a few tries.
        responseWindowBytes: 16 * 1024,
        stallMs: { min: 100, max: 3_000 },
        latencyMs: 2,
      },
      timeoutMs: numberOption('timeout-min') * 60_000,
      log,
    });
    round.soak = soak;
    passed &&= allPassed(soak.checks);
    lines.push(...soakSummary(soak));
  }
}

const outDir = join(import.meta.dirname, '..', '..', 'test-output', 'chaos');
mkdirSync(outDir, { recursive: true });
const outFile = join(outDir, `chaos-${seed}.json`);
writeFileSync(outFile, JSON.stringify({ machine: machine(), rounds: results }, null, 2));
console.log(
  `\n${lines.join('\n')}\n\n${passed ? 'All invariants held.' : 'INVARIANTS FAILED.'} Details: ${outFile}`,
);
process.exitCode = passed ? 0 : 1;
