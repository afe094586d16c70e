import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { TLSSocket } from 'node:tls';
import { readBody, type BodyRead } from './body.ts';
import { graphTime, type SimClock } from './clock.ts';
import type { SimulatorControl } from './control.ts';
import {
  defaultCodeFor,
  errorBody,
  graphError,
  notFound,
  unknownRoute,
  type GraphErrorReply,
} from './errors.ts';
import type { FaultBook } from './faults.ts';
import { handleIdentity, isIdentityPath, type Identity } from './identity/index.ts';
import type { MailboxGate } from './limits.ts';
import type { UserRecord } from './model.ts';
import type { Observer } from './observer.ts';
import { type GraphContext, type Handler, type HandlerFaults, type Reply } from './reply.ts';
import { matchGraphRoute, type GraphRoute } from './router.ts';
import { handlers } from './routes/index.ts';
import type { SimStore } from './store.ts';
import { TokenBook } from './tokens.ts';
import type { FaultAction, Operation, PagingRules, ThrottleRules, UploadRules } from './types.ts';

export interface ServerParts {
  store: SimStore;
  clock: SimClock;
  faults: FaultBook;
  gate: MailboxGate;
  tokens: TokenBook;
  observer: Observer;
  control: SimulatorControl;
  identity: Identity;
  upload: UploadRules;
  paging: PagingRules;
  throttle: ThrottleRules;
  /** The test-only /_sim routes, or null: passed in, so a build without them holds none. */
  controlRoutes: ControlRoutes | null;
}

/** Serves the request when it is one of its routes; null hands it on to Graph and identity. */
export type ControlRoutes = (parts: ServerParts, exchange: Exchange) => Promise<void> | null;

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  origin: string;
  requestId: string;
  clientRequestId: string | null;
}

const uploadMethods = new Set(['PUT', 'POST', 'PATCH']);
const throttleMessages = {
  concurrency: 'Application is over its MailboxConcurrency limit.',
  requests: 'Application is over its MailboxRequests limit.',
  volume: 'Application is over its MailboxUploadVolume limit.',
  injected: 'Please retry again later.',
};

export function createRequestListener(
  parts: ServerParts,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const exchange = openExchange(req, res);
    const work = route(parts, exchange);
    work.catch((error: unknown) => {
      console.error('simulator: request failed', error);
      if (!res.headersSent) {
        sendError(
          exchange,
          graphError(500, 'generalException', 'The simulator failed.'),
          parts.clock,
        );
      } else {
        res.destroy();
      }
    });
  };
}

function route(parts: ServerParts, exchange: Exchange): Promise<void> {
  const control = parts.controlRoutes?.(parts, exchange) ?? null;
  if (control !== null) return control;
  const path = exchange.url.pathname;
  if (isIdentityPath(path)) return handleIdentity(parts.identity.book, exchange);
  return handleGraph(parts, exchange);
}

function openExchange(req: IncomingMessage, res: ServerResponse): Exchange {
  const requestId = randomUUID();
  const header = req.headers['client-request-id'];
  const clientRequestId = typeof header === 'string' ? header : null;
  res.setHeader('request-id', requestId);
  res.setHeader('client-request-id', answeredClientRequestId({ requestId, clientRequestId }));
  const scheme = req.socket instanceof TLSSocket ? 'https' : 'http';
  const origin = `${scheme}://${req.headers.host ?? '127.0.0.1'}`;
  return { req, res, url: new URL(req.url ?? '/', origin), origin, requestId, clientRequestId };
}

async function handleGraph(parts: ServerParts, exchange: Exchange): Promise<void> {
  const { req, res, url } = exchange;
  const log = startLog(parts, exchange);
  const match = matchGraphRoute(req.method ?? 'GET', url.pathname);
  if (match.kind !== 'route') {
    return sendError(
      exchange,
      match.kind === 'unknown'
        ? unknownRoute()
        : graphError(405, 'methodNotAllowed', 'The method is not allowed for this resource.'),
      parts.clock,
    );
  }
  const { route } = match;
  log.operation = route.operation;
  const caller = authenticate(parts, route, req.headers.authorization);
  if ('status' in caller) return sendError(exchange, caller, parts.clock);
  log.userId = caller.id;
  parts.observer.countOperation(route.operation);

  const faults: HandlerFaults = {
    dropBeforeCommit: false,
    dropAfterCommit: false,
    omitLocation: false,
    lowercaseLocation: false,
  };
  const actions = parts.faults.match(route.operation);
  for (const action of actions) {
    parts.observer.faultFired();
    const early = applyFault(parts, action, req, faults);
    if (early !== null) {
      if (early.status === 429) parts.observer.throttled('injected');
      return sendError(exchange, early, parts.clock);
    }
  }

  const uploadBytes = uploadMethods.has(req.method ?? '')
    ? Number(req.headers['content-length'] ?? 0)
    : 0;
  const admission = parts.gate.admit(caller.id, uploadBytes);
  if (!admission.admitted) {
    parts.observer.throttled(admission.reason);
    log.note = `throttled: ${admission.reason}`;
    const { code, retryAfter } = parts.throttle;
    const headers: Record<string, string> = retryAfter
      ? { 'Retry-After': formatSeconds(admission.retryAfterMs) }
      : {};
    return sendError(
      exchange,
      graphError(429, code, throttleMessages[admission.reason], headers),
      parts.clock,
    );
  }
  parts.observer.concurrency(admission.inFlight);
  res.on('close', admission.release);
  // A stalled server holds its slot: the delay counts against the concurrency limit.
  for (const action of actions) if (action.type === 'delay') await sleep(action.ms);

  const ctx = graphContext(parts, exchange, route, caller, faults);
  const handler: Handler = handlers[route.operation];
  const reply = await handler(ctx);
  if (reply.kind === 'drop') log.note = 'dropped';
  send(exchange, reply, parts.clock);
}

function authenticate(
  parts: ServerParts,
  route: GraphRoute,
  authorization: string | undefined,
): UserRecord | GraphErrorReply {
  const check = parts.tokens.check(authorization);
  if (!check.ok) {
    const message = {
      missing: 'Access token is empty.',
      unknown: 'Invalid access token.',
      expired: 'Lifetime validation failed, the token is expired.',
    }[check.reason];
    return graphError(401, 'InvalidAuthenticationToken', message, {
      'WWW-Authenticate': 'Bearer realm="", error="invalid_token"',
    });
  }
  const user =
    route.userRef === 'me'
      ? parts.store.findUser(check.userId)
      : parts.store.findUser(route.userRef);
  if (user === undefined) return notFound('user');
  if (user.id !== check.userId) return graphError(403, 'ErrorAccessDenied', 'Access is denied.');
  return user;
}

/**
 * Applies one injected fault; returns the error to answer with when the fault ends the request.
 * Delays are applied later, once the request holds a concurrency slot.
 */
function applyFault(
  parts: ServerParts,
  action: FaultAction,
  req: IncomingMessage,
  faults: HandlerFaults,
): GraphErrorReply | null {
  switch (action.type) {
    case 'delay':
      return null;
    case 'status': {
      const headers =
        action.retryAfter === undefined ? undefined : { 'Retry-After': action.retryAfter };
      const code = action.code ?? defaultCodeFor(action.status);
      return graphError(action.status, code, `Injected ${action.status}.`, headers);
    }
    case 'expire-token':
      parts.tokens.expire(TokenBook.bearer(req.headers.authorization));
      return graphError(
        401,
        'InvalidAuthenticationToken',
        'Lifetime validation failed, the token is expired.',
      );
    case 'drop-before-commit':
      faults.dropBeforeCommit = true;
      return null;
    case 'drop-after-commit':
      faults.dropAfterCommit = true;
      return null;
    case 'omit-location':
      faults.omitLocation = true;
      return null;
    case 'lowercase-location':
      faults.lowercaseLocation = true;
      return null;
  }
}

function graphContext(
  parts: ServerParts,
  exchange: Exchange,
  route: GraphRoute,
  user: UserRecord,
  faults: HandlerFaults,
): GraphContext {
  const cap =
    route.operation === 'uploadContent'
      ? parts.upload.maxChunkBytes
      : parts.upload.requestBodyCapBytes;
  let body: Promise<BodyRead> | undefined;
  return {
    route,
    user,
    req: exchange.req,
    url: exchange.url,
    origin: exchange.origin,
    store: parts.store,
    clock: parts.clock,
    upload: parts.upload,
    paging: parts.paging,
    faults,
    readBody: () => {
      body ??= readBody(exchange.req, cap).then((read) => {
        parts.observer.received(read.kind === 'complete' ? read.bytes.length : read.received);
        return read;
      });
      return body;
    },
    noteCommitted: (bytes) => parts.observer.committed(bytes),
  };
}

interface LogDraft {
  operation: Operation | null;
  userId: string | null;
  note: string | null;
}

/** Records the exchange in the request log once the response is over, whatever its end. */
function startLog(parts: ServerParts, exchange: Exchange): LogDraft {
  const { req, res, url } = exchange;
  const draft: LogDraft = { operation: null, userId: null, note: null };
  const started = parts.clock.now();
  res.on('close', () => {
    const contentRange = req.headers['content-range'];
    parts.observer.record({
      time: graphTime(started),
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      operation: draft.operation,
      userId: draft.userId,
      status: draft.note === 'dropped' ? 0 : res.statusCode,
      requestId: exchange.requestId,
      clientRequestId: exchange.clientRequestId,
      bodyBytes: Number(req.headers['content-length'] ?? 0),
      contentRange: typeof contentRange === 'string' ? contentRange : null,
      note: draft.note,
    });
  });
  return draft;
}

function formatSeconds(ms: number): string {
  const seconds = Math.max(ms, 1) / 1000;
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(3);
}

const jsonType = 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8';

export function send(exchange: Exchange, reply: Reply, clock: SimClock): void {
  const { res } = exchange;
  switch (reply.kind) {
    case 'json': {
      const body = JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        'Content-Type': jsonType,
        'Content-Length': Buffer.byteLength(body),
        ...reply.headers,
      });
      res.end(body);
      return;
    }
    case 'bytes':
      res.writeHead(reply.status, {
        'Content-Type': reply.contentType,
        'Content-Length': reply.body.length,
      });
      res.end(reply.body);
      return;
    case 'empty':
      res.writeHead(reply.status, reply.headers);
      res.end();
      return;
    case 'error':
      sendError(exchange, reply.error, clock);
      return;
    case 'drop':
      exchange.req.socket.destroy();
      return;
  }
}

/** Graph always answers with a client-request-id: the caller's, or one it made up. */
function answeredClientRequestId(ids: Pick<Exchange, 'requestId' | 'clientRequestId'>): string {
  return ids.clientRequestId ?? ids.requestId;
}

export function sendError(exchange: Exchange, error: GraphErrorReply, clock: SimClock): void {
  const body = errorBody(
    error,
    exchange.requestId,
    answeredClientRequestId(exchange),
    graphTime(clock.now()),
  );
  exchange.res.writeHead(error.status, {
    'Content-Type': jsonType,
    'Content-Length': Buffer.byteLength(body),
    ...error.headers,
  });
  exchange.res.end(body);
}

export type { Exchange };
