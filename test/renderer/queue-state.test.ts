import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TaskdropApi } from '../../preload/shared/contract.ts';
import type { Engine } from '../../main/core/engine/engine.ts';
import { NoticeState } from '../../renderer/lib/state/notices.svelte.ts';
import { QueueState, undoMs } from '../../renderer/lib/state/queue.svelte.ts';
import { harness, settle, type Harness } from '../support/engine-harness.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * The queue's state class as the window runs it, fed by a real engine's contract events
 * (jobsChanged, progress) over the simulator: what the rows, the filters, the overall bar and
 * the commands show follow what the engine did.
 */
let h: Harness;
let engine: Engine;
let queue: QueueState;
let notices: NoticeState;
let stop: () => void;
const reported: string[] = [];

beforeAll(async () => {
  h = await harness();
});

afterAll(async () => {
  await h.close();
});

function openQueue(options: Parameters<Harness['open']>[0] = {}): void {
  engine = h.open({ rangeSize: 64 * 1024, smallUploadMaxBytes: 16 * 1024, ...options });
  engine.start();
  notices = new NoticeState();
  const api: TaskdropApi = engine;
  queue = new QueueState(api, (what) => reported.push(what), notices);
  stop = queue.start();
}

afterEach(async () => {
  stop();
  h.sim.control.clearFaults();
  const left = (await engine.listJobs()).map((job) => job.id);
  if (left.length > 0) await engine.remove({ ids: left });
  await engine.close();
  reported.length = 0;
});

const names = (entries: readonly { view: { fileName: string } }[]): string[] =>
  entries.map((entry) => entry.view.fileName);

/** Small files (one POST) stay under way long enough to be paused there. */
function holdSmallUploads(): void {
  h.sim.control.addFault({
    operation: 'createAttachment',
    times: 0,
    action: { type: 'delay', ms: 5_000 },
  });
}

async function enqueue(...files: [name: string, size: number][]): Promise<number[]> {
  const { accepted, refused } = await engine.enqueue({
    paths: files.map(([name, size]) => h.file(name, size)),
    target: h.target,
  });
  expect(refused).toEqual([]);
  return accepted.map((job) => job.id);
}

describe('QueueState, fed by the engine', () => {
  it('loads the queue, then follows every job to done: rows, counts and the overall bar', async () => {
    openQueue();
    await waitUntil(() => queue.loaded, 'the first listJobs answer');
    expect(queue.all).toEqual([]);
    expect(queue.overallPercent).toBe(0);

    const ids = await enqueue(['b-scan.pdf', 100_000], ['a-invoice.pdf', 50_000]);
    await waitUntil(() => queue.all.length === 2, 'both rows');
    // In the order files arrived, not by name.
    expect(names(queue.all)).toEqual(['b-scan.pdf', 'a-invoice.pdf']);
    expect(queue.hasActive).toBe(true);

    await settle(engine, ids, ['done']);
    await waitUntil(() => queue.all.every((entry) => entry.state === 'done'), 'both rows done');
    expect(queue.summary.byState.done).toBe(2);
    expect(queue.filterCounts.done).toBe(2);
    expect(queue.filterCounts.all).toBe(2);
    expect(queue.filterCounts.uploading).toBe(0);
    expect(queue.overallPercent).toBe(100);
    expect(queue.overallSpeed).toBeNull();
    expect(queue.hasActive).toBe(false);
    expect(queue.hasFinished).toBe(true);
    expect(queue.all.map((entry) => entry.view.attachmentId)).not.toContain(null);
    expect(reported).toEqual([]);
  });

  it('says once per batch that its files were attached, naming the task', async () => {
    openQueue();
    await waitUntil(() => queue.loaded, 'the queue to load');
    const ids = await enqueue(['one.txt', 2_000], ['two.txt', 3_000], ['three.txt', 4_000]);
    await settle(engine, ids, ['done']);
    await waitUntil(() => notices.items.length > 0, 'the "attached" notice');
    expect(notices.items.map((notice) => [notice.tone, notice.title])).toEqual([
      ['success', `3 files attached to “${h.target.taskTitle}” (${h.target.listName}).`],
    ]);
  });

  it('shows progress between events, never past 100 %, with a speed while bytes move', async () => {
    h.sim.control.addFault({
      operation: 'uploadContent',
      times: 0,
      action: { type: 'delay', ms: 60 },
    });
    openQueue({ progressIntervalMs: 20 });
    const [id] = await enqueue(['survey.zip', 12 * 64 * 1024]);
    const seen: number[] = [];
    await waitUntil(() => {
      seen.push(queue.overallPercent);
      return queue.get(id!)?.state === 'uploading' && (queue.get(id!)?.view.bytesAcked ?? 0) > 0;
    }, 'the upload to be under way');
    await waitUntil(() => queue.overallSpeed !== null, 'a speed');
    expect(queue.overallEta).toBeGreaterThan(0);
    const during = queue.overallPercent;
    expect(during).toBeGreaterThan(0);
    expect(during).toBeLessThan(100);
    await settle(engine, [id!], ['done']);
    await waitUntil(() => queue.get(id!)?.state === 'done', 'the row to be done');
    seen.push(queue.overallPercent);
    // The bar only ever moves forward, and ends full.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(100);
  });

  it('filters by state and finds files by name, accents and case aside; the selection follows', async () => {
    openQueue();
    const done = await enqueue(['Résumé 2026.pdf', 1_000], ['Floor plan.pdf', 1_000]);
    await settle(engine, done, ['done']);
    holdSmallUploads();
    const [paused] = await enqueue(['resume-draft.txt', 1_000]);
    await engine.pause({ ids: [paused!] });
    await waitUntil(
      () => queue.all.length === 3 && queue.get(paused!)?.state === 'paused',
      'three rows, one paused',
    );

    queue.setFilter('paused');
    expect(names(queue.visible)).toEqual(['resume-draft.txt']);
    queue.setFilter('done');
    expect(names(queue.visible)).toEqual(['Résumé 2026.pdf', 'Floor plan.pdf']);
    queue.selection.setAll(queue.visibleIds, true);
    expect(queue.selected).toHaveLength(2);

    // Searching clears the selection; what is ticked and hidden is never acted on.
    queue.setFilter('all');
    queue.setSearch('RESUME');
    expect(names(queue.visible)).toEqual(['Résumé 2026.pdf', 'resume-draft.txt']);
    expect(queue.selected).toEqual([]);
    queue.selection.setAll(queue.visibleIds, true);
    queue.setSearch('');
    queue.selection.setAll(queue.visibleIds, true);
    queue.setSearch('floor');
    expect(queue.selected).toEqual([]);

    // The bulk buttons count only the jobs a command applies to.
    const all = queue.all.map((entry) => entry.id);
    expect(queue.applicable('resume', all)).toBe(1);
    expect(queue.applicable('cancel', all)).toBe(1);
    expect(queue.applicable('retry', all)).toBe(0);
  });

  it('clears finished files at once, brings them back on Undo, and removes them for good after', async () => {
    openQueue();
    const ids = await enqueue(['keep-me.pdf', 1_000], ['then-go.pdf', 1_000]);
    await settle(engine, ids, ['done']);
    await waitUntil(() => queue.all.length === 2 && queue.hasFinished, 'two finished rows');

    expect(await queue.clearFinished()).toBe(2);
    expect(queue.all).toEqual([]);
    const undo = notices.items.find((notice) => notice.action?.label === 'Undo');
    expect(undo?.title).toBe('2 finished files cleared from the queue.');
    undo!.action!.run();
    expect(names(queue.all)).toEqual(['keep-me.pdf', 'then-go.pdf']);
    // Undone: the engine still has both, also after the undo time.
    expect((await engine.listJobs()).map((job) => job.id)).toEqual(ids);

    expect(await queue.clearFinished()).toBe(2);
    expect(queue.all).toEqual([]);
    await waitUntil(
      async () => (await engine.listJobs()).length === 0,
      'the engine to remove the cleared files once Undo is gone',
      undoMs + 10_000,
      100,
    );
    expect(queue.all).toEqual([]);
    expect(queue.summary.total).toBe(0);
  }, 30_000);

  it('asks before cancelling confirmed bytes, and cancels at once what sent none', async () => {
    h.sim.control.addFault({
      operation: 'uploadContent',
      times: 0,
      action: { type: 'delay', ms: 200 },
    });
    openQueue();
    const [moving] = await enqueue(['big-scan.tiff', 20 * 64 * 1024]);
    await waitUntil(
      () => (queue.get(moving!)?.view.bytesAcked ?? 0) > 0,
      'confirmed bytes on the moving upload',
    );
    expect(await queue.requestCancel([moving!])).toBe(0);
    expect(queue.confirmingCancel).toMatchObject({ ids: [moving], files: 1 });
    expect(queue.confirmingCancel!.bytes).toBeGreaterThan(0);
    expect((await engine.listJobs())[0]!.state).toBe('uploading');

    // "No": nothing happens.
    expect(await queue.confirmCancel(false)).toBe(0);
    expect(queue.confirmingCancel).toBeNull();
    expect(queue.get(moving!)?.state).not.toBe('cancelled');

    // Asked again, "Yes": cancelled in the engine, and the row says so.
    await queue.requestCancel([moving!]);
    expect(await queue.confirmCancel(true)).toBe(1);
    await waitUntil(() => queue.get(moving!)?.state === 'cancelled', 'the row to say cancelled');
    expect(queue.filterCounts.cancelled).toBe(1);

    holdSmallUploads();
    const [idle] = await enqueue(['not-yet.txt', 1_000]);
    await engine.pause({ ids: [idle!] });
    await waitUntil(() => queue.get(idle!)?.state === 'paused', 'the idle row, paused');
    expect(await queue.requestCancel([idle!])).toBe(1);
    expect(queue.confirmingCancel).toBeNull();
    await waitUntil(() => queue.get(idle!)?.state === 'cancelled', 'the idle row, cancelled');
  });

  it('reports a command the engine refuses, in plain words, and counts it as nothing done', async () => {
    openQueue();
    await waitUntil(() => queue.loaded, 'the queue to load');
    const ids = await enqueue(['a.txt', 1_000]);
    await settle(engine, ids, ['done']);
    const elsewhere = { ...h.target, accountId: 'nobody' };
    expect(await queue.retarget(ids, elsewhere)).toBe(0);
    expect(reported).toEqual(['Sending to another task did not work']);
    expect((await engine.listJobs())[0]!.target).toEqual(h.target);
  });
});
