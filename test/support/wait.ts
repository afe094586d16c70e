import { vi } from 'vitest';

/**
 * How every test waits for something to happen: vitest's `vi.waitFor`, bounded in time, with a
 * message that says what was awaited (docs/testing.md, "Waiting in tests").
 */
export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

const defaults = { timeoutMs: 15_000, intervalMs: 25 } as const;

/**
 * Resolves once `check` answers true; after `timeoutMs` rejects with "timed out after … waiting
 * for `what`" (`what` may be a function, to describe the state found at the end).
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs: number = defaults.timeoutMs,
  intervalMs: number = defaults.intervalMs,
): Promise<void> {
  await waitForValue(async () => ((await check()) ? true : undefined), what, {
    timeoutMs,
    intervalMs,
  });
}

/**
 * Resolves with the first value `read` gives that is not undefined; after `timeoutMs` rejects
 * naming `what`.
 */
export async function waitForValue<T>(
  read: () => T | undefined | Promise<T | undefined>,
  what: string | (() => string),
  { timeoutMs = defaults.timeoutMs, intervalMs = defaults.intervalMs }: WaitOptions = {},
): Promise<T> {
  const notYet = new Error('not yet');
  try {
    return await vi.waitFor(
      async () => {
        const value = await read();
        if (value === undefined) throw notYet;
        return value;
      },
      { timeout: timeoutMs, interval: intervalMs },
    );
  } catch (error) {
    // A look still under way when time ran out leaves vitest's bare "Timed out in waitFor!".
    const vitestTimeout = error instanceof Error && error.message.includes('Timed out in waitFor');
    if (error !== notYet && !vitestTimeout) throw error;
    const awaited = typeof what === 'string' ? what : what();
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${awaited}`, { cause: error });
  }
}
