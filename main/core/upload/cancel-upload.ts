import type { GraphClient } from '../graph/client.ts';
import type { JobRow, JobStore } from '../queue/job-store.ts';
import { findLandedAttachment } from './reconcile.ts';

export type CancelResult = { kind: 'cancelled' } | { kind: 'attached'; attachmentId: string };

/**
 * Rule 10: cancelling deletes the upload session. When the last request was already on its way
 * the file may be attached anyway; then the truth is "done", and the job says so.
 */
export async function cancelUpload(
  job: JobRow,
  graph: GraphClient,
  store: JobStore,
  now: number,
): Promise<CancelResult> {
  let gone = job.uploadUrl === null;
  if (job.uploadUrl !== null) {
    try {
      gone = (await graph.deleteUploadSession(job.uploadUrl)) === 'already-gone';
    } catch {
      // Offline or refused: the session expires on its own; cancelling must not wait for it.
    }
  }
  if (job.finalSentAt !== null && gone) {
    try {
      const claimed = store.claimedAttachmentIds(job.target.taskId);
      const landed = await findLandedAttachment(graph, job, claimed, now);
      if (landed !== null) return { kind: 'attached', attachmentId: landed.id };
    } catch {
      // Cannot tell right now: cancelled is what the person asked for.
    }
  }
  return { kind: 'cancelled' };
}
