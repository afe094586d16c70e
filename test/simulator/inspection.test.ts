import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSimulator,
  type Counters,
  type IssuedToken,
  type LiveSessionInfo,
  type RequestLogEntry,
  type RunningSimulator,
  type StoredAttachmentInfo,
  type UserInfo,
} from '../../main/simulator/index.ts';
import {
  attachmentIdOf,
  call,
  createSession,
  expectGraphError,
  newTask,
  pattern,
  postJson,
  putRange,
  sessionIdOf,
  sha256,
  type NewTask,
} from '../support/graph-sim.ts';
import { raw } from '../support/raw-http.ts';

let sim: RunningSimulator;
let task: NewTask;

beforeAll(async () => {
  sim = await startSimulator({ seed: 'empty' });
  task = await newTask(sim, 'inspection');
});
afterAll(() => sim.close());

async function inspect<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const res = await raw(`${sim.inspectUrl}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  expect(res.status, res.text).toBe(200);
  return res.json() as T;
}

describe('/_sim inspection routes', () => {
  it('/_sim/attachments: name, size, contentType and SHA-256 of what is stored', async () => {
    const small = Buffer.from('small file');
    const posted = await postJson(sim, `${task.path}/attachments`, {
      name: 'small.txt',
      contentType: 'text/plain',
      contentBytes: small.toString('base64'),
    });
    expect(posted.status).toBe(201);
    const big = pattern(40);
    const uploadUrl = await createSession(sim, task.path, big.length, {
      name: 'big.bin',
      contentType: 'application/zip',
    });
    const done = await putRange(sim, uploadUrl, big, 0, 39);
    const bigId = attachmentIdOf(String(done.headers['location']));

    const stored = await inspect<StoredAttachmentInfo[]>('/attachments');
    expect(stored).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: (posted.json() as { id: string }).id,
          name: 'small.txt',
          size: small.length,
          contentType: 'text/plain',
          sha256: sha256(small),
          via: 'post',
          userId: sim.user.id,
          listId: task.listId,
          taskId: task.taskId,
        }),
        expect.objectContaining({
          id: bigId,
          name: 'big.bin',
          size: 40,
          contentType: 'application/zip',
          sha256: sha256(big),
          via: 'session',
        }),
      ]),
    );
    const bytes = await raw(`${sim.inspectUrl}/attachments/${encodeURIComponent(bigId)}/content`);
    expect(bytes.status).toBe(200);
    expect(bytes.body.equals(big)).toBe(true);
    expect((await raw(`${sim.inspectUrl}/attachments/nope/content`)).status).toBe(404);
  });

  it('/_sim/sessions: offset and expiry of live sessions', async () => {
    const bytes = pattern(30);
    const res = await postJson(sim, `${task.path}/attachments/createUploadSession`, {
      attachmentInfo: { attachmentType: 'file', name: 'partial.bin', size: 30 },
    });
    const { uploadUrl, expirationDateTime } = res.json() as {
      uploadUrl: string;
      expirationDateTime: string;
    };
    expect((await putRange(sim, uploadUrl, bytes, 0, 11)).status).toBe(200);
    const sessions = await inspect<LiveSessionInfo[]>('/sessions');
    expect(sessions.find((s) => s.id === sessionIdOf(uploadUrl))).toEqual({
      id: sessionIdOf(uploadUrl),
      userId: sim.user.id,
      listId: task.listId,
      taskId: task.taskId,
      name: 'partial.bin',
      size: 30,
      nextOffset: 12,
      expirationDateTime,
      expired: false,
    });
    expect(await inspect<LiveSessionInfo[]>('/sessions')).toEqual(sim.control.sessions());
  });

  it('/_sim/counters: requests, operations, throttling, bytes received and committed', async () => {
    await inspect<Counters>('/counters', 'DELETE');
    const zero = await inspect<Counters>('/counters');
    expect(zero).toMatchObject({ requests: 0, bytesReceived: 0, bytesCommitted: 0 });

    const body = JSON.stringify({
      name: 'counted.txt',
      contentBytes: Buffer.from('12345').toString('base64'),
    });
    const posted = await call(sim, `${task.path}/attachments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect(posted.status).toBe(201);
    const bytes = pattern(20);
    const uploadUrl = await createSession(sim, task.path, bytes.length);
    const sessionBody = JSON.stringify({
      attachmentInfo: { attachmentType: 'file', name: 'file.bin', size: 20 },
    });
    expect((await putRange(sim, uploadUrl, bytes, 0, 9)).status).toBe(200);
    expect((await putRange(sim, uploadUrl, bytes, 0, 9)).status).toBe(416);
    sim.control.addFault({ operation: 'getTask', action: { type: 'status', status: 429 } });
    expect((await call(sim, task.path)).status).toBe(429);

    const counters = await inspect<Counters>('/counters');
    expect(counters.requests).toBe(5);
    expect(counters.byOperation).toEqual({
      createAttachment: 1,
      createUploadSession: 1,
      uploadContent: 2,
      getTask: 1,
    });
    expect(counters.throttled).toEqual({ concurrency: 0, requests: 0, volume: 0, injected: 1 });
    expect(counters.faultsFired).toBe(1);
    expect(counters.byStatus).toMatchObject({ '201': 1, '200': 2, '416': 1, '429': 1 });
    expect(counters.bytesReceived).toBe(Buffer.byteLength(body) + sessionBody.length + 20);
    expect(counters.bytesCommitted).toBe(5 + 10);
    expect(counters.peakConcurrency).toBe(1);
  });

  it('/_sim/requests: method, path, status, client-request-id and Content-Range', async () => {
    const since = sim.control.requests().at(-1)?.seq ?? 0;
    const bytes = pattern(8);
    const uploadUrl = await createSession(sim, task.path, bytes.length);
    const put = await putRange(sim, uploadUrl, bytes, 0, 7, {
      headers: { 'client-request-id': 'put-1' },
    });
    expect(put.status).toBe(201);
    expect((await call(sim, `${task.path}/nope`)).status).toBe(404);
    const log = await inspect<RequestLogEntry[]>(`/requests?since=${since}`);
    expect(log.map((entry) => entry.seq)).toEqual([since + 1, since + 2, since + 3]);
    expect(log[0]).toMatchObject({
      method: 'POST',
      operation: 'createUploadSession',
      status: 200,
      userId: sim.user.id,
    });
    expect(log[1]).toMatchObject({
      method: 'PUT',
      path: new URL(`${uploadUrl}/content`).pathname,
      operation: 'uploadContent',
      status: 201,
      clientRequestId: 'put-1',
      contentRange: 'bytes 0-7/8',
      bodyBytes: 8,
      note: null,
    });
    expect(log[1]?.requestId).toBe(put.headers['request-id']);
    expect(log[2]).toMatchObject({ method: 'GET', status: 404, clientRequestId: null });
    expect(log[2]?.path).toMatch(/\/nope$/);
  });

  it('/_sim/clock reads and moves the simulator clock', async () => {
    const { now } = await inspect<{ now: number }>('/clock');
    expect(Math.abs(now - sim.control.now())).toBeLessThan(1_000);
    const moved = await inspect<{ now: number }>('/clock', 'POST', { advanceMs: 3_600_000 });
    expect(moved.now - now).toBeGreaterThanOrEqual(3_600_000);
    const backwards = await raw(`${sim.inspectUrl}/clock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ advanceMs: -1 }),
    });
    expect(backwards.status).toBe(400);
  });

  it('/_sim/tokens issues tokens and expires one or all', async () => {
    const short = await inspect<IssuedToken>('/tokens', 'POST', { lifetimeMs: 1_000 });
    expect(short.userId).toBe(sim.user.id);
    expect(Date.parse(short.expiresOn) - sim.control.now()).toBeLessThanOrEqual(1_000);
    expect((await call(sim, '/me/todo/lists', { token: short.accessToken })).status).toBe(200);
    await inspect('/clock', 'POST', { advanceMs: 1_000 });
    expectGraphError(await call(sim, '/me/todo/lists', { token: short.accessToken }), 401);

    const a = await inspect<IssuedToken>('/tokens', 'POST', {});
    const b = await inspect<IssuedToken>('/tokens', 'POST', {});
    await inspect('/tokens/expire', 'POST', { accessToken: a.accessToken });
    expectGraphError(await call(sim, '/me/todo/lists', { token: a.accessToken }), 401);
    expect((await call(sim, '/me/todo/lists', { token: b.accessToken })).status).toBe(200);
    const unknownUser = await raw(`${sim.inspectUrl}/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: 'nobody' }),
    });
    expect(unknownUser.status).toBe(400);
  });

  it('/_sim/users lists and adds users with their own built-in lists', async () => {
    const before = await inspect<UserInfo[]>('/users');
    expect(before).toEqual([expect.objectContaining({ id: sim.user.id })]);
    const added = await inspect<UserInfo>('/users', 'POST', {
      displayName: 'Second',
      userPrincipalName: 'second@taskdrop.example',
    });
    expect(added.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await inspect<UserInfo[]>('/users')).map((user) => user.id)).toEqual([
      sim.user.id,
      added.id,
    ]);
    const token = await inspect<IssuedToken>('/tokens', 'POST', { userId: added.id });
    const lists = await call(sim, '/users/second@taskdrop.example/todo/lists', {
      token: token.accessToken,
    });
    expect((lists.json() as { value: unknown[] }).value).toHaveLength(2);
    const overview = await inspect<{ users: UserInfo[]; now: number }>('');
    expect(overview.users).toHaveLength(2);
  });

  it('answers 404 to an unknown inspection route', async () => {
    expect((await raw(`${sim.inspectUrl}/nothing-here`)).status).toBe(404);
  });
});

describe('without inspection', () => {
  it('does not serve /_sim at all, while Graph works', async () => {
    const closed = await startSimulator({ seed: 'empty', inspection: false });
    try {
      for (const path of ['', '/attachments', '/counters', '/clock', '/faults']) {
        const res = await raw(`${closed.inspectUrl}${path}`);
        expectGraphError(res, 404);
      }
      const faults = await raw(`${closed.inspectUrl}/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ operation: '*', action: { type: 'status', status: 503 } }),
      });
      expect(faults.status).toBe(404);
      expect(closed.control.faults()).toEqual([]);
      expect((await call(closed, '/me/todo/lists')).status).toBe(200);
    } finally {
      await closed.close();
    }
  });
});
