import { close, fstat, open, read } from 'node:fs';
import { promisify } from 'node:util';
import { sha256Through, type FileStamp } from '../files/file-reader.ts';

/** Read size for hashing: small files need one read; big ones never hold more than this. */
const chunkBytes = 256 * 1024;

// The callback calls with a plain descriptor: a FileHandle costs twice as much per file, which
// shows when a burst of 10,000 files is hashed.
const openDescriptor = promisify(open);
const readDescriptor = promisify(read);
const statDescriptor = promisify(fstat);
const closeDescriptor = promisify(close);

/**
 * SHA-256 of a file, and its size and mtime as read through the same open descriptor afterwards:
 * if they differ from before, the file changed while it was read. A buffer sized to the file
 * as last seen (up to 256 KB) keeps a burst of small files from churning the garbage collector.
 */
export async function hashWithStamp(
  path: string,
  expectedSize: number,
): Promise<{ sha256: string; stamp: FileStamp }> {
  const fd = await openDescriptor(path, 'r');
  try {
    const sha256 = await sha256Through(
      async (buffer, position) =>
        (await readDescriptor(fd, buffer, 0, buffer.length, position)).bytesRead,
      Math.min(chunkBytes, expectedSize + 1),
      { expectedSize },
    );
    const after = await statDescriptor(fd);
    return { sha256, stamp: { size: after.size, mtimeMs: Math.trunc(after.mtimeMs) } };
  } finally {
    await closeDescriptor(fd);
  }
}
