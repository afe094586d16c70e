import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskdropApi, TaskTarget } from '../../preload/shared/contract.ts';
import type { Engine } from '../../main/core/engine/engine.ts';
import type { RendererApi } from '../../renderer/lib/api/connect.ts';
import { IntakeState } from '../../renderer/lib/state/intake.svelte.ts';
import { NoticeState } from '../../renderer/lib/state/notices.svelte.ts';
import { PickerState } from '../../renderer/lib/state/picker.svelte.ts';
import { firstTask, harness, type Harness } from '../support/engine-harness.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * The task picker and the files arriving, over a real engine and the simulator's demo tasks:
 * what is offered and preselected, Enter after typing, a new task made from the text, and
 * files queued (or refused) for the task chosen.
 */
let h: Harness;
let engine: Engine;
let api: TaskdropApi;
/** As the app's preload does: a dropped File is known by its path. */
const pathOf = new Map<File, string>();
let client: RendererApi;

beforeAll(async () => {
  h = await harness();
  engine = h.open();
  api = engine;
  client = {
    api,
    transport: 'electron',
    enqueueFiles: (files, target) =>
      api.enqueue({ paths: files.map((file) => pathOf.get(file) ?? ''), target }),
  };
});

afterAll(async () => {
  await h.close();
});

function dropped(name: string, size: number): File {
  const path = h.file(name, size);
  const file = new File([readFileSync(path)], basename(path));
  pathOf.set(file, path);
  return file;
}

const titles = (picker: PickerState): string[] =>
  picker.options.map((option) => (option.kind === 'task' ? option.target.taskTitle : '+ new'));

describe('PickerState', () => {
  it('opens on the suggested task, preselected, and Enter takes it', async () => {
    const picker = new PickerState(api);
    const answer = picker.pick({
      title: 'Attach',
      confirmLabel: 'Attach here',
      suggested: h.target,
    });
    expect(picker.isOpen).toBe(true);
    await waitUntil(() => !picker.loading && !picker.pending, 'the picker to load');
    expect(picker.accountId).toBe(h.target.accountId);
    expect(picker.listId).toBe(h.target.listId);
    expect(picker.options[0]).toMatchObject({ section: 'recent', target: h.target });
    expect(picker.active?.key).toBe(picker.options[0]!.key);
    // The list's own tasks follow the recent ones.
    expect(titles(picker)).toContain(h.target.taskTitle);
    await picker.chooseActive();
    expect(await answer).toEqual(h.target);
    expect(picker.isOpen).toBe(false);
  });

  it('without a suggestion, highlights nothing until the person types; Enter waits for the answer', async () => {
    const picker = new PickerState(api);
    const answer = picker.pick({ title: 'Attach', confirmLabel: 'Attach here', suggested: null });
    await waitUntil(() => !picker.loading && !picker.pending, 'the picker to load');
    expect(picker.active).toBeNull();
    picker.setText('berlin');
    // Enter before the typing pause has passed: the search runs first, then its best match.
    await picker.chooseActive();
    const chosen = await answer;
    expect(chosen?.taskTitle).toBe('Train tickets Berlin trip');
  });

  it('offers to make a task from the text when none has that title, and makes it in To Do', async () => {
    const picker = new PickerState(api);
    const answer = picker.pick({ title: 'Attach', confirmLabel: 'Attach here', suggested: null });
    await waitUntil(() => !picker.loading && !picker.pending, 'the picker to load');
    picker.setText('  Passport   renewal  ');
    await waitUntil(() => !picker.pending, 'the search to answer');
    const create = picker.options.at(-1);
    expect(create).toMatchObject({ kind: 'create', title: 'Passport renewal' });
    await picker.choose(create!);
    const made = (await answer)!;
    expect(made.taskTitle).toBe('Passport renewal');
    const tasks = await api.findTasks({ accountId: made.accountId, text: 'passport', limit: 10 });
    const named = tasks.filter((task) => task.title === 'Passport renewal');
    expect(named.map((task) => task.id)).toEqual([made.taskId]);

    // Its exact title typed again: no second offer to make it.
    const again = new PickerState(api);
    void again.pick({ title: 'Attach', confirmLabel: 'Attach here', suggested: null });
    await waitUntil(() => !again.loading && !again.pending, 'the picker to load');
    again.setText('passport renewal');
    await waitUntil(() => !again.pending, 'the search to answer');
    expect(again.options.some((option) => option.kind === 'create')).toBe(false);
    again.cancel();
  });

  it('answers null when cancelled, and an open pick is answered null when another opens', async () => {
    const picker = new PickerState(api);
    const first = picker.pick({ title: 'One', confirmLabel: 'OK', suggested: null });
    const second = picker.pick({ title: 'Two', confirmLabel: 'OK', suggested: h.target });
    expect(await first).toBeNull();
    expect(picker.request?.title).toBe('Two');
    picker.cancel();
    expect(await second).toBeNull();
  });
});

describe('IntakeState', () => {
  it('asks where dropped files go, queues them there, and says what was refused and why', async () => {
    const picker = new PickerState(api);
    const notices = new NoticeState();
    const intake = new IntakeState(client, picker, notices);
    const other: TaskTarget = await firstTask(h.sim, 'Receipts 2026', 1);
    const files = [dropped('scan-1.pdf', 1_000), dropped('scan-2.pdf', 2_000)];
    const queued = intake.addFiles(files);
    await waitUntil(() => picker.isOpen && !picker.loading, 'the picker to ask');
    expect(picker.request?.title).toBe('Attach 2 files to a task');
    picker.setText(other.taskTitle);
    await waitUntil(() => !picker.pending, 'the search to answer');
    const option = picker.options.find(
      (candidate) => candidate.kind === 'task' && candidate.target.taskId === other.taskId,
    );
    await picker.choose(option!);
    await queued;
    const jobs = (await engine.listJobs()).filter((job) => job.target.taskId === other.taskId);
    expect(jobs.map((job) => job.fileName).sort()).toEqual(['scan-1.pdf', 'scan-2.pdf']);
    expect(notices.items.map((notice) => notice.title)).toEqual([
      `2 files queued for “${other.taskTitle}” (Receipts 2026).`,
    ]);

    // "Send files to" set: the same files again go there without asking, and are refused.
    intake.setTarget(other);
    await intake.addFiles(files);
    expect(picker.isOpen).toBe(false);
    const refused = notices.items.at(-1)!;
    expect(refused.tone).toBe('error');
    expect(refused.title).toBe('2 files were not queued');
    expect(refused.details).toHaveLength(2);
    expect(intake.busy).toBe(false);
  });

  it('keeps files that came before any account, and asks about them once one is there', async () => {
    let hasAccount = false;
    const picker = new PickerState(api);
    const intake = new IntakeState(client, picker, new NoticeState(), () => hasAccount);
    await intake.fromOutside({ paths: [h.file('early.pdf', 500)], suggested: h.target });
    expect(intake.waitingFiles).toBe(1);
    expect(picker.isOpen).toBe(false);

    hasAccount = true;
    const resumed = intake.resumeWaiting();
    await waitUntil(() => picker.isOpen && !picker.loading && !picker.pending, 'the picker');
    expect(intake.waitingFiles).toBe(0);
    expect(picker.active).toMatchObject({ target: h.target });
    await picker.chooseActive();
    await resumed;
    const early = (await engine.listJobs()).find((job) => job.fileName === 'early.pdf');
    expect(early?.target).toEqual(h.target);
  });
});
