import { createHash, randomUUID, type Hash } from 'node:crypto';
import { mkdir, open, readdir, realpath, rm, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import {
  stagedFilesAtOnce,
  stagedPieceBytes,
  type EnqueueResult,
  type JobsChanged,
  type JobState,
  type JobView,
  type Refusal,
  type StagedEnqueueRequest,
  type StagedFileStart,
  type StagedFileStarted,
  type StagedPiece,
  type StagingCommands,
  type TaskdropEvents,
  type Unsubscribe,
} from '../../../preload/shared/contract.ts';
import { EngineRequestError, type CopiesRequest } from '../engine/engine.ts';
import { tooLargeRefusal } from '../files/inspect-file.ts';
import { maxAttachmentBytes } from '../../../preload/shared/limits.ts';
import type { Logger } from '../logging/logger.ts';

/** What the staging area needs of the engine. */
export interface StagingQueue {
  enqueueCopies(request: CopiesRequest): Promise<EnqueueResult>;
  listJobs(): Promise<JobView[]>;
  on(event: 'jobsChanged', listener: (payload: TaskdropEvents['jobsChanged']) => void): Unsubscribe;
}

/** A staged copy is needed no longer once its job ends: attached, or given up by the person. */
const endedStates: ReadonlySet<JobState> = new Set(['done', 'cancelled']);

/** Strict base64 (Buffer.from is lenient: it drops what it cannot read, silently). */
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Copies of the files a browser dropped, under the data folder, each in a folder of its own
 * (so no copy ever overwrites another, whatever the names), kept until its job ends. What no
 * job needs any more (a crash between staging and queueing, an older version) goes at start.
 */
export class StagingArea {
  readonly #dir: string;
  readonly #queue: StagingQueue;
  readonly #log: Logger;
  /** The folder of each staged job's copy, and how many jobs use each folder. */
  readonly #folderOfJob = new Map<number, string>();
  readonly #jobsInFolder = new Map<string, number>();
  readonly #unsubscribe: Unsubscribe;

  private constructor(dir: string, queue: StagingQueue, log: Logger) {
    this.#dir = dir;
    this.#queue = queue;
    this.#log = log;
    this.#unsubscribe = queue.on('jobsChanged', (change) => this.#jobsChanged(change));
  }

  static async open(options: {
    dir: string;
    queue: StagingQueue;
    log: Logger;
  }): Promise<StagingArea> {
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    // The queue knows a file by its real path: so does the area, to recognise its copies.
    const area = new StagingArea(await realpath(options.dir), options.queue, options.log);
    await area.#removeOrphans();
    return area;
  }

  /** The staging of one connection: what it left unqueued goes when it closes. */
  session(): StagingSession {
    return new StagingSession(this);
  }

  close(): void {
    this.#unsubscribe();
  }

  /** A fresh folder for one copy: created here, so nothing else is in it. */
  async newFolder(): Promise<string> {
    const folder = randomUUID();
    await mkdir(join(this.#dir, folder), { mode: 0o700 });
    return folder;
  }

  pathIn(folder: string, name: string): string {
    return join(this.#dir, folder, name);
  }

  async remove(folder: string): Promise<void> {
    try {
      await rm(join(this.#dir, folder), { recursive: true, force: true });
    } catch (error) {
      this.#log.warn('a staged copy could not be removed', { folder, error: String(error) });
    }
  }

  /** A copy that could not be written: plain words for the person, the details in the log. */
  cannotStage(name: string, error: unknown): EngineRequestError {
    const code = (error as { code?: unknown }).code;
    this.#log.error('a dropped file could not be staged', { file: name, error: String(error) });
    const why =
      code === 'ENOSPC'
        ? 'the disk is full'
        : code === 'EACCES' || code === 'EPERM'
          ? 'taskdrop may not write there'
          : typeof code === 'string'
            ? code
            : String(error);
    return new EngineRequestError(
      'not-available',
      `${name} could not be copied into taskdrop's data folder (${why}). Free some disk space or check that folder's permissions, then add it again.`,
    );
  }

  async enqueue(
    copies: CopiesRequest,
    folders: ReadonlyMap<string, string>,
  ): Promise<EnqueueResult> {
    const result = await this.#queue.enqueueCopies(copies);
    const kept = new Set<string>();
    for (const job of result.accepted) {
      const folder = folders.get(job.sourcePath);
      if (folder === undefined) continue;
      kept.add(folder);
      this.#track(job.id, folder);
    }
    await Promise.all([...folders.values()].filter((f) => !kept.has(f)).map((f) => this.remove(f)));
    return result;
  }

  #track(jobId: number, folder: string): void {
    this.#folderOfJob.set(jobId, folder);
    this.#jobsInFolder.set(folder, (this.#jobsInFolder.get(folder) ?? 0) + 1);
  }

  #jobsChanged({ upserted, removed }: JobsChanged): void {
    for (const job of upserted) if (endedStates.has(job.state)) this.#release(job.id);
    for (const id of removed) this.#release(id);
  }

  #release(jobId: number): void {
    const folder = this.#folderOfJob.get(jobId);
    if (folder === undefined) return;
    this.#folderOfJob.delete(jobId);
    const left = (this.#jobsInFolder.get(folder) ?? 1) - 1;
    if (left > 0) {
      this.#jobsInFolder.set(folder, left);
      return;
    }
    this.#jobsInFolder.delete(folder);
    void this.remove(folder);
  }

  /** The folder (directly under the area) a job's file is in; null for a file elsewhere. */
  #folderOf(path: string): string | null {
    const inside = relative(this.#dir, path);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return null;
    return inside.split(sep)[0] ?? null;
  }

  async #removeOrphans(): Promise<void> {
    for (const job of await this.#queue.listJobs()) {
      const folder = this.#folderOf(job.sourcePath);
      if (folder !== null && !endedStates.has(job.state)) this.#track(job.id, folder);
    }
    const orphans = (await readdir(this.#dir)).filter((entry) => !this.#jobsInFolder.has(entry));
    await Promise.all(orphans.map((entry) => this.remove(entry)));
    if (orphans.length > 0) {
      this.#log.info('staged copies no job needs were removed', { count: orphans.length });
    }
  }
}

/** One file on its way in: written piece by piece, hashed as it goes. */
interface Upload {
  name: string;
  size: number;
  folder: string;
  path: string;
  file: FileHandle;
  hash: Hash;
  received: number;
  /** The writes so far, in order: what closing and queueing wait for. */
  written: Promise<void>;
  failed: Error | null;
}

function pieceProblem(upload: Upload, offset: number, length: number): string | null {
  if (offset !== upload.received) return 'arrived out of order';
  if (length > stagedPieceBytes || offset + length > upload.size) {
    return 'sent more bytes than its size';
  }
  return null;
}

/** Staging for one connection (StagingCommands); its uploads are its own. */
export class StagingSession implements StagingCommands {
  readonly #area: StagingArea;
  readonly #uploads = new Map<string, Upload>();

  constructor(area: StagingArea) {
    this.#area = area;
  }

  async stageFile({ name, size }: StagedFileStart): Promise<StagedFileStarted> {
    if (size > maxAttachmentBytes) {
      return { uploadId: null, refused: tooLargeRefusal(name, name, size) };
    }
    if (this.#uploads.size >= stagedFilesAtOnce) {
      throw new EngineRequestError(
        'invalid-request',
        `At most ${stagedFilesAtOnce} files can be on their way at once: queue these first.`,
      );
    }
    let folder: string;
    try {
      folder = await this.#area.newFolder();
    } catch (error) {
      throw this.#area.cannotStage(name, error);
    }
    const path = this.#area.pathIn(folder, name);
    let file: FileHandle;
    try {
      file = await open(path, 'wx', 0o600);
    } catch (error) {
      await this.#area.remove(folder);
      throw this.#area.cannotStage(name, error);
    }
    const uploadId = randomUUID();
    this.#uploads.set(uploadId, {
      name,
      size,
      folder,
      path,
      file,
      hash: createHash('sha256'),
      received: 0,
      written: Promise.resolve(),
      failed: null,
    });
    return { uploadId, refused: null };
  }

  async stagePiece({ uploadId, offset, contentBase64 }: StagedPiece): Promise<number> {
    const upload = this.#open(uploadId);
    const bytes = base64Pattern.test(contentBase64) ? Buffer.from(contentBase64, 'base64') : null;
    const problem =
      bytes === null
        ? 'arrived damaged (its bytes were not valid base64)'
        : pieceProblem(upload, offset, bytes.length);
    if (bytes === null || problem !== null) {
      await this.#discard(uploadId, upload);
      throw new EngineRequestError(
        'invalid-request',
        `${upload.name} ${problem}, so it was not queued. Add it again.`,
      );
    }
    // Counted and hashed now, written in order: a next piece may come before this one is written.
    upload.received += bytes.length;
    upload.hash.update(bytes);
    upload.written = upload.written.then(async () => {
      if (upload.failed === null) await upload.file.write(bytes, 0, bytes.length, offset);
    });
    try {
      await upload.written;
    } catch (error) {
      upload.failed = this.#area.cannotStage(upload.name, error);
      await this.#discard(uploadId, upload);
      throw upload.failed;
    }
    return upload.received;
  }

  async enqueueStaged({ uploadIds, target }: StagedEnqueueRequest): Promise<EnqueueResult> {
    const refused: Refusal[] = [];
    const files: CopiesRequest['files'] = [];
    const folders = new Map<string, string>();
    // Every handle is checked before any is used: a request naming one unknown changes nothing.
    const uploads = [...new Set(uploadIds)].map((id) => [id, this.#open(id)] as const);
    for (const [uploadId, upload] of uploads) {
      this.#uploads.delete(uploadId);
      await upload.written.catch(() => undefined);
      await upload.file.close();
      if (upload.received < upload.size) {
        refused.push({
          path: upload.name,
          reason: 'unreadable',
          message: `${upload.name} did not arrive whole (${upload.received} of ${upload.size} bytes), so it was not queued. Add it again.`,
          jobId: null,
        });
        await this.#area.remove(upload.folder);
        continue;
      }
      files.push({ path: upload.path, sha256: upload.hash.digest('hex') });
      folders.set(upload.path, upload.folder);
    }
    if (files.length === 0) return { accepted: [], refused };
    try {
      const result = await this.#area.enqueue({ files, target }, folders);
      return { accepted: result.accepted, refused: [...refused, ...result.refused] };
    } catch (error) {
      await Promise.all([...folders.values()].map((folder) => this.#area.remove(folder)));
      throw error;
    }
  }

  /** The connection closed: what it did not queue is removed. */
  async close(): Promise<void> {
    await Promise.all([...this.#uploads].map(([id, upload]) => this.#discard(id, upload)));
  }

  #open(uploadId: string): Upload {
    const upload = this.#uploads.get(uploadId);
    if (upload === undefined) {
      throw new EngineRequestError(
        'invalid-request',
        'This file is not on its way any more (queued, refused, or the page reconnected). Add it again.',
      );
    }
    return upload;
  }

  async #discard(uploadId: string, upload: Upload): Promise<void> {
    this.#uploads.delete(uploadId);
    await upload.written.catch(() => undefined);
    await upload.file.close().catch(() => undefined);
    await this.#area.remove(upload.folder);
  }
}
