import type { Handler } from '../reply.ts';
import type { Operation } from '../types.ts';
import {
  createAttachment,
  deleteAttachment,
  getAttachment,
  getAttachmentValue,
  listAttachments,
} from './attachments.ts';
import {
  createList,
  createTask,
  deleteTask,
  getList,
  getTask,
  listDelta,
  listLists,
  listTasks,
  taskDelta,
  updateTask,
} from './lists-tasks.ts';
import {
  createUploadSession,
  deleteUploadSession,
  getUploadSession,
  listUploadSessions,
  uploadContent,
} from './upload-sessions.ts';

/** One handler per named operation; the type makes a missing one a compile error. */
export const handlers: Record<Operation, Handler> = {
  listLists,
  createList,
  getList,
  listDelta,
  listTasks,
  taskDelta,
  createTask,
  getTask,
  updateTask,
  deleteTask,
  listAttachments,
  createAttachment,
  getAttachment,
  getAttachmentValue,
  deleteAttachment,
  createUploadSession,
  listUploadSessions,
  getUploadSession,
  deleteUploadSession,
  uploadContent,
};
