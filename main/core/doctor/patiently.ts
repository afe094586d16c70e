import { isGraphError } from '../graph/errors.ts';

const maxAttempts = 4;

/**
 * A call retried while it is throttled or the service is briefly unwell, waiting as told
 * (Retry-After) or 1, 2, 4 s (docs/upload-rules.md rule 5); anything else is the caller's to judge.
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
