import { describe, expect, it } from 'vitest';
import {
  GraphError,
  graphErrorFromResponse,
  type GraphErrorKind,
} from '../../main/core/graph/errors.ts';
import {
  decideRetry,
  defaultRetryPolicy,
  type RetryPolicy,
} from '../../main/core/upload/retry-policy.ts';

const policy: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 300_000, maxFailuresInARow: 8 };

function error(
  kind: GraphErrorKind,
  status: number | null,
  retryAfterMs: number | null = null,
): GraphError {
  return new GraphError({
    kind,
    message: 'test',
    operation: 'uploadRange',
    status,
    code: null,
    requestId: null,
    clientRequestId: null,
    retryAfterMs,
    ambiguous: false,
  });
}

const never = (): number => 0;
const always = (): number => 1;

describe('decideRetry', () => {
  it.each([
    ['not-found', 404],
    ['auth', 401],
    ['permanent', 400],
    ['permanent', 413],
  ] as const)('does not retry %s (%i)', (kind, status) => {
    expect(decideRetry(error(kind, status), 1, policy)).toEqual({ retry: false });
  });

  it.each([
    ['transient', 500],
    ['transient', 502],
    ['transient', 503],
    ['transient', 504],
    ['throttled', 429],
    ['session-gone', 404],
    ['transient', null],
  ] as const)('retries %s (%s)', (kind, status) => {
    expect(decideRetry(error(kind, status), 1, policy)).toMatchObject({ retry: true });
  });

  it('waits exactly what Retry-After says', () => {
    expect(decideRetry(error('throttled', 429, 2_128), 1, policy)).toEqual({
      retry: true,
      delayMs: 2_128,
    });
    expect(decideRetry(error('transient', 503, 30_000), 3, policy, always)).toEqual({
      retry: true,
      delayMs: 30_000,
    });
  });

  it('reads Retry-After in seconds, fractional seconds and as an HTTP date', () => {
    const now = Date.UTC(2026, 3, 1, 12, 0, 0);
    const fromHeader = (value: string): number | null => {
      const graph = graphErrorFromResponse({
        operation: 'uploadRange',
        status: 429,
        headers: new Headers({ 'Retry-After': value }),
        bodyText: '',
        clientRequestId: 'c',
        nowMs: now,
      });
      const decision = decideRetry(graph, 1, policy);
      return decision.retry ? decision.delayMs : null;
    };
    expect(fromHeader('3')).toBe(3_000);
    expect(fromHeader('0.25')).toBe(250);
    expect(fromHeader(new Date(now + 5_000).toUTCString())).toBe(5_000);
  });

  it('backs off exponentially with jitter between half and all of each step, up to the cap', () => {
    const bounds = [1, 2, 3, 4, 20].map((failures) => [
      decideRetry(error('transient', 503), failures, { ...policy, maxFailuresInARow: 50 }, never),
      decideRetry(error('transient', 503), failures, { ...policy, maxFailuresInARow: 50 }, always),
    ]);
    expect(bounds).toEqual([
      [
        { retry: true, delayMs: 500 },
        { retry: true, delayMs: 1_000 },
      ],
      [
        { retry: true, delayMs: 1_000 },
        { retry: true, delayMs: 2_000 },
      ],
      [
        { retry: true, delayMs: 2_000 },
        { retry: true, delayMs: 4_000 },
      ],
      [
        { retry: true, delayMs: 4_000 },
        { retry: true, delayMs: 8_000 },
      ],
      [
        { retry: true, delayMs: 150_000 },
        { retry: true, delayMs: 300_000 },
      ],
    ]);
  });

  it('spreads the retries of many jobs', () => {
    const delays = Array.from({ length: 50 }, () => {
      const decision = decideRetry(error('transient', 500), 3, policy);
      return decision.retry ? decision.delayMs : -1;
    });
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(2_000);
      expect(delay).toBeLessThanOrEqual(4_000);
    }
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('gives up on a server that keeps failing after maxFailuresInARow', () => {
    expect(decideRetry(error('transient', 503), 7, policy)).toMatchObject({ retry: true });
    expect(decideRetry(error('transient', 503), 8, policy)).toEqual({ retry: false });
    expect(decideRetry(error('session-gone', 404), 8, policy)).toEqual({ retry: false });
  });

  it('never gives up while offline or throttled: those end by themselves', () => {
    const offline = decideRetry(error('transient', null), 1_000, policy, always);
    expect(offline).toEqual({ retry: true, delayMs: policy.maxDelayMs });
    expect(decideRetry(error('throttled', 429), 1_000, policy)).toMatchObject({ retry: true });
  });

  it('defaults to 1 s steps, 5 min at most, 8 failures in a row', () => {
    expect(defaultRetryPolicy).toEqual({
      baseDelayMs: 1_000,
      maxDelayMs: 300_000,
      maxFailuresInARow: 8,
    });
  });
});
