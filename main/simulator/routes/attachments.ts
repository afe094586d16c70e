import { z } from 'zod';
import { parseJson } from '../body.ts';
import { badRequest, graphError, notFound, tooLarge } from '../errors.ts';
import type { AttachmentRecord } from '../model.ts';
import { empty, fail, json, type GraphContext, type Handler } from '../reply.ts';
import { attachmentJson } from '../serialize.ts';
import { findTask } from './lists-tasks.ts';

export const defaultContentType = 'application/octet-stream';

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

const smallAttachmentBody = z.object({
  '@odata.type': z.string().optional(),
  name: z.string().trim().min(1).max(255),
  contentBytes: z.string().refine((value) => value.length % 4 === 0 && base64.test(value), {
    message: 'contentBytes is not base64',
  }),
  contentType: z.string().min(1).optional(),
  size: z.number().int().nonnegative().optional(),
});

function findAttachment(ctx: GraphContext): AttachmentRecord | undefined {
  const { taskId = '', attachmentId = '' } = ctx.route.params;
  return findTask(ctx) === undefined
    ? undefined
    : ctx.store.attachment(ctx.user.id, taskId, attachmentId);
}

export const listAttachments: Handler = (ctx) => {
  const task = findTask(ctx);
  if (task === undefined) return fail(notFound('task'));
  return json(200, {
    '@odata.context': `${ctx.origin}/${ctx.route.version}/$metadata#users('${ctx.user.id}')/todo/lists('${task.listId}')/tasks('${task.id}')/attachments`,
    value: ctx.store.attachments(ctx.user.id, task.id).map(attachmentJson),
  });
};

/** The small-file path: base64 in JSON, refused over the request cap and at 3 MB raw. */
export const createAttachment: Handler = async (ctx) => {
  const task = findTask(ctx);
  if (task === undefined) return fail(notFound('task'));
  const body = await ctx.readBody();
  if (body.kind === 'aborted') return { kind: 'drop' };
  if (body.kind === 'too-large') {
    return fail(
      graphError(413, 'RequestEntityTooLarge', 'The maximum request length supported is 4MB.'),
    );
  }
  const parsed = smallAttachmentBody.safeParse(parseJson(body.bytes));
  if (!parsed.success) {
    return fail(badRequest(`Invalid attachment: ${parsed.error.issues[0]?.message ?? 'bad JSON'}`));
  }
  const bytes = Buffer.from(parsed.data.contentBytes, 'base64');
  if (bytes.length > ctx.upload.maxAttachmentBytes) return fail(tooLarge(ctx.upload));
  if (bytes.length >= ctx.upload.smallAttachmentLimitBytes) {
    const { status, code } = ctx.upload.smallAttachmentTooLarge;
    return fail(
      graphError(
        status,
        code,
        'Attachments of 3 MB or more must be uploaded with an upload session.',
      ),
    );
  }
  const { emptyInlineRefusal } = ctx.upload;
  if (bytes.length === 0 && emptyInlineRefusal !== null) {
    const { status, code } = emptyInlineRefusal;
    return fail(graphError(status, code, 'The attachment has no content.'));
  }
  if (ctx.faults.dropBeforeCommit) return { kind: 'drop' };
  const attachment = ctx.store.addAttachment(task, {
    name: parsed.data.name,
    contentType: parsed.data.contentType ?? defaultContentType,
    bytes,
  });
  ctx.noteCommitted(bytes.length);
  if (ctx.faults.dropAfterCommit) return { kind: 'drop' };
  return json(201, {
    '@odata.context': `${ctx.origin}/${ctx.route.version}/$metadata#users('${ctx.user.id}')/todo/lists('${task.listId}')/tasks('${task.id}')/attachments/$entity`,
    ...attachmentJson(attachment),
  });
};

export const getAttachment: Handler = (ctx) => {
  const attachment = findAttachment(ctx);
  if (attachment === undefined) return fail(notFound('attachment'));
  const bytes = ctx.store.attachmentBytes(attachment.id);
  return json(200, {
    ...attachmentJson(attachment),
    contentBytes: bytes === undefined ? null : bytes.toString('base64'),
  });
};

export const getAttachmentValue: Handler = (ctx) => {
  const attachment = findAttachment(ctx);
  if (attachment === undefined) return fail(notFound('attachment'));
  const bytes = ctx.store.attachmentBytes(attachment.id);
  if (bytes === undefined) {
    return fail(graphError(404, 'itemNotFound', 'This simulator was started without bytes.'));
  }
  return { kind: 'bytes', status: 200, body: bytes, contentType: attachment.contentType };
};

export const deleteAttachment: Handler = (ctx) => {
  const attachment = findAttachment(ctx);
  if (attachment === undefined) return fail(notFound('attachment'));
  ctx.store.deleteAttachment(attachment);
  return empty(204);
};
