import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../main/core/engine/engine.ts';
import type { TaskTarget } from '../../preload/shared/contract.ts';
import {
  deleteTaskOnServer,
  firstTask,
  harness,
  settle,
  simAccountId,
  type Harness,
} from '../support/engine-harness.ts';

let h: Harness;
let engine: Engine;

beforeAll(async () => {
  h = await harness();
  engine = h.open();
});
afterAll(() => h.close());

describe('the task picker over the engine', () => {
  it('lists the account and its lists with task counts, "Tasks" first', async () => {
    expect(await engine.listAccounts()).toEqual([
      { id: simAccountId, label: 'Simulator', kind: 'demo', signedIn: true },
    ]);
    const lists = await engine.listTaskLists(simAccountId);
    expect(lists[0]).toMatchObject({
      displayName: 'Tasks',
      wellknownListName: 'defaultList',
      taskCount: 3,
    });
    expect(lists.at(-1)?.wellknownListName).toBe('flaggedEmails');
    const archive = lists.find((list) => list.displayName === 'Archive');
    expect(archive).toMatchObject({ taskCount: 260, openTaskCount: 174 });
  });

  it('finds tasks across every list as you type, best matches first', async () => {
    const found = await engine.findTasks({ accountId: simAccountId, text: 'invoice' });
    expect(found.map((task) => [task.title, task.listName])).toEqual([
      ['Laptop repair invoice', 'Receipts 2026'],
    ]);
    const archived = await engine.findTasks({ accountId: simAccountId, text: 'item 25', limit: 5 });
    expect(archived.map((task) => task.title)).toEqual([
      'Archived item 250',
      'Archived item 251',
      'Archived item 253',
      'Archived item 254',
      'Archived item 256',
    ]);
    const withCompleted = await engine.findTasks({
      accountId: simAccountId,
      text: 'item 25',
      includeCompleted: true,
      limit: 3,
    });
    expect(withCompleted.map((task) => task.title)).toEqual([
      'Archived item 250',
      'Archived item 251',
      'Archived item 252',
    ]);
    const accents = await engine.findTasks({ accountId: simAccountId, text: 'TRAIN berlin' });
    expect(accents.map((task) => task.title)).toEqual(['Train tickets Berlin trip']);
  });

  it('creates a task on the spot and can target it at once', async () => {
    const home = (await engine.listTaskLists(simAccountId)).find(
      (list) => list.displayName === 'Home',
    );
    const target = await engine.createTask({
      accountId: simAccountId,
      listId: home!.id,
      title: ' Bike repair ',
    });
    expect(target).toMatchObject({ listName: 'Home', taskTitle: 'Bike repair' });
    const found = await engine.findTasks({ accountId: simAccountId, text: 'bike' });
    expect(found.map((task) => task.id)).toEqual([target.taskId]);
    await expect(
      engine.createTask({ accountId: simAccountId, listId: home!.id, title: '  ' }),
    ).rejects.toThrow('A new task needs a title.');
  });

  it('remembers recent targets, newest first', async () => {
    const first = await engine.enqueue({ paths: [h.file('a.txt', 10)], target: h.target });
    const other = (await engine.findTasks({ accountId: simAccountId, text: 'insurance' }))[0]!;
    const otherTarget = {
      accountId: simAccountId,
      listId: other.listId,
      taskId: other.id,
      listName: other.listName,
      taskTitle: other.title,
    };
    await engine.enqueue({ paths: [h.file('b.txt', 10)], target: otherTarget });
    expect(first.accepted).toHaveLength(1);
    expect((await engine.recentTargets()).map((target) => target.taskTitle)).toEqual([
      'Insurance renewal',
      h.target.taskTitle,
    ]);
  });

  it('forgets a deleted task as soon as an upload finds it gone: not recent, not found', async () => {
    engine.start();
    const gone = await firstTask(h.sim, 'Work', 2);
    const announced: TaskTarget[][] = [];
    engine.on('tasksGone', (targets) => announced.push(targets));
    const titleOf = async (): Promise<string[]> =>
      (await engine.findTasks({ accountId: simAccountId, text: gone.taskTitle })).map(
        (task) => task.id,
      );
    expect(await titleOf()).toContain(gone.taskId);
    await engine.enqueue({ paths: [h.file('first.txt', 10)], target: gone });
    await deleteTaskOnServer(h.sim, gone);
    const late = await engine.enqueue({ paths: [h.file('late.txt', 10)], target: gone });
    const [job] = await settle(
      engine,
      late.accepted.map((view) => view.id),
    );
    expect(job?.problem?.kind).toBe('not-found');
    expect(announced.flat().map((target) => target.taskId)).toContain(gone.taskId);
    expect((await engine.recentTargets()).map((target) => target.taskId)).not.toContain(
      gone.taskId,
    );
    // The picker's copy, without a reload.
    expect(await titleOf()).not.toContain(gone.taskId);
  });

  it('forgets recent tasks a reload no longer finds', async () => {
    const gone = await firstTask(h.sim, 'Work', 3);
    const queued = await engine.enqueue({ paths: [h.file('held.txt', 10)], target: gone });
    await settle(
      engine,
      queued.accepted.map((view) => view.id),
    );
    expect((await engine.recentTargets())[0]?.taskId).toBe(gone.taskId);
    await deleteTaskOnServer(h.sim, gone);
    const announced: TaskTarget[][] = [];
    engine.on('tasksGone', (targets) => announced.push(targets));
    await engine.refreshTasks(simAccountId);
    expect(announced).toEqual([[gone]]);
    expect((await engine.recentTargets()).map((target) => target.taskId)).not.toContain(
      gone.taskId,
    );
  });

  it('validates settings in plain words and keeps them across restarts', async () => {
    const events: unknown[] = [];
    engine.on('settingsChanged', (settings) => events.push(settings));
    expect(await engine.getSettings()).toEqual({
      maxConcurrentUploads: 3,
      uploadBudgetMb: 150,
      startAtLogin: false,
      allowWeakTokenStorage: false,
      globalShortcut: null,
    });
    await expect(engine.updateSettings({ maxConcurrentUploads: 9 })).rejects.toThrow(
      'maxConcurrentUploads: Too big: expected number to be <=4',
    );
    const updated = await engine.updateSettings({ maxConcurrentUploads: 2, startAtLogin: true });
    expect(updated).toEqual({
      maxConcurrentUploads: 2,
      uploadBudgetMb: 150,
      startAtLogin: true,
      allowWeakTokenStorage: false,
      globalShortcut: null,
    });
    expect(events).toEqual([updated]);
    await engine.close();
    engine = h.open();
    expect(await engine.getSettings()).toEqual(updated);
  });
});
