/**
 * Typed Microsoft Graph To Do client: lists, tasks, attachments and upload sessions.
 * It sends one request per call (plus one token-refresh retry on 401), classifies failures as
 * GraphError values, and leaves retries, backoff and pacing to the upload engine.
 */
import { addDeltaItems, collect, noAnswer, pages, readEntity, readObject } from './answers.ts';
import { invalidResponseError, isGraphError } from './errors.ts';
import {
  parseAttachment,
  parseJsonObject,
  parseSessionId,
  parseSessionState,
  parseTask,
  parseTaskList,
  stringField,
} from './parse.ts';
import { assertRangeUpload, contentRange, requirePositiveInteger, segment } from './requests.ts';
import {
  GraphTransport,
  unlimitedAdmission,
  type AccessTokenProvider,
  type Admission,
} from './transport.ts';
import type {
  AttachmentInfo,
  NewSmallAttachment,
  NewUploadSession,
  RangeUpload,
  RequestOptions,
  TaskDelta,
  TodoTask,
  TodoTaskList,
  UploadRangeResult,
  UploadSession,
  UploadSessionState,
} from './types.ts';
import { attachmentIdFromLocation, uploadContentUrl } from './urls.ts';

export type { AccessTokenProvider } from './transport.ts';

export interface GraphClientOptions {
  /** Graph root including the version, e.g. 'https://graph.microsoft.com/v1.0'. */
  graphUrl: string;
  /**
   * Errors it throws reach the caller unchanged: the auth layer knows whether they mean
   * "sign in again" or "offline".
   */
  getAccessToken: AccessTokenProvider;
  fetch?: typeof fetch;
  /** When a request may go out: the account's pacing. Default: at once. */
  admission?: Admission;
  /** 'me' (default) or a user id / userPrincipalName, addressed as users/{id}. */
  user?: string;
  /** `$top` for lists and tasks. Graph returns no nextLink on /lists without it (docs #14347). */
  pageSize?: number;
  /** Per HTTP request, body transfer included, from when it is let out. */
  requestTimeoutMs?: number;
  /** Clock for HTTP-date Retry-After values. */
  now?: () => number;
}

export type SessionDeletion = 'deleted' | 'already-gone';

const defaultPageSize = 100;
const defaultRequestTimeoutMs = 120_000;

export class GraphClient {
  readonly #transport: GraphTransport;
  readonly #todoUrl: string;
  readonly #pageSize: number;

  constructor(options: GraphClientOptions) {
    const graphUrl = options.graphUrl.replace(/\/+$/, '');
    this.#transport = new GraphTransport({
      graphUrl,
      getAccessToken: options.getAccessToken,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      admission: options.admission ?? unlimitedAdmission,
      requestTimeoutMs: requirePositiveInteger(
        'requestTimeoutMs',
        options.requestTimeoutMs ?? defaultRequestTimeoutMs,
      ),
      now: options.now ?? Date.now,
    });
    const user = options.user ?? 'me';
    this.#todoUrl = `${graphUrl}/${user === 'me' ? 'me' : `users/${segment(user)}`}/todo`;
    this.#pageSize = requirePositiveInteger('pageSize', options.pageSize ?? defaultPageSize);
  }

  async listLists(options: RequestOptions = {}): Promise<TodoTaskList[]> {
    const url = `${this.#todoUrl}/lists?$top=${this.#pageSize}`;
    return collect(this.#transport, 'listLists', url, parseTaskList, options.signal);
  }

  async listTasks(listId: string, options: RequestOptions = {}): Promise<TodoTask[]> {
    return collect(
      this.#transport,
      'listTasks',
      this.#tasksPageUrl(listId),
      parseTask,
      options.signal,
    );
  }

  /** The same as listTasks, one page at a time (for pickers that show results as they come). */
  async *listTaskPages(listId: string, options: RequestOptions = {}): AsyncGenerator<TodoTask[]> {
    for await (const page of pages(
      this.#transport,
      'listTasks',
      this.#tasksPageUrl(listId),
      options.signal,
    )) {
      yield page.items.map(parseTask).filter((task) => task !== null);
    }
  }

  /**
   * One delta round: from scratch, or from the deltaLink of the previous round. A 410 (the
   * delta token expired) surfaces as a permanent GraphError with status 410: start over without
   * a deltaLink.
   */
  async taskDelta(
    listId: string,
    options: RequestOptions & { deltaLink?: string } = {},
  ): Promise<TaskDelta> {
    const firstUrl =
      options.deltaLink ?? `${this.#listUrl(listId)}/tasks/delta?$top=${this.#pageSize}`;
    const changes: Omit<TaskDelta, 'deltaLink'> = { changed: [], removedIds: [] };
    let deltaLink: string | null = null;
    for await (const page of pages(this.#transport, 'taskDelta', firstUrl, options.signal)) {
      addDeltaItems(changes, page.items);
      deltaLink = page.deltaLink;
    }
    if (deltaLink === null) {
      throw invalidResponseError('taskDelta', 'the last page has no @odata.deltaLink', noAnswer);
    }
    return { ...changes, deltaLink };
  }

  async getTask(listId: string, taskId: string, options: RequestOptions = {}): Promise<TodoTask> {
    const answer = await this.#transport.send({
      operation: 'getTask',
      method: 'GET',
      url: this.#taskUrl(listId, taskId),
      signal: options.signal,
    });
    return readEntity('getTask', answer, parseTask);
  }

  async createTask(
    listId: string,
    task: { title: string },
    options: RequestOptions = {},
  ): Promise<TodoTask> {
    const answer = await this.#transport.send({
      operation: 'createTask',
      method: 'POST',
      url: `${this.#listUrl(listId)}/tasks`,
      json: { title: task.title },
      signal: options.signal,
    });
    return readEntity('createTask', answer, parseTask);
  }

  async deleteTask(listId: string, taskId: string, options: RequestOptions = {}): Promise<void> {
    await this.#transport.send({
      operation: 'deleteTask',
      method: 'DELETE',
      url: this.#taskUrl(listId, taskId),
      signal: options.signal,
    });
  }

  /** Metadata only; Graph's list never carries contentBytes. */
  async listAttachments(
    listId: string,
    taskId: string,
    options: RequestOptions = {},
  ): Promise<AttachmentInfo[]> {
    const url = `${this.#taskUrl(listId, taskId)}/attachments`;
    return collect(this.#transport, 'listAttachments', url, parseAttachment, options.signal);
  }

  async deleteAttachment(
    listId: string,
    taskId: string,
    attachmentId: string,
    options: RequestOptions = {},
  ): Promise<void> {
    await this.#transport.send({
      operation: 'deleteAttachment',
      method: 'DELETE',
      url: `${this.#taskUrl(listId, taskId)}/attachments/${segment(attachmentId)}`,
      signal: options.signal,
    });
  }

  /** The base64 POST path: Graph accepts it below 3 MB raw (keep to ≤ 2,900,000 bytes). */
  async createSmallAttachment(
    listId: string,
    taskId: string,
    attachment: NewSmallAttachment,
    options: RequestOptions = {},
  ): Promise<AttachmentInfo> {
    const answer = await this.#transport.send({
      operation: 'createSmallAttachment',
      method: 'POST',
      url: `${this.#taskUrl(listId, taskId)}/attachments`,
      json: {
        '@odata.type': '#microsoft.graph.taskFileAttachment',
        name: attachment.name,
        contentType: attachment.contentType,
        contentBytes: Buffer.from(attachment.bytes).toString('base64'),
      },
      signal: options.signal,
    });
    return readEntity('createSmallAttachment', answer, parseAttachment);
  }

  async createUploadSession(
    listId: string,
    taskId: string,
    file: NewUploadSession,
    options: RequestOptions = {},
  ): Promise<UploadSession> {
    const answer = await this.#transport.send({
      operation: 'createUploadSession',
      method: 'POST',
      url: `${this.#taskUrl(listId, taskId)}/attachments/createUploadSession`,
      json: {
        attachmentInfo: {
          attachmentType: 'file',
          name: file.name,
          size: file.size,
          contentType: file.contentType,
        },
      },
      signal: options.signal,
    });
    const body = readObject('createUploadSession', answer);
    const uploadUrl = stringField(body, 'uploadUrl');
    if (uploadUrl === null || uploadUrl === '') {
      throw invalidResponseError('createUploadSession', 'no uploadUrl', answer);
    }
    return { uploadUrl, ...parseSessionState(body) };
  }

  /**
   * PUT one range to `{uploadUrl}/content`. 201: the attachment exists; its body is never read.
   * Any other 2xx (200 for To Do, 202 for OneDrive-style servers): accepted, with the server's
   * next expected ranges, or none when it did not say.
   */
  async uploadRange(
    uploadUrl: string,
    range: RangeUpload,
    options: RequestOptions = {},
  ): Promise<UploadRangeResult> {
    assertRangeUpload(range);
    const answer = await this.#transport.send({
      operation: 'uploadRange',
      method: 'PUT',
      url: uploadContentUrl(uploadUrl),
      bytes: range.bytes,
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Range': contentRange(range),
      },
      signal: options.signal,
      unreadBodyStatus: 201,
    });
    if (answer.status === 201) {
      const location = answer.headers.get('location');
      const attachmentId = location === null ? null : attachmentIdFromLocation(location);
      return { kind: 'completed', attachmentId, location };
    }
    const body = parseJsonObject(answer.bodyText) ?? {};
    return { kind: 'accepted', ...parseSessionState(body) };
  }

  /** Ask the session where it stands: the server's offset is the truth after any doubt. */
  async getUploadSession(
    uploadUrl: string,
    options: RequestOptions = {},
  ): Promise<UploadSessionState> {
    const answer = await this.#transport.send({
      operation: 'getUploadSession',
      method: 'GET',
      url: uploadUrl,
      signal: options.signal,
    });
    return parseSessionState(readObject('getUploadSession', answer));
  }

  /**
   * Cancel a session. 'already-gone' when Graph answers 404/410: the session expired or
   * completed, and either way there is nothing left to delete. The caller decides whether a
   * completed upload needs reconciling.
   */
  async deleteUploadSession(
    uploadUrl: string,
    options: RequestOptions = {},
  ): Promise<SessionDeletion> {
    try {
      await this.#transport.send({
        operation: 'deleteUploadSession',
        method: 'DELETE',
        url: uploadUrl,
        signal: options.signal,
      });
      return 'deleted';
    } catch (error) {
      if (isGraphError(error) && error.kind === 'session-gone') return 'already-gone';
      throw error;
    }
  }

  /** Ids of the task's live upload sessions, by anyone. */
  async listUploadSessions(
    listId: string,
    taskId: string,
    options: RequestOptions = {},
  ): Promise<string[]> {
    const url = `${this.#taskUrl(listId, taskId)}/attachmentSessions`;
    return collect(this.#transport, 'listUploadSessions', url, parseSessionId, options.signal);
  }

  /** The address of a listed session, to delete one whose uploadUrl was never learned. */
  uploadSessionUrl(listId: string, taskId: string, sessionId: string): string {
    return `${this.#taskUrl(listId, taskId)}/attachmentSessions/${segment(sessionId)}`;
  }

  #listUrl(listId: string): string {
    return `${this.#todoUrl}/lists/${segment(listId)}`;
  }

  #taskUrl(listId: string, taskId: string): string {
    return `${this.#listUrl(listId)}/tasks/${segment(taskId)}`;
  }

  #tasksPageUrl(listId: string): string {
    return `${this.#listUrl(listId)}/tasks?$top=${this.#pageSize}`;
  }
}
