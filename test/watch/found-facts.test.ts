/**
 * A watched folder hands what it found to the queue: the job starts with the content hash the
 * folder read (docs/upload-rules.md rule 8 then compares the bytes sent with it), and a file that
 * became a link or too large in the meantime is still judged by the queue's rules.
 */
import { createHash, randomBytes } from 'node:crypto';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../main/core/engine/engine.ts';
import { inspectKnown } from '../../main/core/files/inspect-file.ts';
import { maxAttachmentBytes } from '../../preload/shared/limits.ts';
import { openQueueDatabase } from '../../main/core/queue/database.ts';
import { JobStore } from '../../main/core/queue/job-store.ts';
import { firstTask, settle } from '../support/engine-harness.ts';
import {
  eventually,
  jobsUnder,
  recordActivity,
  watchHarness,
  type WatchHarness,
} from './watch-harness.ts';

let h: WatchHarness;
let engine: Engine | undefined;

beforeAll(async () => {
  h = await watchHarness();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});
afterAll(() => h.close());

describe('what a watched folder hands to the queue', () => {
  it('queues each file with the hash of the content it read, before any byte is sent', async () => {
    engine = await h.watching({ upload: false });
    const dir = h.folder('scans');
    const contents = [randomBytes(3_000), randomBytes(0), randomBytes(300_000)];
    contents.forEach((bytes, index) => writeFileSync(join(dir, `scan-${index}.pdf`), bytes));
    await engine.addWatchedFolder({ path: dir, target: await firstTask(h.sim, 'Work', 0) });
    await eventually(
      async () => (await jobsUnder(engine!, dir)).length === contents.length,
      'three jobs',
    );
    await engine.close();
    engine = undefined;

    const db = openQueueDatabase(h.dataDir);
    try {
      const rows = new JobStore(db).all();
      const byName = new Map(rows.map((row) => [row.fileName, row]));
      contents.forEach((bytes, index) => {
        const row = byName.get(`scan-${index}.pdf`);
        expect(row?.state).toBe('waiting');
        expect(row?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
        expect(row?.size).toBe(bytes.length);
      });
    } finally {
      db.close();
    }
  });
});

describe('content the task has already, looked up once per batch', () => {
  it('skips what a drop by hand attached, and sends one of two copies found together', async () => {
    engine = await h.watching();
    const events = recordActivity(engine);
    const target = await firstTask(h.sim, 'Work', 1);
    const dropped = join(h.folder('desk'), 'invoice.pdf');
    const invoice = randomBytes(5_000);
    writeFileSync(dropped, invoice);
    const { accepted } = await engine.enqueue({ paths: [dropped], target });
    const [job] = await settle(
      engine,
      accepted.map((view) => view.id),
    );
    expect(job?.state).toBe('done');

    const dir = h.folder('inbox');
    const scan = randomBytes(4_000);
    writeFileSync(join(dir, 'invoice copy.pdf'), invoice);
    writeFileSync(join(dir, 'scan.pdf'), scan);
    writeFileSync(join(dir, 'scan again.pdf'), scan);
    await engine.addWatchedFolder({ path: dir, target });
    await eventually(
      () =>
        events.filter((event) => event.kind === 'skipped' || event.kind === 'queued').length === 3,
      'three files decided',
    );
    const skipped = events.filter((event) => event.kind === 'skipped').map((event) => event.path);
    const queued = events.filter((event) => event.kind === 'queued').map((event) => event.path);
    expect(skipped).toContain(join(dir, 'invoice copy.pdf'));
    expect(queued).toHaveLength(1);
    expect([join(dir, 'scan.pdf'), join(dir, 'scan again.pdf')]).toContain(queued[0]);
    expect(skipped).toHaveLength(2);
  });
});

describe('inspectKnown', () => {
  it('takes the facts as found, under the real path of a link', async () => {
    const dir = h.folder('links');
    const real = join(dir, 'real.pdf');
    writeFileSync(real, 'pdf');
    const link = join(dir, 'link.pdf');
    symlinkSync(real, link);
    const check = await inspectKnown({ path: link, size: 3, mtimeMs: 42 });
    expect(check).toEqual({
      ok: true,
      file: { path: real, name: 'link.pdf', size: 3, mtimeMs: 42 },
    });
  });

  it('refuses a file over 25 MB and one that is gone, in words', async () => {
    const dir = h.folder('refusals');
    const big = await inspectKnown({
      path: join(dir, 'video.mp4'),
      size: maxAttachmentBytes + 1,
      mtimeMs: 0,
    });
    expect(big).toMatchObject({ ok: false, refusal: { reason: 'too-large' } });
    const gone = await inspectKnown({ path: join(dir, 'gone.pdf'), size: 1, mtimeMs: 0 });
    expect(gone).toMatchObject({
      ok: false,
      refusal: {
        reason: 'missing',
        message: 'gone.pdf does not exist (any more). Check the path.',
      },
    });
  });
});
