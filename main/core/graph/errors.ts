/**
 * Graph failures as values. The client only classifies; what to do about each kind (retry, back
 * off, restart the session, ask to sign in, give up) is the upload engine's decision.
 */
import { redactText } from '../logging/redact.ts';
import { parseGraphErrorBody } from './parse.ts';
import type { GraphOperation } from './types.ts';

export type GraphErrorKind =
  'transient' | 'throttled' | 'session-gone' | 'not-found' | 'auth' | 'permanent';

export interface GraphErrorInit {
  kind: GraphErrorKind;
  message: string;
  operation: GraphOperation;
  /** Null when no HTTP answer arrived (network error, timeout) or none was requested. */
  status: number | null;
  /** Graph's `error.code`, or one of ours: 'networkError', 'timeout', 'untrustedHost', ... */
  code: string | null;
  requestId: string | null;
  clientRequestId: string | null;
  retryAfterMs: number | null;
  /** The request may have reached the server and been applied, but its answer was lost. */
  ambiguous: boolean;
  cause?: unknown;
}

export class GraphError extends Error {
  readonly kind: GraphErrorKind;
  readonly operation: GraphOperation;
  readonly status: number | null;
  readonly code: string | null;
  readonly requestId: string | null;
  readonly clientRequestId: string | null;
  readonly retryAfterMs: number | null;
  readonly ambiguous: boolean;

  constructor(init: GraphErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'GraphError';
    this.kind = init.kind;
    this.operation = init.operation;
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.clientRequestId = init.clientRequestId;
    this.retryAfterMs = init.retryAfterMs;
    this.ambiguous = init.ambiguous;
  }
}

export function isGraphError(value: unknown): value is GraphError {
  return value instanceof GraphError;
}

const transientStatuses = new Set([500, 502, 503, 504]);

/** Operations addressed to an upload session URL, where 404/410 means the session is gone. */
const sessionOperations = new Set<GraphOperation>([
  'uploadRange',
  'getUploadSession',
  'deleteUploadSession',
]);

export function isSessionOperation(operation: GraphOperation): boolean {
  return sessionOperations.has(operation);
}

export function classifyStatus(status: number, operation: GraphOperation): GraphErrorKind {
  if (status === 429) return 'throttled';
  if (status === 401) return 'auth';
  if (transientStatuses.has(status)) return 'transient';
  if ((status === 404 || status === 410) && isSessionOperation(operation)) return 'session-gone';
  if (status === 404) return 'not-found';
  return 'permanent';
}

/**
 * `Retry-After` as milliseconds: integer or fractional seconds (Graph sends "2.128") or an
 * HTTP date, measured from `nowMs`. Null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(text)) return Math.ceil(Number(text) * 1000);
  // Date.parse reads bare numbers as years, so only texts with a weekday or month name qualify.
  if (!/[a-z]/i.test(text)) return null;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** 504: the gateway gave up waiting on a backend that had the request and may have applied it. */
function isAmbiguousStatus(status: number): boolean {
  return status === 504;
}

const graphMessageLimit = 200;

/**
 * A server's words, as a person or the log may see them: redacted first (a server that echoes
 * the request echoes its token), then made one short line.
 */
function shorten(text: string): string {
  const oneLine = redactText(text).replace(/\s+/g, ' ').trim();
  return oneLine.length <= graphMessageLimit ? oneLine : `${oneLine.slice(0, graphMessageLimit)}…`;
}

function idsSuffix(requestId: string | null, clientRequestId: string | null): string {
  const ids = [
    requestId === null ? null : `request-id ${requestId}`,
    clientRequestId === null ? null : `client-request-id ${clientRequestId}`,
  ].filter((id) => id !== null);
  return ids.length === 0 ? '' : ` (${ids.join(', ')})`;
}

export interface ErrorResponse {
  operation: GraphOperation;
  status: number;
  headers: Headers;
  bodyText: string;
  clientRequestId: string;
  nowMs: number;
}

export function graphErrorFromResponse(response: ErrorResponse): GraphError {
  const { operation, status, headers, clientRequestId } = response;
  const body = parseGraphErrorBody(response.bodyText);
  const requestId = headers.get('request-id') ?? body.requestId;
  const what = body.code === null ? `${status}` : `${status} ${shorten(body.code)}`;
  const detail = body.message === null || body.message === '' ? '' : `: ${shorten(body.message)}`;
  return new GraphError({
    kind: classifyStatus(status, operation),
    message: `Graph answered ${what} for ${operation}${detail}${idsSuffix(requestId, clientRequestId)}`,
    operation,
    status,
    code: body.code,
    requestId,
    clientRequestId,
    retryAfterMs: parseRetryAfter(headers.get('retry-after'), response.nowMs),
    ambiguous: isAmbiguousStatus(status),
  });
}

/** Error codes meaning the connection was never made, so the request cannot have been applied. */
const notSentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 8; depth += 1) {
    const code: unknown = Reflect.get(current, 'code');
    if (typeof code === 'string') codes.push(code);
    if (current instanceof AggregateError) codes.push(...current.errors.flatMap(errorCodes));
    current = current.cause;
  }
  return codes;
}

function innermostMessage(error: unknown): string {
  let message = 'unknown error';
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 8; depth += 1) {
    if (current.message !== '') message = current.message;
    current = current.cause;
  }
  return message;
}

/**
 * The token provider failed for a reason other than "sign in again" (the sign-in service
 * unreachable, say): like a network error, it passes, so the upload is retried, not failed.
 */
export function tokenUnavailableError(operation: GraphOperation, cause: unknown): GraphError {
  return new GraphError({
    kind: 'transient',
    message: `No access token for ${operation} right now: ${shorten(innermostMessage(cause))}`,
    operation,
    status: null,
    code: 'tokenUnavailable',
    requestId: null,
    clientRequestId: null,
    retryAfterMs: null,
    ambiguous: false,
    cause,
  });
}

export function networkError(
  operation: GraphOperation,
  clientRequestId: string,
  cause: unknown,
): GraphError {
  const codes = errorCodes(cause);
  const neverSent = codes.some((code) => notSentCodes.has(code));
  return new GraphError({
    kind: 'transient',
    message: `No answer from Graph for ${operation}: ${shorten(innermostMessage(cause))}${idsSuffix(null, clientRequestId)}`,
    operation,
    status: null,
    code: 'networkError',
    requestId: null,
    clientRequestId,
    retryAfterMs: null,
    ambiguous: !neverSent,
    cause,
  });
}

export function timeoutError(
  operation: GraphOperation,
  clientRequestId: string,
  timeoutMs: number,
): GraphError {
  return new GraphError({
    kind: 'transient',
    message: `Graph did not answer ${operation} within ${timeoutMs} ms${idsSuffix(null, clientRequestId)}`,
    operation,
    status: null,
    code: 'timeout',
    requestId: null,
    clientRequestId,
    retryAfterMs: null,
    ambiguous: true,
  });
}

export function untrustedHostError(operation: GraphOperation, origin: string | null): GraphError {
  const where = origin === null ? 'a URL that is not absolute' : origin;
  return new GraphError({
    kind: 'permanent',
    message: `Refused to send ${operation} to ${where}: only the configured Graph host is trusted`,
    operation,
    status: null,
    code: 'untrustedHost',
    requestId: null,
    clientRequestId: null,
    retryAfterMs: null,
    ambiguous: false,
  });
}

/** A 2xx whose body the client cannot use (no collection, no uploadUrl, a paging loop). */
export function invalidResponseError(
  operation: GraphOperation,
  reason: string,
  ids: { status: number | null; requestId: string | null; clientRequestId: string | null },
): GraphError {
  return new GraphError({
    kind: 'permanent',
    message: `Graph's answer to ${operation} is unusable: ${reason}${idsSuffix(ids.requestId, ids.clientRequestId)}`,
    operation,
    status: ids.status,
    code: 'invalidResponse',
    requestId: ids.requestId,
    clientRequestId: ids.clientRequestId,
    retryAfterMs: null,
    ambiguous: false,
  });
}
