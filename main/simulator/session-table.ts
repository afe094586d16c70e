import type { BlobStore } from './blobs.ts';
import { opaqueId } from './ids.ts';
import type { SessionRecord, TaskRecord } from './model.ts';
import type { NewSession } from './store-inputs.ts';

/**
 * The simulator's live upload sessions and their bytes: created for a task, filled strictly in
 * order, gone when complete, deleted, expired or when their task goes. An expired session is
 * remembered, so it can answer 404 as expired rather than as never known.
 */
export class SessionTable {
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #expired = new Set<string>();
  readonly #blobs: BlobStore;

  constructor(sessions: readonly SessionRecord[], blobs: BlobStore) {
    for (const session of sessions) this.#sessions.set(session.id, session);
    this.#blobs = blobs;
  }

  create(task: TaskRecord, input: NewSession): SessionRecord {
    const session: SessionRecord = {
      id: opaqueId(),
      userId: task.userId,
      listId: task.listId,
      taskId: task.id,
      nextOffset: 0,
      ...input,
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  all(): SessionRecord[] {
    return [...this.#sessions.values()];
  }

  ofTask(userId: string, taskId: string): SessionRecord[] {
    return this.all().filter((session) => session.userId === userId && session.taskId === taskId);
  }

  /** The session if it is this user's and task's and still live; `expired` when it just lapsed. */
  live(
    userId: string,
    taskId: string,
    sessionId: string,
    now: number,
  ): { session: SessionRecord | undefined; expired: boolean } {
    const session = this.#sessions.get(sessionId);
    if (session?.userId !== userId || session.taskId !== taskId) {
      return { session: undefined, expired: false };
    }
    if (session.expiresAt <= now) {
      this.#expired.add(sessionKey(userId, taskId, sessionId));
      this.drop(session);
      return { session: undefined, expired: true };
    }
    return { session, expired: false };
  }

  expired(userId: string, taskId: string, sessionId: string): boolean {
    return this.#expired.has(sessionKey(userId, taskId, sessionId));
  }

  /** Appends the next range; true when it completed the session's bytes. */
  append(session: SessionRecord, chunk: Buffer): boolean {
    this.#blobs.appendToSession(session.id, chunk);
    session.nextOffset += chunk.length;
    return session.nextOffset >= session.size;
  }

  /** Turns a complete session's bytes into the attachment's; returns their SHA-256. */
  finish(session: SessionRecord, attachmentId: string): string {
    const sha256 = this.#blobs.finishSession(session.id, attachmentId);
    this.#sessions.delete(session.id);
    return sha256;
  }

  drop(session: SessionRecord): void {
    this.#sessions.delete(session.id);
    this.#blobs.discardSession(session.id);
  }

  dropOfTask(taskId: string): void {
    for (const session of this.all()) if (session.taskId === taskId) this.drop(session);
  }
}

const sessionKey = (userId: string, taskId: string, sessionId: string): string =>
  JSON.stringify([userId, taskId, sessionId]);
