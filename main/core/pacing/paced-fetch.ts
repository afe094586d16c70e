import { parseRetryAfter } from '../graph/errors.ts';
import type { AccountPacer } from './account-pacer.ts';

/** How long a 429 without Retry-After pauses the account. */
const fallbackThrottleMs = 5_000;
const nullBodyStatuses = new Set([101, 204, 205, 304]);

function bodyBytes(init: RequestInit | undefined): number {
  const body = init?.body;
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) return body.byteLength;
  // A streamed body (an upload range) says its size in Content-Length.
  return Number(new Headers(init?.headers).get('content-length') ?? 0);
}

/**
 * A fetch that goes through the account's pacer: it waits for room, holds its slot until the
 * answer is fully read (the server counts a request in flight until then), and turns a 429
 * into a pause for every request of the account.
 */
export function pacedFetch(
  pacer: AccountPacer,
  inner: typeof fetch = fetch,
  now: () => number = Date.now,
): typeof fetch {
  return async (input, init) => {
    const permit = await pacer.acquire(bodyBytes(init), init?.signal ?? undefined);
    try {
      const response = await inner(input, init);
      const body = await response.arrayBuffer();
      if (response.status === 429) {
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now());
        pacer.pause(retryAfter ?? fallbackThrottleMs);
      }
      return new Response(nullBodyStatuses.has(response.status) ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } finally {
      permit.release();
    }
  };
}
