/** What a request is made of, checked before it goes: ids, sizes and the range it carries. */
import type { RangeUpload } from './types.ts';

export function requireText(name: string, value: string): string {
  if (value === '') throw new TypeError(`${name} must not be empty`);
  return value;
}

export function requirePositiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** An id as one path segment of a Graph URL. */
export function segment(id: string): string {
  return encodeURIComponent(requireText('id', id));
}

export function assertRangeUpload(range: RangeUpload): void {
  const { start, totalSize, bytes } = range;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new RangeError(`range start must be a non-negative integer, got ${start}`);
  }
  if (bytes.byteLength === 0) throw new RangeError('a range needs at least one byte');
  if (!Number.isSafeInteger(totalSize) || start + bytes.byteLength > totalSize) {
    throw new RangeError(
      `range ${start}+${bytes.byteLength} does not fit a file of ${totalSize} bytes`,
    );
  }
}

export function contentRange({ start, totalSize, bytes }: RangeUpload): string {
  return `bytes ${start}-${start + bytes.byteLength - 1}/${totalSize}`;
}
