import { describe, expect, it } from 'vitest';
import {
  GraphError,
  classifyStatus,
  graphErrorFromResponse,
  networkError,
  parseRetryAfter,
} from '../../main/core/graph/errors.ts';

const now = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('Retry-After', () => {
  it('reads integer seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads fractional seconds as Graph sends them', () => {
    expect(parseRetryAfter('2.128', now)).toBe(2128);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('.25', now)).toBe(250);
  });

  it('reads an HTTP date relative to the injected clock', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:07 GMT', now)).toBe(7000);
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:59:00 GMT', now)).toBe(0);
  });

  it('returns null when absent or unreadable', () => {
    for (const value of [null, '', 'soon', '-1', '1e3', 'Fri, 99 Nope']) {
      expect(parseRetryAfter(value, now), String(value)).toBeNull();
    }
  });
});

describe('classification', () => {
  it('sorts statuses into kinds', () => {
    expect(classifyStatus(429, 'listTasks')).toBe('throttled');
    expect(classifyStatus(401, 'uploadRange')).toBe('auth');
    for (const status of [500, 502, 503, 504]) {
      expect(classifyStatus(status, 'uploadRange')).toBe('transient');
    }
    expect(classifyStatus(416, 'uploadRange')).toBe('permanent');
    expect(classifyStatus(403, 'createTask')).toBe('permanent');
    expect(classifyStatus(400, 'createUploadSession')).toBe('permanent');
  });

  it('reads 404 and 410 on a session URL as a gone session, elsewhere as not found', () => {
    for (const operation of ['uploadRange', 'getUploadSession', 'deleteUploadSession'] as const) {
      expect(classifyStatus(404, operation)).toBe('session-gone');
      expect(classifyStatus(410, operation)).toBe('session-gone');
    }
    expect(classifyStatus(404, 'createUploadSession')).toBe('not-found');
    expect(classifyStatus(404, 'getTask')).toBe('not-found');
    expect(classifyStatus(410, 'taskDelta')).toBe('permanent');
  });
});

function errorFrom(status: number, body: string, headers: Record<string, string> = {}) {
  return graphErrorFromResponse({
    operation: 'createUploadSession',
    status,
    headers: new Headers(headers),
    bodyText: body,
    clientRequestId: 'crid-1',
    nowMs: now,
  });
}

describe('errors from responses', () => {
  it('redacts what a server echoes of the request: a bearer token, a JWT, a token= value', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl';
    const body = JSON.stringify({
      error: {
        code: 'BadRequest',
        message: `Rejected Authorization: Bearer abc.def-123 for id_token ${jwt} (token=s3cr3t)`,
      },
    });
    const { message } = errorFrom(400, body);
    expect(message).toContain('Graph answered 400 BadRequest for createUploadSession');
    for (const secret of ['abc.def-123', jwt, 's3cr3t']) expect(message).not.toContain(secret);
    expect(message).toContain('[redacted]');
  });

  it('carries the Graph code, ids and a plain message', () => {
    const body = JSON.stringify({
      error: {
        code: 'itemNotFound',
        message: 'The task was not found.',
        innerError: { 'request-id': 'body-rid' },
      },
    });
    const error = errorFrom(404, body);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({
      kind: 'not-found',
      status: 404,
      code: 'itemNotFound',
      requestId: 'body-rid',
      clientRequestId: 'crid-1',
      operation: 'createUploadSession',
      ambiguous: false,
      retryAfterMs: null,
    });
    expect(error.message).toBe(
      'Graph answered 404 itemNotFound for createUploadSession: The task was not found. (request-id body-rid, client-request-id crid-1)',
    );
  });

  it('prefers the request-id header and reads Retry-After on 503', () => {
    const error = errorFrom(503, 'Service Unavailable', {
      'request-id': 'hdr-rid',
      'Retry-After': '1.5',
    });
    expect(error).toMatchObject({ kind: 'transient', code: null, requestId: 'hdr-rid' });
    expect(error.retryAfterMs).toBe(1500);
    expect(error.message).toBe(
      'Graph answered 503 for createUploadSession (request-id hdr-rid, client-request-id crid-1)',
    );
  });

  it('marks a 504 ambiguous: the backend may have applied the request', () => {
    expect(errorFrom(504, '').ambiguous).toBe(true);
    expect(errorFrom(503, '').ambiguous).toBe(false);
  });

  it('shortens a long Graph message to one line', () => {
    const message = `line one\n${'x'.repeat(500)}`;
    const error = errorFrom(400, JSON.stringify({ error: { code: 'bad', message } }));
    expect(error.message).not.toContain('\n');
    expect(error.message.length).toBeLessThan(320);
  });
});

describe('network errors', () => {
  function fetchFailure(code: string): TypeError {
    return new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
  }

  it('are transient and ambiguous when the connection may have carried the request', () => {
    const error = networkError('uploadRange', 'crid-2', fetchFailure('UND_ERR_SOCKET'));
    expect(error).toMatchObject({
      kind: 'transient',
      status: null,
      code: 'networkError',
      ambiguous: true,
      clientRequestId: 'crid-2',
    });
    expect(error.message).toContain('UND_ERR_SOCKET');
  });

  it('are not ambiguous when the connection was never made', () => {
    expect(networkError('uploadRange', 'c', fetchFailure('ECONNREFUSED')).ambiguous).toBe(false);
    const happyEyeballs = new TypeError('fetch failed', {
      cause: new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
    });
    expect(networkError('uploadRange', 'c', happyEyeballs).ambiguous).toBe(false);
  });
});
