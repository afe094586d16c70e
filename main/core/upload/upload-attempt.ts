import { createHash, type Hash } from 'node:crypto';
import type { JobProblem } from '../../../preload/shared/contract.ts';
import { SignInRequiredError } from '../auth/token-provider.ts';
import { isGraphError, type GraphError } from '../graph/errors.ts';
import type { JobRow } from '../queue/job-store.ts';
import { QueueFileError } from '../queue/queue-file.ts';
import { attemptLimits, AttemptContext, type AttemptDeps } from './attempt-context.ts';
import { FileGuard, keepsChanging, type FileIssue } from './file-guard.ts';
import { impossibleByRefusal, knownImpossible, noteAccepted } from './impossible-files.ts';
import { queueWriteProblem } from './problems.ts';
import { sendRange, type RangeOutcome } from './send-range.ts';
import { SessionRecovery, type Position } from './session-recovery.ts';

export type { AttemptDeps } from './attempt-context.ts';

/** 12 × 320 KiB: under every reading of Graph's 4 MB per PUT (docs/graph-todo-api.md §4.2). */
export const defaultRangeSize = 3_932_160;
/** Base64 of this many bytes stays under Graph's ~4 MB request cap (docs/graph-todo-api.md §3.3). */
export const defaultSmallUploadMaxBytes = 2_900_000;

export type AttemptOutcome =
  | { kind: 'done'; attachmentId: string }
  | { kind: 'graph-error'; error: GraphError }
  | { kind: 'sign-in'; message: string }
  | { kind: 'file-problem'; problem: JobProblem; retryable: boolean }
  | { kind: 'aborted' };

/** How an attempt's step ended: with the attempt's outcome, or with the file changed under it. */
type Ending = AttemptOutcome | { kind: 'file-changed' };

const done = (attachmentId: string): AttemptOutcome => ({ kind: 'done', attachmentId });

/** A changed file restarts; any other file problem ends the attempt, not to be retried by itself. */
function ending(issue: FileIssue): Ending {
  if (issue.kind === 'file-changed') return issue;
  return { kind: 'file-problem', problem: issue.problem, retryable: false };
}

function fromPosition(position: Exclude<Position, { kind: 'at' }>): AttemptOutcome {
  return { kind: 'file-problem', problem: position.problem, retryable: false };
}

/** Runs one attempt at uploading a job; every outcome is a value, never a throw. */
export async function runAttempt(job: JobRow, deps: AttemptDeps): Promise<AttemptOutcome> {
  try {
    return await new UploadAttempt(job, deps).run();
  } catch (error) {
    if (deps.signal.aborted) return { kind: 'aborted' };
    if (isGraphError(error)) return { kind: 'graph-error', error };
    if (error instanceof SignInRequiredError) return { kind: 'sign-in', message: error.message };
    // The queue could not record a step (a full disk): the step was not taken (rule 2), and the
    // upload goes on from what the server holds once the queue can be written (rule 3).
    if (error instanceof QueueFileError) {
      return {
        kind: 'file-problem',
        problem: queueWriteProblem(error, deps.now()),
        retryable: true,
      };
    }
    throw error;
  }
}

/**
 * One attempt, in named steps: recover an unanswered final request (docs/upload-rules.md
 * rule 4), check the file (rule 8), then either the small POST or the range loop, each range one `sendRange`. A file
 * that changes restarts from byte 0, at most `attemptLimits.restarts` times.
 */
class UploadAttempt {
  readonly #context: AttemptContext;
  readonly #guard: FileGuard;
  readonly #recovery: SessionRecovery;
  #restarts = 0;

  constructor(job: JobRow, deps: AttemptDeps) {
    this.#context = new AttemptContext(job, deps);
    this.#guard = new FileGuard(this.#context);
    this.#recovery = new SessionRecovery(this.#context);
  }

  async run(): Promise<AttemptOutcome> {
    try {
      const outcome = await this.#runToEnd();
      // A file gone mid-upload leaves nothing on the server: its session is deleted (rule 10).
      if (outcome.kind === 'file-problem' && outcome.problem.nextStep === 'locate-file') {
        await this.#recovery.discardSession();
      }
      return outcome;
    } finally {
      await this.#guard.close();
    }
  }

  async #runToEnd(): Promise<AttemptOutcome> {
    const landed = await this.#recovery.recoverUnansweredFinal();
    if (landed !== null) return done(landed);
    for (;;) {
      const outcome = await this.#uploadOnce();
      if (outcome.kind !== 'file-changed') return outcome;
      const stop = await this.#restartChangedFile();
      if (stop !== null) return stop;
    }
  }

  async #uploadOnce(): Promise<Ending> {
    const context = this.#context;
    const issue = await this.#guard.prepare();
    if (issue !== null) return ending(issue);
    const impossible = knownImpossible(context.job, context.deps.knowledge, context.deps.now());
    if (impossible !== null) return { kind: 'file-problem', problem: impossible, retryable: false };
    return context.job.size <= context.deps.smallUploadMaxBytes
      ? this.#postSmall()
      : this.#uploadInSession();
  }

  /** The file changed: its session goes, and it starts again from byte 0 with the new content. */
  async #restartChangedFile(): Promise<AttemptOutcome | null> {
    const context = this.#context;
    this.#restarts += 1;
    if (this.#restarts > attemptLimits.restarts) {
      // Still being written: worth trying again once it settles.
      const problem = keepsChanging(context.job, context.deps.now());
      return { kind: 'file-problem', problem, retryable: true };
    }
    await this.#recovery.discardSession();
    context.record({ sha256: null, ackedOffset: 0, finalSentAt: null, protocol: null });
    context.progress(0, 0);
    return null;
  }

  /** Rules 8 and 4: the file checked, then the moment it may complete recorded (write-ahead). */
  async #beforeFinalByte(sha256: string): Promise<FileIssue | null> {
    const issue = await this.#guard.verifyUnchanged(sha256);
    if (issue !== null) return issue;
    this.#context.record({ protocol: 'post', finalSentAt: this.#context.deps.now(), sha256 });
    return null;
  }

  async #postSmall(): Promise<Ending> {
    const context = this.#context;
    const { graph, knowledge, now } = context.deps;
    const { target, fileName, contentType, size } = context.job;
    const read = await this.#guard.read(0, size);
    if (read.kind !== 'ok') return ending(read);
    const bytes = read.value;
    const issue = await this.#beforeFinalByte(createHash('sha256').update(bytes).digest('hex'));
    if (issue !== null) return ending(issue);
    context.progress(size, 0);
    try {
      const attachment = await graph.createSmallAttachment(
        target.listId,
        target.taskId,
        { name: fileName, contentType, bytes },
        context.signalOption,
      );
      noteAccepted(context.job, knowledge);
      return done(attachment.id);
    } catch (error) {
      if (!isGraphError(error)) throw error;
      if (!error.ambiguous) context.record({ finalSentAt: null });
      const impossible = impossibleByRefusal(context.job, error, knowledge, now());
      if (impossible === null) throw error;
      return { kind: 'file-problem', problem: impossible, retryable: false };
    }
  }

  /**
   * The ranges in order, from the one buffer, each hashed while it travels when this attempt
   * sends every byte from 0 (the running hash is only whole then). The server's offset is where
   * each next range starts (rule 3).
   */
  async #uploadInSession(): Promise<Ending> {
    const context = this.#context;
    // A new session starts at 0: its first range is read while the session is being created.
    if (!context.hasProgress()) this.#guard.readAhead(0, this.#rangeLength(0));
    const start = await this.#startingPosition();
    if (start.kind !== 'at') return fromPosition(start);
    let offset = start.offset;
    let runningHash: Hash | null = offset === 0 ? createHash('sha256') : null;
    const counts = { resyncs: 0, sessionsGone: 0 };
    for (;;) {
      const length = this.#rangeLength(offset);
      const isLast = offset + length === context.job.size;
      const read = await this.#guard.read(offset, length);
      if (read.kind !== 'ok') return ending(read);
      // Without a running hash the file is hashed whole first, not while a request waits on it.
      const whole = isLast && runningHash === null ? await this.#guard.wholeFileSha256() : null;
      if (whole !== null && whole.kind !== 'ok') return ending(whole);
      context.progress(offset + length, offset);
      const range = { offset, bytes: read.value, isLast, runningHash };
      const sent = await sendRange(context, this.#guard, range, whole?.value ?? null);
      const next = await this.#nextStep(sent, offset + length, isLast, counts);
      if (next.kind !== 'at') return next;
      if (next.offset !== offset + length) {
        runningHash = next.offset === 0 ? createHash('sha256') : null;
      }
      this.#acknowledge(offset, next.offset);
      offset = next.offset;
    }
  }

  #rangeLength(offset: number): number {
    return Math.min(this.#context.deps.rangeSize, this.#context.job.size - offset);
  }

  async #startingPosition(): Promise<Position> {
    const resumed = await this.#recovery.resumeOffset();
    return resumed === null ? this.#recovery.openSession() : { kind: 'at', offset: resumed };
  }

  /**
   * What a range's outcome means for the loop: the offset it goes on from, or how the attempt
   * ends. Re-syncs and lost sessions are bounded by `attemptLimits`; past them the retry policy
   * decides (a server 404ing every new session gets no more).
   */
  async #nextStep(
    sent: RangeOutcome,
    rangeEnd: number,
    isLast: boolean,
    counts: { resyncs: number; sessionsGone: number },
  ): Promise<Ending | { kind: 'at'; offset: number }> {
    const recovery = this.#recovery;
    switch (sent.kind) {
      case 'completed':
        return done(sent.attachmentId ?? (await recovery.requireLanded()));
      case 'advanced': {
        if (sent.next !== null) return { kind: 'at', offset: sent.next };
        const next = await recovery.offsetAfter(rangeEnd);
        if (typeof next === 'number') return { kind: 'at', offset: next };
        return this.#afterSessionGone(next, isLast, counts);
      }
      case 'session-gone':
        return this.#afterSessionGone(sent.error, isLast, counts);
      case 're-sync': {
        if (counts.resyncs >= attemptLimits.resyncs) throw sent.error;
        counts.resyncs += 1;
        // Rule 3: the server's offset is the truth; where it cannot be asked, start anew (rule 11).
        const position = await recovery.resync();
        return position.kind === 'at' ? position : fromPosition(position);
      }
      case 'refused':
        throw sent.error;
      case 'file':
        return ending(sent.issue);
    }
  }

  async #afterSessionGone(
    error: GraphError,
    isLast: boolean,
    counts: { sessionsGone: number },
  ): Promise<Ending | { kind: 'at'; offset: number }> {
    if (counts.sessionsGone >= attemptLimits.sessionsGone) throw error;
    counts.sessionsGone += 1;
    const after = await this.#recovery.afterSessionGone(isLast);
    if (after.kind === 'landed') return done(after.attachmentId);
    return after.kind === 'at' ? after : fromPosition(after);
  }

  /** The failure budget resets only when bytes advance, not on a resync or a new session. */
  #acknowledge(from: number, to: number): void {
    const context = this.#context;
    const advanced = to > from;
    context.record({
      ackedOffset: to,
      ...(advanced && context.job.failuresInARow > 0 ? { failuresInARow: 0 } : {}),
    });
    context.progress(to, to);
  }
}
