import { createHash, type Hash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where upload bytes live: committed session ranges and finished attachments. The SHA-256 of a
 * session is kept incrementally, so an attachment's hash is known even when bytes are not kept.
 */
export interface BlobStore {
  appendToSession(sessionId: string, chunk: Buffer): void;
  /** Turns a complete session into an attachment's bytes; returns their SHA-256. */
  finishSession(sessionId: string, attachmentId: string): string;
  discardSession(sessionId: string): void;
  putAttachment(attachmentId: string, bytes: Buffer): void;
  readAttachment(attachmentId: string): Buffer | undefined;
  deleteAttachment(attachmentId: string): void;
}

class SessionHashes {
  readonly #hashes = new Map<string, Hash>();

  update(sessionId: string, chunk: Buffer): void {
    let hash = this.#hashes.get(sessionId);
    if (hash === undefined) {
      hash = createHash('sha256');
      this.#hashes.set(sessionId, hash);
    }
    hash.update(chunk);
  }

  digest(sessionId: string, rebuild: () => Buffer): string {
    const hash = this.#hashes.get(sessionId) ?? createHash('sha256').update(rebuild());
    this.#hashes.delete(sessionId);
    return hash.digest('hex');
  }

  has(sessionId: string): boolean {
    return this.#hashes.has(sessionId);
  }

  forget(sessionId: string): void {
    this.#hashes.delete(sessionId);
  }
}

export class MemoryBlobStore implements BlobStore {
  readonly #sessions = new Map<string, Buffer[]>();
  readonly #attachments = new Map<string, Buffer>();
  readonly #hashes = new SessionHashes();
  readonly #retainBytes: boolean;

  constructor(retainBytes: boolean) {
    this.#retainBytes = retainBytes;
  }

  appendToSession(sessionId: string, chunk: Buffer): void {
    this.#hashes.update(sessionId, chunk);
    if (!this.#retainBytes) return;
    const chunks = this.#sessions.get(sessionId) ?? [];
    chunks.push(chunk);
    this.#sessions.set(sessionId, chunks);
  }

  finishSession(sessionId: string, attachmentId: string): string {
    const bytes = Buffer.concat(this.#sessions.get(sessionId) ?? []);
    this.#sessions.delete(sessionId);
    if (this.#retainBytes) this.#attachments.set(attachmentId, bytes);
    return this.#hashes.digest(sessionId, () => bytes);
  }

  discardSession(sessionId: string): void {
    this.#sessions.delete(sessionId);
    this.#hashes.forget(sessionId);
  }

  putAttachment(attachmentId: string, bytes: Buffer): void {
    if (this.#retainBytes) this.#attachments.set(attachmentId, bytes);
  }

  readAttachment(attachmentId: string): Buffer | undefined {
    return this.#attachments.get(attachmentId);
  }

  deleteAttachment(attachmentId: string): void {
    this.#attachments.delete(attachmentId);
  }
}

/** Bytes in files under the data folder, so a restarted simulator still has them. */
export class FolderBlobStore implements BlobStore {
  readonly #sessionsDir: string;
  readonly #attachmentsDir: string;
  readonly #hashes = new SessionHashes();

  constructor(dataDir: string) {
    this.#sessionsDir = join(dataDir, 'sessions');
    this.#attachmentsDir = join(dataDir, 'attachments');
    mkdirSync(this.#sessionsDir, { recursive: true });
    mkdirSync(this.#attachmentsDir, { recursive: true });
  }

  #sessionFile(sessionId: string): string {
    return join(this.#sessionsDir, `${fileSafe(sessionId)}.part`);
  }

  #attachmentFile(attachmentId: string): string {
    return join(this.#attachmentsDir, `${fileSafe(attachmentId)}.bin`);
  }

  appendToSession(sessionId: string, chunk: Buffer): void {
    const file = this.#sessionFile(sessionId);
    // After a restart the running hash is gone: start it again from what the file holds.
    if (!this.#hashes.has(sessionId) && existsSync(file)) {
      this.#hashes.update(sessionId, readFileSync(file));
    }
    this.#hashes.update(sessionId, chunk);
    appendFileSync(file, chunk);
  }

  finishSession(sessionId: string, attachmentId: string): string {
    const source = this.#sessionFile(sessionId);
    if (!existsSync(source)) appendFileSync(source, Buffer.alloc(0));
    const sha256 = this.#hashes.digest(sessionId, () => readFileSync(source));
    renameSync(source, this.#attachmentFile(attachmentId));
    return sha256;
  }

  discardSession(sessionId: string): void {
    this.#hashes.forget(sessionId);
    rmSync(this.#sessionFile(sessionId), { force: true });
  }

  putAttachment(attachmentId: string, bytes: Buffer): void {
    appendFileSync(this.#attachmentFile(attachmentId), bytes, { flag: 'w' });
  }

  readAttachment(attachmentId: string): Buffer | undefined {
    const file = this.#attachmentFile(attachmentId);
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  deleteAttachment(attachmentId: string): void {
    rmSync(this.#attachmentFile(attachmentId), { force: true });
  }
}

function fileSafe(id: string): string {
  return Buffer.from(id).toString('base64url');
}
