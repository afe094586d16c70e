/** The one-buffer file reader an upload attempt reads its ranges through. */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileShrankError, sha256Through, SourceFile } from '../../main/core/files/file-reader.ts';

let dir: string;
let path: string;
let content: Buffer;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-source-'));
  path = join(dir, 'scan.pdf');
  content = randomBytes(300_000);
  writeFileSync(path, content);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SourceFile', () => {
  it('reads each range asked for, through one buffer', async () => {
    const file = await SourceFile.open(path);
    try {
      for (const [start, length] of [
        [0, 100_000],
        [100_000, 100_000],
        [200_000, 100_000],
        [50_000, 10],
      ] as const) {
        expect(await file.read(start, length)).toEqual(content.subarray(start, start + length));
      }
    } finally {
      await file.close();
    }
  });

  it('answers a loaded range from the buffer, and any other range from the file', async () => {
    const file = await SourceFile.open(path);
    try {
      const loading = file.load(0, 100_000);
      expect(await file.read(0, 100_000)).toEqual(content.subarray(0, 100_000));
      await loading;
      void file.load(100_000, 100_000);
      // Another range than the one loaded: read after the load, never mixed with it.
      expect(await file.read(200_000, 50_000)).toEqual(content.subarray(200_000, 250_000));
      expect(await file.read(100_000, 100_000)).toEqual(content.subarray(100_000, 200_000));
    } finally {
      await file.close();
    }
  });

  it('reports a file that became shorter than the range, in the read that needs the bytes', async () => {
    const file = await SourceFile.open(path);
    try {
      truncateSync(path, 150_000);
      const loading = file.load(100_000, 100_000);
      await expect(loading).rejects.toBeInstanceOf(FileShrankError);
      await expect(file.read(100_000, 100_000)).rejects.toBeInstanceOf(FileShrankError);
      expect(await file.read(0, 100_000)).toEqual(content.subarray(0, 100_000));
    } finally {
      await file.close();
    }
  });

  it('closes after a load still under way, and the next file reads its own bytes', async () => {
    const first = await SourceFile.open(path);
    void first.load(0, 300_000);
    await first.close();
    const otherPath = join(dir, 'other.pdf');
    const other = randomBytes(300_000);
    writeFileSync(otherPath, other);
    const second = await SourceFile.open(otherPath);
    try {
      expect(await second.read(0, 300_000)).toEqual(other);
    } finally {
      await second.close();
    }
  });
});

describe('sha256Through with the size last seen', () => {
  const hashOf = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

  it('spares the read that finds the end, and still hashes a file that grew whole', async () => {
    const fd = openSync(path, 'r');
    try {
      const reads: number[] = [];
      const readAt = (buffer: Buffer, position: number): Promise<number> => {
        reads.push(position);
        return Promise.resolve(readSync(fd, buffer, 0, buffer.length, position));
      };
      const exact = await sha256Through(readAt, content.length + 1, {
        expectedSize: content.length,
      });
      expect(exact).toBe(hashOf(content));
      expect(reads).toEqual([0]);

      // Seen smaller than it is now: the short read never comes at that size, so all is read.
      reads.length = 0;
      const grown = await sha256Through(readAt, 100_001, { expectedSize: 100_000 });
      expect(grown).toBe(hashOf(content));
      expect(reads.length).toBeGreaterThan(1);
    } finally {
      closeSync(fd);
    }
  });
});
