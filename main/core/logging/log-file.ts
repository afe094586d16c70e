import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface LogFileOptions {
  dir: string;
  /** taskdrop.log, then taskdrop.1.log (older) … */
  name?: string;
  /** A file is rotated before a line would take it past this size. */
  maxBytes?: number;
  /** Files kept, the current one included: the oldest goes when one more would be needed. */
  maxFiles?: number;
  /** Told once when the log cannot be written (until it can again). */
  report?: (problem: string) => void;
}

export const defaultLogFileLimits = { maxBytes: 5 * 1024 * 1024, maxFiles: 5 } as const;

const reportToStderr = (problem: string): void => {
  process.stderr.write(`taskdrop: ${problem}\n`);
};

/**
 * An append-only log file with size-based rotation: taskdrop.log is the newest, taskdrop.1.log
 * the one before, and so on up to `maxFiles`. Lines are written synchronously, whole, in order:
 * a crash loses none that was logged, and there are few (state changes, not bytes).
 * It never throws: a missing folder or a full disk must not stop an upload. It reports once,
 * drops lines meanwhile, tries again on the next line, and notes how many were lost once it can.
 */
export class RotatingLogFile {
  readonly path: string;
  readonly #dir: string;
  readonly #name: string;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  readonly #report: (problem: string) => void;
  #fd: number | null = null;
  #size = 0;
  #dropped = 0;
  /** A failed write may have left half a line: the next one starts on a line of its own. */
  #partial = false;
  #closed = false;

  constructor(options: LogFileOptions) {
    this.#dir = options.dir;
    this.#name = options.name ?? 'taskdrop';
    this.#maxBytes = options.maxBytes ?? defaultLogFileLimits.maxBytes;
    this.#maxFiles = Math.max(1, options.maxFiles ?? defaultLogFileLimits.maxFiles);
    this.#report = options.report ?? reportToStderr;
    this.path = this.#file(0);
  }

  /** Appends one line (without its newline). */
  write(line: string): void {
    if (this.#closed) return;
    try {
      let fd = this.#open();
      if (this.#size > 0 && this.#size + Buffer.byteLength(line) + 2 > this.#maxBytes) {
        this.#rotate();
        fd = this.#open();
      }
      if (this.#dropped > 0) {
        this.#writeLine(fd, this.#lostNote());
        this.#dropped = 0;
      }
      this.#writeLine(fd, line);
    } catch (error) {
      this.#failed(error);
    }
  }

  close(): void {
    this.#closed = true;
    this.#closeFile();
  }

  #file(index: number): string {
    return join(this.#dir, index === 0 ? `${this.#name}.log` : `${this.#name}.${index}.log`);
  }

  #open(): number {
    if (this.#fd !== null) return this.#fd;
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const fd = openSync(this.path, 'a', 0o600);
    this.#fd = fd;
    this.#size = fstatSync(fd).size;
    return fd;
  }

  #closeFile(): void {
    if (this.#fd === null) return;
    try {
      closeSync(this.#fd);
    } catch {
      // Closing cannot lose a line that was written; nothing to report.
    }
    this.#fd = null;
  }

  /** taskdrop.log becomes taskdrop.1.log, each older one moves up, the oldest goes. */
  #rotate(): void {
    this.#closeFile();
    rmSync(this.#file(this.#maxFiles - 1), { force: true });
    for (let index = this.#maxFiles - 2; index >= 0; index -= 1) {
      try {
        renameSync(this.#file(index), this.#file(index + 1));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    this.#size = 0;
    this.#partial = false;
  }

  #writeLine(fd: number, line: string): void {
    const bytes = Buffer.from(`${this.#partial ? '\n' : ''}${line}\n`);
    this.#partial = true;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
    this.#size += bytes.length;
    this.#partial = false;
  }

  #lostNote(): string {
    return JSON.stringify({
      time: new Date().toISOString(),
      level: 'warn',
      msg: `${this.#dropped} log records were lost while the log could not be written`,
    });
  }

  #failed(error: unknown): void {
    if (this.#dropped === 0) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#report(
        `cannot write the log at ${this.path} (${reason}); taskdrop goes on without it.`,
      );
    }
    this.#dropped += 1;
    // Opened afresh on the next line: the folder may be back, or the disk have room again.
    this.#closeFile();
  }
}
