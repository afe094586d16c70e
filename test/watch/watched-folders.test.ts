import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TaskTarget } from '../../preload/shared/contract.ts';
import { dispatchCommand } from '../../main/core/api/dispatch.ts';
import type { Engine } from '../../main/core/engine/engine.ts';
import { deleteTaskOnServer, firstTask, settle } from '../support/engine-harness.ts';
import {
  attachmentsWith,
  eventually,
  fastTimings,
  folderView,
  jobsFor,
  jobsUnder,
  recordActivity,
  watchHarness,
  type WatchHarness,
} from './watch-harness.ts';

let h: WatchHarness;
let engine: Engine | undefined;
const targets = new Map<string, TaskTarget>();

beforeAll(async () => {
  h = await watchHarness();
  for (const list of ['Receipts 2026', 'Work']) {
    for (let index = 0; index < 8; index += 1) {
      targets.set(`${list}/${index}`, await firstTask(h.sim, list, index));
    }
  }
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});
afterAll(() => h.close());

/** Each test sends to its own task, so attachment counts never mix; one task gets deleted. */
const task = (index: number, list = 'Receipts 2026'): Promise<TaskTarget> =>
  Promise.resolve(targets.get(`${list}/${index}`)!);

function put(dir: string, name: string, bytes: Buffer = randomBytes(2_000)): Buffer {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), bytes);
  return bytes;
}

/** Waits for the file's single job to finish; answers it. */
async function uploaded(e: Engine, path: string): Promise<void> {
  await eventually(async () => (await jobsFor(e, path)).length > 0, `a job for ${path}`);
  const jobs = await jobsFor(e, path);
  expect(jobs).toHaveLength(1);
  const [job] = await settle(e, [jobs[0]!.id]);
  expect(job!.state, job!.problem?.message).toBe('done');
}

describe('readiness', () => {
  it('ignores temporary and partial names, and takes a file once renamed to its final name', async () => {
    engine = await h.watching();
    const dir = h.folder('downloads');
    const target = await task(1);
    await engine.addWatchedFolder({ path: dir, target });
    const partial = put(dir, 'report.pdf.crdownload');
    for (const name of [
      '~$memo.docx',
      '.DS_Store',
      '.hidden',
      'scan.tmp',
      'video.part',
      '.~lock.sheet.ods#',
      'notes.txt~',
    ]) {
      put(dir, name);
    }
    put(dir, 'marker.txt');
    // Files ready at the same time go through in one batch: once the marker is queued, any
    // of the temporary files would have been too.
    await uploaded(engine, join(dir, 'marker.txt'));
    expect((await jobsUnder(engine, dir)).map((job) => job.fileName)).toEqual(['marker.txt']);
    // Its row says which watched folder it came from; a file the person adds comes from none.
    expect((await jobsUnder(engine, dir)).map((job) => job.watchedFolder)).toEqual([dir]);
    const elsewhere = h.folder('not-watched');
    put(elsewhere, 'by-hand.txt');
    const added = await engine.enqueue({ paths: [join(elsewhere, 'by-hand.txt')], target });
    expect(added.accepted.map((job) => job.watchedFolder)).toEqual([null]);

    renameSync(join(dir, 'report.pdf.crdownload'), join(dir, 'report.pdf'));
    await uploaded(engine, join(dir, 'report.pdf'));
    const attached = attachmentsWith(h, target.taskId, partial);
    expect(attached.map((attachment) => attachment.name)).toEqual(['report.pdf']);
  });

  it('queues files that arrived while nobody watched once, at start; a second start adds none', async () => {
    const dir = h.folder('offline');
    const target = await task(2);
    engine = await h.watching();
    await engine.addWatchedFolder({ path: dir, target });
    await engine.close();

    const contents = ['a.pdf', 'b.pdf', 'c.pdf'].map((name) => ({ name, bytes: put(dir, name) }));
    engine = await h.watching();
    await engine.startWatching();
    for (const { name } of contents) await uploaded(engine, join(dir, name));
    await engine.close();

    engine = await h.watching();
    const events = recordActivity(engine);
    await engine.startWatching();
    // A file written now is ready later than the old ones would be: once it is queued, a
    // second look at the old ones has happened.
    put(dir, 'later.pdf');
    await uploaded(engine, join(dir, 'later.pdf'));
    const jobs = await jobsUnder(engine, dir);
    expect(jobs.map((job) => job.fileName).sort()).toEqual([
      'a.pdf',
      'b.pdf',
      'c.pdf',
      'later.pdf',
    ]);
    for (const { bytes } of contents)
      expect(attachmentsWith(h, target.taskId, bytes)).toHaveLength(1);
    // Known files drop out at their first look: not even offered to the queue again.
    expect(events.filter((event) => event.kind !== 'state').map((event) => event.path)).toEqual(
      expect.not.arrayContaining(contents.map(({ name }) => join(dir, name))),
    );
  });
});

describe('exactly once', () => {
  it('does not upload a renamed file again; changed content goes again, as a new attachment', async () => {
    engine = await h.watching();
    const events = recordActivity(engine);
    const dir = h.folder('renames');
    const target = await task(3);
    // Without the skip setting, only rename detection keeps the renamed file from going again.
    await engine.addWatchedFolder({ path: dir, target, skipAttachedContent: false });
    const first = put(dir, 'invoice.pdf');
    await uploaded(engine, join(dir, 'invoice.pdf'));

    renameSync(join(dir, 'invoice.pdf'), join(dir, 'invoice-2026.pdf'));
    const renamed = join(dir, 'invoice-2026.pdf');
    await eventually(
      () => events.some((event) => event.kind === 'skipped' && event.path === renamed),
      'the renamed file to be recognised',
    );
    expect(events.find((event) => event.path === renamed)).toMatchObject({
      why: expect.stringContaining('renamed from invoice.pdf') as unknown,
    });
    expect(await jobsFor(engine, renamed)).toHaveLength(0);
    expect(attachmentsWith(h, target.taskId, first)).toHaveLength(1);

    const second = put(dir, 'invoice-2026.pdf', randomBytes(3_000));
    await uploaded(engine, renamed);
    expect(attachmentsWith(h, target.taskId, second)).toHaveLength(1);
    expect(attachmentsWith(h, target.taskId, first)).toHaveLength(1);
    expect(await jobsUnder(engine, dir)).toHaveLength(2);
  });

  it('skips content the task has already (the setting), and sends it when the setting is off', async () => {
    engine = await h.watching();
    const events = recordActivity(engine);
    const dir = h.folder('copies');
    const target = await task(0, 'Work');
    const folder = await engine.addWatchedFolder({ path: dir, target });
    const bytes = put(dir, 'x.pdf');
    await uploaded(engine, join(dir, 'x.pdf'));

    put(dir, 'copy of x.pdf', bytes);
    await eventually(
      () =>
        events.some((event) => event.kind === 'skipped' && event.path.endsWith('copy of x.pdf')),
      'the copy to be skipped',
    );
    expect(await jobsFor(engine, join(dir, 'copy of x.pdf'))).toHaveLength(0);
    expect((await folderView(engine, folder.id)).status.skipped).toBe(1);

    await engine.updateWatchedFolder({ id: folder.id, changes: { skipAttachedContent: false } });
    put(dir, 'another copy.pdf', bytes);
    await uploaded(engine, join(dir, 'another copy.pdf'));
    expect(attachmentsWith(h, target.taskId, bytes)).toHaveLength(2);
  });
});

describe('after upload', () => {
  it('moves an attached file into uploaded/, resolving a name clash, and never watches uploaded/', async () => {
    engine = await h.watching();
    const dir = h.folder('scans');
    const target = await task(4);
    const earlier = put(dir, 'uploaded/scan.pdf');
    const folder = await engine.addWatchedFolder({ path: dir, target, afterUpload: 'move' });
    const bytes = put(dir, 'scan.pdf');
    await uploaded(engine, join(dir, 'scan.pdf'));
    const moved = join(dir, 'uploaded', 'scan (2).pdf');
    await eventually(
      () => existsSync(moved) && !existsSync(join(dir, 'scan.pdf')),
      'the file to be moved',
    );
    expect(readFileSync(moved).equals(bytes)).toBe(true);
    expect(readFileSync(join(dir, 'uploaded', 'scan.pdf')).equals(earlier)).toBe(true);
    expect(attachmentsWith(h, target.taskId, earlier)).toHaveLength(0);
    await eventually(
      async () => (await folderView(engine!, folder.id)).status.uploaded === 1,
      'the status to count it',
    );
  });

  it('takes subfolders when recursive, with include and exclude patterns', async () => {
    engine = await h.watching();
    const events = recordActivity(engine);
    const dir = h.folder('tree');
    const target = await task(1, 'Work');
    await engine.addWatchedFolder({
      path: dir,
      target,
      recursive: true,
      include: ['*.pdf'],
      exclude: ['draft-*'],
      afterUpload: 'move',
    });
    put(dir, 'sub/deep/a.pdf');
    put(dir, 'sub/b.txt');
    put(dir, 'draft-c.pdf');
    put(dir, 'uploaded/old.pdf');
    put(dir, '.git/d.pdf');
    put(dir, 'TOP.PDF');
    await eventually(
      () => events.filter((event) => event.kind === 'moved').length === 2,
      'two files to be moved',
    );
    expect((await jobsUnder(engine, dir)).map((job) => job.fileName).sort()).toEqual([
      'TOP.PDF',
      'a.pdf',
    ]);
    expect(existsSync(join(dir, 'uploaded', 'sub', 'deep', 'a.pdf'))).toBe(true);
  });

  it('trashes an attached file, and never touches one whose upload failed', async () => {
    engine = await h.watching();
    const good = await task(5);
    const doomed = await task(6);
    const keepDir = h.folder('to-trash');
    const failTrashDir = h.folder('fail-trash');
    const failMoveDir = h.folder('fail-move');
    await engine.addWatchedFolder({ path: keepDir, target: good, afterUpload: 'delete' });
    const failing = await engine.addWatchedFolder({
      path: failTrashDir,
      target: doomed,
      afterUpload: 'delete',
    });
    await engine.addWatchedFolder({ path: failMoveDir, target: doomed, afterUpload: 'move' });
    await deleteTaskOnServer(h.sim, doomed);

    const goodBytes = put(keepDir, 'paid.pdf');
    const bad1 = put(failTrashDir, 'lost.pdf');
    const bad2 = put(failMoveDir, 'lost too.pdf');
    await uploaded(engine, join(keepDir, 'paid.pdf'));
    await eventually(() => h.trashed.includes(join(keepDir, 'paid.pdf')), 'paid.pdf in the trash');
    expect(existsSync(join(keepDir, 'paid.pdf'))).toBe(false);
    expect(attachmentsWith(h, good.taskId, goodBytes)).toHaveLength(1);

    for (const path of [join(failTrashDir, 'lost.pdf'), join(failMoveDir, 'lost too.pdf')]) {
      await eventually(
        async () => (await jobsFor(engine!, path)).length === 1,
        `a job for ${path}`,
      );
      const [job] = await settle(engine, [(await jobsFor(engine, path))[0]!.id]);
      expect(job!.state).toBe('failed');
    }
    await eventually(
      async () => (await folderView(engine!, failing.id)).status.failed === 1,
      'the failure in the status',
    );
    const view = await folderView(engine, failing.id);
    expect(view.status.lastError).toContain('lost.pdf');
    expect(readFileSync(join(failTrashDir, 'lost.pdf')).equals(bad1)).toBe(true);
    expect(readFileSync(join(failMoveDir, 'lost too.pdf')).equals(bad2)).toBe(true);
    expect(existsSync(join(failMoveDir, 'uploaded'))).toBe(false);
    expect(h.trashed).toEqual([join(keepDir, 'paid.pdf')]);
  });
});

describe('the folder itself', () => {
  it('shows a folder that disappears as missing, and picks up again when it returns', async () => {
    engine = await h.watching();
    const dir = h.folder('usb-stick');
    const target = await task(7);
    const folder = await engine.addWatchedFolder({ path: dir, target });
    const before = put(dir, 'before.pdf');
    await uploaded(engine, join(dir, 'before.pdf'));
    const events = recordActivity(engine);

    renameSync(dir, `${dir}-unplugged`);
    await eventually(
      async () => (await folderView(engine!, folder.id)).status.state === 'folder-missing',
      'the folder to show as missing',
    );
    expect((await folderView(engine, folder.id)).status.lastError).toContain('not there');
    const during = put(`${dir}-unplugged`, 'while away.pdf');

    renameSync(`${dir}-unplugged`, dir);
    await eventually(
      async () => (await folderView(engine!, folder.id)).status.state === 'watching',
      'watching again',
    );
    await uploaded(engine, join(dir, 'while away.pdf'));
    const after = put(dir, 'after.pdf');
    await uploaded(engine, join(dir, 'after.pdf'));
    expect(await jobsFor(engine, join(dir, 'before.pdf'))).toHaveLength(1);
    expect(events.filter((event) => event.path === join(dir, 'before.pdf'))).toEqual([]);
    for (const bytes of [before, during, after]) {
      expect(attachmentsWith(h, target.taskId, bytes)).toHaveLength(1);
    }
  });

  it('notices at once a folder that leaves with its drive and comes back, not at the minute look', async () => {
    // The look at the folder itself made rare: only watching its parents can notice in time.
    engine = h.open({ watch: { timings: { ...fastTimings, folderCheckMs: 600_000 } } });
    engine.start();
    await engine.startWatching();
    const drive = h.folder('camera-card');
    const dir = join(drive, 'DCIM');
    mkdirSync(dir);
    const target = await task(6, 'Work');
    const folder = await engine.addWatchedFolder({ path: dir, target });
    const state = async () => (await folderView(engine!, folder.id)).status.state;
    await eventually(async () => (await state()) === 'watching', 'watching');

    renameSync(drive, `${drive}-ejected`);
    await eventually(async () => (await state()) === 'folder-missing', 'the folder missing');
    put(join(`${drive}-ejected`, 'DCIM'), 'while away.pdf');
    renameSync(`${drive}-ejected`, drive);
    await eventually(async () => (await state()) === 'watching', 'watching again');
    await uploaded(engine, join(dir, 'while away.pdf'));
    const after = put(dir, 'after.pdf');
    await uploaded(engine, join(dir, 'after.pdf'));
    expect(attachmentsWith(h, target.taskId, after)).toHaveLength(1);
  });

  it('polls a folder when asked (network drives), and holds files while paused', async () => {
    engine = await h.watching();
    const dir = h.folder('network-share');
    const target = await task(2, 'Work');
    const folder = await engine.addWatchedFolder({ path: dir, target, poll: true });
    put(dir, 'polled.pdf');
    await uploaded(engine, join(dir, 'polled.pdf'));

    await engine.updateWatchedFolder({ id: folder.id, changes: { paused: true } });
    expect((await folderView(engine, folder.id)).status.state).toBe('paused');
    put(dir, 'held.pdf');
    const resumedAt = Date.now();
    await engine.updateWatchedFolder({ id: folder.id, changes: { paused: false } });
    await uploaded(engine, join(dir, 'held.pdf'));
    const [held] = await jobsFor(engine, join(dir, 'held.pdf'));
    expect(held!.createdAt).toBeGreaterThanOrEqual(resumedAt);
  });
});

describe('commands', () => {
  it('adds, lists, updates and removes folders through the contract, refusing bad input', async () => {
    engine = await h.watching({ upload: false });
    const dir = h.folder('commands');
    const target = await task(3, 'Work');
    const added = await dispatchCommand(engine, 'addWatchedFolder', [
      { path: dir, target, include: ['*.pdf'], afterUpload: 'move', moveTo: 'done/2026' },
    ]);
    expect(added.ok).toBe(true);
    const listed = await engine.listWatchedFolders();
    const mine = listed.find((folder) => folder.path === dir)!;
    expect(mine).toMatchObject({ include: ['*.pdf'], moveTo: 'done/2026', recursive: false });
    expect(mine.status.state).toBe('watching');

    const again = await dispatchCommand(engine, 'addWatchedFolder', [{ path: dir, target }]);
    expect(again).toMatchObject({ ok: false, failure: { kind: 'invalid-request' } });
    const badPattern = await dispatchCommand(engine, 'addWatchedFolder', [
      { path: h.folder('other'), target, include: ['sub/*.pdf'] },
    ]);
    expect(badPattern).toMatchObject({ ok: false, failure: { kind: 'invalid-request' } });
    const escape = await dispatchCommand(engine, 'updateWatchedFolder', [
      { id: mine.id, changes: { moveTo: '../elsewhere' } },
    ]);
    expect(escape).toMatchObject({ ok: false, failure: { kind: 'invalid-request' } });
    const stranger = await dispatchCommand(engine, 'addWatchedFolder', [
      { path: h.folder('stranger'), target: { ...target, accountId: 'nobody' } },
    ]);
    expect(stranger).toMatchObject({ ok: false, failure: { kind: 'unknown-account' } });

    const changes: string[] = [];
    engine.on('watchedFoldersChanged', (folders) =>
      changes.push(folders.map((f) => f.path).join()),
    );
    expect(await engine.removeWatchedFolder(mine.id)).toBe(true);
    expect(await engine.removeWatchedFolder(mine.id)).toBe(false);
    expect((await engine.listWatchedFolders()).some((folder) => folder.path === dir)).toBe(false);
    expect(changes.at(-1)).not.toContain(dir);
  });
});
