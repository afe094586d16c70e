import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';

/** Size and modification time as the queue records them. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

/**
 * A stamp plus what a program cannot set back: the inode (a file replaced by another shows a new
 * one) and the change time (the OS moves it forward on every write, even one that restores the
 * mtime). The same version before the first read and after the last means nothing was written.
 */
export interface FileVersion extends FileStamp {
  ino: number;
  ctimeMs: number;
}

export async function stampOf(path: string): Promise<FileStamp> {
  const facts = await stat(path);
  return { size: facts.size, mtimeMs: Math.trunc(facts.mtimeMs) };
}

export async function versionOf(path: string): Promise<FileVersion> {
  const facts = await stat(path);
  return {
    size: facts.size,
    mtimeMs: Math.trunc(facts.mtimeMs),
    ino: facts.ino,
    ctimeMs: facts.ctimeMs,
  };
}

export const sameStamp = (a: FileStamp, b: FileStamp): boolean =>
  a.size === b.size && a.mtimeMs === b.mtimeMs;

export const sameVersion = (a: FileVersion, b: FileVersion): boolean =>
  sameStamp(a, b) && a.ino === b.ino && a.ctimeMs === b.ctimeMs;

/** Reads an open file into `buffer` from `position`; answers how many bytes came, 0 at the end. */
export type ReadAt = (buffer: Buffer, position: number) => Promise<number>;

/**
 * Whether a file's bytes end where its size says: its last byte is there, and none after it.
 * Files of /proc and /sys say 0 or 4096 whatever they hold; sent by their size they would be
 * attached empty or cut (docs/upload-rules.md rule 1).
 */
export async function contentFitsSize(readAt: ReadAt, size: number): Promise<boolean> {
  const probe = Buffer.alloc(1);
  if (size > 0 && (await readAt(probe, size - 1)) !== 1) return false;
  return (await readAt(probe, size)) === 0;
}

export interface HashOptions {
  signal?: AbortSignal;
  /**
   * The size the caller last saw. Once that many bytes came from a read shorter than asked
   * for, the end is taken as reached, sparing the read that finds it: a caller that passes
   * this checks the size again afterwards, which shows a file that grew.
   */
  expectedSize?: number;
}

/**
 * SHA-256 of everything an open file holds, read from byte 0 through one buffer of at most
 * `bufferBytes`: memory stays at that buffer whatever the size.
 */
export async function sha256Through(
  readAt: ReadAt,
  bufferBytes: number,
  options: HashOptions = {},
): Promise<string> {
  const buffer = Buffer.allocUnsafe(Math.max(1, bufferBytes));
  const hash = createHash('sha256');
  for (let position = 0; ;) {
    options.signal?.throwIfAborted();
    const bytesRead = await readAt(buffer, position);
    if (bytesRead === 0) return hash.digest('hex');
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
    if (bytesRead < buffer.length && position === options.expectedSize) {
      return hash.digest('hex');
    }
  }
}

/** Read size of a whole-file hash: few reads, never a whole file in memory. */
const hashBufferBytes = 1 << 20;

/**
 * Range buffers an upload let go of, for the next one: a batch then reuses a few buffers of
 * several megabytes instead of leaving one per file for the garbage collector, which frees them
 * late (memory would grow with the batch before it levels off). As many as uploads run at once.
 */
const spareBuffers: Buffer[] = [];
const maxSpareBuffers = 4;

/** The range the buffer holds, or is being filled with, and when that read ends. */
interface HeldRange {
  start: number;
  length: number;
  filled: Promise<void>;
}

/**
 * The file of one upload attempt, opened once: every range comes through the same handle and the
 * same buffer, one range at a time (docs/upload-rules.md rule 7), without an open and a close per
 * range.
 */
export class SourceFile {
  readonly #path: string;
  readonly #handle: FileHandle;
  /** One range's room, reused: the bytes of a range are valid until another range is read. */
  #buffer = spareBuffers.pop() ?? Buffer.alloc(0);
  #held: HeldRange | null = null;

  private constructor(path: string, handle: FileHandle) {
    this.#path = path;
    this.#handle = handle;
  }

  static async open(path: string): Promise<SourceFile> {
    return new SourceFile(path, await open(path, 'r'));
  }

  /**
   * The file's bytes from `start`, in the one buffer: as loaded, when the buffer holds this
   * range, else read now. The buffer's previous bytes are gone then: read the next range only
   * once the last was sent. A file that became shorter than the range is reported, never padded.
   */
  async read(start: number, length: number): Promise<Buffer> {
    const held = this.#held;
    const holds =
      held !== null &&
      held.start === start &&
      held.length === length &&
      (await held.filled.then(
        () => true,
        () => false,
      )) &&
      this.#held === held;
    if (!holds) await this.load(start, length);
    return this.#buffer.subarray(0, length);
  }

  /**
   * Reads a range into the one buffer ahead of `read` (while a request that needs no bytes is
   * under way). Loads run one at a time, in the order asked; a failure shows in `read`.
   */
  load(start: number, length: number): Promise<void> {
    const previous = this.#held?.filled.catch(() => undefined) ?? Promise.resolve();
    const held: HeldRange = {
      start,
      length,
      filled: previous.then(() => this.#fill(start, length)),
    };
    this.#held = held;
    return held.filled.catch((error: unknown) => {
      if (this.#held === held) this.#held = null;
      throw error;
    });
  }

  async #fill(start: number, length: number): Promise<void> {
    if (this.#buffer.length < length) this.#buffer = Buffer.allocUnsafe(length);
    const buffer = this.#buffer;
    for (let filled = 0; filled < length;) {
      const { bytesRead } = await this.#handle.read(
        buffer,
        filled,
        length - filled,
        start + filled,
      );
      if (bytesRead === 0) throw new FileShrankError(this.#path, start + filled);
      filled += bytesRead;
    }
  }

  sha256(signal?: AbortSignal): Promise<string> {
    return sha256Through(this.#readAt, hashBufferBytes, { signal });
  }

  /** Whether the file holds exactly `size` bytes (see contentFitsSize). */
  fitsSize(size: number): Promise<boolean> {
    return contentFitsSize(this.#readAt, size);
  }

  readonly #readAt: ReadAt = async (buffer, position) =>
    (await this.#handle.read(buffer, 0, buffer.length, position)).bytesRead;

  /** Closes the file; its buffer goes to the next upload (its bytes must not be used after). */
  async close(): Promise<void> {
    // A read ahead still writing into the buffer must end before another upload gets it.
    await this.#held?.filled.catch(() => undefined);
    this.#held = null;
    if (this.#buffer.length > 0 && spareBuffers.length < maxSpareBuffers) {
      spareBuffers.push(this.#buffer);
    }
    this.#buffer = Buffer.alloc(0);
    return this.#handle.close();
  }
}

export class FileShrankError extends Error {
  constructor(path: string, at: number) {
    super(`${path} ended at byte ${at}, earlier than when it was queued`);
    this.name = 'FileShrankError';
  }
}
