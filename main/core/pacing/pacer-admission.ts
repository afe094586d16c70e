import { parseRetryAfter } from '../graph/errors.ts';
import type { Admission } from '../graph/transport.ts';
import type { AccountPacer } from './account-pacer.ts';

/** How long a 429 without Retry-After pauses the account. */
const fallbackThrottleMs = 5_000;

/**
 * The account's pacer as the transport's admission: a request waits for room (its body counted
 * against the upload volume), holds its slot until its answer is fully read (the server counts a
 * request in flight until then), and a 429 pauses every request of the account.
 */
export function pacerAdmission(pacer: AccountPacer, now: () => number = Date.now): Admission {
  return {
    async enter(bodyBytes, signal) {
      const permit = await pacer.acquire(bodyBytes, signal);
      return {
        answered(status, headers) {
          if (status !== 429) return;
          pacer.pause(parseRetryAfter(headers.get('retry-after'), now()) ?? fallbackThrottleMs);
        },
        release: () => permit.release(),
      };
    },
  };
}
