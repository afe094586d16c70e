import type { GraphError, GraphErrorKind } from '../graph/errors.ts';
import { jitteredBackoff } from '../pacing/backoff.ts';

export interface RetryPolicy {
  /** First backoff step; each failure in a row doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures in a row without a byte of progress before a server error is given up on. */
  maxFailuresInARow: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  maxFailuresInARow: 8,
};

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

const retryableKinds = new Set<GraphErrorKind>(['transient', 'throttled', 'session-gone']);

/**
 * Rule 5: retry what is transient, stop on what is not. The server's Retry-After wins; otherwise
 * jittered exponential backoff. Being offline never gives up (the network comes back); a server
 * that keeps failing does, after `maxFailuresInARow` tries without progress. A session gone (404)
 * past what one attempt handles is retried too: the next attempt asks for it, or starts anew.
 */
export function decideRetry(
  error: GraphError,
  failuresInARow: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (!retryableKinds.has(error.kind)) return { retry: false };
  const offline = error.status === null;
  if (!offline && error.kind !== 'throttled' && failuresInARow >= policy.maxFailuresInARow) {
    return { retry: false };
  }
  if (error.retryAfterMs !== null) return { retry: true, delayMs: error.retryAfterMs };
  const delayMs = jitteredBackoff(failuresInARow, policy.baseDelayMs, policy.maxDelayMs, random);
  return { retry: true, delayMs };
}
