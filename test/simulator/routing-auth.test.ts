import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import {
  call,
  createSession,
  enc,
  expectGraphError,
  getJson,
  listByName,
  newTask,
  postJson,
  sessionIdOf,
  taskPath,
  type Collection,
  type ListJson,
  type NewTask,
} from '../support/graph-sim.ts';
import { raw } from '../support/raw-http.ts';

let sim: RunningSimulator;
let task: NewTask;
let attachmentId: string;
let uploadUrl: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 'demo' });
  task = await newTask(sim, 'routing');
  const res = await postJson(sim, `${task.path}/attachments`, {
    name: 'a.txt',
    contentBytes: Buffer.from('hello').toString('base64'),
  });
  expect(res.status).toBe(201);
  attachmentId = (res.json() as { id: string }).id;
  uploadUrl = await createSession(sim, task.path, 10);
});
afterAll(() => sim.close());

describe('authorization', () => {
  const routes = (): [string, string][] => {
    const list = `/me/todo/lists/${enc(task.listId)}`;
    const attachment = `${task.path}/attachments/${enc(attachmentId)}`;
    return [
      ['GET', '/me/todo/lists'],
      ['POST', '/me/todo/lists'],
      ['GET', '/me/todo/lists/delta'],
      ['GET', list],
      ['GET', `${list}/tasks`],
      ['POST', `${list}/tasks`],
      ['GET', `${list}/tasks/delta`],
      ['GET', task.path],
      ['PATCH', task.path],
      ['DELETE', task.path],
      ['GET', `${task.path}/attachments`],
      ['POST', `${task.path}/attachments`],
      ['POST', `${task.path}/attachments/createUploadSession`],
      ['GET', attachment],
      ['GET', `${attachment}/$value`],
      ['DELETE', attachment],
      ['GET', `${task.path}/attachmentSessions`],
      ['GET', uploadUrl],
      ['DELETE', uploadUrl],
      ['PUT', `${uploadUrl}/content`],
    ];
  };

  it('answers 401 with a Graph error on every route when Authorization is missing', async () => {
    for (const [method, path] of routes()) {
      const body = method === 'GET' || method === 'DELETE' ? undefined : '{}';
      const res = await call(sim, path, { token: null, method, body });
      const error = expectGraphError(res, 401, 'InvalidAuthenticationToken');
      expect(error.error.message, `${method} ${path}`).not.toBe('');
    }
    // Nothing was done on the caller's behalf.
    expect((await call(sim, task.path)).status).toBe(200);
    expect((await call(sim, `${task.path}/attachments/${enc(attachmentId)}`)).status).toBe(200);
    expect(sim.control.sessions().map((s) => s.id)).toContain(sessionIdOf(uploadUrl));
  });

  it('answers 401 to a malformed or unknown bearer token', async () => {
    expectGraphError(
      await raw(`${sim.graphUrl}/me/todo/lists`, { headers: { Authorization: 'Basic abc' } }),
      401,
      'InvalidAuthenticationToken',
    );
    expectGraphError(
      await call(sim, '/me/todo/lists', { token: 'simtok.not-issued' }),
      401,
      'InvalidAuthenticationToken',
    );
  });

  it('answers 401 once a token has expired on the simulator clock', async () => {
    const issued = sim.control.issueToken({ lifetimeMs: 60_000 });
    expect(issued.userId).toBe(sim.user.id);
    expect((await call(sim, '/me/todo/lists', { token: issued.accessToken })).status).toBe(200);
    sim.control.advanceClock(60_001);
    expectGraphError(
      await call(sim, '/me/todo/lists', { token: issued.accessToken }),
      401,
      'InvalidAuthenticationToken',
    );
    expect((await call(sim, '/me/todo/lists')).status).toBe(200);
  });

  it("refuses another user's mailbox with 403, while that user's own token works", async () => {
    const other = sim.control.addUser('Other User', 'other@taskdrop.example');
    const mine = await call(sim, `/users/${other.id}/todo/lists`);
    expectGraphError(mine, 403);
    expectGraphError(await call(sim, `/users/${enc(other.userPrincipalName)}/todo/lists`), 403);
    const theirToken = sim.control.issueToken({ userId: other.id }).accessToken;
    const theirs = await getJson<Collection<ListJson>>(sim, `/users/${other.id}/todo/lists`, {
      token: theirToken,
    });
    expect(theirs.value.map((list) => list.wellknownListName).sort()).toEqual([
      'defaultList',
      'flaggedEmails',
    ]);
    // Their token cannot read the default user's task either.
    expectGraphError(
      await call(sim, taskPath(task.listId, task.taskId, sim.user.id), { token: theirToken }),
      403,
    );
    // And `/me` for them is their own mailbox, where the default user's list does not exist.
    expectGraphError(
      await call(sim, `/me/todo/lists/${enc(task.listId)}`, { token: theirToken }),
      404,
      'itemNotFound',
    );
  });
});

describe('routing', () => {
  it('reaches the same data through /me, /users/{guid} and /users/{upn}', async () => {
    const forms = [
      '/me',
      `/users/${sim.user.id}`,
      `/users/${enc(sim.user.userPrincipalName)}`,
      `/users/${sim.user.userPrincipalName.toUpperCase()}`,
    ];
    const answers: unknown[] = [];
    for (const form of forms) {
      const tasks = await getJson<Collection<{ id: string }>>(
        sim,
        `${form}/todo/lists/${enc(task.listId)}/tasks?$top=100`,
      );
      answers.push(tasks.value.map((t) => t.id).sort());
      const one = await getJson<{ id: string }>(
        sim,
        `${form}/todo/lists/${enc(task.listId)}/tasks/${enc(task.taskId)}`,
      );
      expect(one.id).toBe(task.taskId);
    }
    expect(answers[0]).toContain(task.taskId);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  it('serves /beta like /v1.0', async () => {
    const res = await call(sim, `${sim.origin}/beta/me/todo/lists?$top=100`);
    expect(res.status).toBe(200);
    const v1 = await getJson<Collection<ListJson>>(sim, '/me/todo/lists?$top=100');
    const beta = res.json() as Collection<ListJson>;
    expect(beta.value.map((list) => list.id)).toEqual(v1.value.map((list) => list.id));
  });

  it('answers 404 to unknown routes, versions and users', async () => {
    const paths = [
      `${sim.origin}/v2.0/me/todo/lists`,
      `${sim.origin}/v1.0/me/calendar`,
      `${sim.origin}/v1.0/me/todo/folders`,
      `${sim.origin}/`,
      `${task.path}/attachmentSessions/x/content/more`,
    ];
    for (const path of paths) expectGraphError(await call(sim, path), 404);
    expectGraphError(
      await call(sim, '/users/00000000-0000-0000-0000-000000000000/todo/lists'),
      404,
      'itemNotFound',
    );
    expectGraphError(
      await call(sim, `/me/todo/lists/${enc('AAMkAnope=')}/tasks`),
      404,
      'itemNotFound',
    );
  });

  it('answers 404 to a PUT on the bare uploadUrl and leaves the session alone', async () => {
    const url = await createSession(sim, task.path, 4);
    const res = await call(sim, url, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': 'bytes 0-3/4' },
      body: Buffer.from('abcd'),
    });
    expectGraphError(res, 404);
    const session = await getJson<{ nextExpectedRanges: string[] }>(sim, url);
    expect(session.nextExpectedRanges).toEqual(['0-']);
    expect(sim.control.attachments().some((a) => a.name === 'file.bin')).toBe(false);
  });

  it('answers 405 to a method a known route does not take', async () => {
    const cases: [string, string][] = [
      ['DELETE', '/me/todo/lists'],
      ['PUT', task.path],
      ['POST', `${task.path}/attachments/${enc(attachmentId)}`],
      ['GET', `${task.path}/attachments/createUploadSession`],
      ['POST', `/me/todo/lists/${enc(task.listId)}/tasks/delta`],
      ['GET', `${uploadUrl}/content`],
    ];
    for (const [method, path] of cases) {
      expectGraphError(await call(sim, path, { method }), 405, 'methodNotAllowed');
    }
  });
});

describe('error bodies and request ids', () => {
  it("echoes the client's client-request-id in the header and the innerError", async () => {
    const clientRequestId = '7d2c6a0e-52a4-4d8e-9a57-6f5a3d1c2b10';
    const res = await call(sim, '/me/todo/lists/nope', {
      headers: { 'client-request-id': clientRequestId },
    });
    const body = expectGraphError(res, 404, 'itemNotFound');
    expect(res.headers['client-request-id']).toBe(clientRequestId);
    expect(body.error.innerError['client-request-id']).toBe(clientRequestId);
    expect(res.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
  });

  it('always sends a request-id, and a client-request-id even when none was sent', async () => {
    const ok = await call(sim, '/me/todo/lists');
    expect(ok.status).toBe(200);
    expect(ok.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const res = await call(sim, '/me/todo/lists/nope');
    const body = expectGraphError(res, 404);
    expect(res.headers['client-request-id']).toBe(body.error.innerError['client-request-id']);
    const second = await call(sim, '/me/todo/lists/nope');
    expect(second.headers['request-id']).not.toBe(res.headers['request-id']);
  });

  it('is the Graph error shape on 400, 401, 404 and 405 alike', async () => {
    const id = 'shape-check';
    const answers = [
      await postJson(sim, `/me/todo/lists/${enc(task.listId)}/tasks`, { nope: 1 }, {}),
      await call(sim, '/me/todo/lists', { token: null }),
      await call(sim, `${sim.origin}/v1.0/nowhere`),
      await call(sim, '/me/todo/lists', { method: 'DELETE' }),
    ];
    const statuses = [400, 401, 404, 405];
    for (const [index, res] of answers.entries()) expectGraphError(res, statuses[index]!);
    const tagged = await call(sim, '/me/todo/lists', {
      token: null,
      headers: { 'client-request-id': id },
    });
    expect(expectGraphError(tagged, 401).error.innerError['client-request-id']).toBe(id);
  });
});

describe('ids', () => {
  const opaque = /^[A-Za-z0-9\-_]+=+$/;

  it('issues opaque base64-looking ids with "=" for lists, tasks, attachments and sessions', async () => {
    const lists = await getJson<Collection<ListJson>>(sim, '/me/todo/lists?$top=100');
    for (const list of lists.value) expect(list.id).toMatch(opaque);
    expect(task.taskId).toMatch(opaque);
    expect(attachmentId).toMatch(opaque);
    expect(sessionIdOf(uploadUrl)).toMatch(opaque);
    const archive = await listByName(sim, 'Archive');
    expect(archive.id).not.toBe(task.listId);
    // Percent-encoded and raw forms address the same task.
    const rawForm = `/me/todo/lists/${task.listId}/tasks/${task.taskId}`;
    expect((await getJson<{ id: string }>(sim, rawForm)).id).toBe(task.taskId);
  });
});
