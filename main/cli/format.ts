import type { JobView } from '../../preload/shared/contract.ts';
import { problemCodes } from '../../preload/shared/problem-details.ts';

/**
 * C0 and C1 controls but the line break, DEL, and the bidirectional overrides and isolates:
 * what lets a file name or a task title (others can set those on a shared list) move the
 * cursor, retitle the terminal or reorder what a line seems to say.
 */
// eslint-disable-next-line no-control-regex
const unsafeInTerminal = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Text for a person's terminal: each unsafe character shown as its code, `\x1b`, `\u202e`. */
export function terminalSafe(text: string): string {
  return text.replace(unsafeInTerminal, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** The app's own unit (preload/shared/sizes.ts): the CLI and the window say the same size. */
export { formatBytes } from '../../preload/shared/sizes.ts';

export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return `${minutes}:${String(whole % 60).padStart(2, '0')}`;
}

export function percent(job: Pick<JobView, 'bytesAcked' | 'size' | 'state'>): number {
  if (job.state === 'done') return 100;
  return job.size === 0 ? 0 : Math.floor((job.bytesAcked / job.size) * 100);
}

export function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** "name", shortened in the middle to fit. */
export function fit(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  const half = Math.floor((width - 1) / 2);
  return `${text.slice(0, half)}…${text.slice(text.length - (width - 1 - half))}`;
}

/** A failure's codes after its words, " (403 accessDenied, request-id …)", to look up. */
export function codesOf(job: Pick<JobView, 'problem'>): string {
  const codes = job.problem === null ? null : problemCodes(job.problem);
  return codes === null ? '' : ` (${codes})`;
}

export function describeJob(job: JobView): string {
  const where = `“${job.target.taskTitle}”`;
  switch (job.state) {
    case 'done':
      return `✓ ${job.fileName} attached to ${where}`;
    case 'failed':
      return `✗ ${job.fileName}: ${job.problem?.message ?? 'failed'}${codesOf(job)}`;
    case 'needs-sign-in':
      return `! ${job.fileName}: ${job.problem?.message ?? 'sign-in needed'}`;
    case 'retrying': {
      const next =
        job.nextAttemptAt === null
          ? ''
          : ` Next try in ${formatDuration((job.nextAttemptAt - Date.now()) / 1000)}.`;
      return `… ${job.fileName}: ${job.problem?.message ?? 'retrying'}${next}`;
    }
    case 'cancelled':
      return `– ${job.fileName}: cancelled`;
    case 'paused':
      return `‖ ${job.fileName}: paused`;
    default:
      return `${job.fileName}: ${job.state}`;
  }
}
