import Database from 'better-sqlite3';
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobProgress, JobState, JobView, JobsChanged } from '../../preload/shared/contract.ts';
import { jobStates } from '../../preload/shared/contract.ts';
import { transitions } from '../../preload/shared/job-states.ts';
import type { Engine } from '../../main/core/engine/engine.ts';
import { stampOf } from '../../main/core/files/file-reader.ts';
import { GraphClient } from '../../main/core/graph/client.ts';
import { DataDirInUseError, openQueueDatabase } from '../../main/core/queue/database.ts';
import { JobStore } from '../../main/core/queue/job-store.ts';
import { IllegalTransitionError } from '../../main/core/queue/states.ts';
import {
  expectAttachedOnce,
  firstTask,
  harness,
  killMidUpload,
  receivedAt,
  requestsFor,
  settle,
  sha256Of,
  smallRanges,
  waitUntil,
  type Harness,
} from '../support/engine-harness.ts';

const range = smallRanges.rangeSize;

let h: Harness;

beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

/** Sizes differ per file so that Content-Range totals tell the jobs apart in the request log. */
function sized(name: string, ranges: number, extra: number): string {
  return h.file(name, ranges * range + extra);
}

/** Content-Ranges of one job's uploads, told apart by the file size they end with. */
function rangesOf(size: number): (string | null)[] {
  return requestsFor(h.sim, 'uploadContent')
    .filter((entry) => entry.contentRange?.endsWith(`/${size}`) === true)
    .map((entry) => entry.contentRange);
}

async function jobOf(engine: Engine, id: number): Promise<JobView> {
  const job = (await engine.listJobs()).find((candidate) => candidate.id === id);
  if (job === undefined) throw new Error(`no job ${id}`);
  return job;
}

/** Makes every range slow enough to act on an upload in flight. */
function slowRanges(ms = 40): void {
  h.sim.control.addFault({ operation: 'uploadContent', times: 0, action: { type: 'delay', ms } });
}

function integrityCheck(dataDir: string): unknown {
  const db = new Database(join(dataDir, 'queue.sqlite3'), { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
}

describe('the state transition table', () => {
  // The table itself (its properties: test/shared/job-states.test.ts); here, that the store holds to it.
  const allowed = transitions;
  /** A legal way from waiting to each state. */
  const pathTo: Record<JobState, JobState[]> = {
    waiting: [],
    uploading: ['uploading'],
    retrying: ['uploading', 'retrying'],
    'needs-sign-in': ['needs-sign-in'],
    paused: ['paused'],
    failed: ['uploading', 'failed'],
    cancelled: ['cancelled'],
    done: ['uploading', 'done'],
  };

  it('allows exactly these moves; an illegal one throws and changes nothing', () => {
    const db = openQueueDatabase(h.dataDir);
    try {
      const store = new JobStore(db);
      const path = h.file('table.txt', 10);
      // Done is reached only through finishAttached, which sets the whole size acknowledged.
      const move = (id: number, to: JobState) =>
        to === 'done'
          ? store.finishAttached(id, 'attachment-1')
          : store.transition(id, to, { ackedOffset: 7 });
      for (const from of jobStates) {
        for (const to of jobStates) {
          const [id] = store.insertMany([
            {
              sourcePath: path,
              fileName: 'table.txt',
              contentType: 'text/plain',
              size: 10,
              mtimeMs: 1,
              target: h.target,
            },
          ]);
          const job = store.require(id!);
          for (const step of pathTo[from]) move(job.id, step);
          const before = store.require(job.id);
          expect(before.state).toBe(from);
          if (allowed[from].includes(to)) {
            const after = move(job.id, to);
            expect(after.state).toBe(to);
            expect(after.ackedOffset).toBe(to === 'done' ? 10 : 7);
            const terminal = to === 'done' || to === 'failed' || to === 'cancelled';
            expect(after.finishedAt !== null).toBe(terminal);
          } else {
            expect(() => move(job.id, to), `${from} → ${to}`).toThrow(IllegalTransitionError);
            expect(store.require(job.id)).toEqual(before);
          }
        }
      }
    } finally {
      db.close();
    }
    expect(integrityCheck(h.dataDir)).toBe('ok');
  });
});

describe('crashes and restarts', () => {
  it('killed (SIGKILL) mid-upload: recovered to waiting with its facts, finishes once, ≤ one range re-sent', async () => {
    const path = sized('crash.pdf', 6, 999);
    const size = 6 * range + 999;
    await killMidUpload(h, path);

    const engine = h.open(smallRanges);
    const [recovered] = await engine.listJobs();
    expect(recovered).toMatchObject({ state: 'waiting', bytesAcked: 2 * range, attempts: 1, size });
    engine.start();
    const [job] = await settle(engine, [recovered!.id]);
    expectAttachedOnce(h.sim, job!);
    expect(requestsFor(h.sim, 'createUploadSession')).toHaveLength(1);
    const sent = requestsFor(h.sim, 'uploadContent').reduce(
      (sum, entry) => sum + entry.bodyBytes,
      0,
    );
    console.log(`crash: ${sent - size} bytes re-sent (one range: ${range})`);
    expect(sent - size).toBeLessThanOrEqual(range);
    await engine.close();
    expect(integrityCheck(h.dataDir)).toBe('ok');
  });

  /**
   * The crash docs/upload-rules.md rule 4 is about: the final range went out, the process died
   * before the answer was recorded. `landed` says whether that range had reached the server.
   */
  async function crashAfterFinalRange(
    landed: boolean,
  ): Promise<{ engine: Engine; job: JobView; seq: number }> {
    const path = sized(landed ? 'landed.pdf' : 'lost.pdf', 2, 4_321);
    const size = 2 * range + 4_321;
    const bytes = readFileSync(path);
    const graph = new GraphClient({
      graphUrl: h.sim.graphUrl,
      getAccessToken: () => Promise.resolve(h.sim.testToken),
    });
    const { listId, taskId } = h.target;
    const name = landed ? 'landed.pdf' : 'lost.pdf';
    const session = await graph.createUploadSession(listId, taskId, {
      name,
      size,
      contentType: 'application/pdf',
    });
    for (const start of [0, range]) {
      await graph.uploadRange(session.uploadUrl, {
        start,
        totalSize: size,
        bytes: bytes.subarray(start, start + range),
      });
    }
    const finalSentAt = Date.now();
    if (landed) {
      const final = await graph.uploadRange(session.uploadUrl, {
        start: 2 * range,
        totalSize: size,
        bytes: bytes.subarray(2 * range),
      });
      expect(final.kind).toBe('completed');
    }
    const db = openQueueDatabase(h.dataDir);
    const store = new JobStore(db);
    const stamp = await stampOf(path);
    const [id] = store.insertMany([
      {
        sourcePath: path,
        fileName: name,
        contentType: 'application/pdf',
        size,
        mtimeMs: stamp.mtimeMs,
        target: h.target,
      },
    ]);
    store.transition(id!, 'uploading', { attempts: 1 });
    store.record(id!, {
      sha256: sha256Of(bytes),
      protocol: 'session',
      uploadUrl: session.uploadUrl,
      uploadExpiresAt: session.expiresAt,
      ackedOffset: 2 * range,
      finalSentAt,
    });
    // No shutdown, no state change: exactly what a crash leaves.
    db.close();
    const seq = h.sim.control.requests().at(-1)!.seq;
    const engine = h.open(smallRanges);
    const [recovered] = await engine.listJobs();
    expect(recovered).toMatchObject({ state: 'waiting', bytesAcked: 2 * range });
    engine.start();
    const [job] = await settle(engine, [recovered!.id]);
    return { engine, job: job!, seq };
  }

  it('crash after the final range landed: found on the task, nothing sent again', async () => {
    const { job, seq } = await crashAfterFinalRange(true);
    expectAttachedOnce(h.sim, job);
    const after = h.sim.control.requests(seq).map((entry) => entry.operation);
    expect(after).toContain('listAttachments');
    expect(after).not.toContain('uploadContent');
    expect(after).not.toContain('createUploadSession');
  });

  it('crash before the final range landed: the session is resumed, only the last range sent', async () => {
    const { job, seq } = await crashAfterFinalRange(false);
    expectAttachedOnce(h.sim, job);
    // The session still waiting says the file did not complete: no need to list the task.
    const after = h.sim.control.requests(seq).map((entry) => entry.operation);
    expect(after).toContain('getUploadSession');
    expect(after).not.toContain('listAttachments');
    const uploads = h.sim.control
      .requests(seq)
      .filter((entry) => entry.operation === 'uploadContent');
    expect(uploads.map((entry) => entry.contentRange)).toEqual([
      `bytes ${2 * range}-${2 * range + 4_320}/${2 * range + 4_321}`,
    ]);
  });

  it('a second engine on the same data dir is refused clearly; the first keeps working', async () => {
    const first = h.open(smallRanges);
    first.start();
    let refusal: unknown;
    try {
      h.open(smallRanges);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataDirInUseError);
    expect((refusal as Error).message).toBe(
      `Another taskdrop (pid ${process.pid}) is already using ${h.dataDir}. Close it first, or use another --data-dir.`,
    );
    const { accepted } = await first.enqueue({
      paths: [sized('still-works.pdf', 2, 5)],
      target: h.target,
    });
    const [job] = await settle(first, [accepted[0]!.id]);
    expectAttachedOnce(h.sim, job!);
  });
});

describe('commands', () => {
  let engine: Engine;

  beforeEach(() => {
    engine = h.open(smallRanges);
    engine.start();
  });

  afterEach(async () => {
    await engine.close();
    expect(integrityCheck(h.dataDir)).toBe('ok');
  });

  it('pause and resume one job: the other goes on; it resumes where it stopped', async () => {
    slowRanges();
    const sizeA = 8 * range + 11;
    const { accepted } = await engine.enqueue({
      paths: [sized('pause-a.pdf', 8, 11), sized('pause-b.pdf', 8, 22)],
      target: h.target,
    });
    const [a, b] = accepted.map((job) => job.id);
    await waitUntil(() => rangesOf(sizeA).length >= 2, 'a to be under way');
    expect(await engine.pause({ ids: [a!] })).toBe(1);
    const paused = await jobOf(engine, a!);
    expect(paused.state).toBe('paused');
    expect(paused.bytesAcked).toBeGreaterThan(0);
    // Paused, not cancelled: its session is kept for later.
    expect(h.sim.control.sessions().map((session) => session.name)).toContain('pause-a.pdf');
    const [doneB] = await settle(engine, [b!]);
    expect(doneB!.state).toBe('done');
    expect((await jobOf(engine, a!)).state).toBe('paused');

    h.sim.control.clearFaults();
    expect(await engine.resume({ ids: [a!] })).toBe(1);
    const [doneA] = await settle(engine, [a!]);
    expectAttachedOnce(h.sim, doneA!);
    expectAttachedOnce(h.sim, doneB!);
    // Resumed, not restarted: one session each, nothing committed twice, and at most the range
    // cut off by the pause went out again.
    expect(h.sim.control.counters().bytesCommitted).toBe(sizeA + doneB!.size);
    expect(rangesOf(sizeA).length).toBeLessThanOrEqual(9 + 1);
    expect(requestsFor(h.sim, 'createUploadSession')).toHaveLength(2);
  });

  it('pause all stops everything, nothing is sent while paused; resume all finishes all once', async () => {
    slowRanges();
    const { accepted } = await engine.enqueue({
      paths: [1, 2, 3, 4, 5].map((n) => sized(`all-${n}.pdf`, 4, n)),
      target: h.target,
    });
    const ids = accepted.map((job) => job.id);
    await waitUntil(
      () => (h.sim.control.counters().byOperation.uploadContent ?? 0) >= 3,
      'uploads to start',
    );
    expect(await engine.pause({ all: true })).toBe(5);
    expect((await engine.listJobs()).map((job) => job.state)).toEqual(Array(5).fill('paused'));
    const quietFrom = Date.now();
    const seq = h.sim.control.requests().at(-1)?.seq ?? 0;
    // What is asserted is an absence: a window of several ranges' time (40 ms each) with none.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.sim.control.requests(seq).filter((entry) => receivedAt(entry) > quietFrom)).toEqual(
      [],
    );
    expect((await engine.summary()).byState.paused).toBe(5);

    h.sim.control.clearFaults();
    expect(await engine.resume({ all: true })).toBe(5);
    for (const job of await settle(engine, ids)) expectAttachedOnce(h.sim, job);
  });

  it('cancel in flight aborts the request and deletes the session', async () => {
    h.sim.control.addFault({
      operation: 'uploadContent',
      nth: 2,
      action: { type: 'delay', ms: 3_000 },
    });
    const { accepted } = await engine.enqueue({
      paths: [sized('cancel.pdf', 4, 1)],
      target: h.target,
    });
    await waitUntil(
      () => (h.sim.control.counters().byOperation.uploadContent ?? 0) >= 2,
      'the second range to reach the simulator',
    );
    const startedAt = Date.now();
    expect(await engine.cancel({ ids: [accepted[0]!.id] })).toBe(1);
    // The range held for 3 s was not waited for.
    expect(Date.now() - startedAt).toBeLessThan(1_500);
    const job = await jobOf(engine, accepted[0]!.id);
    expect(job.state).toBe('cancelled');
    expect(h.sim.control.sessions()).toEqual([]);
    expect(requestsFor(h.sim, 'deleteUploadSession')).toHaveLength(1);
    expect(h.sim.control.attachments().filter((a) => a.name === 'cancel.pdf')).toEqual([]);
    // Cancelling again changes nothing; a cancelled job may be retried.
    expect(await engine.cancel({ ids: [job.id] })).toBe(0);
    expect(await engine.retry({ ids: [job.id] })).toBe(1);
    const [again] = await settle(engine, [job.id]);
    expectAttachedOnce(h.sim, again!);
  });

  it('cancel a paused job deletes its session too', async () => {
    slowRanges();
    const size = 6 * range + 3;
    const { accepted } = await engine.enqueue({
      paths: [sized('cancel-paused.pdf', 6, 3)],
      target: h.target,
    });
    await waitUntil(() => rangesOf(size).length >= 2, 'the upload to be under way');
    await engine.pause({ ids: [accepted[0]!.id] });
    expect(h.sim.control.sessions()).toHaveLength(1);
    expect(await engine.cancel({ ids: [accepted[0]!.id] })).toBe(1);
    expect((await jobOf(engine, accepted[0]!.id)).state).toBe('cancelled');
    expect(h.sim.control.sessions()).toEqual([]);
  });

  it('remove: in flight or not, the job is gone and so is its session', async () => {
    slowRanges();
    const removed: number[] = [];
    engine.on('jobsChanged', (change) => removed.push(...change.removed));
    const size = 6 * range + 4;
    const { accepted } = await engine.enqueue({
      paths: [sized('remove-running.pdf', 6, 4), sized('remove-waiting.pdf', 1, 5)],
      target: h.target,
    });
    const [running, other] = accepted.map((job) => job.id);
    await waitUntil(() => rangesOf(size).length >= 2, 'the upload to be under way');
    expect(await engine.remove({ ids: [running!] })).toBe(1);
    expect((await engine.listJobs()).map((job) => job.id)).toEqual([other]);
    expect(h.sim.control.sessions().map((session) => session.name)).not.toContain(
      'remove-running.pdf',
    );
    await settle(engine, [other!]);
    expect(await engine.remove({ ids: [other!] })).toBe(1);
    expect(await engine.listJobs()).toEqual([]);
    await waitUntil(() => removed.includes(running!) && removed.includes(other!), 'removal events');
    expect(await engine.remove({ ids: [running!] })).toBe(0);
  });

  it('clearFinished removes done and cancelled jobs only', async () => {
    h.sim.control.addFault({
      operation: 'createAttachment',
      nth: 3,
      action: { type: 'status', status: 400 },
    });
    const { accepted } = await engine.enqueue({
      paths: ['one', 'two', 'three'].map((name) => h.file(`${name}.txt`, 1_000)),
      target: h.target,
    });
    const jobs = await settle(
      engine,
      accepted.map((job) => job.id),
    );
    expect(jobs.map((job) => job.state).sort()).toEqual(['done', 'done', 'failed']);
    const failed = jobs.find((job) => job.state === 'failed')!;
    const done = jobs.filter((job) => job.state === 'done');
    await engine.cancel({ ids: [failed.id] });
    expect((await jobOf(engine, failed.id)).state).toBe('cancelled');
    const { accepted: more } = await engine.enqueue({
      paths: [h.file('kept.txt', 10)],
      target: h.target,
    });
    await engine.pause({ ids: [more[0]!.id] });
    const kept = await jobOf(engine, more[0]!.id);
    expect(await engine.clearFinished()).toBe(3);
    expect((await engine.listJobs()).map((job) => job.id)).toEqual([kept.id]);
    // Clearing the queue never touches what is attached.
    for (const job of done)
      expect(h.sim.control.attachments().map((a) => a.id)).toContain(job.attachmentId);
  });

  it('retarget: refused while in flight; a paused job goes to the new task, its old session deleted', async () => {
    slowRanges();
    const other = await firstTask(h.sim, 'Receipts 2026', 1);
    const size = 6 * range + 6;
    const { accepted } = await engine.enqueue({
      paths: [sized('retarget.pdf', 6, 6)],
      target: h.target,
    });
    const id = accepted[0]!.id;
    await waitUntil(() => rangesOf(size).length >= 2, 'the upload to be under way');
    expect(await engine.retarget({ ids: [id], target: other })).toBe(0);
    expect((await jobOf(engine, id)).target).toEqual(h.target);

    await engine.pause({ ids: [id] });
    expect(h.sim.control.sessions().map((session) => session.taskId)).toEqual([h.target.taskId]);
    expect(await engine.retarget({ ids: [id], target: other })).toBe(1);
    const moved = await jobOf(engine, id);
    expect(moved).toMatchObject({ state: 'paused', target: other, bytesAcked: 0 });
    expect(h.sim.control.sessions()).toEqual([]);
    h.sim.control.clearFaults();
    await engine.resume({ ids: [id] });
    const [job] = await settle(engine, [id]);
    expect(expectAttachedOnce(h.sim, job!).taskId).toBe(other.taskId);
  });

  it('a duplicate drop is refused: "duplicate" while queued, "already-attached" once done', async () => {
    const path = h.file('twice.pdf', 2 * range);
    const first = await engine.enqueue({ paths: [path, path], target: h.target });
    expect(first.accepted).toHaveLength(1);
    expect(first.refused).toEqual([
      expect.objectContaining({
        path,
        reason: 'duplicate',
        message: expect.stringContaining('already in the queue'),
      }),
    ]);
    const id = first.accepted[0]!.id;
    await engine.pause({ ids: [id] });
    const whileQueued = await engine.enqueue({ paths: [path], target: h.target });
    expect(whileQueued.accepted).toEqual([]);
    expect(whileQueued.refused).toEqual([
      expect.objectContaining({ reason: 'duplicate', jobId: id }),
    ]);

    await engine.resume({ ids: [id] });
    const [job] = await settle(engine, [id]);
    expectAttachedOnce(h.sim, job!);
    const afterDone = await engine.enqueue({ paths: [path], target: h.target });
    expect(afterDone.accepted).toEqual([]);
    expect(afterDone.refused).toEqual([
      expect.objectContaining({
        reason: 'already-attached',
        jobId: id,
        message: `twice.pdf is already attached to “${h.target.taskTitle}”; it was not sent again.`,
      }),
    ]);
    // The same file for another task, or a newer version of it, is a new job.
    const other = await firstTask(h.sim, 'Receipts 2026', 2);
    expect((await engine.enqueue({ paths: [path], target: other })).accepted).toHaveLength(1);
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    expect((await engine.enqueue({ paths: [path], target: h.target })).accepted).toHaveLength(1);
  });

  it('jobsChanged is coalesced: one event for a whole enqueue, far fewer than row changes', async () => {
    const events: JobsChanged[] = [];
    engine.on('jobsChanged', (change) => events.push(change));
    const paths = Array.from({ length: 20 }, (_, n) => h.file(`burst-${n}.txt`, 500 + n));
    const { accepted } = await engine.enqueue({ paths, target: h.target });
    const ids = accepted.map((job) => job.id);
    await waitUntil(() => events.length > 0, 'the first jobsChanged');
    expect(events[0]!.upserted.map((job) => job.id).sort((x, y) => x - y)).toEqual(ids);
    expect(events[0]!.summary.total).toBe(20);
    await settle(engine, ids);
    await waitUntil(() => events.at(-1)!.summary.byState.done === 20, 'the last jobsChanged');
    // Each job changed at least three times (queued, uploading, done).
    console.log(`jobsChanged: ${events.length} events for ≥ 60 row changes`);
    expect(events.length).toBeLessThan(60);
    const last = new Map<number, JobView>();
    for (const event of events) for (const job of event.upserted) last.set(job.id, job);
    expect([...last.values()].every((job) => job.state === 'done')).toBe(true);
  });

  it('progress events are throttled and bytesAcked never goes backwards', async () => {
    slowRanges(30);
    const size = 10 * range + 10;
    const events: { at: number; progress: JobProgress[] }[] = [];
    engine.on('progress', (progress) => events.push({ at: Date.now(), progress }));
    const { accepted } = await engine.enqueue({
      paths: [sized('progress.pdf', 10, 10)],
      target: h.target,
    });
    const [job] = await settle(engine, [accepted[0]!.id]);
    expectAttachedOnce(h.sim, job!);
    expect(events.length).toBeGreaterThanOrEqual(3);
    const gaps = events.slice(1).map((event, n) => event.at - events[n]!.at);
    // The harness asks for batches every 50 ms at most.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(45);
    const mine = events.flatMap((event) => event.progress.filter((p) => p.id === job!.id));
    for (const [n, p] of mine.entries()) {
      expect(p.bytesSent).toBeGreaterThanOrEqual(p.bytesAcked);
      expect(p.bytesAcked).toBeLessThanOrEqual(size);
      if (n > 0) expect(p.bytesAcked).toBeGreaterThanOrEqual(mine[n - 1]!.bytesAcked);
    }
    expect(new Set(mine.map((p) => p.bytesAcked)).size).toBeGreaterThanOrEqual(3);
    expect(mine.some((p) => p.speed !== null && p.speed > 0 && p.etaSeconds !== null)).toBe(true);
  });

  it('summary counts jobs by state and the acknowledged share of the bytes', async () => {
    slowRanges();
    const sizes = { a: 2 * range + 1, b: 3 * range + 2, c: 8 * range + 3, d: 2 * range + 4 };
    const done = await engine.enqueue({
      paths: [sized('sum-a.pdf', 2, 1), sized('sum-b.pdf', 3, 2)],
      target: h.target,
    });
    await settle(
      engine,
      done.accepted.map((job) => job.id),
    );
    const { accepted } = await engine.enqueue({
      paths: [sized('sum-c.pdf', 8, 3), sized('sum-d.pdf', 2, 4)],
      target: h.target,
    });
    const [c, d] = accepted.map((job) => job.id);
    await engine.cancel({ ids: [d!] });
    await waitUntil(() => rangesOf(sizes.c).length >= 3, 'c to be under way');
    await engine.pause({ ids: [c!] });
    const acked = (await jobOf(engine, c!)).bytesAcked;
    expect(acked).toBeGreaterThan(0);
    const summary = await engine.summary();
    expect(summary.total).toBe(4);
    expect(summary.byState).toEqual({
      waiting: 0,
      uploading: 0,
      retrying: 0,
      paused: 1,
      'needs-sign-in': 0,
      done: 2,
      failed: 0,
      cancelled: 1,
    });
    // Cancelled jobs do not count towards the whole.
    const expected = Math.floor(
      ((sizes.a + sizes.b + acked) / (sizes.a + sizes.b + sizes.c)) * 100,
    );
    expect(summary.overallPercent).toBe(expected);
  });
});

describe('commands racing the uploads they act on', () => {
  it('cancel all while uploads run: no job starts under the command, all end cancelled', async () => {
    // Two slots: a and b upload, the small c waits. Cancelling a frees a slot; were c started
    // then, the slow session delete of b would give it time to finish before its turn came.
    const engine = h.open({ ...smallRanges, pacing: { maxConcurrentRequests: 2 } });
    engine.start();
    slowRanges();
    h.sim.control.addFault({
      operation: 'deleteUploadSession',
      times: 0,
      action: { type: 'delay', ms: 300 },
    });
    const { accepted } = await engine.enqueue({
      paths: [sized('race-a.pdf', 8, 1), sized('race-b.pdf', 8, 2), h.file('race-c.txt', 900)],
      target: h.target,
    });
    const ids = accepted.map((job) => job.id);
    await waitUntil(
      () => (h.sim.control.counters().byOperation.uploadContent ?? 0) >= 2,
      'both uploads to be under way',
    );
    expect(await engine.cancel({ all: true })).toBe(3);
    const jobs = await settle(engine, ids);
    expect(jobs.map((job) => job.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(requestsFor(h.sim, 'createAttachment')).toEqual([]);
    expect(h.sim.control.attachments()).toEqual([]);
    expect(h.sim.control.sessions()).toEqual([]);
    await engine.close();
  });

  it('cancel waiting jobs that hold sessions while others finish: none starts again under it', async () => {
    let engine = h.open(smallRanges);
    engine.start();
    slowRanges();
    const sizes = [1, 2, 3].map((n) => 8 * range + n);
    const { accepted } = await engine.enqueue({
      paths: [1, 2, 3].map((n) => sized(`held-${n}.pdf`, 8, n)),
      target: h.target,
    });
    const ids = accepted.map((job) => job.id);
    await waitUntil(
      () => sizes.every((size) => rangesOf(size).length >= 2),
      'all three to be under way',
    );
    await engine.close();
    h.sim.control.clearFaults();
    // Two slots now, and a slow session delete: the first two finish during it.
    h.sim.control.addFault({
      operation: 'deleteUploadSession',
      times: 0,
      action: { type: 'delay', ms: 300 },
    });
    engine = h.open({ ...smallRanges, pacing: { maxConcurrentRequests: 2 } });
    engine.start();
    expect(await engine.cancel({ ids: [ids[2]!] })).toBe(1);
    const jobs = await settle(engine, ids);
    expect(jobs.map((job) => job.state)).toEqual(['done', 'done', 'cancelled']);
    expectAttachedOnce(h.sim, jobs[0]!);
    expectAttachedOnce(h.sim, jobs[1]!);
    // The cancelled job's session goes once the slow delete is answered.
    await expect
      .poll(() => h.sim.control.sessions(), { timeout: 5_000, message: 'the sessions to be gone' })
      .toEqual([]);
    expect(h.sim.control.attachments()).toHaveLength(2);
    expect((await jobOf(engine, ids[2]!)).state).toBe('cancelled');
    await engine.close();
  });

  it('cancel while retrying after a lost final answer: the file was attached, the job says done', async () => {
    const engine = h.open({ ...smallRanges, retry: { baseDelayMs: 10_000, maxDelayMs: 10_000 } });
    engine.start();
    const size = 3 * range + 7;
    h.sim.control.addFault({
      operation: 'uploadContent',
      nth: 4,
      action: { type: 'drop-after-commit' },
    });
    const { accepted } = await engine.enqueue({
      paths: [sized('landed-cancel.pdf', 3, 7)],
      target: h.target,
    });
    const id = accepted[0]!.id;
    await waitUntil(() => rangesOf(size).length === 4, 'the final range');
    await settle(engine, [id], ['retrying']);
    expect(await engine.cancel({ ids: [id] })).toBe(1);
    const job = await jobOf(engine, id);
    expectAttachedOnce(h.sim, job);
    await engine.close();
  });

  it.each([
    ['through a session', 3 * range + 9, 'uploadContent', 4],
    ['through the small POST', 9_000, 'createAttachment', 1],
  ] as const)(
    'retarget after a lost final answer (%s): done on its first task, never sent to a second',
    async (_, size, operation, nth) => {
      const engine = h.open({ ...smallRanges, retry: { baseDelayMs: 10_000, maxDelayMs: 10_000 } });
      engine.start();
      h.sim.control.addFault({ operation, nth, action: { type: 'drop-after-commit' } });
      const path = h.file(`landed-retarget-${size}.pdf`, size);
      const { accepted } = await engine.enqueue({ paths: [path], target: h.target });
      const id = accepted[0]!.id;
      await settle(engine, [id], ['retrying']);
      const other = await firstTask(h.sim, 'Receipts 2026', 3);
      // Not moved: the file is attached to the first task already.
      expect(await engine.retarget({ ids: [id], target: other })).toBe(0);
      await settle(engine, [id], ['done']);
      const job = await jobOf(engine, id);
      expect(job.state).toBe('done');
      expect(job.target).toEqual(h.target);
      expectAttachedOnce(h.sim, job);
      expect(h.sim.control.attachments().filter((a) => a.taskId === other.taskId)).toEqual([]);
      await engine.close();
    },
  );

  it('closed mid-upload and opened again: resumes where it stopped', async () => {
    const size = 8 * range + 8;
    let engine = h.open(smallRanges);
    engine.start();
    slowRanges();
    const { accepted } = await engine.enqueue({
      paths: [sized('reopen.pdf', 8, 8)],
      target: h.target,
    });
    await waitUntil(() => rangesOf(size).length >= 3, 'the upload to be under way');
    await engine.close();
    h.sim.control.clearFaults();
    engine = h.open(smallRanges);
    const [waiting] = await engine.listJobs();
    expect(waiting).toMatchObject({ id: accepted[0]!.id, state: 'waiting' });
    expect(waiting!.bytesAcked).toBeGreaterThanOrEqual(range);
    engine.start();
    const [job] = await settle(engine, [waiting!.id]);
    expectAttachedOnce(h.sim, job!);
    expect(requestsFor(h.sim, 'createUploadSession')).toHaveLength(1);
    const sent = requestsFor(h.sim, 'uploadContent').reduce(
      (sum, entry) => sum + entry.bodyBytes,
      0,
    );
    expect(sent - size).toBeLessThanOrEqual(range);
    await engine.close();
    expect(integrityCheck(h.dataDir)).toBe('ok');
  });
});
