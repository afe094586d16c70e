import type { Hash } from 'node:crypto';
import { isGraphError, type GraphError } from '../graph/errors.ts';
import type { ByteSource } from '../graph/types.ts';
import { yieldToEventLoop } from '../watch/limited.ts';
import { firstOffset, type AttemptContext } from './attempt-context.ts';
import { FileIssueStop, type FileGuard, type FileIssue } from './file-guard.ts';
import { FinalRangeBody } from './final-range-body.ts';

/**
 * How a range that does not start at the server's offset may be refused: 416 is documented for
 * OneDrive only; 400 and 409 are what other services answer (docs/graph-unknowns.md §1).
 */
const outOfOrderStatuses = new Set([416, 400, 409]);

/** One range of the file, read and ready to go. */
export interface Range {
  offset: number;
  bytes: Buffer;
  /** Whether this range ends the file: then it completes the attachment. */
  isLast: boolean;
  /**
   * The hash of every byte before `offset`, when this attempt sent them all from 0; null
   * otherwise (the file is then hashed whole before its last byte).
   */
  runningHash: Hash | null;
}

/** What one PUT of a range came to, for the loop to act on. */
export type RangeOutcome =
  /** Accepted; `next` is the server's next expected offset, null when it named none. */
  | { kind: 'advanced'; next: number | null }
  /** 201: the attachment exists; its id, when the Location header named it. */
  | { kind: 'completed'; attachmentId: string | null }
  /** Refused as out of order (docs/upload-rules.md rule 3): ask the server where it stands. */
  | { kind: 're-sync'; error: GraphError }
  /** 404 on the session: expired, or completed by an earlier request (rule 5). */
  | { kind: 'session-gone'; error: GraphError }
  /** Any other refusal: the attempt ends, and the retry policy decides. */
  | { kind: 'refused'; error: GraphError }
  /** The check before the last byte found the file changed or gone (rule 8). */
  | { kind: 'file'; issue: FileIssue };

/** Slices small enough for the requests in flight to get a turn between them (~0.6 ms each). */
const hashSliceBytes = 1024 * 1024;

/**
 * Hashes a range in slices, letting the event loop run before and between them: its request
 * goes out meanwhile, so hashing overlaps the transfer instead of coming before it. The bytes
 * are only read, so they may be on their way at the same time.
 */
async function hashWhileSending(hash: Hash, bytes: Buffer): Promise<void> {
  for (let start = 0; start < bytes.length; start += hashSliceBytes) {
    await yieldToEventLoop();
    hash.update(bytes.subarray(start, start + hashSliceBytes));
  }
}

/**
 * The body of a final range holds back its last byte until the file was checked and the final
 * request recorded (rules 8 and 4, FinalRangeBody): nothing can complete the attachment before.
 */
function finalBody(
  context: AttemptContext,
  guard: FileGuard,
  range: Range,
  hashing: Promise<void>,
  wholeFileSha256: string | null,
): FinalRangeBody {
  let sha256 = wholeFileSha256;
  return new FinalRangeBody(range.bytes, async () => {
    await hashing;
    // Once: a request sent again (after a 401) checks the same content.
    sha256 ??= range.runningHash?.digest('hex') ?? '';
    const issue = await guard.verifyUnchanged(sha256);
    if (issue !== null) throw new FileIssueStop(issue);
    context.record({ finalSentAt: context.deps.now(), sha256 });
  });
}

/**
 * Sends one range and says what came of it as a value. A failure that is neither the server's
 * answer nor the file's (an abort, a queue that cannot be written, a sign-in) is thrown.
 * `wholeFileSha256` is the file's hash for a last range sent without a running hash.
 */
export async function sendRange(
  context: AttemptContext,
  guard: FileGuard,
  range: Range,
  wholeFileSha256: string | null = null,
): Promise<RangeOutcome> {
  const { runningHash, bytes, offset, isLast } = range;
  const hashing = runningHash === null ? Promise.resolve() : hashWhileSending(runningHash, bytes);
  const body: ByteSource | Buffer = isLast
    ? finalBody(context, guard, range, hashing, wholeFileSha256)
    : bytes;
  try {
    const answer = await context.deps.graph.uploadRange(
      context.job.uploadUrl ?? '',
      { start: offset, totalSize: context.job.size, bytes: body },
      context.signalOption,
    );
    if (answer.kind === 'completed')
      return { kind: 'completed', attachmentId: answer.attachmentId };
    return { kind: 'advanced', next: firstOffset(answer.nextExpectedRanges) };
  } catch (error) {
    return refusal(context, body, isLast, error);
  } finally {
    // The buffer is read again only once the hash is done with it.
    await hashing;
  }
}

function refusal(
  context: AttemptContext,
  body: ByteSource | Buffer,
  isLast: boolean,
  error: unknown,
): RangeOutcome {
  if (body instanceof FinalRangeBody && body.failure !== null && !context.deps.signal.aborted) {
    if (body.failure instanceof FileIssueStop) return { kind: 'file', issue: body.failure.issue };
    throw body.failure;
  }
  if (!isGraphError(error)) throw error;
  if (error.kind === 'session-gone') return { kind: 'session-gone', error };
  // An answered failure proves the last range did not complete the file.
  if (isLast && !error.ambiguous) context.record({ finalSentAt: null });
  return outOfOrderStatuses.has(error.status ?? 0)
    ? { kind: 're-sync', error }
    : { kind: 'refused', error };
}
