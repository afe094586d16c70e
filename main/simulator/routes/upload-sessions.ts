import { z } from 'zod';
import { parseJson } from '../body.ts';
import { graphTime } from '../clock.ts';
import { badRequest, graphError, notFound, tooLarge, type GraphErrorReply } from '../errors.ts';
import type { AttachmentRecord, SessionRecord } from '../model.ts';
import { empty, fail, json, type GraphContext, type Handler, type Reply } from '../reply.ts';
import { attachmentLocation, sessionJson, sessionUrl } from '../serialize.ts';
import { defaultContentType } from './attachments.ts';
import { findTask } from './lists-tasks.ts';
import type { Refusal } from '../types.ts';

const createSessionBody = z.object({
  attachmentInfo: z.object({
    '@odata.type': z.string().optional(),
    attachmentType: z.literal('file'),
    name: z.string().trim().min(1).max(255),
    size: z.number().int().nonnegative(),
    contentType: z.string().min(1).optional(),
  }),
});

/** A session that expired answers as configured; one never issued (or gone) is not found. */
function sessionGone(ctx: GraphContext): GraphErrorReply {
  const { taskId = '', sessionId = '' } = ctx.route.params;
  if (!ctx.store.sessionExpired(ctx.user.id, taskId, sessionId)) return notFound('upload session');
  const { status, code } = ctx.upload.sessionExpired;
  return graphError(status, code, 'The upload session has expired.');
}

function findSession(ctx: GraphContext): SessionRecord | undefined {
  const { taskId = '', sessionId = '' } = ctx.route.params;
  return findTask(ctx) === undefined
    ? undefined
    : ctx.store.session(ctx.user.id, taskId, sessionId);
}

export const createUploadSession: Handler = async (ctx) => {
  const task = findTask(ctx);
  if (task === undefined) return fail(notFound('task'));
  const body = await ctx.readBody();
  if (body.kind === 'aborted') return { kind: 'drop' };
  if (body.kind === 'too-large') return fail(badRequest('The request body is too large.'));
  const parsed = createSessionBody.safeParse(parseJson(body.bytes));
  if (!parsed.success) {
    return fail(badRequest(`Invalid attachmentInfo: ${parsed.error.issues[0]?.message ?? ''}`));
  }
  const info = parsed.data.attachmentInfo;
  if (info.size > ctx.upload.maxAttachmentBytes) return fail(tooLarge(ctx.upload));
  if (info.size < ctx.upload.minSessionBytes) {
    return fail(
      graphError(
        400,
        'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize',
        'Attachment size should not be less than the minimum size for an upload session.',
      ),
    );
  }
  const session = ctx.store.createSession(task, {
    name: info.name,
    contentType: info.contentType ?? defaultContentType,
    size: info.size,
    version: ctx.route.version,
    expiresAt: ctx.clock.now() + ctx.upload.sessionLifetimeMs,
  });
  if (ctx.faults.dropAfterCommit) return { kind: 'drop' };
  return json(ctx.upload.createSessionStatus, {
    '@odata.context': `${ctx.origin}/${ctx.route.version}/$metadata#microsoft.graph.uploadSession`,
    uploadUrl: sessionUrl(ctx.origin, session),
    expirationDateTime: graphTime(session.expiresAt),
    nextExpectedRanges: ['0-'],
  });
};

/** A variant's refusal of a call the real service may not offer (docs/graph-unknowns.md §1). */
function unsupported(refusal: Refusal): Reply {
  return fail(graphError(refusal.status, refusal.code, 'The request is not supported.'));
}

export const listUploadSessions: Handler = (ctx) => {
  if (ctx.upload.sessionListRefusal !== null) return unsupported(ctx.upload.sessionListRefusal);
  const task = findTask(ctx);
  if (task === undefined) return fail(notFound('task'));
  const live = ctx.store
    .sessions(ctx.user.id, task.id)
    .filter((session) => ctx.store.session(ctx.user.id, task.id, session.id) !== undefined);
  return json(200, { value: live.map(sessionJson) });
};

export const getUploadSession: Handler = (ctx) => {
  if (ctx.upload.sessionGetRefusal !== null) return unsupported(ctx.upload.sessionGetRefusal);
  const session = findSession(ctx);
  return session === undefined ? fail(sessionGone(ctx)) : json(200, sessionJson(session));
};

export const deleteUploadSession: Handler = (ctx) => {
  const session = findSession(ctx);
  if (session === undefined) return fail(sessionGone(ctx));
  ctx.store.deleteSession(session);
  return empty(204);
};

interface ContentRange {
  start: number;
  end: number;
  total: number;
}

function parseContentRange(header: string | undefined): ContentRange | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header?.trim() ?? '');
  if (match === null) return null;
  const [start, end, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return end < start || end >= total ? null : { start, end, total };
}

/** Checks that need no body; each refusal leaves the session as it was. */
function checkRangeHeaders(
  ctx: GraphContext,
  session: SessionRecord,
): { range: ContentRange; length: number } | GraphErrorReply {
  const { headers } = ctx.req;
  const contentType = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/octet-stream') {
    return graphError(
      415,
      'unsupportedMediaType',
      'Content-Type must be application/octet-stream.',
    );
  }
  if (headers['content-length'] === undefined) {
    return graphError(411, 'lengthRequired', 'Content-Length is required.');
  }
  const length = Number(headers['content-length']);
  if (length > ctx.upload.maxChunkBytes) {
    return graphError(
      413,
      'RequestEntityTooLarge',
      `A range may carry at most ${ctx.upload.maxChunkBytes} bytes.`,
    );
  }
  const range = parseContentRange(headers['content-range']);
  if (range === null) return badRequest('Content-Range must be "bytes start-end/total".');
  if (range.total !== session.size) {
    return badRequest(
      `Content-Range total ${range.total} is not the session size ${session.size}.`,
    );
  }
  if (range.end - range.start + 1 !== length) {
    return badRequest('Content-Length does not match the Content-Range.');
  }
  return { range, length };
}

function outOfOrder(ctx: GraphContext, session: SessionRecord): GraphErrorReply {
  const { status, code } = ctx.upload.rangeOutOfOrder;
  return graphError(status, code, `The next expected range starts at ${session.nextOffset}.`);
}

/**
 * PUT {uploadUrl}/content (docs/graph-todo-api.md §4.2–§4.4): strictly in order, one range at a
 * time; the range that completes the file answers 201 with an empty body and the new attachment's
 * Location.
 */
export const uploadContent: Handler = async (ctx) => {
  const session = findSession(ctx);
  const checked = session === undefined ? sessionGone(ctx) : checkRangeHeaders(ctx, session);
  const body = await ctx.readBody();
  if (body.kind === 'aborted') return { kind: 'drop' };
  if ('status' in checked) return fail(checked);
  if (body.kind === 'too-large' || body.bytes.length !== checked.length) {
    return fail(badRequest('The body length does not match Content-Length.'));
  }
  if (ctx.faults.dropBeforeCommit) return { kind: 'drop' };
  // The body arrived asynchronously: the session may have moved or gone meanwhile.
  const live = findSession(ctx);
  if (live === undefined) return fail(sessionGone(ctx));
  if (checked.range.start !== live.nextOffset) return fail(outOfOrder(ctx, live));
  const outcome = ctx.store.commitRange(live, body.bytes);
  ctx.noteCommitted(body.bytes.length);
  if (ctx.faults.dropAfterCommit) return { kind: 'drop' };
  if (outcome.kind === 'more') return json(200, intermediateAnswer(ctx, live));
  return completed(ctx, outcome.attachment);
};

/**
 * 200 with PascalCase keys and a bare offset (docs/graph-todo-api.md §4.3), or camelCase (a
 * variant).
 */
function intermediateAnswer(ctx: GraphContext, session: SessionRecord): Record<string, unknown> {
  const expires = graphTime(session.expiresAt);
  const next = [String(session.nextOffset)];
  return ctx.upload.intermediateCasing === 'camel'
    ? { expirationDateTime: expires, nextExpectedRanges: next }
    : { ExpirationDateTime: expires, NextExpectedRanges: next };
}

function completed(ctx: GraphContext, attachment: AttachmentRecord): Reply {
  if (ctx.faults.omitLocation) return empty(201, { 'Content-Length': '0' });
  const header = ctx.faults.lowercaseLocation ? 'location' : 'Location';
  return empty(201, {
    [header]: attachmentLocation(ctx.origin, ctx.route.version, attachment),
    'Content-Length': '0',
  });
}
