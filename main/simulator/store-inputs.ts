/** What the routes hand the simulator's store to create or change. */
import type { AttachmentRecord, SessionRecord, TaskRecord } from './model.ts';

export interface NewTask {
  title: string;
  body?: string;
  importance?: TaskRecord['importance'];
  status?: TaskRecord['status'];
  categories?: string[];
}

export type TaskChanges = Partial<
  Pick<TaskRecord, 'title' | 'importance' | 'status' | 'categories'>
>;

export interface NewAttachment {
  name: string;
  contentType: string;
  bytes: Buffer;
}

export interface NewSession {
  name: string;
  contentType: string;
  size: number;
  version: string;
  expiresAt: number;
}

export type RangeOutcome =
  { kind: 'more'; session: SessionRecord } | { kind: 'done'; attachment: AttachmentRecord };
