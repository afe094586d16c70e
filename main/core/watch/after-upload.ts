import type { Stats } from 'node:fs';
import { link, mkdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, relative } from 'node:path';
import { sameStamp, type FileStamp } from '../files/file-reader.ts';
import { errorCode } from '../files/inspect-file.ts';
import { hashWithStamp } from './content-hash.ts';

export interface AttachedContent extends FileStamp {
  sha256: string;
}

/**
 * Whether the file at `path` is still the one that was attached: same size, mtime and content.
 * Only then may it be moved or deleted; anything else is new content, or someone else's.
 */
export async function stillAttachedContent(
  path: string,
  attached: AttachedContent,
): Promise<'same' | 'changed' | 'gone'> {
  let facts;
  try {
    facts = await stat(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return 'gone';
    throw error;
  }
  const stamp = { size: facts.size, mtimeMs: Math.trunc(facts.mtimeMs) };
  if (!facts.isFile() || !sameStamp(stamp, attached)) return 'changed';
  const { sha256, stamp: after } = await hashWithStamp(path, attached.size);
  return sha256 === attached.sha256 && sameStamp(after, attached) ? 'same' : 'changed';
}

/** "scan.pdf", 2 → "scan (2).pdf"; a name with no extension just gets the number. */
export function numberedName(name: string, n: number): string {
  if (n < 2) return name;
  const ext = extname(name);
  return ext === '' ? `${name} (${n})` : `${name.slice(0, -ext.length)} (${n})${ext}`;
}

/** Tries up to this many names before giving up on a crowded folder. */
const maxNumberedNames = 10_000;

/**
 * Moves `path` into `moveTo` under the watched folder `root`, keeping its place below the root
 * (sub/a.pdf → uploaded/sub/a.pdf); a name taken already becomes "a (2).pdf". Never replaces
 * a file. Answers where it went.
 */
export async function moveIntoSubfolder(
  path: string,
  root: string,
  moveTo: string,
): Promise<string> {
  const destinationDir = join(root, moveTo, dirname(relative(root, path)));
  await mkdir(destinationDir, { recursive: true });
  const source = await stat(path);
  const name = basename(path);
  for (let n = 1; n <= maxNumberedNames; n += 1) {
    const destination = join(destinationDir, numberedName(name, n));
    const taken = await statOrNull(destination);
    if (taken !== null && taken.dev === source.dev && taken.ino === source.ino) {
      // A move cut short between its link and its unlink (a crash): finish it.
      await unlink(path);
      return destination;
    }
    if (taken === null && (await placeWithoutReplacing(path, destination))) return destination;
  }
  throw new Error(`${destinationDir} has ${maxNumberedNames} files called like ${name} already`);
}

/**
 * A hard link and an unlink: the link fails when the name is taken, so nothing is ever
 * overwritten. Drives without hard links (FAT, some network shares) get a look-then-rename.
 */
async function placeWithoutReplacing(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') {
      throw error;
    }
    if ((await statOrNull(to)) !== null) return false;
    await rename(from, to);
    return true;
  }
  await unlink(from);
  return true;
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}
