import type { JobProblem } from '../../../preload/shared/contract.ts';
import type { GraphError } from '../graph/errors.ts';
import type { JobRow } from '../queue/job-store.ts';
import type { AccountKnowledge } from '../queue/service-knowledge.ts';
import { maxAttachmentBytes } from '../../../preload/shared/limits.ts';
import { problem } from './problems.ts';

/**
 * Files the account's service cannot take where the sources leave it open (docs/graph-unknowns.md
 * §2): a 0-byte file when an empty inline attachment is refused (a 0-byte session can never
 * complete), and a file over "25 MB" read as 25,000,000 bytes. Such a file fails after at most
 * one attempt, in plain words; once the refusal is known for the account, before any request.
 */

/** The smaller reading of the documented "25 MB". */
export const decimalSizeLimit = 25_000_000;

const bytes = (count: number): string => count.toLocaleString('en-US');

function emptyFile(job: JobRow, at: number, error?: GraphError): JobProblem {
  return problem(
    'permanent',
    `${job.fileName} is empty (0 bytes), and Microsoft To Do does not take empty attachments. Add content to it and queue it again, or remove it from the queue.`,
    'none',
    at,
    error,
  );
}

function tooLarge(job: JobRow, limit: number, at: number, error?: GraphError): JobProblem {
  return problem(
    'permanent',
    `${job.fileName} is ${bytes(job.size)} bytes; Microsoft To Do takes attachments of at most ${bytes(limit)} bytes here. Compress or split it, then queue it again.`,
    'none',
    at,
    error,
  );
}

/** What the account's knowledge already says about this file: null when it may go. */
export function knownImpossible(
  job: JobRow,
  knowledge: AccountKnowledge,
  at: number,
): JobProblem | null {
  if (job.size === 0 && knowledge.current('empty-inline') === 'refused') return emptyFile(job, at);
  const limit = knowledge.current('size-limit');
  return limit !== null && job.size > limit ? tooLarge(job, limit, at) : null;
}

/**
 * A refusal that proves the file impossible here: the fact learned for the account and the
 * problem to fail with. Null for any other refusal (which fails or retries as it is).
 */
export function impossibleByRefusal(
  job: JobRow,
  error: GraphError,
  knowledge: AccountKnowledge,
  at: number,
): JobProblem | null {
  const refused = error.kind === 'permanent' && error.status !== null && error.status < 500;
  if (!refused) return null;
  if (error.operation === 'createSmallAttachment' && job.size === 0) {
    knowledge.learn('empty-inline', 'refused');
    return emptyFile(job, at, error);
  }
  if (error.operation === 'createUploadSession' && job.size > decimalSizeLimit) {
    knowledge.learn('size-limit', decimalSizeLimit);
    return tooLarge(job, decimalSizeLimit, at, error);
  }
  return null;
}

/** An accepted file that settles one of these questions the other way. */
export function noteAccepted(job: JobRow, knowledge: AccountKnowledge): void {
  if (job.size === 0) knowledge.note('empty-inline', 'accepted');
  if (job.size > decimalSizeLimit) knowledge.note('size-limit', maxAttachmentBytes);
}
