import type { FactFinding, ServiceFactId } from '../../../preload/shared/contract.ts';
import { isGraphError } from '../graph/errors.ts';
import { evidenceOf, finding, refusalText } from './facts.ts';

/** What the service probe (service-probe.ts) and its limit probes share. */

export const scratchTitle = 'taskdrop self-check — safe to delete';

/** Requests at once for the many small ones (scratch tasks): the mailbox allows 4 (upload rule 6). */
export const probeConcurrency = 3;

/** A 4xx other than throttling or auth: the service says no to the request itself. */
export function isRefusal(error: unknown): boolean {
  return (
    isGraphError(error) &&
    error.status !== null &&
    error.status >= 400 &&
    error.status < 500 &&
    error.kind !== 'throttled' &&
    error.kind !== 'auth'
  );
}

export function refused(fact: ServiceFactId, error: unknown): FactFinding {
  if (!isGraphError(error) || error.status === null) throw error;
  return finding(fact, refusalText(error), false, evidenceOf(error));
}

const maxAttempts = 4;

/**
 * A call retried while it is throttled or the service is briefly unwell, waiting as told
 * (Retry-After) or 1, 2, 4 s (upload rule 5); anything else is the caller's to judge.
 */
export async function patiently<T>(
  signal: AbortSignal | undefined,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const passing =
        isGraphError(error) && (error.kind === 'throttled' || error.kind === 'transient');
      if (!passing || attempt === maxAttempts) throw error;
      await pause(error.retryAfterMs ?? 1_000 * 2 ** (attempt - 1), signal);
    }
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, Math.min(ms, 30_000));
    function done(): void {
      signal?.removeEventListener('abort', stop);
      resolve();
    }
    function stop(): void {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    }
    signal?.addEventListener('abort', stop, { once: true });
  });
}
