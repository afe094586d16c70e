import { runnableStates } from '../../../preload/shared/job-states.ts';
import type { GraphError } from '../graph/errors.ts';
import type { Logger } from '../logging/logger.ts';
import type { JobRow, JobStore } from '../queue/job-store.ts';
import { QueueFileError } from '../queue/queue-file.ts';
import type { ServiceKnowledge } from '../queue/service-knowledge.ts';
import {
  failedProblem,
  problem,
  queueWriteProblem,
  retryingProblem,
  signInProblem,
} from '../upload/problems.ts';
import { decideRetry, type RetryPolicy } from '../upload/retry-policy.ts';
import { runAttempt, type AttemptOutcome } from '../upload/upload-attempt.ts';
import type { AccountRuntime, Accounts } from './accounts.ts';
import { cancelJob } from './cancel-job.ts';
import type { ProgressTracker } from './progress-tracker.ts';

/** Why an upload in flight is being stopped. */
export type StopReason = 'pause' | 'cancel' | 'remove' | 'shutdown';

/** How long a file that is still being written gets to settle before the next try. */
const fileSettleDelayMs = 10_000;
const dueBatch = 200;

interface Running {
  controller: AbortController;
  reason: StopReason | null;
  accountId: string;
  settled: Promise<void>;
}

export interface SchedulerDeps {
  store: JobStore;
  knowledge: ServiceKnowledge;
  /** Who may upload: the accounts' one owner, told when one must sign in again. */
  accounts: Pick<Accounts, 'find' | 'has' | 'needsSignIn' | 'signInLost'>;
  progress: ProgressTracker;
  now: () => number;
  retry: RetryPolicy;
  rangeSize: number;
  smallUploadMaxBytes: number;
  /** Rows that changed (or were deleted): the engine turns them into events. */
  changed: (ids: number[]) => void;
  /** Graph answered that a job's task no longer exists (deleted or moved). */
  taskGone: (target: JobRow['target']) => void;
  /** Each attempt's outcome that matters later: done, retrying, failed, needs sign-in. */
  log: Logger;
}

/**
 * Starts due jobs within each account's budget and turns every attempt's outcome into exactly
 * one state transition. It owns the uploads in flight and nothing else.
 */
/** How often a stop the queue could not write is tried again. */
const unrecordedRetryMs = 2_000;

export class Scheduler {
  readonly #deps: SchedulerDeps;
  readonly #running = new Map<number, Running>();
  /** Jobs a command is acting on: not to be started until it is done with them. */
  readonly #held = new Set<number>();
  /**
   * Jobs whose stop could not be written (the queue's disk full or read-only): each write is
   * tried again on every pump until it lands, so no job stays 'uploading' with nothing running.
   */
  readonly #unrecorded = new Map<number, () => void>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#stopped = false;
    this.pump();
  }

  isRunning(id: number): boolean {
    return this.#running.has(id);
  }

  get activeCount(): number {
    return this.#running.size;
  }

  /** Stops an upload in flight; resolves once its job has settled in the new state. */
  async stop(id: number, reason: StopReason): Promise<boolean> {
    const running = this.#running.get(id);
    if (running === undefined) return false;
    running.reason = reason;
    running.controller.abort(new Error(`upload stopped: ${reason}`));
    await running.settled;
    return true;
  }

  hold(ids: readonly number[]): void {
    for (const id of ids) this.#held.add(id);
  }

  /** Ends a hold; the jobs start again when due, on the next pump. */
  release(ids: readonly number[]): void {
    for (const id of ids) this.#held.delete(id);
    this.pump();
  }

  /** Stops everything in flight (jobs go back to waiting, facts kept) and starts nothing new. */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await Promise.all([...this.#running.keys()].map((id) => this.stop(id, 'shutdown')));
  }

  pump(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const { store, now } = this.#deps;
    this.#recordStops();
    for (const { id, accountId } of store.due(
      now(),
      dueBatch + this.#running.size + this.#held.size,
    )) {
      if (this.#running.has(id) || this.#held.has(id)) continue;
      const account = this.#deps.accounts.find(accountId);
      if (account === undefined || this.#deps.accounts.needsSignIn(accountId)) {
        this.#toSignIn(store.require(id));
        continue;
      }
      if (this.#activeFor(account.config.id) >= account.pacer.limits.maxConcurrentRequests)
        continue;
      if (!this.#launched(store.require(id), account)) break;
    }
    const nextDueAt = this.#unrecorded.size > 0 ? now() + unrecordedRetryMs : store.nextDueAt();
    if (nextDueAt !== null) {
      this.#timer = setTimeout(() => this.pump(), Math.max(10, nextDueAt - now()));
    }
  }

  /** Starts the job; false when the queue cannot record that it started (nothing more starts). */
  #launched(job: JobRow, account: AccountRuntime): boolean {
    try {
      this.#launch(job, account);
      return true;
    } catch (error) {
      if (!(error instanceof QueueFileError)) throw error;
      this.#deps.log.warn('upload not started: the queue cannot be written', {
        job: job.id,
        error,
      });
      return false;
    }
  }

  #recordStops(): void {
    for (const [id, record] of this.#unrecorded) {
      try {
        record();
        this.#unrecorded.delete(id);
        this.#deps.changed([id]);
      } catch (error) {
        if (!(error instanceof QueueFileError)) throw error;
        return;
      }
    }
  }

  /** After a sign-in (the accounts know already): the account's jobs go on where they stopped. */
  resumeAccount(accountId: string): void {
    const ids = this.#deps.store.idsOfAccount(accountId, ['needs-sign-in']);
    for (const id of ids) this.#deps.store.transition(id, 'waiting', { problem: null });
    this.#deps.changed(ids);
    this.pump();
  }

  #activeFor(accountId: string): number {
    let count = 0;
    for (const running of this.#running.values()) if (running.accountId === accountId) count += 1;
    return count;
  }

  #launch(job: JobRow, account: AccountRuntime): void {
    const { store, progress, now } = this.#deps;
    const row = store.transition(job.id, 'uploading', {
      attempts: job.attempts + 1,
      nextAttemptAt: null,
    });
    progress.begin(row.id, row.size, row.ackedOffset);
    this.#deps.changed([row.id]);
    const controller = new AbortController();
    const running: Running = {
      controller,
      reason: null,
      accountId: account.config.id,
      settled: Promise.resolve(),
    };
    this.#running.set(row.id, running);
    running.settled = runAttempt(row, {
      store,
      graph: account.graph,
      knowledge: this.#deps.knowledge.forAccount(account.config.id),
      now,
      signal: controller.signal,
      rangeSize: this.#deps.rangeSize,
      smallUploadMaxBytes: this.#deps.smallUploadMaxBytes,
      onProgress: (id, sent, acked) => progress.update(id, sent, acked),
    })
      .then((outcome) => this.#settle(row.id, outcome, running, account))
      .catch((error: unknown) => this.#crashed(row.id, error))
      .finally(() => {
        this.#running.delete(row.id);
        progress.end(row.id);
        this.#deps.changed([row.id]);
        this.pump();
      });
  }

  async #settle(
    id: number,
    outcome: AttemptOutcome,
    running: Running,
    account: AccountRuntime,
  ): Promise<void> {
    const { store, now, log } = this.#deps;
    const job = store.require(id);
    const fields = { job: id, file: job.fileName, attempt: job.attempts };
    switch (outcome.kind) {
      case 'done':
        store.finishAttached(id, outcome.attachmentId);
        log.info('upload done', { ...fields, size: job.size });
        return;
      case 'aborted':
        log.debug('upload stopped', { ...fields, reason: running.reason ?? 'shutdown' });
        await this.#afterStop(job, running.reason ?? 'shutdown', account);
        return;
      case 'sign-in':
        this.#needSignIn(account, id, outcome.message);
        return;
      case 'file-problem':
        if (outcome.retryable) {
          store.transition(id, 'retrying', {
            problem: outcome.problem,
            nextAttemptAt: now() + fileSettleDelayMs,
            failuresInARow: job.failuresInARow + 1,
          });
          log.info('file not ready yet', { ...fields, reason: outcome.problem.message });
        } else {
          store.transition(id, 'failed', { problem: outcome.problem });
          log.error('upload failed', { ...fields, kind: 'file', reason: outcome.problem.message });
        }
        return;
      case 'graph-error': {
        const { error } = outcome;
        if (error.kind === 'auth') {
          this.#needSignIn(account, id);
          return;
        }
        const failures = job.failuresInARow + 1;
        const decision = decideRetry(error, failures, this.#deps.retry);
        const graph = { ...fields, ...graphFields(error), failuresInARow: failures };
        if (decision.retry) {
          log.info('upload retrying', { ...graph, retryInMs: decision.delayMs });
          store.transition(id, 'retrying', {
            failuresInARow: failures,
            nextAttemptAt: now() + decision.delayMs,
            problem: retryingProblem(error, now()),
          });
        } else {
          const problem = failedProblem(error, job.target.taskTitle, now());
          store.transition(id, 'failed', { failuresInARow: failures, problem });
          log.error('upload failed', { ...graph, reason: problem.message });
          if (problem.kind === 'not-found') this.#deps.taskGone(job.target);
        }
        return;
      }
    }
  }

  async #afterStop(job: JobRow, reason: StopReason, account: AccountRuntime): Promise<void> {
    const { store, now } = this.#deps;
    if (reason === 'pause') {
      store.transition(job.id, 'paused');
    } else if (reason === 'shutdown') {
      store.transition(job.id, 'waiting');
    } else {
      const end = await cancelJob(job, account.graph, store, now());
      if (reason === 'remove' && end === 'cancelled') store.delete([job.id]);
    }
  }

  /**
   * docs/upload-rules.md rule 5, 401: the token was refreshed once and still refused, so the
   * account must sign in (the accounts publish that).
   * The job that found out and the account's queued jobs wait; jobs in flight find out themselves.
   */
  #needSignIn(account: AccountRuntime, settlingId: number | null, message?: string): void {
    this.#deps.accounts.signInLost(account.config.id);
    const at = this.#deps.now();
    const reason =
      message === undefined ? signInProblem(at) : problem('auth', message, 'sign-in', at);
    const queued = this.#deps.store.idsOfAccount(account.config.id, runnableStates);
    const ids = settlingId === null ? queued : [settlingId, ...queued];
    this.#deps.log.warn('sign-in needed', {
      account: account.config.id,
      jobs: ids.length,
      reason: reason.message,
    });
    for (const id of ids) this.#deps.store.transition(id, 'needs-sign-in', { problem: reason });
    this.#deps.changed(ids);
  }

  /** A job whose account is unknown or signed out waits for a sign-in instead of running. */
  #toSignIn(job: JobRow): void {
    const at = this.#deps.now();
    const reason = this.#deps.accounts.has(job.target.accountId)
      ? signInProblem(at)
      : problem(
          'auth',
          'This file is for an account that is not signed in. Sign in to it, or choose another task.',
          'sign-in',
          at,
        );
    this.#deps.store.transition(job.id, 'needs-sign-in', { problem: reason });
    this.#deps.changed([job.id]);
  }

  #crashed(id: number, error: unknown): void {
    const { store, now, log } = this.#deps;
    const record =
      error instanceof QueueFileError
        ? // The queue refused a write: the upload goes on from the server's offset once it can.
          () =>
            store.transition(id, 'retrying', {
              problem: queueWriteProblem(error, now()),
              nextAttemptAt: now(),
            })
        : () =>
            store.transition(id, 'failed', {
              problem: problem(
                'permanent',
                `taskdrop hit an internal error (${error instanceof Error ? error.message : String(error)}). Retry; if it happens again, please report it.`,
                'retry',
                now(),
              ),
            });
    if (error instanceof QueueFileError)
      log.warn('upload stopped: the queue cannot be written', { job: id, error });
    else log.error('upload crashed', { job: id, error });
    try {
      record();
    } catch (writeError) {
      if (writeError instanceof QueueFileError) {
        log.warn('why the upload stopped is written once the queue can be', { job: id });
        this.#unrecorded.set(id, record);
      } else log.error('why the upload stopped could not be written', { job: id, writeError });
    }
  }
}

/** What Graph said, for the log: what to look up (code, request-id), never the URL or token. */
function graphFields(error: GraphError): Record<string, unknown> {
  return {
    kind: error.kind,
    operation: error.operation,
    status: error.status,
    graphCode: error.code,
    requestId: error.requestId,
    clientRequestId: error.clientRequestId,
  };
}
