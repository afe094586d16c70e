import type { JobProblem } from '../../../preload/shared/contract.ts';
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
import type { JobRow } from '../queue/job-store.ts';
import type { AttemptContext } from './attempt-context.ts';
import { problem } from './problems.ts';

/**
 * What the file can turn out to be while it uploads (docs/upload-rules.md rule 8), as a value.
 * `file-changed` restarts the upload from byte 0 with the new content; the others end the attempt
 * with their problem, in the person's words.
 */
export type FileIssue =
  | { kind: 'file-changed' }
  | { kind: 'file-missing'; problem: JobProblem }
  | { kind: 'file-unreadable'; problem: JobProblem }
  | { kind: 'file-too-large'; problem: JobProblem }
  | { kind: 'special-file'; problem: JobProblem };

/** What a file operation gave: its value, or why there is none. */
export type Checked<T> = { kind: 'ok'; value: T } | FileIssue;

const fileChanged: FileIssue = { kind: 'file-changed' };
const ok = <T>(value: T): Checked<T> => ({ kind: 'ok', value });

/** For a file that keeps changing under its uploads; the attempt counts the changes. */
export function keepsChanging(job: JobRow, at: number): JobProblem {
  return problem(
    'file',
    `${job.fileName} keeps changing while it uploads; taskdrop will try again once it settles.`,
    'wait',
    at,
  );
}

/**
 * Stops a request from inside its body (the check before the last byte) carrying the issue it
 * found; the range step turns it back into a value at once.
 */
export class FileIssueStop extends Error {
  readonly issue: FileIssue;

  constructor(issue: FileIssue) {
    super(issue.kind);
    this.issue = issue;
  }
}

/**
 * Rule 8 for one attempt: the file is still there, still fits, is the version queued, and is the
 * same before the last byte as before the first. It holds the file open while the attempt reads
 * it, one range at a time (rule 7).
 */
export class FileGuard {
  readonly #context: AttemptContext;
  /** The file, open while this attempt reads it; null before and after. */
  #file: SourceFile | null = null;
  /** The file as it was before this attempt read its first byte. */
  #version: FileVersion | null = null;

  constructor(context: AttemptContext) {
    this.#context = context;
  }

  /**
   * Before the first byte. A fresh upload hashes its bytes as it sends them, so it reads the
   * file once. A resumed one sent bytes in an earlier attempt: the whole file is hashed first,
   * the reference the check before the last byte compares with.
   */
  async prepare(): Promise<FileIssue | null> {
    await this.close();
    const context = this.#context;
    const path = context.job.sourcePath;
    const version = await this.#check(() => versionOf(path));
    if (version.kind !== 'ok') return version;
    if (version.value.size > maxAttachmentBytes) return this.#tooLarge();
    if (context.hasProgress() && !this.#sentFrom(version.value)) return fileChanged;
    this.#adopt(version.value);
    const file = await this.#check(() => SourceFile.open(path));
    if (file.kind !== 'ok') return file;
    this.#file = file.value;
    const special = await this.#checkFitsSize(file.value, version.value);
    if (special !== null) return special;
    if (context.job.sha256 === null && context.hasProgress()) {
      const sha256 = await this.#check(() => file.value.sha256(context.deps.signal));
      if (sha256.kind !== 'ok') return sha256;
      context.record({ sha256: sha256.value });
    }
    return null;
  }

  /** Nothing sent yet: the file as it is now is what goes, and is recorded as such. */
  #adopt(version: FileVersion): void {
    const context = this.#context;
    if (!sameStamp(version, context.job)) {
      context.record({ sha256: null, size: version.size, mtimeMs: version.mtimeMs });
    }
    if (version.ino !== context.job.fileIno || version.ctimeMs !== context.job.fileCtimeMs) {
      context.record({ fileIno: version.ino, fileCtimeMs: version.ctimeMs });
    }
    this.#version = version;
  }

  /** Bytes that do not end where the size says: written to meanwhile (a change), or special. */
  async #checkFitsSize(file: SourceFile, version: FileVersion): Promise<FileIssue | null> {
    const fits = await this.#check(() => file.fitsSize(version.size));
    if (fits.kind !== 'ok') return fits;
    if (fits.value) return null;
    const now = await this.#check(() => versionOf(this.#context.job.sourcePath));
    if (now.kind !== 'ok') return now;
    if (!sameVersion(now.value, version)) return fileChanged;
    return {
      kind: 'special-file',
      problem: problem(
        'file',
        `${this.#context.job.fileName} holds more or less than its size says: it is a special file (such as those in /proc). Copy it to a regular file and attach that.`,
        'none',
        this.#context.deps.now(),
      ),
    };
  }

  #tooLarge(): FileIssue {
    return {
      kind: 'file-too-large',
      problem: problem(
        'file',
        `${this.#context.job.fileName} grew past 25 MB since it was queued; To Do cannot take it.`,
        'none',
        this.#context.deps.now(),
      ),
    };
  }

  /**
   * Whether the bytes already sent came from this version of the file. Jobs from before the
   * identity was recorded (null) have only their size and mtime to go by.
   */
  #sentFrom(version: FileVersion): boolean {
    const { fileIno, fileCtimeMs } = this.#context.job;
    const sameIdentity =
      fileIno === null || (version.ino === fileIno && version.ctimeMs === fileCtimeMs);
    return sameIdentity && sameStamp(version, this.#context.job);
  }

  async read(start: number, length: number): Promise<Checked<Buffer>> {
    if (length === 0) return ok(Buffer.alloc(0));
    return this.#check(() => this.#source().read(start, length));
  }

  /** Reads a range into the buffer before it is needed; a failure shows when it is read. */
  readAhead(start: number, length: number): void {
    this.#source()
      .load(start, length)
      .catch(() => undefined);
  }

  wholeFileSha256(): Promise<Checked<string>> {
    return this.#check(() => this.#source().sha256(this.#context.deps.signal));
  }

  /**
   * Before the last byte: the file is the version this attempt started from (nothing was written
   * to it since), and its content is what was queued. `sha256` is that content's hash: of the
   * bytes sent, when this attempt sent them all, else of a pass over the file.
   */
  async verifyUnchanged(sha256: string): Promise<FileIssue | null> {
    const version = await this.#check(() => versionOf(this.#context.job.sourcePath));
    if (version.kind !== 'ok') return version;
    if (this.#version === null || !sameVersion(version.value, this.#version)) return fileChanged;
    const queued = this.#context.job.sha256;
    return queued !== null && sha256 !== queued ? fileChanged : null;
  }

  async close(): Promise<void> {
    const file = this.#file;
    this.#file = null;
    // Only read from: closing cannot lose anything, so its failure is not the upload's.
    await file?.close().catch(() => undefined);
  }

  #source(): SourceFile {
    if (this.#file === null) throw new Error('the file is read before it was prepared');
    return this.#file;
  }

  /** A file-system failure as the issue the person can act on; an abort stays a throw. */
  async #check<T>(operation: () => Promise<T>): Promise<Checked<T>> {
    try {
      return ok(await operation());
    } catch (error) {
      if (this.#context.deps.signal.aborted) throw error;
      return this.issueOf(error);
    }
  }

  /** What a failed read or stat means for the upload. */
  issueOf(error: unknown): FileIssue {
    if (error instanceof FileIssueStop) return error.issue;
    if (error instanceof FileShrankError) return fileChanged;
    const code = errorCode(error);
    const { fileName } = this.#context.job;
    const at = this.#context.deps.now();
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return {
        kind: 'file-missing',
        problem: problem(
          'file',
          `${fileName} was moved or deleted before it finished uploading. Put it back where it was and choose Retry, or remove it from the queue.`,
          'locate-file',
          at,
        ),
      };
    }
    return {
      kind: 'file-unreadable',
      problem: problem(
        'file',
        `${fileName} cannot be read (${code ?? 'unknown error'}). Check its permissions, then retry.`,
        'retry',
        at,
      ),
    };
  }
}
