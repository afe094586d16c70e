import type { AttachmentRecord, ListRecord, SessionRecord, TaskRecord } from './model.ts';
import { graphTime } from './clock.ts';

const etag = (id: string, version: number): string =>
  `W/"${Buffer.from(`${id}:${version}`).toString('base64').slice(-24)}"`;

export function listJson(list: ListRecord): Record<string, unknown> {
  return {
    '@odata.etag': etag(list.id, list.version),
    displayName: list.displayName,
    isOwner: list.isOwner,
    isShared: list.isShared,
    wellknownListName: list.wellknownListName,
    id: list.id,
  };
}

export function taskJson(task: TaskRecord): Record<string, unknown> {
  return {
    '@odata.etag': etag(task.id, task.version),
    importance: task.importance,
    isReminderOn: task.isReminderOn,
    status: task.status,
    title: task.title,
    createdDateTime: task.createdDateTime,
    lastModifiedDateTime: task.lastModifiedDateTime,
    hasAttachments: task.hasAttachments,
    categories: task.categories,
    id: task.id,
    body: task.body,
    bodyLastModifiedDateTime: task.bodyLastModifiedDateTime,
  };
}

export function attachmentJson(attachment: AttachmentRecord): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.taskFileAttachment',
    id: attachment.id,
    lastModifiedDateTime: attachment.lastModifiedDateTime,
    name: attachment.name,
    contentType: attachment.contentType,
    size: attachment.size,
  };
}

export function sessionJson(session: SessionRecord): Record<string, unknown> {
  return {
    id: session.id,
    expirationDateTime: graphTime(session.expiresAt),
    nextExpectedRanges: [`${session.nextOffset}-`],
  };
}

/** The uploadUrl names the user by GUID even when the session was created through /me. */
export function sessionUrl(origin: string, session: SessionRecord): string {
  const path = [
    session.version,
    'users',
    session.userId,
    'todo/lists',
    encodeURIComponent(session.listId),
    'tasks',
    encodeURIComponent(session.taskId),
    'attachmentSessions',
    encodeURIComponent(session.id),
  ].join('/');
  return `${origin}/${path}`;
}

export function attachmentLocation(
  origin: string,
  version: string,
  attachment: AttachmentRecord,
): string {
  const path = [
    version,
    'users',
    attachment.userId,
    'todo/lists',
    encodeURIComponent(attachment.listId),
    'tasks',
    encodeURIComponent(attachment.taskId),
    'Attachments',
    encodeURIComponent(attachment.id),
  ].join('/');
  return `${origin}/${path}`;
}
