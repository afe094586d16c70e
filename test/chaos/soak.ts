import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobView } from '../../preload/shared/contract.ts';
import type { FaultRuleInput, VariantName } from '../../main/simulator/index.ts';
import { runCli, type CliResult } from '../support/cli.ts';
import { seededRandom } from '../support/seeded-random.ts';
import {
  check,
  checkInvariants,
  finishedExitCode,
  startChaosSimulator,
  uploadArgs,
  writeSeededFiles,
  type Check,
} from './batch.ts';
import { startFaultProxy, type FaultProxyOptions, type ProxyReport } from './fault-proxy.ts';

/**
 * The soak: one `taskdrop upload` of a large batch through the fault proxy, while the simulator
 * answers a share of the requests with 429, 503 or a dropped connection. The file bytes, the
 * proxy's plans and the simulator's draws all come from `seed`.
 */

export type ProxySettings = Omit<FaultProxyOptions, 'targetPort' | 'targetHost' | 'seed'>;

export interface SoakOptions {
  seed: number;
  sizes: readonly number[];
  /** Share of Graph requests the simulator answers with a fault, 0–1. */
  faultRate: number;
  proxy: ProxySettings;
  timeoutMs: number;
  /** Service variants of the simulator (docs/simulator-variants.md). Default: none. */
  variants?: readonly VariantName[];
  log?: (line: string) => void;
}

export interface SoakResult {
  seed: number;
  variants: readonly VariantName[];
  files: number;
  fileBytes: number;
  injected: {
    proxy: ProxyReport;
    /** Simulator faults that fired, by what they did. */
    simulator: Record<string, number>;
    graphRequests: number;
  };
  seen: {
    /** What the jobs were retrying after, as the CLI reported it: kind and code. */
    retries: Record<string, number>;
    /** Statuses the simulator answered with (0: the connection was dropped). */
    statuses: Record<string, number>;
    exit: string;
  };
  checks: Check[];
  elapsedMs: number;
}

/** The last POST size, and the share of files that take a session instead. */
const smallUploadMaxBytes = 2_900_000;
const sessionShare = 0.04;

/**
 * Sizes like a folder of scans and receipts: mostly small (log-uniform from 1 byte up to the
 * POST limit, a few empty), one in twenty-five a session upload of up to `maxBytes`.
 */
export function soakSizes(random: () => number, count: number, maxBytes: number): number[] {
  return Array.from({ length: count }, () => {
    const kind = random();
    const spread = random();
    if (kind < 0.02) return 0;
    if (kind < 0.02 + sessionShare && maxBytes > smallUploadMaxBytes) {
      return smallUploadMaxBytes + 1 + Math.floor(spread * (maxBytes - smallUploadMaxBytes));
    }
    return Math.max(1, Math.floor(Math.exp(spread * Math.log(smallUploadMaxBytes))));
  });
}

/**
 * A `rate` share of requests faulted: half of them answered 429 or 503 on any route, the other
 * half (on the routes that carry bytes) a connection dropped before or after the server commits.
 */
function simulatorFaults(
  rate: number,
  retryAfter: boolean,
): { label: string; rule: FaultRuleInput }[] {
  const each = rate / 4;
  const drop = (
    operation: FaultRuleInput['operation'],
    when: 'before' | 'after',
    chance: number,
  ) => ({
    label: `${operation}: connection dropped ${when} commit`,
    rule: {
      operation,
      times: 0,
      chance,
      action: { type: `drop-${when}-commit` as const },
    },
  });
  return [
    {
      label: retryAfter ? '429 with Retry-After: 1' : '429 without Retry-After',
      rule: {
        operation: '*',
        times: 0,
        chance: each,
        action: { type: 'status', status: 429, ...(retryAfter ? { retryAfter: '1' } : {}) },
      },
    },
    {
      label: '503',
      rule: { operation: '*', times: 0, chance: each, action: { type: 'status', status: 503 } },
    },
    drop('createAttachment', 'before', each),
    drop('createAttachment', 'after', each),
    drop('uploadContent', 'before', each),
    drop('uploadContent', 'after', each),
    drop('createUploadSession', 'after', 2 * each),
  ];
}

/** What the jobs were retrying after, from the CLI's `--json` lines. */
function retriesSeen(stdout: string): Record<string, number> {
  const retries: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{"event":"job"')) continue;
    const { job } = JSON.parse(line) as { job: JobView };
    if (job.state !== 'retrying' || job.problem === null) continue;
    const { kind, graphCode, httpStatus } = job.problem;
    const key = `${kind}: ${graphCode ?? httpStatus ?? 'no code'}`;
    retries[key] = (retries[key] ?? 0) + 1;
  }
  return retries;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'taskdrop-soak-'));
  // One seed, three streams: the file bytes, the simulator's draws, the proxy's plans.
  const sim = await startChaosSimulator(options.seed + 1, options.variants);
  const proxy = await startFaultProxy({
    ...options.proxy,
    seed: options.seed + 2,
    targetPort: sim.port,
  });
  try {
    const random = seededRandom(options.seed);
    const files = writeSeededFiles(dir, options.sizes, random);
    const fileBytes = files.reduce((sum, file) => sum + file.size, 0);
    log(`soak: ${files.length} files, ${fileBytes} bytes, through ${proxy.origin}`);
    const faults = simulatorFaults(options.faultRate, !sim.variants.includes('throttle-bare'));
    for (const { rule } of faults) sim.control.addFault(rule);
    const dataDir = join(dir, 'data');
    // The CLI knows only the proxy: its Graph URL, and the upload URLs the simulator hands out.
    const args = [...uploadArgs(files, `${proxy.origin}/v1.0`, dataDir), '--json'];
    const progress = setInterval(() => {
      const { requests, faultsFired } = sim.control.counters();
      const attached = sim.control.attachments().length;
      log(
        `  ${attached} of ${files.length} attached, ${requests} requests, ${faultsFired} faulted`,
      );
    }, 60_000);
    let run: CliResult | Error;
    try {
      run = await runCli(args, { TASKDROP_ACCESS_TOKEN: sim.testToken }, options.timeoutMs);
    } catch (error) {
      run = error instanceof Error ? error : new Error(String(error));
    } finally {
      clearInterval(progress);
    }
    const fired = sim.control.faults().map((rule) => rule.fired);
    const counters = sim.control.counters();
    const exit =
      run instanceof Error
        ? `no exit within ${options.timeoutMs} ms`
        : `exit ${run.code ?? run.signal}${run.stderr === '' ? '' : `: ${run.stderr.trim()}`}`;
    const finishedCode = finishedExitCode(sim, files);
    return {
      seed: options.seed,
      variants: sim.variants,
      files: files.length,
      fileBytes,
      injected: {
        proxy: proxy.report(),
        simulator: Object.fromEntries(faults.map(({ label }, index) => [label, fired[index] ?? 0])),
        graphRequests: counters.requests,
      },
      seen: {
        retries: run instanceof Error ? {} : retriesSeen(run.stdout),
        statuses: counters.byStatus,
        exit,
      },
      checks: [
        check(
          `the run attached everything it could and exited ${finishedCode}`,
          !(run instanceof Error) && run.code === finishedCode && run.stderr === '',
          exit,
        ),
        ...checkInvariants(sim, files, dataDir),
      ],
      elapsedMs: performance.now() - started,
    };
  } finally {
    await proxy.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
