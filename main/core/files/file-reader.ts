import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** Size and modification time as the queue records them. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

export async function stampOf(path: string): Promise<FileStamp> {
  const facts = await stat(path);
  return { size: facts.size, mtimeMs: Math.trunc(facts.mtimeMs) };
}

export const sameStamp = (a: FileStamp, b: FileStamp): boolean =>
  a.size === b.size && a.mtimeMs === b.mtimeMs;

/** SHA-256 of a file, streamed: memory stays at one read buffer whatever the size. */
export function hashFile(path: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = createReadStream(path, { highWaterMark: 1 << 20, signal });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * Reads exactly one range: the only file bytes an upload holds at a time (rule 7).
 * A file that became shorter than the range is reported, never padded.
 */
export async function readRange(path: string, start: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, start + filled);
      if (bytesRead === 0) throw new FileShrankError(path, start + filled);
      filled += bytesRead;
    }
    return buffer;
  } finally {
    await handle.close();
  }
}

export class FileShrankError extends Error {
  constructor(path: string, at: number) {
    super(`${path} ended at byte ${at}, earlier than when it was queued`);
    this.name = 'FileShrankError';
  }
}
