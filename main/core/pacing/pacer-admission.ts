import { parseRetryAfter } from '../graph/errors.ts';
import { parseGraphErrorBody } from '../graph/parse.ts';
import type { Admission } from '../graph/transport.ts';
import type { AccountPacer } from './account-pacer.ts';
import { jitteredBackoff } from './backoff.ts';

/**
 * A 429 without Retry-After (often the case, docs/graph-unknowns.md §3) pauses the account by
 * jittered exponential backoff: 1–2 s at first, doubling with each such 429 in a row, at most
 * 30–60 s.
 */
const bareThrottleBaseMs = 2_000;
const bareThrottleCapMs = 60_000;

/** The 429 of the 4-concurrent-requests limit names it (docs/graph-unknowns.md §3). */
const isConcurrencyRefusal = (bodyText: string): boolean =>
  /MailboxConcurrency/i.test(parseGraphErrorBody(bodyText).message ?? '');

/**
 * The account's pacer as the transport's admission: a request waits for room (its body counted
 * against the upload volume), holds its slot until its answer is fully read (the server counts a
 * request in flight until then), and a 429 pauses every request of the account; a concurrency
 * 429 also lowers how many go at once. The 429s of one wave (requests in flight together) count
 * once: those arriving while the account is already paused change nothing more.
 */
export function pacerAdmission(
  pacer: AccountPacer,
  now: () => number = Date.now,
  random: () => number = Math.random,
): Admission {
  let bareInARow = 0;
  return {
    async enter(bodyBytes, signal) {
      const permit = await pacer.acquire(bodyBytes, signal);
      return {
        answered(status, headers, bodyText) {
          if (status !== 429) {
            bareInARow = 0;
            return;
          }
          if (now() < pacer.pausedUntil) return;
          if (isConcurrencyRefusal(bodyText)) pacer.reduceConcurrency();
          const retryAfter = parseRetryAfter(headers.get('retry-after'), now());
          if (retryAfter !== null) {
            pacer.pause(retryAfter);
            return;
          }
          bareInARow += 1;
          pacer.pause(jitteredBackoff(bareInARow, bareThrottleBaseMs, bareThrottleCapMs, random));
        },
        release: () => permit.release(),
      };
    },
  };
}
