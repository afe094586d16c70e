/**
 * The client's own behaviour against a scripted fetch: what it sends, what it refuses to send,
 * and how it reads answers the simulator does not produce.
 */
import { describe, expect, it } from 'vitest';
import { GraphClient, GraphError } from '../../main/core/graph/index.ts';
import type { GraphClientOptions } from '../../main/core/graph/index.ts';

const graphUrl = 'https://graph.example.test/v1.0';
const token = 'secret-token-value';
const uploadUrl = `${graphUrl}/users/u1/todo/lists/L/tasks/T/attachmentSessions/S`;

interface SentRequest {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
  redirect: RequestInit['redirect'];
}

type Responder = (request: SentRequest) => Response | Promise<Response>;

function harness(responders: Responder[], options: Partial<GraphClientOptions> = {}) {
  const sent: SentRequest[] = [];
  const tokenCalls: boolean[] = [];
  const fakeFetch: typeof fetch = async (input, init) => {
    const request: SentRequest = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: init?.body,
      redirect: init?.redirect,
    };
    sent.push(request);
    const responder = responders[sent.length - 1];
    if (responder === undefined) throw new Error(`unexpected request ${request.url}`);
    return responder(request);
  };
  const client = new GraphClient({
    graphUrl,
    fetch: fakeFetch,
    getAccessToken: async ({ forceRefresh }) => {
      tokenCalls.push(forceRefresh);
      return forceRefresh ? `${token}-fresh` : token;
    },
    ...options,
  });
  return { client, sent, tokenCalls };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

async function graphFailure(promise: Promise<unknown>): Promise<GraphError> {
  const error = await failure(promise);
  if (!(error instanceof GraphError)) throw new Error(`not a GraphError: ${String(error)}`);
  expect(error.message).not.toContain(token);
  return error;
}

describe('requests', () => {
  it('sends $top, follows nextLink verbatim, and uses a fresh client-request-id each time', async () => {
    const next = `${graphUrl}/me/todo/lists?$top=2&$skiptoken=abc%3D`;
    const { client, sent } = harness([
      () => json(200, { value: [{ id: 'a', displayName: 'A' }], '@odata.nextLink': next }),
      () => json(200, { value: [{ id: 'b', displayName: 'B' }, { displayName: 'no id' }] }),
    ]);
    const lists = await client.listLists();
    expect(lists.map((list) => list.id)).toEqual(['a', 'b']);
    expect(sent.map((request) => request.url)).toEqual([
      `${graphUrl}/me/todo/lists?$top=100`,
      next,
    ]);
    const ids = sent.map((request) => request.headers.get('client-request-id'));
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[0]?.headers.get('authorization')).toBe(`Bearer ${token}`);
    expect(sent[0]?.redirect).toBe('manual');
  });

  it('addresses users/{id} and percent-encodes ids in paths', async () => {
    const { client, sent } = harness([() => new Response(null, { status: 204 })], {
      user: 'ada@example.test',
    });
    await client.deleteTask('AAM/k=', 'T+1=');
    expect(sent[0]?.url).toBe(
      `${graphUrl}/users/ada%40example.test/todo/lists/AAM%2Fk%3D/tasks/T%2B1%3D`,
    );
    expect(sent[0]?.method).toBe('DELETE');
  });

  it('puts a range on /content with the headers To Do requires', async () => {
    const { client, sent } = harness([() => json(200, { NextExpectedRanges: ['4'] })]);
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const result = await client.uploadRange(uploadUrl, { start: 0, totalSize: 10, bytes });
    expect(result).toEqual({
      kind: 'accepted',
      nextExpectedRanges: [{ start: 4, end: null }],
      expiresAt: null,
    });
    const put = sent[0];
    expect(put?.url).toBe(`${uploadUrl}/content`);
    expect(put?.method).toBe('PUT');
    expect(put?.headers.get('content-range')).toBe('bytes 0-3/10');
    expect(put?.headers.get('content-type')).toBe('application/octet-stream');
    expect(put?.headers.get('authorization')).toBe(`Bearer ${token}`);
    // Streamed as it is (fetch would copy a byte array), with the length To Do requires.
    expect(put?.headers.get('content-length')).toBe('4');
    expect(put?.body).toBeInstanceOf(ReadableStream);
    expect(new Uint8Array(await new Response(put?.body as ReadableStream).arrayBuffer())).toEqual(
      bytes,
    );
  });

  it('refuses a range that does not fit the file before sending anything', async () => {
    const { client, sent } = harness([]);
    const bytes = new Uint8Array(5);
    await expect(client.uploadRange(uploadUrl, { start: 8, totalSize: 10, bytes })).rejects.toThrow(
      RangeError,
    );
    await expect(
      client.uploadRange(uploadUrl, { start: 0, totalSize: 10, bytes: new Uint8Array(0) }),
    ).rejects.toThrow(RangeError);
    expect(sent).toHaveLength(0);
  });
});

describe('the final range', () => {
  it('never reads the body of a 201', async () => {
    const poisoned = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('the body must not be read'));
      },
    });
    const { client } = harness([
      () =>
        new Response(poisoned, {
          status: 201,
          headers: { Location: `${graphUrl}/users/u1/todo/lists/L/tasks/T/Attachments/AAMk%3D` },
        }),
    ]);
    const result = await client.uploadRange(uploadUrl, {
      start: 6,
      totalSize: 10,
      bytes: new Uint8Array(4),
    });
    expect(result).toEqual({
      kind: 'completed',
      attachmentId: 'AAMk=',
      location: `${graphUrl}/users/u1/todo/lists/L/tasks/T/Attachments/AAMk%3D`,
    });
  });

  it('treats an empty 200 as accepted with no ranges, so the engine asks the session', async () => {
    const { client } = harness([() => new Response('', { status: 200 })]);
    const result = await client.uploadRange(uploadUrl, {
      start: 0,
      totalSize: 2,
      bytes: new Uint8Array(1),
    });
    expect(result).toEqual({ kind: 'accepted', nextExpectedRanges: [], expiresAt: null });
  });
});

describe('untrusted hosts', () => {
  it('refuses an upload URL on another origin without asking for a token', async () => {
    const { client, sent, tokenCalls } = harness([]);
    for (const url of [
      'https://evil.example.test/v1.0/users/u/attachmentSessions/S',
      'http://graph.example.test/v1.0/users/u/attachmentSessions/S',
      'https://graph.example.test:8443/v1.0/users/u/attachmentSessions/S',
      'not a url',
    ]) {
      const error = await graphFailure(
        client.uploadRange(url, { start: 0, totalSize: 1, bytes: new Uint8Array(1) }),
      );
      expect(error).toMatchObject({ kind: 'permanent', code: 'untrustedHost', status: null });
    }
    await graphFailure(client.getUploadSession('https://evil.example.test/s'));
    await graphFailure(client.deleteUploadSession('https://evil.example.test/s'));
    expect(sent).toHaveLength(0);
    expect(tokenCalls).toHaveLength(0);
  });

  it('stops paging at a nextLink that leaves the Graph host', async () => {
    const { client, sent } = harness([
      () => json(200, { value: [], '@odata.nextLink': 'https://evil.example.test/page2' }),
    ]);
    const error = await graphFailure(client.listTasks('L'));
    expect(error.code).toBe('untrustedHost');
    expect(sent).toHaveLength(1);
  });
});

describe('tolerance and bounds', () => {
  it('accepts a single entity wrapped in "value"', async () => {
    const { client } = harness([() => json(200, { value: { id: 't1', title: 'Wrapped' } })]);
    const task = await client.getTask('L', 't1');
    expect(task).toMatchObject({ id: 't1', title: 'Wrapped' });
  });

  it('gives up on a server that pages forever', async () => {
    const loop = `${graphUrl}/me/todo/lists/L/tasks?$skiptoken=same`;
    const responders = Array.from(
      { length: 1001 },
      () => () => json(200, { value: [], '@odata.nextLink': loop }),
    );
    const { client, sent } = harness(responders);
    const error = await graphFailure(client.listTasks('L'));
    expect(error).toMatchObject({ kind: 'permanent', code: 'invalidResponse' });
    expect(sent).toHaveLength(1000);
  });

  it('reports a 2xx without a usable body as an invalid response', async () => {
    const { client } = harness([() => json(200, { nextExpectedRanges: ['0-'] })]);
    const error = await graphFailure(
      client.createUploadSession('L', 'T', { name: 'a', size: 1, contentType: 'text/plain' }),
    );
    expect(error).toMatchObject({ code: 'invalidResponse', operation: 'createUploadSession' });
  });

  it('refuses to follow a redirect and reports it as a permanent failure', async () => {
    const { client, sent } = harness([
      () => new Response(null, { status: 302, headers: { Location: 'https://evil.example.test' } }),
    ]);
    const error = await graphFailure(client.getTask('L', 'T'));
    expect(error).toMatchObject({ kind: 'permanent', status: 302 });
    expect(sent).toHaveLength(1);
  });
});

describe('auth', () => {
  it('refreshes once on 401 and retries with the new token', async () => {
    const { client, sent, tokenCalls } = harness([
      () => json(401, { error: { code: 'InvalidAuthenticationToken' } }),
      () => json(200, { id: 't1', title: 'ok' }),
    ]);
    await expect(client.getTask('L', 't1')).resolves.toMatchObject({ id: 't1' });
    expect(tokenCalls).toEqual([false, true]);
    expect(sent[1]?.headers.get('authorization')).toBe(`Bearer ${token}-fresh`);
  });

  it('reports a second 401 as an auth error without a third try', async () => {
    const unauthorized = () => json(401, { error: { code: 'InvalidAuthenticationToken' } });
    const { client, sent } = harness([unauthorized, unauthorized]);
    const error = await graphFailure(client.getTask('L', 't1'));
    expect(error).toMatchObject({ kind: 'auth', status: 401, code: 'InvalidAuthenticationToken' });
    expect(sent).toHaveLength(2);
  });

  it('passes a sign-in refusal through unchanged, and makes other token failures transient', async () => {
    const refusal = Object.assign(new Error('sign in again'), { name: 'SignInRequiredError' });
    const refusing = new GraphClient({
      graphUrl,
      fetch: () => Promise.reject(new Error('must not be called')),
      getAccessToken: () => Promise.reject(refusal),
    });
    await expect(refusing.listLists()).rejects.toBe(refusal);
    const unreachable = new GraphClient({
      graphUrl,
      fetch: () => Promise.reject(new Error('must not be called')),
      getAccessToken: () =>
        Promise.reject(new Error('getaddrinfo ENOTFOUND login.microsoftonline.com')),
    });
    const error = await unreachable.listLists().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({
      kind: 'transient',
      code: 'tokenUnavailable',
      status: null,
      ambiguous: false,
    });
  });
});

function hangingFetch(): typeof fetch {
  return (_input, init) =>
    new Promise<Response>((_resolve, reject) => {
      const signal = init?.signal;
      signal?.addEventListener('abort', () => reject(signal.reason));
    });
}

describe('cancel and timeout', () => {
  it('rejects with the caller abort reason, not a GraphError', async () => {
    const client = new GraphClient({
      graphUrl,
      fetch: hangingFetch(),
      getAccessToken: async () => token,
    });
    const controller = new AbortController();
    const pending = client.listLists({ signal: controller.signal });
    const reason = new Error('user cancelled');
    setTimeout(() => controller.abort(reason), 5);
    await expect(pending).rejects.toBe(reason);
  });

  it('does not start a call whose signal is already aborted', async () => {
    const { client, sent, tokenCalls } = harness([]);
    const error = await failure(client.listLists({ signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(sent).toHaveLength(0);
    expect(tokenCalls).toHaveLength(0);
  });

  it('turns its own timeout into a transient, ambiguous GraphError', async () => {
    const client = new GraphClient({
      graphUrl,
      fetch: hangingFetch(),
      getAccessToken: async () => token,
      requestTimeoutMs: 20,
    });
    const error = await graphFailure(
      client.uploadRange(uploadUrl, { start: 0, totalSize: 1, bytes: new Uint8Array(1) }),
    );
    expect(error).toMatchObject({ kind: 'transient', code: 'timeout', ambiguous: true });
  });
});
