/** Domain shapes the Graph client hands out: plain data, parsed and normalised from Graph JSON. */

/** The client's operations: the name errors carry and messages mention. */
export type GraphOperation =
  | 'listLists'
  | 'listTasks'
  | 'taskDelta'
  | 'getTask'
  | 'createTask'
  | 'deleteTask'
  | 'listAttachments'
  | 'deleteAttachment'
  | 'createSmallAttachment'
  | 'createUploadSession'
  | 'listUploadSessions'
  | 'uploadRange'
  | 'getUploadSession'
  | 'deleteUploadSession';

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface TodoTaskList {
  id: string;
  displayName: string;
  isOwner: boolean;
  isShared: boolean;
  /** 'none', 'defaultList', 'flaggedEmails' or a value Graph adds later. */
  wellknownListName: string;
}

export interface TodoTask {
  id: string;
  title: string;
  /** 'notStarted', 'inProgress', 'completed', 'waitingOnOthers', 'deferred' or a later value. */
  status: string;
  importance: string;
  hasAttachments: boolean;
  createdDateTime: string | null;
  lastModifiedDateTime: string | null;
}

export interface TaskDelta {
  changed: TodoTask[];
  removedIds: string[];
  /** Pass it back verbatim for the next round. */
  deltaLink: string;
}

/** Attachment metadata as listed (never the bytes). */
export interface AttachmentInfo {
  id: string;
  name: string;
  size: number;
  contentType: string;
  lastModifiedDateTime: string | null;
}

/** A byte range the server still expects: 0-based, `end` inclusive, `end: null` = to the end. */
export interface ByteRange {
  start: number;
  end: number | null;
}

export interface UploadSessionState {
  /** Empty when the server did not say: ask the session (`getUploadSession`) for its offset. */
  nextExpectedRanges: ByteRange[];
  /** Milliseconds since the epoch; null when the server sent no (readable) expiry. */
  expiresAt: number | null;
}

export interface UploadSession extends UploadSessionState {
  /** Opaque: persist it verbatim, never rebuild it from ids. */
  uploadUrl: string;
}

export type UploadRangeResult =
  | { kind: 'accepted'; nextExpectedRanges: ByteRange[]; expiresAt: number | null }
  | {
      kind: 'completed';
      /** Null when the 201 had no usable Location: reconcile by listing the task's attachments. */
      attachmentId: string | null;
      location: string | null;
    };

export interface NewSmallAttachment {
  name: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface NewUploadSession {
  name: string;
  size: number;
  contentType: string;
}

/**
 * Bytes made while they are sent (read from a file as the request takes them), instead of held
 * whole first. `open` is called for each time the request goes out: a 401 sends it again.
 */
export interface ByteSource {
  readonly byteLength: number;
  open(): ReadableStream<Uint8Array>;
}

/** A request body of raw bytes: in memory, or made as it is sent. */
export type RequestBytes = Uint8Array | ByteSource;

export interface RangeUpload {
  /** Offset of the first byte of `bytes` in the file. */
  start: number;
  /** Size of the whole file, the same on every range of a session. */
  totalSize: number;
  bytes: RequestBytes;
}
