import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnqueueResult, JobView } from '../../preload/shared/contract.ts';
import type { Engine } from '../../main/core/engine/engine.ts';
import { createLogger, type Logger } from '../../main/core/logging/logger.ts';
import { startWebServer, type RunningWebServer } from '../../main/web/web-server.ts';
import { harness, settle, sha256Of, waitUntil, type Harness } from '../support/engine-harness.ts';
import { dropFiles, openCommandSocket, stage, type CommandSocket } from '../support/web-socket.ts';

let h: Harness;
let engine: Engine;
let web: RunningWebServer;
let stageDir: string;
let kept: string;
let socket: CommandSocket;
let log: Logger;

beforeAll(async () => {
  h = await harness();
  // Not started: jobs wait until a test starts the uploads.
  engine = h.open();
  stageDir = join(h.dir, 'staged');
  // What an earlier run left: a copy a queued job still needs, and copies nothing needs.
  mkdirSync(join(stageDir, 'queued-before'), { recursive: true });
  kept = join(stageDir, 'queued-before', 'kept.txt');
  writeFileSync(kept, 'still queued');
  await engine.enqueue({ paths: [kept], target: h.target });
  mkdirSync(join(stageDir, 'crashed-before-queueing'));
  writeFileSync(join(stageDir, 'crashed-before-queueing', 'lost.txt'), 'nobody needs this');
  writeFileSync(join(stageDir, 'stray.bin'), 'nor this');
  const staticDir = mkdtempSync(join(tmpdir(), 'taskdrop-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>taskdrop</title>');
  log = createLogger();
  web = await startWebServer({ api: engine, staticDir, stageDir, log });
  socket = await openCommandSocket(web);
});
afterAll(async () => {
  socket?.close();
  await web?.close();
  await h?.close();
});

const accepted = (answer: Record<string, unknown>): JobView[] =>
  (answer['value'] as EnqueueResult).accepted;
const refused = (answer: Record<string, unknown>): EnqueueResult['refused'] =>
  (answer['value'] as EnqueueResult).refused;
const stagedFolders = (): string[] => readdirSync(stageDir).sort();

describe('files dropped in a browser, staged by npm run web', () => {
  it('removes at start the staged copies no job needs, and keeps one a queued job needs', () => {
    expect(stagedFolders()).toEqual(['queued-before']);
    expect(readFileSync(kept, 'utf8')).toBe('still queued');
  });

  it('removes a staged copy once its job is cancelled or removed', async () => {
    const [first, second] = accepted(
      await dropFiles(
        socket,
        [
          { name: 'cancel me.txt', bytes: randomBytes(500) },
          { name: 'remove me.txt', bytes: randomBytes(500) },
        ],
        h.target,
      ),
    );
    expect(existsSync(first!.sourcePath) && existsSync(second!.sourcePath)).toBe(true);
    expect(await engine.cancel({ ids: [first!.id] })).toBe(1);
    expect(await engine.remove({ ids: [second!.id] })).toBe(1);
    await waitUntil(
      () => !existsSync(first!.sourcePath) && !existsSync(second!.sourcePath),
      'the copies to go',
    );
    expect(stagedFolders()).toEqual(['queued-before']);
  });

  it('refuses the same bytes for the same task as queued, then as attached; the copy goes once done', async () => {
    const bytes = randomBytes(3_000);
    const first = await dropFiles(socket, [{ name: 'Receipt.pdf', bytes }], h.target);
    const [job] = accepted(first);
    // Chosen again, and twice in one drop: a new copy each time, the same content.
    const again = await dropFiles(
      socket,
      [
        { name: 'Receipt.pdf', bytes },
        { name: 'Receipt.pdf', bytes },
      ],
      h.target,
    );
    expect(accepted(again)).toEqual([]);
    expect(refused(again)).toEqual([
      expect.objectContaining({
        reason: 'duplicate',
        jobId: job!.id,
        message: `Receipt.pdf is already in the queue for “${h.target.taskTitle}”.`,
      }),
      expect.objectContaining({ reason: 'duplicate' }),
    ]);
    // The refused copies are gone at once.
    expect(stagedFolders()).toHaveLength(2);

    engine.start();
    const [done] = await settle(engine, [job!.id]);
    expect(done?.state).toBe('done');
    await waitUntil(() => !existsSync(job!.sourcePath), 'the copy of the attached file to go');
    const afterDone = await dropFiles(socket, [{ name: 'Receipt.pdf', bytes }], h.target);
    expect(refused(afterDone)).toEqual([
      expect.objectContaining({ reason: 'already-attached', jobId: job!.id }),
    ]);
    const attached = h.sim.control.attachments().filter((file) => file.name === 'Receipt.pdf');
    expect(attached.map((file) => file.sha256)).toEqual([sha256Of(bytes)]);
  });

  it('gives two files of the same name in one drop a copy each: both arrive whole', async () => {
    const one = randomBytes(2_000);
    const other = randomBytes(2_500);
    const answer = await dropFiles(
      socket,
      [
        { name: 'scan.pdf', bytes: one },
        { name: 'scan.pdf', bytes: other },
      ],
      h.target,
    );
    const jobs = accepted(answer);
    expect(jobs).toHaveLength(2);
    expect(jobs[0]!.sourcePath).not.toBe(jobs[1]!.sourcePath);
    await settle(
      engine,
      jobs.map((job) => job.id),
    );
    const attached = h.sim.control.attachments().filter((file) => file.name === 'scan.pdf');
    expect(attached.map((file) => file.sha256).sort()).toEqual(
      [sha256Of(one), sha256Of(other)].sort(),
    );
  });

  it('refuses a malformed or incomplete file with words that name it, and queues nothing of it', async () => {
    const before = (await engine.listJobs()).length;
    const started = await socket.call('stageFile', [{ name: 'broken.txt', size: 12 }]);
    const { uploadId } = started['value'] as { uploadId: string };
    const damaged = await socket.call('stagePiece', [
      { uploadId, offset: 0, contentBase64: 'not base64!!' },
    ]);
    expect(damaged).toEqual({
      id: expect.any(Number),
      ok: false,
      failure: {
        kind: 'invalid-request',
        message:
          'broken.txt arrived damaged (its bytes were not valid base64), so it was not queued. Add it again.',
      },
    });
    const late = await socket.call('enqueueStaged', [{ uploadIds: [uploadId], target: h.target }]);
    expect(late).toMatchObject({ ok: false, failure: { kind: 'invalid-request' } });

    const short = await stage(socket, 'short.txt', Buffer.from('12345'));
    const shortId = 'uploadId' in short ? short.uploadId : '';
    // Announced as 10 bytes, 5 sent: the rest never came.
    const declared = await socket.call('stageFile', [{ name: 'half.txt', size: 10 }]);
    const halfId = (declared['value'] as { uploadId: string }).uploadId;
    await socket.call('stagePiece', [
      { uploadId: halfId, offset: 0, contentBase64: Buffer.from('12345').toString('base64') },
    ]);
    const queued = await socket.call('enqueueStaged', [
      { uploadIds: [halfId, shortId], target: h.target },
    ]);
    expect(refused(queued)).toEqual([
      expect.objectContaining({
        reason: 'unreadable',
        message:
          'half.txt did not arrive whole (5 of 10 bytes), so it was not queued. Add it again.',
      }),
    ]);
    expect(accepted(queued).map((job) => job.fileName)).toEqual(['short.txt']);

    const tooLarge = await socket.call('stageFile', [{ name: 'video.mov', size: 26_300_000 }]);
    expect(tooLarge['value']).toEqual({
      uploadId: null,
      refused: expect.objectContaining({
        reason: 'too-large',
        message:
          'video.mov is 25.1 MB, 83.6 KB over the 25.0 MB To Do accepts per attachment. ' +
          'Compress or split it, then add it again.',
      }),
    });
    expect((await engine.listJobs()).length).toBe(before + 1);
  });

  it('keeps every message small: one over the limit closes that socket, and the server goes on', async () => {
    const big = await openCommandSocket(web);
    big.ws.send(Buffer.alloc(3 * 1024 * 1024, 0x20).toString());
    expect(await big.closed).toBe(1009);
    expect(await socket.call('summary', [])).toMatchObject({ ok: true });
  });

  it('removes what a connection staged and did not queue once it closes', async () => {
    const leaving = await openCommandSocket(web);
    const staged = await stage(leaving, 'left behind.txt', randomBytes(100));
    expect('uploadId' in staged).toBe(true);
    const leftBehind = (): boolean =>
      stagedFolders().some((folder) => existsSync(join(stageDir, folder, 'left behind.txt')));
    expect(leftBehind()).toBe(true);
    leaving.close();
    await leaving.closed;
    await waitUntil(() => !leftBehind(), 'the unqueued copy to go');
  });

  it('says plainly when a copy cannot be written, and writes the details down', async () => {
    // The staging folder replaced by a file: nothing can be created in it, even as root.
    renameSync(stageDir, `${stageDir}.aside`);
    writeFileSync(stageDir, 'not a folder');
    try {
      const answer = await socket.call('stageFile', [{ name: 'notes.txt', size: 10 }]);
      expect(answer).toMatchObject({
        ok: false,
        failure: {
          kind: 'not-available',
          message: expect.stringMatching(
            /^notes\.txt could not be copied into taskdrop's data folder \(ENOTDIR\)\. Free some disk space/,
          ),
        },
      });
      expect(log.recentProblems()).toContainEqual(
        expect.objectContaining({ msg: 'a dropped file could not be staged' }),
      );
    } finally {
      rmSync(stageDir);
      renameSync(`${stageDir}.aside`, stageDir);
    }
  });
});
