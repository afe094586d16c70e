/**
 * One Graph HTTP exchange: host check, admission (the account's pacing), bearer token,
 * client-request-id, timeout joined with the caller's signal, one token refresh on 401, and a
 * GraphError for anything but 2xx. Nothing is retried beyond that refresh: retry policy belongs
 * to the upload engine.
 */
import { randomUUID } from 'node:crypto';
import {
  graphErrorFromResponse,
  networkError,
  timeoutError,
  tokenUnavailableError,
  untrustedHostError,
} from './errors.ts';
import { redacted } from '../logging/redact.ts';
import type { GraphOperation, RequestBytes } from './types.ts';
import { originOf } from './urls.ts';

export type AccessTokenProvider = (options: { forceRefresh: boolean }) => Promise<string>;

/**
 * Waits until a request may go out (room in the account's limits); the caller's signal stops it.
 */
export interface Admission {
  enter(bodyBytes: number, signal: AbortSignal | undefined): Promise<AdmissionPass>;
}

export interface AdmissionPass {
  /** The answer, once it came and its body was read ('' when left unread). */
  answered(status: number, headers: Headers, bodyText: string): void;
  /** Once the answer is fully read, or the request failed. */
  release(): void;
}

/** No limits: every request goes at once. */
export const unlimitedAdmission: Admission = {
  enter: () => Promise.resolve({ answered: () => undefined, release: () => undefined }),
};

export interface TransportOptions {
  graphUrl: string;
  getAccessToken: AccessTokenProvider;
  fetch: typeof fetch;
  admission: Admission;
  /** From when the request is let out: time spent waiting for admission is not counted. */
  requestTimeoutMs: number;
  now: () => number;
}

export interface GraphRequest {
  operation: GraphOperation;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  json?: unknown;
  bytes?: RequestBytes;
  headers?: Record<string, string>;
  signal: AbortSignal | undefined;
  /**
   * A status whose body is left unread. The final upload 201 has an empty body; waiting for or
   * parsing one could turn a completed upload into an error and lose the Location.
   */
  unreadBodyStatus?: number;
}

export interface GraphAnswer {
  status: number;
  headers: Headers;
  bodyText: string;
  clientRequestId: string;
  requestId: string | null;
}

interface RequestBody {
  /** Made only once the request may go out: a byte source starts reading when opened. */
  open(): string | ReadableStream<Uint8Array> | undefined;
  bytes: number;
}

function requestBody(request: GraphRequest): RequestBody {
  const { bytes } = request;
  if (bytes !== undefined) {
    return {
      open: () => (bytes instanceof Uint8Array ? oneChunk(bytes) : bytes.open()),
      bytes: bytes.byteLength,
    };
  }
  if (request.json === undefined) return { open: () => undefined, bytes: 0 };
  const text = JSON.stringify(request.json);
  return { open: () => text, bytes: Buffer.byteLength(text) };
}

/**
 * Bytes go as a stream of one chunk: fetch copies a byte array body whole before it sends it, a
 * stream it sends as it is. One range in memory per upload, not two (docs/upload-rules.md rule 7),
 * and no garbage of several megabytes per request.
 */
export function oneChunk(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

function requestHeaders(
  request: GraphRequest,
  token: string,
  clientRequestId: string,
): Record<string, string> {
  return {
    Authorization: `Bearer ${token}`,
    Accept: 'application/json',
    'client-request-id': clientRequestId,
    'return-client-request-id': 'true',
    ...(request.json === undefined ? {} : { 'Content-Type': 'application/json' }),
    // A streamed body's length is not known to fetch; To Do requires it (docs/graph-todo-api.md
    // §4.2).
    ...(request.bytes === undefined ? {} : { 'Content-Length': String(request.bytes.byteLength) }),
    ...request.headers,
  };
}

async function discardBody(response: Response): Promise<string> {
  await response.body?.cancel().catch(() => undefined);
  return '';
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

export class GraphTransport {
  readonly #origin: string;
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    const origin = originOf(options.graphUrl);
    if (origin === null)
      throw new TypeError(`graphUrl is not an absolute URL: ${options.graphUrl}`);
    this.#origin = origin;
    this.#options = options;
  }

  /** Resolves with a 2xx answer; rejects with a GraphError, or the caller's abort reason. */
  async send(request: GraphRequest): Promise<GraphAnswer> {
    this.#assertTrusted(request);
    request.signal?.throwIfAborted();
    let answer = await this.#attempt(request, false);
    if (answer.status === 401) answer = await this.#attempt(request, true);
    if (isSuccess(answer.status)) return answer;
    throw graphErrorFromResponse({
      operation: request.operation,
      status: answer.status,
      headers: answer.headers,
      bodyText: answer.bodyText,
      clientRequestId: answer.clientRequestId,
      nowMs: this.#options.now(),
    });
  }

  /** Checked before any token is asked for: a token must never travel to another host. */
  #assertTrusted(request: GraphRequest): void {
    const origin = originOf(request.url);
    if (origin !== this.#origin) throw untrustedHostError(request.operation, origin);
  }

  /**
   * Only the auth layer can say "sign in again" (an error named SignInRequiredError, passed on
   * unchanged); any other failure to get a token is transient, like the network.
   */
  async #token(request: GraphRequest, forceRefresh: boolean): Promise<string> {
    try {
      return await this.#options.getAccessToken({ forceRefresh });
    } catch (error) {
      if (request.signal?.aborted === true) throw request.signal.reason;
      if (error instanceof Error && error.name === 'SignInRequiredError') throw error;
      throw tokenUnavailableError(request.operation, error);
    }
  }

  async #attempt(request: GraphRequest, forceRefresh: boolean): Promise<GraphAnswer> {
    const body = requestBody(request);
    const pass = await this.#options.admission.enter(body.bytes, request.signal);
    try {
      return await this.#exchange(request, body, forceRefresh, pass);
    } finally {
      pass.release();
    }
  }

  async #exchange(
    request: GraphRequest,
    body: RequestBody,
    forceRefresh: boolean,
    pass: AdmissionPass,
  ): Promise<GraphAnswer> {
    const { requestTimeoutMs } = this.#options;
    const token = await this.#token(request, forceRefresh);
    request.signal?.throwIfAborted();
    const clientRequestId = randomUUID();
    const deadline = new Deadline(request.signal, requestTimeoutMs);
    const { signal } = deadline;
    const fetchImpl = this.#options.fetch;
    try {
      const response = await fetchImpl(request.url, {
        method: request.method,
        headers: requestHeaders(request, token, clientRequestId),
        body: body.open(),
        duplex: 'half',
        signal,
        // A redirect would carry the request (and its token) to wherever the server says.
        redirect: 'manual',
      });
      const text =
        response.status === request.unreadBodyStatus
          ? await discardBody(response)
          : await response.text();
      // A token the server echoes back, whatever its shape, goes no further than here.
      const bodyText = isSuccess(response.status) ? text : text.replaceAll(token, redacted);
      pass.answered(response.status, response.headers, bodyText);
      return {
        status: response.status,
        headers: response.headers,
        bodyText,
        clientRequestId,
        requestId: response.headers.get('request-id'),
      };
    } catch (error) {
      if (request.signal?.aborted === true) throw request.signal.reason;
      if (deadline.expired) {
        throw timeoutError(request.operation, clientRequestId, requestTimeoutMs);
      }
      throw networkError(request.operation, clientRequestId, error);
    } finally {
      deadline.dispose();
    }
  }
}

/**
 * The caller's signal joined with a timeout, for one exchange, and undone when it ends.
 * `AbortSignal.timeout` keeps its timer (and with it the signal and what listens to it) for the
 * whole timeout after the request finished, and `AbortSignal.any` ties signals together until
 * they are collected: hundreds of requests a minute would keep all that alive.
 */
class Deadline {
  readonly #controller = new AbortController();
  readonly #caller: AbortSignal | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #callerAborted = (): void => this.#controller.abort(this.#caller?.reason);
  #expired = false;

  constructor(caller: AbortSignal | undefined, timeoutMs: number) {
    this.#caller = caller;
    this.#timer = setTimeout(() => {
      this.#expired = true;
      this.#controller.abort(new DOMException('The request timed out.', 'TimeoutError'));
    }, timeoutMs);
    // A request under way keeps the process alive by its socket; the timer need not.
    this.#timer.unref();
    if (caller?.aborted === true) this.#callerAborted();
    else caller?.addEventListener('abort', this.#callerAborted, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get expired(): boolean {
    return this.#expired;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this.#callerAborted);
  }
}
