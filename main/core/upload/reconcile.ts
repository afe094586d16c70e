import type { GraphClient } from '../graph/client.ts';
import type { AttachmentInfo } from '../graph/types.ts';
import type { JobRow } from '../queue/job-store.ts';

/** Clocks of this machine and Graph's may disagree by this much. */
const clockSkewMs = 5 * 60_000;

/**
 * docs/upload-rules.md rule 4, exactly once: after a request that may have created the
 * attachment went unanswered (crash, lost response, missing Location), look for it on the task
 * before sending anything again. A match has the file's name, its size (Graph may report a
 * slightly larger stored size, docs/graph-todo-api.md §9 item 7), a timestamp no earlier than
 * the request, and no other job has claimed it.
 */
export async function findLandedAttachment(
  graph: GraphClient,
  job: JobRow,
  claimed: ReadonlySet<string>,
  now: number,
  signal?: AbortSignal,
): Promise<AttachmentInfo | null> {
  const sentAt = job.finalSentAt ?? job.createdAt;
  const attachments = await graph.listAttachments(job.target.listId, job.target.taskId, { signal });
  const candidates = attachments.filter((attachment) => {
    if (claimed.has(attachment.id) || attachment.name !== job.fileName) return false;
    if (attachment.size < job.size || attachment.size > job.size * 1.1 + 1024) return false;
    const stamp = Date.parse(attachment.lastModifiedDateTime ?? '');
    return Number.isNaN(stamp) || (stamp >= sentAt - clockSkewMs && stamp <= now + clockSkewMs);
  });
  const distance = (attachment: AttachmentInfo): number =>
    Math.abs(job.size - attachment.size) * 1e6 +
    Math.abs(Date.parse(attachment.lastModifiedDateTime ?? '') - sentAt || 0);
  return candidates.sort((a, b) => distance(a) - distance(b))[0] ?? null;
}
