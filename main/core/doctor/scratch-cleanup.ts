/** Deleting what a live check made: its upload sessions and scratch tasks, now or next run. */
import type { GraphClient } from '../graph/client.ts';
import { isGraphError } from '../graph/errors.ts';
import { forEachLimited } from '../watch/limited.ts';
import { evidenceOf } from './facts.ts';
import { patiently } from './patiently.ts';
import { probeConcurrency, scratchTitle, type ServiceProbeOptions } from './probe-context.ts';
import type { ScratchRun } from './scratch-ledger.ts';

export async function cleanUpEarlierRuns(options: ServiceProbeOptions): Promise<string[]> {
  const earlier = await options.ledger.runsOf(options.account.id, options.account.graphUrl);
  const leftovers: string[] = [];
  for (const run of earlier) leftovers.push(...(await cleanUp(options, run)));
  return leftovers;
}

/**
 * Deletes the run's sessions and every scratch task in its list (which takes their attachments
 * with them), without the caller's signal: a stopped check still cleans up. What cannot be
 * deleted is named; the record stays, so the next run tries again.
 */
export async function cleanUp(options: ServiceProbeOptions, run: ScratchRun): Promise<string[]> {
  const { graph } = options;
  const recorded = (await options.ledger.runsOf(run.accountId, run.graphUrl)).find(
    (entry) => entry.startedAt === run.startedAt,
  );
  const leftovers: string[] = [];
  // The size probes' sessions were deleted already: they answer 404, taken as gone.
  for (const uploadUrl of recorded?.sessions ?? []) {
    try {
      await patiently(undefined, () => graph.deleteUploadSession(uploadUrl));
    } catch (error) {
      // Sessions that cannot be addressed (no session GET, no DELETE) still die with their task.
      if (!isGraphError(error) || error.kind !== 'permanent')
        leftovers.push(`an upload session (${evidenceOf(error)})`);
    }
  }
  try {
    const tasks = await patiently(undefined, () => graph.listTasks(run.listId));
    const scratch = tasks.filter((candidate) => candidate.title === scratchTitle);
    await forEachLimited(scratch, probeConcurrency, (task) =>
      deleteTask(graph, run.listId, task.id),
    );
  } catch (error) {
    leftovers.push(`the task “${scratchTitle}” (${evidenceOf(error)})`);
  }
  if (leftovers.length === 0) await options.ledger.finish(run);
  return leftovers;
}

async function deleteTask(graph: GraphClient, listId: string, taskId: string): Promise<void> {
  try {
    await patiently(undefined, () => graph.deleteTask(listId, taskId));
  } catch (error) {
    if (!isGraphError(error) || error.kind !== 'not-found') throw error;
  }
}
