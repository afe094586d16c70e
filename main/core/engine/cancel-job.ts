import type { GraphClient } from '../graph/client.ts';
import type { JobRow, JobStore } from '../queue/job-store.ts';
import { cancelUpload } from '../upload/cancel-upload.ts';

/** How a cancel ended: cancelled, or done because the file turned out to be attached. */
export type CancelEnd = 'cancelled' | 'attached';

/**
 * The one way a job is cancelled, whether its upload was in flight (the scheduler, once the
 * request is aborted) or idle (a queue command): the session is let go (docs/upload-rules.md
 * rule 10); when the last request had landed after all, the job is done instead
 * (docs/upload-rules.md rule 4), through the store's one way to done. `keepState` lets go of the session only (a retarget).
 * `graph` is absent when the job's account is gone: then there is no session to ask about.
 */
export async function cancelJob(
  row: JobRow,
  graph: GraphClient | undefined,
  store: JobStore,
  now: number,
  options: { keepState?: boolean } = {},
): Promise<CancelEnd> {
  const result =
    graph === undefined
      ? ({ kind: 'cancelled' } as const)
      : await cancelUpload(row, graph, store, now);
  if (result.kind === 'attached') {
    store.finishAttached(row.id, result.attachmentId);
    return 'attached';
  }
  if (options.keepState !== true && row.state !== 'cancelled') {
    store.transition(row.id, 'cancelled', { uploadUrl: null, uploadExpiresAt: null });
  }
  return 'cancelled';
}
