/** Numbers for people: sizes, speeds, durations and times, in short fixed shapes. */

import { formatBytes } from '../../preload/shared/sizes.ts';

/** One unit with the CLI and the engine's messages (preload/shared/sizes.ts). */
export { formatBytes };

export function formatSpeed(bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? '' : `${formatBytes(bytesPerSecond)}/s`;
}

/** "8 s left", "3 min left", "1 h 5 min left". */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  return `${formatDuration(seconds)} left`;
}

export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  if (whole < 60) return `${whole} s`;
  const minutes = Math.round(whole / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function formatClock(epochMs: number): string {
  return clock.format(new Date(epochMs));
}

const dayAndClock = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** The time of day for today; the day too for anything older. */
export function formatWhen(epochMs: number, now: number): string {
  const sameDay = new Date(epochMs).toDateString() === new Date(now).toDateString();
  return sameDay ? formatClock(epochMs) : dayAndClock.format(new Date(epochMs));
}

/** Whole percent, never 100 before the last byte is confirmed. */
export function percentOf(done: number, total: number): number {
  if (total <= 0) return done >= total ? 100 : 0;
  const percent = Math.floor((done / total) * 100);
  return done < total ? Math.min(99, percent) : 100;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}
