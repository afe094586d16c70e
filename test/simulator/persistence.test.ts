import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import {
  attachmentIdOf,
  call,
  createSession,
  enc,
  getJson,
  newTask,
  pattern,
  postJson,
  putRange,
  reportedOffset,
  sha256,
  type Collection,
  type ListJson,
  type TaskJson,
} from '../support/graph-sim.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'taskdrop-sim-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function listIds(sim: RunningSimulator): Promise<string[]> {
  const lists = await getJson<Collection<ListJson>>(sim, '/me/todo/lists?$top=100');
  return lists.value.map((list) => list.id);
}

describe('a simulator with a data folder', () => {
  it('keeps lists, tasks, attachments and half-done sessions across a restart', async () => {
    const small = Buffer.from('kept across restarts');
    const big = pattern(40);

    const first = await startSimulator({ seed: 'demo', dataDir });
    let lists: string[];
    let taskPath: string;
    let taskId: string;
    let attachmentId: string;
    let uploadUrl: string;
    let deltaLink: string;
    try {
      lists = await listIds(first);
      const tasksList = await getJson<Collection<TaskJson>>(
        first,
        `/me/todo/lists/${enc(lists[0]!)}/tasks/delta`,
      );
      deltaLink = tasksList['@odata.deltaLink']!;
      const created = await newTask(first, 'persisted');
      taskPath = created.path;
      taskId = created.taskId;
      const posted = await postJson(first, `${taskPath}/attachments`, {
        name: 'small.txt',
        contentType: 'text/plain',
        contentBytes: small.toString('base64'),
      });
      expect(posted.status).toBe(201);
      attachmentId = (posted.json() as { id: string }).id;
      uploadUrl = await createSession(first, taskPath, big.length, { name: 'big.bin' });
      expect((await putRange(first, uploadUrl, big, 0, 19)).status).toBe(200);
    } finally {
      await first.close();
    }

    const second = await startSimulator({ seed: 'demo', dataDir });
    try {
      expect(second.user.id).toBe(first.user.id);
      expect(await listIds(second)).toEqual(lists);
      const delta = await getJson<Collection<TaskJson>>(
        second,
        deltaLink.replace(first.origin, second.origin),
      );
      expect(delta.value.map((changed) => changed.id)).toEqual([taskId]);
      const task = await getJson<TaskJson>(second, taskPath);
      expect(task).toMatchObject({ id: taskId, title: 'persisted', hasAttachments: true });

      const value = await call(second, `${taskPath}/attachments/${enc(attachmentId)}/$value`);
      expect(value.status).toBe(200);
      expect(value.headers['content-type']).toBe('text/plain');
      expect(value.body.equals(small)).toBe(true);

      const resumedUrl = uploadUrl.replace(first.origin, second.origin);
      expect(await reportedOffset(second, resumedUrl)).toBe(20);
      const done = await putRange(second, resumedUrl, big, 20, 39);
      expect(done.status).toBe(201);
      const bigId = attachmentIdOf(String(done.headers['location']));
      expect(second.control.attachments().find((a) => a.id === bigId)?.sha256).toBe(sha256(big));
      const bigValue = await call(second, `${taskPath}/attachments/${enc(bigId)}/$value`);
      expect(bigValue.body.equals(big)).toBe(true);
    } finally {
      await second.close();
    }

    const third = await startSimulator({ seed: 'demo', dataDir });
    try {
      const names = third.control.attachments().map((a) => a.name);
      expect(names.sort()).toEqual(['big.bin', 'small.txt']);
      expect(third.control.sessions()).toEqual([]);
      expect(await listIds(third)).toEqual(lists);
    } finally {
      await third.close();
    }
  });
});
