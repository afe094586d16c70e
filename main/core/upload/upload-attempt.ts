import { createHash, type Hash } from 'node:crypto';
import type { JobProblem } from '../../../preload/shared/contract.ts';
import { SignInRequiredError } from '../auth/token-provider.ts';
import type { GraphClient } from '../graph/client.ts';
import { GraphError, isGraphError } from '../graph/errors.ts';
import type { ByteRange } from '../graph/types.ts';
import {
  FileShrankError,
  sameStamp,
  sameVersion,
  SourceFile,
  versionOf,
  type FileVersion,
} from '../files/file-reader.ts';
import { errorCode } from '../files/inspect-file.ts';
import { maxAttachmentBytes } from '../../../preload/shared/limits.ts';
import type { JobFacts, JobRow, JobStore } from '../queue/job-store.ts';
import type { AccountKnowledge } from '../queue/service-knowledge.ts';
import { impossibleByRefusal, knownImpossible, noteAccepted } from './impossible-files.ts';
import { problem } from './problems.ts';
import { UnverifiedCalls } from './unverified-calls.ts';
import { yieldToEventLoop } from '../watch/limited.ts';
import { FinalRangeBody } from './final-range-body.ts';
import { findLandedAttachment } from './reconcile.ts';

/** 12 × 320 KiB: under every reading of Graph's 4 MB per PUT (reference §4.2). */
export const defaultRangeSize = 3_932_160;
/** Base64 of this many bytes stays under Graph's ~4 MB request cap (reference §3.3). */
export const defaultSmallUploadMaxBytes = 2_900_000;
/** A session with less time left than this is not worth resuming. */
const sessionMarginMs = 60_000;
/** Times a file may change under one attempt before it is left to settle. */
const maxRestarts = 2;
/** Times the server's offset may disagree with ours in one attempt. */
const maxResyncs = 3;
/**
 * How a range that does not start at the server's offset may be refused: 416 is documented for
 * OneDrive only; 400 and 409 are what other services answer (docs/graph-unknowns.md §1).
 */
const outOfOrderStatuses = new Set([416, 400, 409]);
/** Sessions found gone (404) in one attempt; more means the 404 is not about expiry. */
const maxSessionsGone = 2;

export interface AttemptDeps {
  store: JobStore;
  graph: GraphClient;
  /** What the account's service is known to do and not to do (upload rule 11). */
  knowledge: AccountKnowledge;
  now: () => number;
  signal: AbortSignal;
  rangeSize: number;
  smallUploadMaxBytes: number;
  onProgress: (id: number, bytesSent: number, bytesAcked: number) => void;
}

export type AttemptOutcome =
  | { kind: 'done'; attachmentId: string }
  | { kind: 'graph-error'; error: GraphError }
  | { kind: 'sign-in'; message: string }
  | { kind: 'file-problem'; problem: JobProblem; retryable: boolean }
  | { kind: 'aborted' };

/** A file-system fact that stops this attempt, in the person's words. */
class FileProblem extends Error {
  readonly problem: JobProblem;
  readonly retryable: boolean;

  constructor(jobProblem: JobProblem, retryable: boolean) {
    super(jobProblem.message);
    this.problem = jobProblem;
    this.retryable = retryable;
  }
}

/** The file is not what we hashed: restart from byte 0 with the new content. */
class FileChanged extends Error {}

/** Slices small enough for the requests in flight to get a turn between them (~0.6 ms each). */
const hashSliceBytes = 1024 * 1024;

/**
 * Hashes a range in slices, letting the event loop run before and between them: its request
 * goes out meanwhile, so hashing overlaps the transfer instead of coming before it. The bytes
 * are only read, so they may be on their way at the same time.
 */
async function hashWhileSending(hash: Hash, bytes: Buffer): Promise<void> {
  for (let start = 0; start < bytes.length; start += hashSliceBytes) {
    await yieldToEventLoop();
    hash.update(bytes.subarray(start, start + hashSliceBytes));
  }
}

/** Runs one attempt at uploading a job; every outcome is a value, never a throw. */
export async function runAttempt(job: JobRow, deps: AttemptDeps): Promise<AttemptOutcome> {
  try {
    return { kind: 'done', attachmentId: await new UploadAttempt(job, deps).run() };
  } catch (error) {
    if (deps.signal.aborted) return { kind: 'aborted' };
    if (isGraphError(error)) return { kind: 'graph-error', error };
    if (error instanceof SignInRequiredError) return { kind: 'sign-in', message: error.message };
    if (error instanceof FileProblem) {
      return { kind: 'file-problem', problem: error.problem, retryable: error.retryable };
    }
    throw error;
  }
}

function firstOffset(ranges: ByteRange[]): number | null {
  return ranges.length === 0 ? null : Math.min(...ranges.map((range) => range.start));
}

class UploadAttempt {
  #job: JobRow;
  readonly #deps: AttemptDeps;
  #restarts = 0;
  /** The file, open while this attempt reads it; null before and after. */
  #file: SourceFile | null = null;
  /** The file as it was before this attempt read its first byte (rule 8). */
  #version: FileVersion | null = null;
  readonly #unverified: UnverifiedCalls;

  constructor(job: JobRow, deps: AttemptDeps) {
    this.#job = job;
    this.#deps = deps;
    this.#unverified = new UnverifiedCalls(deps.graph, deps.knowledge, deps.signal);
  }

  #record(facts: JobFacts): void {
    this.#job = this.#deps.store.record(this.#job.id, facts);
  }

  get #signal(): { signal: AbortSignal } {
    return { signal: this.#deps.signal };
  }

  async run(): Promise<string> {
    try {
      return await this.#runToEnd();
    } catch (error) {
      // A file gone mid-upload leaves nothing on the server: its session is deleted (rule 10).
      if (error instanceof FileProblem && error.problem.nextStep === 'locate-file') {
        await this.#discardSession();
      }
      throw error;
    } finally {
      await this.#closeFile();
    }
  }

  async #runToEnd(): Promise<string> {
    // An unanswered final request may have attached the file already: look before resending.
    if (this.#job.finalSentAt !== null) {
      if (!(await this.#sessionStillWaits())) {
        const landed = await this.#findLanded();
        if (landed !== null) return landed;
      }
      this.#record({ finalSentAt: null });
    }
    for (;;) {
      try {
        await this.#prepareFile();
        const impossible = knownImpossible(this.#job, this.#deps.knowledge, this.#deps.now());
        if (impossible !== null) throw new FileProblem(impossible, false);
        return this.#job.size <= this.#deps.smallUploadMaxBytes
          ? await this.#postSmall()
          : await this.#uploadInSession();
      } catch (error) {
        if (!(error instanceof FileChanged)) throw error;
        await this.#restartChangedFile();
      }
    }
  }

  /**
   * Whether the job's upload session is still there, waiting for bytes: then the final request
   * did not complete it, and the task's attachments (thousands, on a busy task) need no look.
   * A session gone (completed, or expired), or one that cannot be asked, leaves the question to
   * that look.
   */
  async #sessionStillWaits(): Promise<boolean> {
    const url = this.#job.uploadUrl;
    if (url === null) return false;
    const answer = await this.#unverified.askSession(url);
    return answer.kind === 'state' && answer.nextExpectedRanges.length > 0;
  }

  async #findLanded(): Promise<string | null> {
    const claimed = this.#deps.store.claimedAttachmentIds(this.#job.target.taskId);
    const found = await findLandedAttachment(
      this.#deps.graph,
      this.#job,
      claimed,
      this.#deps.now(),
      this.#deps.signal,
    );
    return found?.id ?? null;
  }

  /**
   * Rule 8, before the first byte: the file is still there, still fits, and is the one queued.
   * A fresh upload hashes its bytes as it sends them, so it reads the file once. A resumed one
   * sent bytes in an earlier attempt: the whole file is hashed first, the reference the check
   * before the last byte compares with.
   */
  async #prepareFile(): Promise<void> {
    await this.#closeFile();
    const path = this.#job.sourcePath;
    const version = await this.#fileOperation(() => versionOf(path));
    if (version.size > maxAttachmentBytes) {
      throw new FileProblem(
        problem(
          'file',
          `${this.#job.fileName} grew past 25 MB since it was queued; To Do cannot take it.`,
          'none',
          this.#deps.now(),
        ),
        false,
      );
    }
    if (this.#hasProgress() && !this.#sentFrom(version)) throw new FileChanged();
    if (!sameStamp(version, this.#job)) {
      // Nothing sent yet: the file as it is now is what goes.
      this.#record({ sha256: null, size: version.size, mtimeMs: version.mtimeMs });
    }
    if (version.ino !== this.#job.fileIno || version.ctimeMs !== this.#job.fileCtimeMs) {
      this.#record({ fileIno: version.ino, fileCtimeMs: version.ctimeMs });
    }
    this.#version = version;
    const file = await this.#fileOperation(() => SourceFile.open(path));
    this.#file = file;
    if (!(await this.#fileOperation(() => file.fitsSize(version.size)))) {
      // Written to meanwhile is a change (start again); the same version is a special file.
      if (!sameVersion(await this.#fileOperation(() => versionOf(path)), version)) {
        throw new FileChanged();
      }
      throw new FileProblem(
        problem(
          'file',
          `${this.#job.fileName} holds more or less than its size says: it is a special file (such as those in /proc). Copy it to a regular file and attach that.`,
          'none',
          this.#deps.now(),
        ),
        false,
      );
    }
    if (this.#job.sha256 === null && this.#hasProgress()) {
      this.#record({ sha256: await this.#fileOperation(() => file.sha256(this.#deps.signal)) });
    }
  }

  async #closeFile(): Promise<void> {
    const file = this.#file;
    this.#file = null;
    // Only read from: closing cannot lose anything, so its failure is not the upload's.
    await file?.close().catch(() => undefined);
  }

  #source(): SourceFile {
    if (this.#file === null) throw new Error('the file is read before it was prepared');
    return this.#file;
  }

  /**
   * Whether the bytes already sent came from this version of the file. Jobs from before the
   * identity was recorded (null) have only their size and mtime to go by.
   */
  #sentFrom(version: FileVersion): boolean {
    const { fileIno, fileCtimeMs } = this.#job;
    const sameIdentity =
      fileIno === null || (version.ino === fileIno && version.ctimeMs === fileCtimeMs);
    return sameIdentity && sameStamp(version, this.#job);
  }

  #hasProgress(): boolean {
    return this.#job.uploadUrl !== null || this.#job.ackedOffset > 0;
  }

  async #restartChangedFile(): Promise<void> {
    this.#restarts += 1;
    if (this.#restarts > maxRestarts) {
      throw new FileProblem(
        problem(
          'file',
          `${this.#job.fileName} keeps changing while it uploads; taskdrop will try again once it settles.`,
          'wait',
          this.#deps.now(),
        ),
        true,
      );
    }
    await this.#discardSession();
    this.#record({ sha256: null, ackedOffset: 0, finalSentAt: null, protocol: null });
    this.#deps.onProgress(this.#job.id, 0, 0);
  }

  async #discardSession(): Promise<void> {
    const url = this.#job.uploadUrl;
    if (url === null) return;
    this.#record({ uploadUrl: null, uploadExpiresAt: null, ackedOffset: 0 });
    // Best effort: an abandoned session expires on its own.
    await this.#deps.graph.deleteUploadSession(url, this.#signal).catch(() => undefined);
  }

  /** File-system failures become problems the person can act on. */
  async #fileOperation<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (this.#deps.signal.aborted) throw error;
      throw this.#asFileProblem(error);
    }
  }

  #asFileProblem(error: unknown): unknown {
    if (error instanceof FileChanged || error instanceof FileProblem) return error;
    if (error instanceof FileShrankError) return new FileChanged();
    const code = errorCode(error);
    const at = this.#deps.now();
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return new FileProblem(
        problem(
          'file',
          `${this.#job.fileName} was moved or deleted before it finished uploading. Put it back where it was and choose Retry, or remove it from the queue.`,
          'locate-file',
          at,
        ),
        false,
      );
    }
    return new FileProblem(
      problem(
        'file',
        `${this.#job.fileName} cannot be read (${code ?? 'unknown error'}). Check its permissions, then retry.`,
        'retry',
        at,
      ),
      false,
    );
  }

  /**
   * Rule 8, before the last byte: the file is the version this attempt started from (nothing was
   * written to it since), and its content is what was queued. `sha256` is that content's hash:
   * of the bytes sent, when this attempt sent them all, else of a pass over the file.
   */
  async #verifyUnchanged(sha256: string): Promise<void> {
    const version = await this.#fileOperation(() => versionOf(this.#job.sourcePath));
    if (this.#version === null || !sameVersion(version, this.#version)) throw new FileChanged();
    if (this.#job.sha256 !== null && sha256 !== this.#job.sha256) throw new FileChanged();
  }

  /** Rules 8 and 4: the file checked, then the moment it may complete recorded (write-ahead). */
  async #beforeFinalByte(sha256: string, facts: JobFacts = {}): Promise<void> {
    await this.#verifyUnchanged(sha256);
    this.#record({ ...facts, finalSentAt: this.#deps.now(), sha256 });
  }

  #wholeFileSha256(): Promise<string> {
    return this.#fileOperation(() => this.#source().sha256(this.#deps.signal));
  }

  async #read(start: number, length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    return this.#fileOperation(() => this.#source().read(start, length));
  }

  async #postSmall(): Promise<string> {
    const { target, fileName, contentType, size } = this.#job;
    const bytes = await this.#read(0, size);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.#beforeFinalByte(sha256, { protocol: 'post' });
    this.#deps.onProgress(this.#job.id, size, 0);
    try {
      const attachment = await this.#deps.graph.createSmallAttachment(
        target.listId,
        target.taskId,
        { name: fileName, contentType, bytes },
        this.#signal,
      );
      noteAccepted(this.#job, this.#deps.knowledge);
      return attachment.id;
    } catch (error) {
      if (isGraphError(error) && !error.ambiguous) this.#record({ finalSentAt: null });
      throw this.#impossibleOr(error);
    }
  }

  /**
   * The ranges in order, from the one buffer, each hashed while it travels when this attempt sends
   * every byte from 0. The last range holds back its last byte until the file was checked and
   * the final request recorded (FinalRangeBody): nothing can complete the attachment before.
   */
  async #uploadInSession(): Promise<string> {
    // A new session starts at 0: its first range is read while the session is being created.
    if (!this.#hasProgress()) this.#readAhead(0);
    let offset = (await this.#resumeOffset()) ?? (await this.#openSession());
    // The running hash is only whole when this attempt sends every byte from 0.
    let runningHash: Hash | null = offset === 0 ? createHash('sha256') : null;
    let resyncs = 0;
    let sessionsGone = 0;
    for (;;) {
      const length = Math.min(this.#deps.rangeSize, this.#job.size - offset);
      const isLast = offset + length === this.#job.size;
      const bytes = await this.#read(offset, length);
      const hash = runningHash;
      // Without a running hash the file is hashed whole first, not while a request waits on it.
      let sha256 = isLast && hash === null ? await this.#wholeFileSha256() : null;
      const hashing = hash === null ? Promise.resolve() : hashWhileSending(hash, bytes);
      const body = isLast
        ? new FinalRangeBody(bytes, async () => {
            await hashing;
            // Once: a request sent again (after a 401) checks the same content.
            sha256 ??= hash?.digest('hex') ?? '';
            await this.#beforeFinalByte(sha256);
          })
        : bytes;
      this.#deps.onProgress(this.#job.id, offset + length, offset);
      let next: number;
      try {
        const answer = await this.#deps.graph.uploadRange(
          this.#job.uploadUrl ?? '',
          { start: offset, totalSize: this.#job.size, bytes: body },
          this.#signal,
        );
        // The buffer is read again only once the hash is done with it.
        await hashing;
        if (answer.kind === 'completed') {
          return answer.attachmentId ?? (await this.#requireLanded());
        }
        next = firstOffset(answer.nextExpectedRanges) ?? (await this.#offsetAfter(offset + length));
      } catch (error) {
        await hashing;
        if (body instanceof FinalRangeBody && body.failure !== null && !this.#deps.signal.aborted) {
          throw this.#asFileProblem(body.failure);
        }
        if (!isGraphError(error)) throw error;
        if (error.kind === 'session-gone') {
          // Past a few, the retry policy decides: a server 404ing every new session gets no more.
          if (sessionsGone >= maxSessionsGone) throw error;
          sessionsGone += 1;
          const after = await this.#afterSessionGone(isLast);
          if ('attachmentId' in after) return after.attachmentId;
          next = after.offset;
        } else {
          // An answered failure proves the last range did not complete the file.
          if (isLast && !error.ambiguous) this.#record({ finalSentAt: null });
          if (!outOfOrderStatuses.has(error.status ?? 0) || resyncs >= maxResyncs) throw error;
          // Rule 3: the server's offset is the truth; where it cannot be asked, start anew (rule 11).
          resyncs += 1;
          next = await this.#resync();
        }
      }
      if (next !== offset + length) runningHash = next === 0 ? createHash('sha256') : null;
      // The failure budget resets only when bytes advance, not on a resync or a new session.
      const advanced = next > offset;
      offset = next;
      this.#record({
        ackedOffset: offset,
        ...(advanced && this.#job.failuresInARow > 0 ? { failuresInARow: 0 } : {}),
      });
      this.#deps.onProgress(this.#job.id, offset, offset);
    }
  }

  /** Reads a range into the buffer before it is needed; a failure shows when it is read. */
  #readAhead(start: number): void {
    const length = Math.min(this.#deps.rangeSize, this.#job.size - start);
    this.#source()
      .load(start, length)
      .catch(() => undefined);
  }

  /** Where a stored session stands, or null when there is none worth resuming. */
  async #resumeOffset(): Promise<number | null> {
    const { uploadUrl, uploadExpiresAt } = this.#job;
    if (uploadUrl === null) return null;
    if (uploadExpiresAt !== null && uploadExpiresAt - this.#deps.now() < sessionMarginMs) {
      await this.#discardSession();
      return null;
    }
    const answer = await this.#unverified.askSession(uploadUrl);
    if (answer.kind === 'state') {
      const offset = firstOffset(answer.nextExpectedRanges) ?? this.#job.ackedOffset;
      this.#record({ ackedOffset: offset });
      return offset;
    }
    // Rule 11: a session whose state cannot be asked is not resumed; a new one starts at 0.
    if (answer.kind === 'unaskable') await this.#discardSession();
    else this.#record({ uploadUrl: null, uploadExpiresAt: null, ackedOffset: 0 });
    return null;
  }

  /**
   * A range was accepted but the answer named no next offset: the session says where it stands,
   * or, where it cannot be asked, the range accepted in order is where the next one starts.
   */
  async #offsetAfter(accepted: number): Promise<number> {
    const answer = await this.#unverified.askSession(this.#job.uploadUrl ?? '');
    if (answer.kind === 'gone') throw answer.error;
    if (answer.kind === 'unaskable') return accepted;
    return firstOffset(answer.nextExpectedRanges) ?? this.#job.ackedOffset;
  }

  /** After a range refused as out of order: the server's offset, or a new session from 0. */
  async #resync(): Promise<number> {
    const answer = await this.#unverified.askSession(this.#job.uploadUrl ?? '');
    if (answer.kind === 'gone') throw answer.error;
    if (answer.kind === 'state') {
      return firstOffset(answer.nextExpectedRanges) ?? this.#job.ackedOffset;
    }
    await this.#discardSession();
    this.#deps.onProgress(this.#job.id, 0, 0);
    return this.#openSession();
  }

  /** Write-ahead: the intent before createUploadSession, the URL right after it. */
  async #openSession(): Promise<number> {
    const { target, fileName, contentType, size } = this.#job;
    if (this.#job.protocol === 'session' && this.#job.uploadUrl === null) {
      await this.#deleteOrphanSessions();
    }
    this.#record({ protocol: 'session', ackedOffset: 0, uploadUrl: null, uploadExpiresAt: null });
    const session = await this.#deps.graph
      .createUploadSession(
        target.listId,
        target.taskId,
        { name: fileName, size, contentType },
        this.#signal,
      )
      .catch((error: unknown) => Promise.reject(this.#impossibleOr(error)));
    noteAccepted(this.#job, this.#deps.knowledge);
    this.#record({ uploadUrl: session.uploadUrl, uploadExpiresAt: session.expiresAt });
    return firstOffset(session.nextExpectedRanges) ?? 0;
  }

  /**
   * An intent without a URL means this job may have died between creating a session and
   * recording it. Graph lists sessions without names, so every live session on the task that no
   * job of ours holds is taken for such an orphan. Another app uploading to the same task at that
   * moment would have to restart its upload, which loses it nothing.
   */
  async #deleteOrphanSessions(): Promise<void> {
    const { listId, taskId } = this.#job.target;
    const graph = this.#deps.graph;
    const ours = new Set(
      this.#deps.store
        .uploadUrlsOfTask(taskId)
        .map((url) => decodeURIComponent(url.split('/').pop() ?? '')),
    );
    // Rule 11: where sessions cannot be listed, orphans are left to expire on their own.
    const live = (await this.#unverified.liveSessions(listId, taskId)) ?? [];
    for (const sessionId of live.filter((id) => !ours.has(id))) {
      await graph.deleteUploadSession(
        graph.uploadSessionUrl(listId, taskId, sessionId),
        this.#signal,
      );
    }
  }

  /**
   * A 404 on the session: it expired, or (after a lost answer to the last range) it completed.
   * Either the attachment it made, or a fresh session to start again from 0.
   */
  async #afterSessionGone(isLast: boolean): Promise<{ attachmentId: string } | { offset: number }> {
    if (isLast && this.#job.finalSentAt !== null) {
      const landed = await this.#findLanded();
      if (landed !== null) return { attachmentId: landed };
    }
    this.#record({ uploadUrl: null, uploadExpiresAt: null, ackedOffset: 0, finalSentAt: null });
    this.#deps.onProgress(this.#job.id, 0, 0);
    return { offset: await this.#openSession() };
  }

  /** A refusal that proves the file impossible for this service, as a problem; else the error. */
  #impossibleOr(error: unknown): unknown {
    if (!isGraphError(error)) return error;
    const impossible = impossibleByRefusal(
      this.#job,
      error,
      this.#deps.knowledge,
      this.#deps.now(),
    );
    return impossible === null ? error : new FileProblem(impossible, false);
  }

  /** The server said the file is complete but named no attachment: find it on the task. */
  async #requireLanded(): Promise<string> {
    const landed = await this.#findLanded();
    if (landed !== null) return landed;
    throw new GraphError({
      kind: 'transient',
      message: 'The upload completed but the attachment is not listed on the task yet.',
      operation: 'listAttachments',
      status: 201,
      code: 'attachmentNotListed',
      requestId: null,
      clientRequestId: null,
      retryAfterMs: null,
      ambiguous: true,
    });
  }
}
