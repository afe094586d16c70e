import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileStamp } from '../files/file-reader.ts';

/** Read size for hashing: small files need one read; big ones never hold more than this. */
const chunkBytes = 256 * 1024;

/**
 * SHA-256 of a file, and its size and mtime as read through the same open handle afterwards:
 * if they differ from before, the file changed while it was read. A buffer sized to the file
 * as last seen (up to 256 KB) keeps a burst of small files from churning the garbage collector.
 */
export async function hashWithStamp(
  path: string,
  expectedSize: number,
): Promise<{ sha256: string; stamp: FileStamp }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, expectedSize + 1)));
    const hash = createHash('sha256');
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
    const after = await handle.stat();
    return {
      sha256: hash.digest('hex'),
      stamp: { size: after.size, mtimeMs: Math.trunc(after.mtimeMs) },
    };
  } finally {
    await handle.close();
  }
}
