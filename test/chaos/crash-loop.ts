import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSmallUploadMaxBytes } from '../../main/core/upload/upload-attempt.ts';
import { defaultPacingLimits } from '../../main/core/pacing/account-pacer.ts';
import { finished, runCli, spawnCli, type CliResult } from '../support/cli.ts';
import { seededRandom } from '../support/seeded-random.ts';
import type { VariantName } from '../../main/simulator/index.ts';
import {
  check,
  checkInvariants,
  finishedExitCode,
  megabytes,
  startChaosSimulator,
  uploadArgs,
  writeSeededFiles,
  type Check,
} from './batch.ts';
import { startFaultProxy, type RunningFaultProxy } from './fault-proxy.ts';

/**
 * The crash loop: start `taskdrop upload` on a batch, SIGKILL it at a random moment, start it
 * again, `kills` times; then let one run finish and check the invariants. Everything random
 * (file bytes, kill moments) comes from `seed`.
 *
 * A kill's moment is drawn in bytes, not in time: kill N comes a random moment after the bytes
 * sent to the server have passed a random point of the Nth share of the batch (a share being
 * 90 % of the batch over the number of kills). So the kills spread over the whole batch whatever
 * its size and however slowly the CLI starts on a busy machine, and land in every phase: start-up
 * (when the last run overshot its share), look-ups, mid-range, between ranges.
 */

export interface CrashLoopOptions {
  seed: number;
  kills: number;
  sizes: readonly number[];
  /**
   * The simulator holds each range this long (a small POST half as long), so a kill lands inside
   * an exchange as often as between two. The moment after a run's byte share is drawn up to this
   * plus 200 ms.
   */
  rangeDelayMs?: number;
  /** A run that neither finishes nor reaches its share in this time is killed all the same. */
  runTimeoutMs?: number;
  /** The run that finishes the batch after the kills. */
  finalTimeoutMs?: number;
  /** Service variants of the simulator (docs/simulator-variants.md). Default: none. */
  variants?: readonly VariantName[];
  log?: (line: string) => void;
}

export interface CrashLoopResult {
  seed: number;
  variants: readonly VariantName[];
  files: number;
  fileBytes: number;
  kills: number;
  launches: number;
  /** Runs that ended by themselves before their kill, with their exit code. */
  selfExits: number[];
  /** Runs killed because they neither finished nor sent their share in runTimeoutMs. */
  timedOut: number;
  /** Bytes that went to the server, headers and all, from every run. */
  bytesSent: number;
  /** The request bodies of one clean pass over the batch (a small file's POST is base64). */
  onePassBytes: number;
  checks: Check[];
  elapsedMs: number;
}

interface RunEnd {
  result: CliResult;
  timedOut: boolean;
}

/** Runs the CLI once; kills it `extraMs` after `killAtBytes` have gone to the server. */
async function runUntilKilled(
  proxy: RunningFaultProxy,
  run: {
    args: string[];
    env: NodeJS.ProcessEnv;
    killAtBytes: number;
    extraMs: number;
    timeoutMs: number;
  },
): Promise<RunEnd> {
  const child = spawnCli(run.args, run.env);
  const ended = finished(child, run.timeoutMs + 10_000);
  let killTimer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const watch = setInterval(() => {
    if (proxy.report().bytesToServer < run.killAtBytes) return;
    clearInterval(watch);
    killTimer = setTimeout(() => child.kill('SIGKILL'), run.extraMs);
  }, 5);
  const deadline = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, run.timeoutMs);
  try {
    return { result: await ended, timedOut };
  } finally {
    clearInterval(watch);
    clearTimeout(killTimer);
    clearTimeout(deadline);
  }
}

export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashLoopResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const rangeDelayMs = options.rangeDelayMs ?? 250;
  const dir = mkdtempSync(join(tmpdir(), 'taskdrop-crash-loop-'));
  const sim = await startChaosSimulator(undefined, options.variants);
  // A proxy without faults, to count the bytes on the wire: what a killed run sent counts too.
  // (A range the CLI had handed to the kernel still arrives after the kill: Linux sends what a
  // dead process left in its socket. So most kills cost an answer, not the range.)
  const proxy = await startFaultProxy({ seed: options.seed, targetPort: sim.port });
  try {
    const random = seededRandom(options.seed);
    const files = writeSeededFiles(dir, options.sizes, random);
    const fileBytes = files.reduce((sum, file) => sum + file.size, 0);
    log(`crash loop: ${files.length} files, ${fileBytes} bytes, ${options.kills} kills`);
    sim.control.addFault({
      operation: 'uploadContent',
      times: 0,
      action: { type: 'delay', ms: rangeDelayMs },
    });
    sim.control.addFault({
      operation: 'createAttachment',
      times: 0,
      action: { type: 'delay', ms: Math.round(rangeDelayMs / 2) },
    });
    const dataDir = join(dir, 'data');
    const args = uploadArgs(files, `${proxy.origin}/v1.0`, dataDir);
    const env = { TASKDROP_ACCESS_TOKEN: sim.testToken };
    const share = (0.9 * fileBytes) / Math.max(options.kills, 1);
    const finishedCode = finishedExitCode(sim, files);
    let kills = 0;
    let launches = 0;
    let timedOut = 0;
    const selfExits: number[] = [];
    // A run that ends by itself so has finished the batch: killing more runs proves nothing.
    while (
      kills < options.kills &&
      !selfExits.includes(finishedCode) &&
      launches < options.kills * 3
    ) {
      launches += 1;
      const end = await runUntilKilled(proxy, {
        args,
        env,
        killAtBytes: Math.floor((kills + random()) * share),
        extraMs: Math.round(random() * (rangeDelayMs + 200)),
        timeoutMs: options.runTimeoutMs ?? 60_000,
      });
      if (end.timedOut) timedOut += 1;
      if (end.result.signal === 'SIGKILL') kills += 1;
      else selfExits.push(end.result.code ?? -1);
      if (launches % 10 === 0) {
        const sent = proxy.report().bytesToServer;
        log(`  ${launches} runs, ${kills} kills, ${megabytes(sent)} sent`);
      }
    }
    const final = await runCli(args, env, options.finalTimeoutMs ?? 300_000);
    const bytesSent = proxy.report().bytesToServer;
    const onePassBytes = files.reduce(
      (sum, file) =>
        sum + (file.size <= defaultSmallUploadMaxBytes ? 4 * Math.ceil(file.size / 3) : file.size),
      0,
    );
    // After a crash, at most one range again per upload in flight; where a session cannot be
    // asked its state, the whole file (docs/upload-rules.md rule 11).
    const perUpload = sim.variants.includes('no-session-get')
      ? Math.max(...options.sizes)
      : 4 * 1024 * 1024;
    const resendBound = kills * defaultPacingLimits.maxConcurrentRequests * perUpload;
    const checks = [
      check(
        'every kill cut a run short',
        kills === options.kills && timedOut === 0,
        `${kills} of ${options.kills} kills in ${launches} runs; runs that ended by themselves: ` +
          `${selfExits.join(', ') || 'none'}; runs stuck past ${options.runTimeoutMs ?? 60_000} ms: ${timedOut}`,
      ),
      check(
        `the run after the kills attached the rest and exited ${finishedCode}`,
        final.code === finishedCode && final.stderr === '',
        `exit ${final.code ?? final.signal}${final.stderr === '' ? '' : `: ${final.stderr.trim()}`}`,
      ),
      check(
        perUpload === 4 * 1024 * 1024
          ? 'at most one range sent again per upload in flight at a kill'
          : 'at most one file sent again per upload in flight at a kill',
        bytesSent - onePassBytes <= resendBound,
        `${megabytes(bytesSent - onePassBytes)} sent beyond one clean pass (headers included), ` +
          `at most ${megabytes(resendBound)} allowed`,
      ),
      ...checkInvariants(sim, files, dataDir),
    ];
    return {
      seed: options.seed,
      variants: sim.variants,
      files: files.length,
      fileBytes,
      kills,
      launches,
      selfExits,
      timedOut,
      bytesSent,
      onePassBytes,
      checks,
      elapsedMs: performance.now() - started,
    };
  } finally {
    await proxy.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
