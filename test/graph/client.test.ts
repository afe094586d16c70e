/** The Graph client against the running simulator: real HTTP on loopback, faults on demand. */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GraphClient, GraphError, nextOffset } from '../../main/core/graph/index.ts';
import type {
  GraphClientOptions,
  TaskDelta,
  TodoTaskList,
  UploadSession,
} from '../../main/core/graph/index.ts';
import { startSimulator } from '../../main/simulator/index.ts';
import type { RequestLogEntry, RunningSimulator } from '../../main/simulator/index.ts';

const rangeSize = 3_932_160;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let sim: RunningSimulator;
let tokenCalls: boolean[];
let defaultListId: string;

function makeClient(options: Partial<GraphClientOptions> = {}): GraphClient {
  return new GraphClient({
    graphUrl: sim.graphUrl,
    getAccessToken: async ({ forceRefresh }) => {
      tokenCalls.push(forceRefresh);
      return sim.testToken;
    },
    ...options,
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Runs `work` and returns the simulator's log of the requests it made. */
async function logged(work: () => Promise<unknown>): Promise<RequestLogEntry[]> {
  const since = sim.control.requests().at(-1)?.seq ?? 0;
  await work();
  return sim.control.requests(since);
}

async function graphFailure(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphError) return error;
    throw error;
  }
  throw new Error('expected a GraphError');
}

async function newTask(client: GraphClient, title: string): Promise<string> {
  return (await client.createTask(defaultListId, { title })).id;
}

async function newSession(client: GraphClient, taskId: string, size: number) {
  return client.createUploadSession(defaultListId, taskId, {
    name: `file-${size}.bin`,
    size,
    contentType: 'application/pdf',
  });
}

/** PUTs `bytes` from `start` in ranges of `rangeSize`, stopping at the first non-accepted answer. */
async function uploadFrom(
  client: GraphClient,
  session: UploadSession,
  bytes: Uint8Array,
  start = 0,
) {
  let offset = start;
  for (;;) {
    const chunk = bytes.subarray(offset, offset + rangeSize);
    const result = await client.uploadRange(session.uploadUrl, {
      start: offset,
      totalSize: bytes.length,
      bytes: chunk,
    });
    if (result.kind === 'completed') return result;
    const next = nextOffset(result.nextExpectedRanges);
    expect(next).toBe(offset + chunk.length);
    offset = next ?? Number.NaN;
  }
}

function attachmentsOf(taskId: string) {
  return sim.control.attachments().filter((attachment) => attachment.taskId === taskId);
}

beforeAll(async () => {
  sim = await startSimulator();
  tokenCalls = [];
  const lists = await makeClient().listLists();
  const defaultList = lists.find((list) => list.wellknownListName === 'defaultList');
  if (defaultList === undefined) throw new Error('the simulator has no default list');
  defaultListId = defaultList.id;
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.control.clearFaults();
  tokenCalls = [];
});

describe('lists and tasks', () => {
  it('lists every list across pages, always sending $top', async () => {
    const client = makeClient({ pageSize: 2 });
    let lists: TodoTaskList[] = [];
    const log = await logged(async () => {
      lists = await client.listLists();
    });
    expect(lists.map((list) => list.displayName)).toEqual(
      expect.arrayContaining(['Tasks', 'Flagged emails', 'Archive']),
    );
    expect(lists.find((list) => list.displayName === 'Flagged emails')?.wellknownListName).toBe(
      'flaggedEmails',
    );
    expect(new Set(lists.map((list) => list.id)).size).toBe(lists.length);
    expect(log.length).toBe(Math.ceil(lists.length / 2));
    for (const entry of log) expect(entry.path).toContain('$top=2');
  });

  it('pages through a list of 250+ tasks with unique client-request-ids', async () => {
    const client = makeClient({ pageSize: 100 });
    const archive = (await client.listLists()).find((list) => list.displayName === 'Archive');
    if (archive === undefined) throw new Error('no Archive list');
    let titles: string[] = [];
    const log = await logged(async () => {
      titles = (await client.listTasks(archive.id)).map((task) => task.title);
    });
    expect(titles.length).toBeGreaterThanOrEqual(250);
    expect(new Set(titles).size).toBe(titles.length);
    expect(titles).toContain('Archived item 250');
    expect(log.map((entry) => entry.operation)).toEqual(['listTasks', 'listTasks', 'listTasks']);
    for (const entry of log) expect(entry.path).toContain('$top=');
    const ids = log.map((entry) => entry.clientRequestId);
    for (const id of ids) expect(id).toMatch(uuid);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('hands out tasks page by page', async () => {
    const client = makeClient({ pageSize: 100 });
    const archive = (await client.listLists()).find((list) => list.displayName === 'Archive');
    if (archive === undefined) throw new Error('no Archive list');
    const sizes: number[] = [];
    for await (const page of client.listTaskPages(archive.id)) sizes.push(page.length);
    expect(sizes.slice(0, 2)).toEqual([100, 100]);
    expect(sizes.length).toBe(3);
  });

  it('addresses the user as users/{id} when told to', async () => {
    const client = makeClient({ user: sim.user.id });
    const log = await logged(() => client.listLists());
    expect(log[0]?.path).toContain(`/v1.0/users/${sim.user.id}/todo/lists`);
    expect(log[0]?.status).toBe(200);
  });

  it('creates, reads and deletes a task; a deleted task is not found', async () => {
    const client = makeClient();
    const created = await client.createTask(defaultListId, { title: 'Client round trip' });
    expect(created).toMatchObject({ title: 'Client round trip', hasAttachments: false });
    expect(await client.getTask(defaultListId, created.id)).toEqual(created);
    await client.deleteTask(defaultListId, created.id);
    let error: GraphError | undefined;
    const log = await logged(async () => {
      error = await graphFailure(client.getTask(defaultListId, created.id));
    });
    expect(error).toMatchObject({ kind: 'not-found', status: 404, code: 'itemNotFound' });
    expect(error?.requestId).toBe(log[0]?.requestId);
    expect(error?.clientRequestId).toBe(log[0]?.clientRequestId);
    expect(error?.message).toContain('Graph answered 404 itemNotFound for getTask');
  });
});

describe('task delta', () => {
  it('sees everything first, then only what changed', async () => {
    const client = makeClient({ pageSize: 4 });
    const home = (await client.listLists()).find((list) => list.displayName === 'Home');
    if (home === undefined) throw new Error('no Home list');
    const existing = await client.listTasks(home.id);
    expect(existing.length).toBeGreaterThan(4);

    let first: TaskDelta = { changed: [], removedIds: [], deltaLink: '' };
    const firstLog = await logged(async () => {
      first = await client.taskDelta(home.id);
    });
    expect(first.changed.map((task) => task.id).sort()).toEqual(
      existing.map((task) => task.id).sort(),
    );
    expect(first.removedIds).toEqual([]);
    expect(firstLog.length).toBe(Math.ceil(existing.length / 4));
    expect(firstLog[0]?.path).toContain('/tasks/delta?$top=4');

    const added = await client.createTask(home.id, { title: 'Delta newcomer' });
    const gone = existing[0]?.id ?? '';
    await client.deleteTask(home.id, gone);

    const second = await client.taskDelta(home.id, { deltaLink: first.deltaLink });
    expect(second.changed.map((task) => task.id)).toEqual([added.id]);
    expect(second.removedIds).toEqual([gone]);

    const third = await client.taskDelta(home.id, { deltaLink: second.deltaLink });
    expect(third).toMatchObject({ changed: [], removedIds: [] });
  });
});

describe('small attachments', () => {
  it('posts base64 bytes, lists the metadata and deletes it', async () => {
    const client = makeClient();
    const taskId = await newTask(client, 'Small attachment');
    const bytes = randomBytes(12_345);
    const created = await client.createSmallAttachment(defaultListId, taskId, {
      name: 'scan.png',
      contentType: 'image/png',
      bytes,
    });
    expect(created).toMatchObject({ name: 'scan.png', contentType: 'image/png' });
    const stored = attachmentsOf(taskId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: created.id, sha256: sha256(bytes), via: 'post' });
    expect(stored[0]?.size).toBe(bytes.length);

    const listed = await client.listAttachments(defaultListId, taskId);
    expect(listed).toEqual([created]);
    expect((await client.getTask(defaultListId, taskId)).hasAttachments).toBe(true);

    await client.deleteAttachment(defaultListId, taskId, created.id);
    expect(await client.listAttachments(defaultListId, taskId)).toEqual([]);
    const again = await graphFailure(client.deleteAttachment(defaultListId, taskId, created.id));
    expect(again.kind).toBe('not-found');
  });
});

describe('upload sessions', () => {
  it('uploads 9 MB in ordered ranges and gets the attachment id from Location', async () => {
    const client = makeClient();
    const taskId = await newTask(client, 'Large upload');
    const bytes = randomBytes(9 * 1024 * 1024);
    const session = await newSession(client, taskId, bytes.length);
    expect(session.uploadUrl.startsWith(`${sim.graphUrl}/users/${sim.user.id}/`)).toBe(true);
    expect(session.nextExpectedRanges).toEqual([{ start: 0, end: null }]);
    expect(session.expiresAt).toBeGreaterThan(sim.control.now());

    const first = await client.uploadRange(session.uploadUrl, {
      start: 0,
      totalSize: bytes.length,
      bytes: bytes.subarray(0, rangeSize),
    });
    expect(first).toEqual({
      kind: 'accepted',
      nextExpectedRanges: [{ start: rangeSize, end: null }],
      expiresAt: session.expiresAt,
    });
    const state = await client.getUploadSession(session.uploadUrl);
    expect(state).toEqual({
      nextExpectedRanges: [{ start: rangeSize, end: null }],
      expiresAt: session.expiresAt,
    });

    let result: Awaited<ReturnType<typeof uploadFrom>> | undefined;
    const log = await logged(async () => {
      result = await uploadFrom(client, session, bytes, rangeSize);
    });
    const stored = attachmentsOf(taskId);
    expect(stored).toHaveLength(1);
    expect(result).toMatchObject({ kind: 'completed', attachmentId: stored[0]?.id });
    expect(stored[0]).toMatchObject({ sha256: sha256(bytes), size: bytes.length, via: 'session' });
    expect(log.map((entry) => entry.contentRange)).toEqual([
      `bytes ${rangeSize}-${2 * rangeSize - 1}/${bytes.length}`,
      `bytes ${2 * rangeSize}-${bytes.length - 1}/${bytes.length}`,
    ]);
    for (const entry of log) expect(entry.path.endsWith('/content')).toBe(true);
    expect(log.map((entry) => entry.status)).toEqual([200, 201]);

    const after = await graphFailure(client.getUploadSession(session.uploadUrl));
    expect(after.kind).toBe('session-gone');
  });

  it('deletes a session; a second delete finds it already gone', async () => {
    const client = makeClient();
    const taskId = await newTask(client, 'Cancelled upload');
    const session = await newSession(client, taskId, 5_000_000);
    const sessionId = decodeURIComponent(session.uploadUrl.split('/').at(-1) ?? '');
    expect(sim.control.sessions().some((live) => live.id === sessionId)).toBe(true);
    expect(await client.deleteUploadSession(session.uploadUrl)).toBe('deleted');
    expect(sim.control.sessions().some((live) => live.id === sessionId)).toBe(false);
    expect(await client.deleteUploadSession(session.uploadUrl)).toBe('already-gone');
    const error = await graphFailure(client.getUploadSession(session.uploadUrl));
    expect(error).toMatchObject({ kind: 'session-gone', status: 404 });
  });

  it('reports a range at the wrong offset as a permanent 416 and leaves the session as it was', async () => {
    const client = makeClient();
    const taskId = await newTask(client, 'Wrong offset');
    const session = await newSession(client, taskId, 1_000);
    const error = await graphFailure(
      client.uploadRange(session.uploadUrl, {
        start: 500,
        totalSize: 1_000,
        bytes: new Uint8Array(500),
      }),
    );
    expect(error).toMatchObject({
      kind: 'permanent',
      status: 416,
      code: 'invalidRange',
      operation: 'uploadRange',
      ambiguous: false,
    });
    expect(error.requestId).toMatch(uuid);
    const state = await client.getUploadSession(session.uploadUrl);
    expect(nextOffset(state.nextExpectedRanges)).toBe(0);
  });

  it('reports an oversized range as a permanent 413', async () => {
    const client = makeClient();
    const taskId = await newTask(client, 'Oversized range');
    const size = 5 * 1024 * 1024;
    const session = await newSession(client, taskId, size);
    const error = await graphFailure(
      client.uploadRange(session.uploadUrl, {
        start: 0,
        totalSize: size,
        bytes: new Uint8Array(4 * 1024 * 1024 + 1),
      }),
    );
    expect(error).toMatchObject({ kind: 'permanent', status: 413 });
  });

  it('reports an expired session as gone', async () => {
    const client = makeClient();
    const taskId = await newTask(client, 'Expiring upload');
    const bytes = randomBytes(2_000);
    const session = await newSession(client, taskId, bytes.length);
    await client.uploadRange(session.uploadUrl, {
      start: 0,
      totalSize: bytes.length,
      bytes: bytes.subarray(0, 1_000),
    });
    sim.control.advanceClock((session.expiresAt ?? 0) - sim.control.now() + 1);
    const error = await graphFailure(
      client.uploadRange(session.uploadUrl, {
        start: 1_000,
        totalSize: bytes.length,
        bytes: bytes.subarray(1_000),
      }),
    );
    expect(error).toMatchObject({ kind: 'session-gone', status: 404, code: 'itemNotFound' });
    expect(attachmentsOf(taskId)).toEqual([]);
  });
});

describe('fault classification', () => {
  async function throttledListTasks(retryAfter?: string) {
    sim.control.addFault({
      operation: 'listTasks',
      action:
        retryAfter === undefined
          ? { type: 'status', status: 429 }
          : { type: 'status', status: 429, retryAfter },
    });
    return graphFailure(makeClient().listTasks(defaultListId));
  }

  it('429 without Retry-After is throttled with no wait given', async () => {
    const error = await throttledListTasks();
    expect(error).toMatchObject({
      kind: 'throttled',
      status: 429,
      code: 'ApplicationThrottled',
      retryAfterMs: null,
    });
  });

  it('429 with integer or fractional Retry-After carries the wait', async () => {
    expect((await throttledListTasks('3')).retryAfterMs).toBe(3_000);
    expect((await throttledListTasks('2.128')).retryAfterMs).toBe(2_128);
  });

  it('429 with an HTTP-date Retry-After is measured from the injected clock', async () => {
    const now = Date.UTC(2026, 4, 1, 9, 0, 0);
    sim.control.addFault({
      operation: 'getTask',
      action: { type: 'status', status: 429, retryAfter: new Date(now + 5_000).toUTCString() },
    });
    const client = makeClient({ now: () => now });
    const taskId = await newTask(client, 'Dated throttle');
    const error = await graphFailure(client.getTask(defaultListId, taskId));
    expect(error).toMatchObject({ kind: 'throttled', retryAfterMs: 5_000 });
  });

  it('503 with Retry-After mid-upload is transient and commits nothing', async () => {
    const client = makeClient();
    const taskId = await newTask(client, '503 upload');
    const session = await newSession(client, taskId, 2_000);
    sim.control.addFault({
      operation: 'uploadContent',
      action: { type: 'status', status: 503, retryAfter: '1.5' },
    });
    const error = await graphFailure(
      client.uploadRange(session.uploadUrl, {
        start: 0,
        totalSize: 2_000,
        bytes: new Uint8Array(1_000),
      }),
    );
    expect(error).toMatchObject({
      kind: 'transient',
      status: 503,
      retryAfterMs: 1_500,
      ambiguous: false,
    });
    const state = await client.getUploadSession(session.uploadUrl);
    expect(nextOffset(state.nextExpectedRanges)).toBe(0);
  });

  it('504 is transient and ambiguous', async () => {
    sim.control.addFault({ operation: 'createTask', action: { type: 'status', status: 504 } });
    const error = await graphFailure(makeClient().createTask(defaultListId, { title: 'x' }));
    expect(error).toMatchObject({ kind: 'transient', status: 504, ambiguous: true });
  });

  it('a connection dropped before the commit is transient and ambiguous; the offset stays', async () => {
    const client = makeClient();
    const taskId = await newTask(client, 'Drop before commit');
    const session = await newSession(client, taskId, 2_000);
    sim.control.addFault({ operation: 'uploadContent', action: { type: 'drop-before-commit' } });
    const error = await graphFailure(
      client.uploadRange(session.uploadUrl, {
        start: 0,
        totalSize: 2_000,
        bytes: new Uint8Array(1_000),
      }),
    );
    expect(error).toMatchObject({
      kind: 'transient',
      status: null,
      code: 'networkError',
      ambiguous: true,
    });
    const state = await client.getUploadSession(session.uploadUrl);
    expect(nextOffset(state.nextExpectedRanges)).toBe(0);
  });

  it('a connection dropped after the commit is transient and ambiguous; the session moved on', async () => {
    const client = makeClient();
    const taskId = await newTask(client, 'Drop after commit');
    const session = await newSession(client, taskId, 2_000);
    sim.control.addFault({ operation: 'uploadContent', action: { type: 'drop-after-commit' } });
    const error = await graphFailure(
      client.uploadRange(session.uploadUrl, {
        start: 0,
        totalSize: 2_000,
        bytes: new Uint8Array(1_000),
      }),
    );
    expect(error).toMatchObject({ kind: 'transient', code: 'networkError', ambiguous: true });
    const state = await client.getUploadSession(session.uploadUrl);
    expect(nextOffset(state.nextExpectedRanges)).toBe(1_000);
  });

  it('a final 201 without Location completes with no id, and the attachment exists', async () => {
    const client = makeClient();
    const taskId = await newTask(client, 'No Location');
    const bytes = randomBytes(3_000);
    const session = await newSession(client, taskId, bytes.length);
    sim.control.addFault({ operation: 'uploadContent', action: { type: 'omit-location' } });
    const result = await uploadFrom(client, session, bytes);
    expect(result).toEqual({ kind: 'completed', attachmentId: null, location: null });
    expect(attachmentsOf(taskId).map((attachment) => attachment.sha256)).toEqual([sha256(bytes)]);
  });

  it('a lowercase location header still yields the attachment id', async () => {
    const client = makeClient();
    const taskId = await newTask(client, 'Lowercase Location');
    const bytes = randomBytes(3_000);
    const session = await newSession(client, taskId, bytes.length);
    sim.control.addFault({ operation: 'uploadContent', action: { type: 'lowercase-location' } });
    const result = await uploadFrom(client, session, bytes);
    const stored = attachmentsOf(taskId);
    expect(stored).toHaveLength(1);
    expect(result).toMatchObject({ kind: 'completed', attachmentId: stored[0]?.id });
    if (result.kind !== 'completed') throw new Error('not completed');
    expect(
      result.location?.endsWith(`/Attachments/${encodeURIComponent(stored[0]?.id ?? '')}`),
    ).toBe(true);
  });

  it('an expired token is refreshed once and the call succeeds with the fresh token', async () => {
    const stale = sim.control.issueToken({ lifetimeMs: 60_000 }).accessToken;
    const fresh = sim.control.issueToken({ lifetimeMs: 60_000 }).accessToken;
    const client = makeClient({
      getAccessToken: async ({ forceRefresh }) => {
        tokenCalls.push(forceRefresh);
        return forceRefresh ? fresh : stale;
      },
    });
    const taskId = await newTask(makeClient(), 'Token refresh');
    tokenCalls = [];
    sim.control.addFault({ operation: 'getTask', action: { type: 'expire-token' } });
    let title = '';
    const log = await logged(async () => {
      title = (await client.getTask(defaultListId, taskId)).title;
    });
    expect(title).toBe('Token refresh');
    expect(tokenCalls).toEqual([false, true]);
    expect(log.map((entry) => entry.status)).toEqual([401, 200]);
    expect(log[0]?.clientRequestId).not.toBe(log[1]?.clientRequestId);
  });

  it('a second 401 is an auth error', async () => {
    const expired = sim.control.issueToken({ lifetimeMs: 60_000 }).accessToken;
    sim.control.expireTokens(expired);
    const client = makeClient({
      getAccessToken: async ({ forceRefresh }) => {
        tokenCalls.push(forceRefresh);
        return expired;
      },
    });
    let error: GraphError | undefined;
    const log = await logged(async () => {
      error = await graphFailure(client.listLists());
    });
    expect(error).toMatchObject({ kind: 'auth', status: 401, code: 'InvalidAuthenticationToken' });
    expect(error?.message).not.toContain(expired);
    expect(tokenCalls).toEqual([false, true]);
    expect(log).toHaveLength(2);
  });
});

describe('safety and control', () => {
  it('refuses an upload URL on another origin before any request or token', async () => {
    const client = makeClient();
    const foreign = sim.graphUrl.replace('127.0.0.1', 'localhost');
    const before = sim.control.counters().requests;
    const since = sim.control.requests().at(-1)?.seq ?? 0;
    const error = await graphFailure(
      client.uploadRange(
        `${foreign}/users/${sim.user.id}/todo/lists/L/tasks/T/attachmentSessions/S`,
        {
          start: 0,
          totalSize: 1,
          bytes: new Uint8Array(1),
        },
      ),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'untrustedHost' });
    expect(error.message).toContain('http://localhost:');
    expect(sim.control.counters().requests).toBe(before);
    expect(sim.control.requests(since)).toEqual([]);
    expect(tokenCalls).toEqual([]);
  });

  it('rejects with AbortError when the caller cancels, not with a GraphError', async () => {
    const client = makeClient();
    sim.control.addFault({ operation: 'listLists', action: { type: 'delay', ms: 400 } });
    const controller = new AbortController();
    const pending = client.listLists({ signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const error: unknown = await pending.then(
      () => new Error('expected a rejection'),
      (reason: unknown) => reason,
    );
    expect(error).not.toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ name: 'AbortError' });
  });

  it('gives up on a stalled server after its own timeout, as a transient ambiguous error', async () => {
    const client = makeClient({ requestTimeoutMs: 50 });
    sim.control.addFault({ operation: 'listLists', action: { type: 'delay', ms: 300 } });
    const error = await graphFailure(client.listLists());
    expect(error).toMatchObject({ kind: 'transient', code: 'timeout', ambiguous: true });
  });
});
