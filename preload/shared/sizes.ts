import { maxAttachmentBytes } from './limits.ts';

/**
 * The one size unit taskdrop shows, in the app and in the CLI: 1 KB = 1,024 bytes and
 * 1 MB = 1,048,576 bytes, as Windows and Microsoft's own "25 MB" attachment limit count them
 * (docs/graph-unknowns.md reads that limit as 26,214,400 bytes). A file of exactly the limit
 * reads "25.0 MB", and so does the limit.
 */

export const bytesPerMb = 1_048_576;

const units = ['KB', 'MB', 'GB'] as const;

/** "512 bytes", "820 KB", "1.2 MB", "25.0 MB": three figures at most. */
export function formatBytes(bytes: number): string {
  const whole = Math.max(0, Math.round(bytes));
  if (whole < 1024) return whole === 1 ? '1 byte' : `${whole} bytes`;
  let value = whole / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit] ?? 'GB'}`;
}

/** A file over the limit: by how much, in the same unit, and what to do about it. */
export function tooLargeMessage(name: string, size: number): string {
  return (
    `${name} is ${formatBytes(size)}, ${formatBytes(size - maxAttachmentBytes)} over the ` +
    `${formatBytes(maxAttachmentBytes)} To Do accepts per attachment. Compress or split it, ` +
    'then add it again.'
  );
}
