import type { JobView } from '../../../preload/contract.ts';
import { UsageError, type CliArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { followJobs } from '../follow.ts';
import { targetFromArgs } from '../resolve-target.ts';
import type { Reporter } from '../reporters.ts';

export interface RunOutcome {
  jobs: JobView[];
  refusedCount: number;
  interrupted: boolean;
}

/** `taskdrop upload`: queue the files for one task and stay until each is settled. */
export async function upload(
  args: CliArgs,
  context: CliContext,
  reporter: Reporter,
  stop: AbortSignal,
): Promise<RunOutcome> {
  if (args.positionals.length === 0) throw new UsageError('Name at least one file to upload.');
  const target = await targetFromArgs(args, context, 'the files');
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
  if (ids.size === 0) return { jobs: [], refusedCount, interrupted: false };
  engine.start();
  const jobs = await followJobs(engine, ids, reporter, stop);
  return { jobs, refusedCount, interrupted: stop.aborted };
}

/** `taskdrop run`: work through the whole queue, then exit. */
export async function runQueue(
  context: CliContext,
  reporter: Reporter,
  stop: AbortSignal,
): Promise<RunOutcome> {
  context.engine.start();
  const jobs = await followJobs(context.engine, null, reporter, stop);
  return { jobs, refusedCount: 0, interrupted: stop.aborted };
}
