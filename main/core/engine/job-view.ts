import type { JobProgress, JobView, QueueSummary } from '../../../preload/shared/contract.ts';
import { jobStates } from '../../../preload/shared/contract.ts';
import type { JobRow, StateCount } from '../queue/job-store.ts';

export function toJobView(
  row: JobRow,
  progress: JobProgress | undefined,
  watchedFolder: string | null = null,
): JobView {
  const acked = row.state === 'done' ? row.size : row.ackedOffset;
  return {
    id: row.id,
    fileName: row.fileName,
    sourcePath: row.sourcePath,
    size: row.size,
    contentType: row.contentType,
    target: row.target,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    problem: row.problem,
    attachmentId: row.attachmentId,
    watchedFolder,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    finishedAt: row.finishedAt,
    bytesSent: progress?.bytesSent ?? acked,
    bytesAcked: progress?.bytesAcked ?? acked,
    speed: progress?.speed ?? null,
    etaSeconds: progress?.etaSeconds ?? null,
    stalled: progress?.stalled ?? false,
  };
}

export function toSummary(counts: readonly StateCount[]): QueueSummary {
  const byState = Object.fromEntries(
    jobStates.map((state) => [state, 0]),
  ) as QueueSummary['byState'];
  let bytes = 0;
  let acked = 0;
  for (const count of counts) {
    byState[count.state] = count.jobs;
    if (count.state === 'cancelled') continue;
    bytes += count.bytes;
    acked += count.ackedBytes;
  }
  const total = counts.reduce((sum, count) => sum + count.jobs, 0);
  return {
    total,
    byState,
    overallPercent: bytes === 0 ? (total === 0 ? 0 : 100) : Math.floor((acked / bytes) * 100),
  };
}
