import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { RunningSimulator } from '../../main/simulator/index.ts';
import { raw, type RawRequest, type RawResponse } from './raw-http.ts';

/** Shared raw-HTTP steps for the simulator tests: no Graph client library in between. */

export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { 'request-id': string; date: string; 'client-request-id': string };
  };
}

export interface ListJson {
  id: string;
  displayName: string;
  wellknownListName: string;
  isOwner: boolean;
  isShared: boolean;
  '@odata.etag': string;
}

export interface TaskJson {
  id: string;
  title: string;
  status: string;
  importance: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  hasAttachments: boolean;
  '@odata.etag': string;
}

export interface Collection<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

export interface CallOptions extends RawRequest {
  /** The bearer token; the simulator's test token by default, null for none. */
  token?: string | null;
}

export const bearer = (token: string): Record<string, string> => ({
  Authorization: `Bearer ${token}`,
});

/** A Graph call: `path` is relative to graphUrl unless it is already a full URL. */
export function call(
  sim: RunningSimulator,
  path: string,
  options: CallOptions = {},
): Promise<RawResponse> {
  const { token = sim.testToken, ...request } = options;
  const url = path.startsWith('http') ? path : `${sim.graphUrl}${path}`;
  const headers = { ...(token === null ? {} : bearer(token)), ...request.headers };
  return raw(url, { ...request, headers });
}

export async function getJson<T>(
  sim: RunningSimulator,
  path: string,
  options: CallOptions = {},
): Promise<T> {
  const res = await call(sim, path, options);
  expect(res.status, res.text).toBe(200);
  return res.json() as T;
}

export function postJson(
  sim: RunningSimulator,
  path: string,
  body: unknown,
  options: CallOptions = {},
): Promise<RawResponse> {
  return call(sim, path, {
    ...options,
    method: options.method ?? 'POST',
    headers: { 'Content-Type': 'application/json', ...options.headers },
    body: JSON.stringify(body),
  });
}

/**
 * Asserts Graph's error shape (docs/graph-todo-api.md §6) and the status and code; returns the
 * body.
 */
export function expectGraphError(res: RawResponse, status: number, code?: string): GraphErrorBody {
  expect(res.status, res.text).toBe(status);
  const body = res.json() as GraphErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toEqual({
    code: code ?? expect.any(String),
    message: expect.any(String),
    innerError: {
      'request-id': expect.any(String),
      date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/),
      'client-request-id': expect.any(String),
    },
  });
  expect(body.error.innerError['request-id']).toBe(res.headers['request-id']);
  return body;
}

export const enc = encodeURIComponent;

export const taskPath = (listId: string, taskId: string, user = 'me'): string =>
  `/${user === 'me' ? 'me' : `users/${enc(user)}`}/todo/lists/${enc(listId)}/tasks/${enc(taskId)}`;

export async function listByName(
  sim: RunningSimulator,
  displayName: string,
  token = sim.testToken,
): Promise<ListJson> {
  const lists = await getJson<Collection<ListJson>>(sim, '/me/todo/lists?$top=100', { token });
  const list = lists.value.find((candidate) => candidate.displayName === displayName);
  if (list === undefined) throw new Error(`no list "${displayName}"`);
  return list;
}

export interface NewTask {
  listId: string;
  taskId: string;
  /** `/me/todo/lists/{l}/tasks/{t}` */
  path: string;
  task: TaskJson;
}

/** Creates a task in the default "Tasks" list (or the named one). */
export async function newTask(
  sim: RunningSimulator,
  title = 'a task',
  { listName = 'Tasks', token = sim.testToken } = {},
): Promise<NewTask> {
  const list = await listByName(sim, listName, token);
  const res = await postJson(sim, `/me/todo/lists/${enc(list.id)}/tasks`, { title }, { token });
  expect(res.status, res.text).toBe(201);
  const task = res.json() as TaskJson;
  return { listId: list.id, taskId: task.id, path: taskPath(list.id, task.id), task };
}

export interface SessionInfoInput {
  name?: string;
  contentType?: string;
}

export function createSessionRaw(
  sim: RunningSimulator,
  path: string,
  size: number,
  info: SessionInfoInput = {},
  options: CallOptions = {},
): Promise<RawResponse> {
  return postJson(
    sim,
    `${path}/attachments/createUploadSession`,
    { attachmentInfo: { attachmentType: 'file', name: info.name ?? 'file.bin', size, ...info } },
    options,
  );
}

/** Creates an upload session and returns its uploadUrl. */
export async function createSession(
  sim: RunningSimulator,
  path: string,
  size: number,
  info: SessionInfoInput = {},
  options: CallOptions = {},
): Promise<string> {
  const res = await createSessionRaw(sim, path, size, info, options);
  expect(res.status, res.text).toBe(200);
  return (res.json() as { uploadUrl: string }).uploadUrl;
}

/** PUT bytes[start..end] of a file to `{uploadUrl}/content`, as a well-behaved client does. */
export function putRange(
  sim: RunningSimulator,
  uploadUrl: string,
  bytes: Buffer,
  start: number,
  end: number,
  options: CallOptions = {},
): Promise<RawResponse> {
  return call(sim, `${uploadUrl}/content`, {
    ...options,
    method: 'PUT',
    headers: {
      'Content-Type': 'application/octet-stream',
      'Content-Range': `bytes ${start}-${end}/${bytes.length}`,
      ...options.headers,
    },
    body: bytes.subarray(start, end + 1),
  });
}

export const sessionIdOf = (uploadUrl: string): string =>
  decodeURIComponent(uploadUrl.split('/').pop() ?? '');

/** The session's offset as the simulator holds it, or undefined once it is gone. */
export const heldOffset = (sim: RunningSimulator, uploadUrl: string): number | undefined =>
  sim.control.sessions().find((session) => session.id === sessionIdOf(uploadUrl))?.nextOffset;

/** The session's offset as GET {uploadUrl} reports it (`"N-"`). */
export async function reportedOffset(sim: RunningSimulator, uploadUrl: string): Promise<number> {
  const session = await getJson<{ nextExpectedRanges: string[] }>(sim, uploadUrl);
  expect(session.nextExpectedRanges).toHaveLength(1);
  return Number.parseInt(session.nextExpectedRanges[0] ?? '', 10);
}

export const attachmentIdOf = (location: string): string =>
  decodeURIComponent(location.split('/').pop() ?? '');

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A deterministic byte pattern, so a misplaced range shows in the hash. */
export function pattern(size: number, seed = 7): Buffer {
  const bytes = Buffer.alloc(size);
  for (let index = 0; index < size; index += 1) bytes[index] = (index * 31 + seed) % 251;
  return bytes;
}
