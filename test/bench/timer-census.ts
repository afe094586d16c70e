/**
 * Counts timer wake-ups by where each timer was set: an `async_hooks` hook records every
 * `Timeout` as it is created (its delay and the first frame of the code that set it) and counts
 * its callbacks. Install it before the code under test creates its timers.
 */
import { createHook } from 'node:async_hooks';

interface TimerSite {
  site: string;
  delayMs: number;
}

export interface TimerWakeups {
  site: string;
  /** The delay the timer was set with (the period of an interval). */
  delayMs: number;
  wakeups: number;
}

export interface TimerCensus {
  /** Starts counting afresh. */
  begin(): void;
  /** Wake-ups since `begin`, by site, most first. */
  end(): TimerWakeups[];
}

/** The first frame outside Node's internals and this file: who set the timer. */
function callerSite(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  const frame = frames.find(
    (line) =>
      !line.includes('node:') &&
      !line.includes('callerSite') &&
      !/\binit\b/.test(line) &&
      !line.includes('(<anonymous>)') &&
      line.trim() !== 'at new Promise',
  );
  return frame?.trim().replace(/^at /, '') ?? 'unknown';
}

export function installTimerCensus(): TimerCensus {
  const timers = new Map<number, TimerSite>();
  let counts = new Map<number, number>();
  createHook({
    init(asyncId, type, _trigger, resource) {
      if (type !== 'Timeout') return;
      const delayMs = (resource as { _idleTimeout?: number })._idleTimeout ?? -1;
      timers.set(asyncId, { site: callerSite(), delayMs });
    },
    before(asyncId) {
      if (timers.has(asyncId)) counts.set(asyncId, (counts.get(asyncId) ?? 0) + 1);
    },
    destroy(asyncId) {
      if (!counts.has(asyncId)) timers.delete(asyncId);
    },
  }).enable();
  return {
    begin: () => {
      counts = new Map();
    },
    end: () => {
      const bySite = new Map<string, TimerWakeups>();
      for (const [asyncId, wakeups] of counts) {
        const timer = timers.get(asyncId);
        if (timer === undefined) continue;
        const key = `${timer.site} ${timer.delayMs}`;
        const entry = bySite.get(key) ?? { ...timer, wakeups: 0 };
        entry.wakeups += wakeups;
        bySite.set(key, entry);
      }
      return [...bySite.values()].sort((a, b) => b.wakeups - a.wakeups);
    },
  };
}
