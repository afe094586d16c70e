import { RotatingLogFile } from './log-file.ts';
import { redactValue } from './redact.ts';

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];
export type LogFields = Readonly<Record<string, unknown>>;

/** `debug` for the retries and throttling of every request; `info` by default. */
export const logLevelVariable = 'TASKDROP_LOG_LEVEL';

/** One record, already redacted: when, how serious, what happened, and its facts. */
export interface LogRecord {
  time: string;
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
}

/**
 * Structured records, one JSON line each: fields stay fields (grep and jq read them), a newline
 * in a message cannot split a record, and redaction works on values rather than on formatted
 * text. The engine takes one as a dependency; each part it hands one to gets a child naming it.
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** The same log, with `fields` on every record. */
  child(fields: LogFields): Logger;
  /** The latest warnings and errors, oldest first, whatever the level written to the file. */
  recentProblems(): readonly LogRecord[];
  /** The file records go to; null for a log kept in memory only. */
  readonly file: string | null;
  close(): void;
}

/** Where a logger's lines go (a RotatingLogFile); it must never throw. */
export interface LogSink {
  readonly path: string;
  write(line: string): void;
  close(): void;
}

export interface LoggerOptions {
  /** None keeps only the recent problems, in memory. */
  sink?: LogSink;
  /** Records below it are not written (warnings and errors are still kept for diagnostics). */
  level?: LogLevel;
  now?: () => number;
  fields?: LogFields;
  /** How many recent warnings and errors are kept in memory. */
  recentLimit?: number;
}

const rank = (level: LogLevel): number => logLevels.indexOf(level);
const problemRank = rank('warn');

/** What every logger of one log shares: the sink, the level and the recent problems. */
class LogCore {
  readonly recent: LogRecord[] = [];
  readonly sink: LogSink | null;
  readonly #minRank: number;
  readonly #now: () => number;
  readonly #recentLimit: number;

  constructor(options: LoggerOptions) {
    this.sink = options.sink ?? null;
    this.#minRank = rank(options.level ?? 'info');
    this.#now = options.now ?? Date.now;
    this.#recentLimit = options.recentLimit ?? 50;
  }

  record(level: LogLevel, msg: string, fields: LogFields): void {
    const levelRank = rank(level);
    const written = this.sink !== null && levelRank >= this.#minRank;
    if (!written && levelRank < problemRank) return;
    try {
      const record: LogRecord = {
        time: new Date(this.#now()).toISOString(),
        level,
        msg: String(redactValue(msg)),
        fields: redactValue(fields) as Record<string, unknown>,
      };
      if (levelRank >= problemRank) {
        this.recent.push(record);
        if (this.recent.length > this.#recentLimit) this.recent.shift();
      }
      if (written) this.sink?.write(recordLine(record));
    } catch {
      // Logging must never break what it describes.
    }
  }
}

/** time, level and msg first (and not to be overwritten by a field of the same name). */
function recordLine({ time, level, msg, fields }: LogRecord): string {
  return JSON.stringify(Object.assign({ time, level, msg }, fields, { time, level, msg }));
}

class CoreLogger implements Logger {
  readonly #core: LogCore;
  readonly #fields: LogFields;

  constructor(core: LogCore, fields: LogFields) {
    this.#core = core;
    this.#fields = fields;
  }

  get file(): string | null {
    return this.#core.sink?.path ?? null;
  }

  debug(msg: string, fields: LogFields = {}): void {
    this.#core.record('debug', msg, { ...this.#fields, ...fields });
  }

  info(msg: string, fields: LogFields = {}): void {
    this.#core.record('info', msg, { ...this.#fields, ...fields });
  }

  warn(msg: string, fields: LogFields = {}): void {
    this.#core.record('warn', msg, { ...this.#fields, ...fields });
  }

  error(msg: string, fields: LogFields = {}): void {
    this.#core.record('error', msg, { ...this.#fields, ...fields });
  }

  child(fields: LogFields): Logger {
    return new CoreLogger(this.#core, { ...this.#fields, ...fields });
  }

  recentProblems(): readonly LogRecord[] {
    return [...this.#core.recent];
  }

  close(): void {
    this.#core.sink?.close();
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return new CoreLogger(new LogCore(options), options.fields ?? {});
}

/** The level a TASKDROP_LOG_LEVEL value names; info when it names none. */
export function logLevelFrom(value: string | undefined): LogLevel {
  const wanted = value?.trim().toLowerCase();
  return logLevels.find((level) => level === wanted) ?? 'info';
}

/**
 * The log of one taskdrop process (the app, `npm run web`, the CLI): the rotating file in
 * `dir`, each record naming the process, at the level the environment asks for.
 */
export function openProcessLog(
  dir: string,
  processName: 'app' | 'web' | 'cli',
  env: NodeJS.ProcessEnv,
): Logger {
  return createLogger({
    sink: new RotatingLogFile({ dir }),
    level: logLevelFrom(env[logLevelVariable]),
    fields: { process: processName },
  });
}
