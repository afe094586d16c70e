/** The simulator's records: plain data, serializable as one JSON snapshot. */

export type WellknownListName = 'none' | 'defaultList' | 'flaggedEmails';
export type TaskStatus = 'notStarted' | 'inProgress' | 'completed' | 'waitingOnOthers' | 'deferred';
export type Importance = 'low' | 'normal' | 'high';

export interface UserRecord {
  id: string;
  userPrincipalName: string;
  displayName: string;
}

export interface ListRecord {
  id: string;
  userId: string;
  displayName: string;
  isOwner: boolean;
  isShared: boolean;
  wellknownListName: WellknownListName;
  changeSeq: number;
  version: number;
}

export interface TaskRecord {
  id: string;
  userId: string;
  listId: string;
  title: string;
  body: { content: string; contentType: 'text' | 'html' };
  importance: Importance;
  status: TaskStatus;
  isReminderOn: boolean;
  categories: string[];
  createdDateTime: string;
  lastModifiedDateTime: string;
  bodyLastModifiedDateTime: string;
  hasAttachments: boolean;
  changeSeq: number;
  version: number;
}

/** A deleted task, kept so the next delta round can report it as removed. */
export interface Tombstone {
  id: string;
  listId: string;
  changeSeq: number;
}

export interface AttachmentRecord {
  id: string;
  userId: string;
  listId: string;
  taskId: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  lastModifiedDateTime: string;
  via: 'post' | 'session';
}

export interface SessionRecord {
  id: string;
  userId: string;
  listId: string;
  taskId: string;
  name: string;
  contentType: string;
  size: number;
  nextOffset: number;
  expiresAt: number;
  /** The API version the session was created on: its uploadUrl and Location keep it. */
  version: string;
}

export interface Snapshot {
  format: 1;
  changeSeq: number;
  defaultUserId: string;
  users: UserRecord[];
  lists: ListRecord[];
  tasks: TaskRecord[];
  tombstones: Tombstone[];
  attachments: AttachmentRecord[];
  sessions: SessionRecord[];
}
