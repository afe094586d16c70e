/**
 * The queue on a disk that fills (docs/upload-rules.md rule 2), on a real SQLite file on a small
 * tmpfs (root only; skipped with the reason printed elsewhere): a write the disk refuses leaves
 * the row as it was and says so in plain words, the write saying why a job stopped still lands,
 * and nothing starts until the disk has room again.
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openQueueDatabase } from '../../main/core/queue/database.ts';
import { JobStore } from '../../main/core/queue/job-store.ts';
import { QueueFileError } from '../../main/core/queue/queue-file.ts';
import { reserveFileName } from '../../main/core/queue/queue-room.ts';
import { problem } from '../../main/core/upload/problems.ts';
import { smallDisk, type SmallDisk } from '../support/small-disk.ts';

let dir: string;
let disk: SmallDisk | null;
let db: Database | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-full-disk-'));
  disk = smallDisk(dir, 'disk', 1024);
});
afterEach(() => {
  db?.close();
  db = null;
  disk?.unmount();
  rmSync(dir, { recursive: true, force: true });
});

function queueOfOne(dataDir: string, now: () => number): { store: JobStore; id: number } {
  db = openQueueDatabase(dataDir);
  const store = new JobStore(db, now);
  const source = join(dir, 'a.bin');
  writeFileSync(source, 'bytes');
  const [id] = store.insertMany([
    {
      sourcePath: source,
      fileName: 'a.bin',
      contentType: 'application/octet-stream',
      size: 5,
      mtimeMs: 0,
      target: { accountId: 'a', listId: 'L', taskId: 'T', listName: 'Work', taskTitle: 'Notes' },
    },
  ]);
  return { store, id: id! };
}

it('refuses a progress write in plain words, lands the one saying why, and starts nothing until there is room', async (context) => {
  if (disk === null) return context.skip();
  let clock = Date.parse('2026-12-03T08:00:00Z');
  const dataDir = join(disk.path, 'data');
  const { store, id } = queueOfOne(dataDir, () => clock);
  expect(store.due(clock, 10).map((job) => job.id)).toEqual([id]);
  // The first look at the room put the reserve in place.
  expect(existsSync(join(dataDir, reserveFileName))).toBe(true);
  store.transition(id, 'uploading');
  disk.fill();
  // A disk filled by something else: nothing more starts, before any write of ours failed.
  expect(store.due(clock, 10)).toEqual([]);

  const refused = (() => {
    try {
      store.record(id, { ackedOffset: 3 });
      return null;
    } catch (error) {
      return error;
    }
  })();
  expect(refused).toBeInstanceOf(QueueFileError);
  expect((refused as QueueFileError).problem).toBe('full');
  expect((refused as QueueFileError).message).toContain(`The disk holding ${dataDir} is full`);
  expect(store.require(id).ackedOffset).toBe(0);

  const why = problem('file', 'The disk is full.', 'wait', clock);
  const stopped = store.transition(id, 'retrying', { problem: why, nextAttemptAt: clock });
  expect(stopped).toMatchObject({ state: 'retrying', problem: { message: 'The disk is full.' } });
  expect(existsSync(join(dataDir, reserveFileName))).toBe(false);

  clock += 10_000;
  expect(store.due(clock, 10)).toEqual([]);
  expect(store.nextDueAt()).toBeGreaterThan(clock);

  rmSync(join(disk.path, 'filler'));
  clock += 2_000;
  expect(store.due(clock, 10).map((job) => job.id)).toEqual([id]);
  expect(existsSync(join(dataDir, reserveFileName))).toBe(true);
  expect(store.record(id, { ackedOffset: 3 }).ackedOffset).toBe(3);
});
