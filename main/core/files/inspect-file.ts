import { close, constants, open, read, realpath, stat, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { basename, resolve } from 'node:path';
import type { Refusal } from '../../../preload/shared/contract.ts';
import { contentFitsSize, type ReadAt } from './file-reader.ts';
import { maxAttachmentBytes } from '../../../preload/shared/limits.ts';
import { tooLargeMessage } from '../../../preload/shared/sizes.ts';

export interface FileFacts {
  path: string;
  name: string;
  size: number;
  mtimeMs: number;
}

export type FileCheck = { ok: true; file: FileFacts } | { ok: false; refusal: Refusal };

// The callback calls with a plain descriptor: a FileHandle costs twice as much per file, which
// shows when 10,000 files come at once.
const statOf = promisify(stat);
const openDescriptor = promisify(open);
const closeDescriptor = promisify(close);
const readDescriptor = (
  descriptor: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> =>
  new Promise((done, fail) =>
    read(descriptor, buffer, offset, length, position, (error, bytesRead) =>
      error === null ? done(bytesRead) : fail(error),
    ),
  );
// The OS's own resolution in one call (fs.realpath walks the path a component at a time).
const realpathOf = promisify(realpath.native);

function refuse(path: string, reason: Refusal['reason'], message: string): FileCheck {
  return { ok: false, refusal: { path, reason, message, jobId: null } };
}

/**
 * Rule 1 of the upload job: a file is queued only if it is a regular, readable file of at most
 * 25 MB. Anything else is refused at once with words the person can act on.
 */
export async function inspectFile(path: string): Promise<FileCheck> {
  const absolute = resolve(path);
  const name = basename(absolute);
  let facts;
  try {
    facts = await statOf(absolute);
  } catch (error) {
    return notFound(absolute, name, error);
  }
  if (facts.isDirectory()) {
    return refuse(absolute, 'not-a-file', `${name} is a folder. Drop the files inside it instead.`);
  }
  if (!facts.isFile()) {
    return refuse(
      absolute,
      'not-a-file',
      `${name} is not a regular file (a device, pipe or socket).`,
    );
  }
  if (facts.size > maxAttachmentBytes) return tooLarge(absolute, name, facts.size);
  let sizeHolds: boolean;
  try {
    // Opening, not access(): it is what the upload will do, and it sees ACLs and locks too.
    const descriptor = await openDescriptor(absolute, constants.O_RDONLY);
    try {
      const readAt: ReadAt = (buffer, position) =>
        readDescriptor(descriptor, buffer, 0, buffer.length, position);
      sizeHolds = storedWhole(facts) || (await contentFitsSize(readAt, facts.size));
    } finally {
      await closeDescriptor(descriptor);
    }
  } catch (error) {
    return refuse(
      absolute,
      'unreadable',
      `${name} cannot be read (${describe(error)}). Check its permissions.`,
    );
  }
  // Written to meanwhile is no special file: the upload's own checks deal with a change
  // (docs/upload-rules.md rule 8).
  if (!sizeHolds && (await unchanged(absolute, facts)))
    return specialFile(absolute, name, facts.size);
  return resolved(absolute, name, { size: facts.size, mtimeMs: Math.trunc(facts.mtimeMs) });
}

/**
 * Whether the file's size is bytes stored on disk: blocks (512 bytes each, as `stat` counts them)
 * that hold at least its size. Pseudo-files (/proc, /sys) have no blocks and make their size up;
 * they, an empty file, and a sparse or compressed one are read to be sure (docs/upload-rules.md
 * rule 1). This spares two reads per file when thousands come at once.
 */
function storedWhole(facts: Stats): boolean {
  return facts.size > 0 && facts.blocks * 512 >= facts.size;
}

/** Refusal of a file whose content is not as long as its size (docs/upload-rules.md rule 1). */
async function unchanged(path: string, before: Stats): Promise<boolean> {
  const after = await statOf(path).catch(() => null);
  return after !== null && after.size === before.size && after.mtimeMs === before.mtimeMs;
}

function specialFile(path: string, name: string, size: number): FileCheck {
  return refuse(
    path,
    'not-a-file',
    `${name} holds more or less than the ${size} bytes its size says: it is a special file ` +
      '(such as those in /proc). Copy it to a regular file and attach that.',
  );
}

function notFound(path: string, name: string, error: unknown): FileCheck {
  return errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR'
    ? refuse(path, 'missing', `${name} does not exist (any more). Check the path.`)
    : refuse(path, 'unreadable', `${name} cannot be read: ${describe(error)}.`);
}

/**
 * Rule 1 for a file its caller has just looked at itself (a watched folder's: found a regular
 * file, opened and read it to hash it): only what that did not show is checked, the size limit
 * and the real path, which is what the queue knows a file by.
 */
export async function inspectKnown(file: {
  path: string;
  size: number;
  mtimeMs: number;
}): Promise<FileCheck> {
  const absolute = resolve(file.path);
  const name = basename(absolute);
  if (file.size > maxAttachmentBytes) return tooLarge(absolute, name, file.size);
  return resolved(absolute, name, file);
}

function tooLarge(path: string, name: string, size: number): FileCheck {
  return { ok: false, refusal: tooLargeRefusal(path, name, size) };
}

/**
 * The size limit of docs/upload-rules.md rule 1, for a file known by its size before its bytes (a
 * browser's drop).
 */
export function tooLargeRefusal(path: string, name: string, size: number): Refusal {
  return { path, reason: 'too-large', message: tooLargeMessage(name, size), jobId: null };
}

/** The file under its real path: the one the queue knows it by, whatever link led to it. */
async function resolved(
  absolute: string,
  name: string,
  stamp: { size: number; mtimeMs: number },
): Promise<FileCheck> {
  try {
    const path = await realpathOf(absolute);
    return { ok: true, file: { path, name, size: stamp.size, mtimeMs: stamp.mtimeMs } };
  } catch (error) {
    return notFound(absolute, name, error);
  }
}

export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}

function describe(error: unknown): string {
  const code = errorCode(error);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EBUSY') return 'it is locked by another program';
  return code ?? (error instanceof Error ? error.message : String(error));
}
