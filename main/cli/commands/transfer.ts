import type { JobView } from '../../../preload/shared/contract.ts';
import { pendingStates } from '../../../preload/shared/job-states.ts';
import type { Engine } from '../../core/engine/engine.ts';
import { UsageError, type CliArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { followJobs } from '../follow.ts';
import { targetFromArgs } from '../resolve-target.ts';
import type { Reporter } from '../reporters.ts';

export interface RunOutcome {
  jobs: JobView[];
  refusedCount: number;
  interrupted: boolean;
  /** Stopped early: how many of the jobs stay queued. */
  queuedCount: number;
}

/** `taskdrop upload`: queue the files for one task and stay until each is settled. */
export async function upload(
  args: CliArgs,
  context: CliContext,
  reporter: Reporter,
  stop: AbortSignal,
): Promise<RunOutcome> {
  if (args.positionals.length === 0) throw new UsageError('Name at least one file to upload.');
  let target;
  try {
    target = await targetFromArgs(args, context, 'the files', stop);
  } catch (error) {
    if (stop.aborted) return { jobs: [], refusedCount: 0, interrupted: true, queuedCount: 0 };
    throw error;
  }
  const { engine } = context;
  const result = await engine.enqueue({ paths: args.positionals, target });
  const ids = new Set(result.accepted.map((job) => job.id));
  let refusedCount = 0;
  for (const refusal of result.refused) {
    reporter.refused(refusal);
    // Already queued (say, by an interrupted run of this command): follow that job instead.
    if (refusal.reason === 'duplicate' && refusal.jobId !== null) ids.add(refusal.jobId);
    // Already attached to that task is what the person wanted: not a failure.
    else if (refusal.reason !== 'already-attached') refusedCount += 1;
  }
  if (ids.size === 0) return { jobs: [], refusedCount, interrupted: false, queuedCount: 0 };
  engine.start();
  const jobs = await followJobs(engine, ids, reporter, stop);
  return followed(engine, ids, jobs, refusedCount, stop);
}

/** `taskdrop run`: work through the whole queue, then exit. */
export async function runQueue(
  context: CliContext,
  reporter: Reporter,
  stop: AbortSignal,
): Promise<RunOutcome> {
  context.engine.start();
  const jobs = await followJobs(context.engine, null, reporter, stop);
  return followed(context.engine, null, jobs, 0, stop);
}

/**
 * The outcome of following jobs. Stopped early, what is still queued is read from the queue
 * itself: the last views followed may be older than what happened before the stop.
 */
async function followed(
  engine: Engine,
  ids: ReadonlySet<number> | null,
  jobs: JobView[],
  refusedCount: number,
  stop: AbortSignal,
): Promise<RunOutcome> {
  if (!stop.aborted) return { jobs, refusedCount, interrupted: false, queuedCount: 0 };
  const now = (await engine.listJobs()).filter((job) => ids === null || ids.has(job.id));
  const queuedCount = now.filter((job) => pendingStates.includes(job.state)).length;
  return { jobs: now, refusedCount, interrupted: true, queuedCount };
}
