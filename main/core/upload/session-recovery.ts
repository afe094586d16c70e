import type { JobProblem } from '../../../preload/shared/contract.ts';
import { GraphError, isGraphError } from '../graph/errors.ts';
import { attemptLimits, firstOffset, type AttemptContext } from './attempt-context.ts';
import { impossibleByRefusal, noteAccepted } from './impossible-files.ts';
import { findLandedAttachment } from './reconcile.ts';
import { UnverifiedCalls } from './unverified-calls.ts';

/** Where the upload goes on from, or the file the service cannot take (rule 11). */
export type Position = { kind: 'at'; offset: number } | { kind: 'impossible'; problem: JobProblem };

/** After a session was found gone: the attachment it made, or where the new session starts. */
export type AfterGone = { kind: 'landed'; attachmentId: string } | Position;

const at = (offset: number): Position => ({ kind: 'at', offset });

/**
 * The session's side of an attempt: where the server stands is the truth
 * (docs/upload-rules.md rule 3), a request left unanswered is looked up before anything is sent
 * again (rule 4), and the calls no source confirms are used only behind their fallback (rule 11).
 */
export class SessionRecovery {
  readonly #context: AttemptContext;
  readonly #unverified: UnverifiedCalls;

  constructor(context: AttemptContext) {
    this.#context = context;
    const { graph, knowledge, signal } = context.deps;
    this.#unverified = new UnverifiedCalls(graph, knowledge, signal);
  }

  /**
   * Rule 4: an unanswered final request may have attached the file already. Its attachment id
   * when it did; null (the mark cleared) when the upload is to go on.
   */
  async recoverUnansweredFinal(): Promise<string | null> {
    if (this.#context.job.finalSentAt === null) return null;
    if (!(await this.#sessionStillWaits())) {
      const landed = await this.findLanded();
      if (landed !== null) return landed;
    }
    this.#context.record({ finalSentAt: null });
    return null;
  }

  /**
   * Whether the job's upload session is still there, waiting for bytes: then the final request
   * did not complete it, and the task's attachments (thousands, on a busy task) need no look.
   * A session gone (completed, or expired), or one that cannot be asked, leaves the question to
   * that look.
   */
  async #sessionStillWaits(): Promise<boolean> {
    const url = this.#context.job.uploadUrl;
    if (url === null) return false;
    const answer = await this.#unverified.askSession(url);
    return answer.kind === 'state' && answer.nextExpectedRanges.length > 0;
  }

  async findLanded(): Promise<string | null> {
    const { store, graph, now, signal } = this.#context.deps;
    const job = this.#context.job;
    const claimed = store.claimedAttachmentIds(job.target.taskId);
    const found = await findLandedAttachment(graph, job, claimed, now(), signal);
    return found?.id ?? null;
  }

  /** The server said the file is complete but named no attachment: find it on the task. */
  async requireLanded(): Promise<string> {
    const landed = await this.findLanded();
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

  /** Where a stored session stands, or null when there is none worth resuming. */
  async resumeOffset(): Promise<number | null> {
    const context = this.#context;
    const { uploadUrl, uploadExpiresAt } = context.job;
    if (uploadUrl === null) return null;
    const timeLeft = uploadExpiresAt === null ? Infinity : uploadExpiresAt - context.deps.now();
    if (timeLeft < attemptLimits.sessionMarginMs) {
      await this.discardSession();
      return null;
    }
    const answer = await this.#unverified.askSession(uploadUrl);
    if (answer.kind === 'state') {
      const offset = firstOffset(answer.nextExpectedRanges) ?? context.job.ackedOffset;
      context.record({ ackedOffset: offset });
      return offset;
    }
    // Rule 11: a session whose state cannot be asked is not resumed; a new one starts at 0.
    if (answer.kind === 'unaskable') await this.discardSession();
    else context.record({ uploadUrl: null, uploadExpiresAt: null, ackedOffset: 0 });
    return null;
  }

  /**
   * A range was accepted but the answer named no next offset: the session says where it stands,
   * or, where it cannot be asked, the range accepted in order is where the next one starts.
   * A session gone meanwhile is said as its 404.
   */
  async offsetAfter(accepted: number): Promise<number | GraphError> {
    const answer = await this.#unverified.askSession(this.#context.job.uploadUrl ?? '');
    if (answer.kind === 'gone') return answer.error;
    if (answer.kind === 'unaskable') return accepted;
    return firstOffset(answer.nextExpectedRanges) ?? this.#context.job.ackedOffset;
  }

  /** After a range refused as out of order: the server's offset, or a new session from 0. */
  async resync(): Promise<Position> {
    const answer = await this.#unverified.askSession(this.#context.job.uploadUrl ?? '');
    if (answer.kind === 'gone') throw answer.error;
    if (answer.kind === 'state') {
      return at(firstOffset(answer.nextExpectedRanges) ?? this.#context.job.ackedOffset);
    }
    await this.discardSession();
    this.#context.progress(0, 0);
    return this.openSession();
  }

  /**
   * A 404 on the session: it expired, or (after a lost answer to the last range) it completed.
   * Either the attachment it made, or a fresh session to start again from 0.
   */
  async afterSessionGone(isLast: boolean): Promise<AfterGone> {
    const context = this.#context;
    if (isLast && context.job.finalSentAt !== null) {
      const landed = await this.findLanded();
      if (landed !== null) return { kind: 'landed', attachmentId: landed };
    }
    context.record({ uploadUrl: null, uploadExpiresAt: null, ackedOffset: 0, finalSentAt: null });
    context.progress(0, 0);
    return this.openSession();
  }

  /** Rule 2, write-ahead: the intent before createUploadSession, the URL right after it. */
  async openSession(): Promise<Position> {
    const context = this.#context;
    const { graph, knowledge, now } = context.deps;
    const { target, fileName, contentType, size } = context.job;
    if (context.job.protocol === 'session' && context.job.uploadUrl === null) {
      await this.#deleteOrphanSessions();
    }
    context.record({ protocol: 'session', ackedOffset: 0, uploadUrl: null, uploadExpiresAt: null });
    let session;
    try {
      session = await graph.createUploadSession(
        target.listId,
        target.taskId,
        { name: fileName, size, contentType },
        context.signalOption,
      );
    } catch (error) {
      const impossible = isGraphError(error)
        ? impossibleByRefusal(context.job, error, knowledge, now())
        : null;
      if (impossible === null) throw error;
      return { kind: 'impossible', problem: impossible };
    }
    noteAccepted(context.job, knowledge);
    context.record({ uploadUrl: session.uploadUrl, uploadExpiresAt: session.expiresAt });
    return at(firstOffset(session.nextExpectedRanges) ?? 0);
  }

  async discardSession(): Promise<void> {
    const context = this.#context;
    const url = context.job.uploadUrl;
    if (url === null) return;
    context.record({ uploadUrl: null, uploadExpiresAt: null, ackedOffset: 0 });
    // Best effort: an abandoned session expires on its own.
    await context.deps.graph.deleteUploadSession(url, context.signalOption).catch(() => undefined);
  }

  /**
   * An intent without a URL means this job may have died between creating a session and
   * recording it. Graph lists sessions without names, so every live session on the task that no
   * job of ours holds is taken for such an orphan. Another app uploading to the same task at that
   * moment would have to restart its upload, which loses it nothing.
   */
  async #deleteOrphanSessions(): Promise<void> {
    const context = this.#context;
    const { listId, taskId } = context.job.target;
    const { graph, store } = context.deps;
    const ours = new Set(
      store.uploadUrlsOfTask(taskId).map((url) => decodeURIComponent(url.split('/').pop() ?? '')),
    );
    // Rule 11: where sessions cannot be listed, orphans are left to expire on their own.
    const live = (await this.#unverified.liveSessions(listId, taskId)) ?? [];
    for (const sessionId of live.filter((id) => !ours.has(id))) {
      await graph.deleteUploadSession(
        graph.uploadSessionUrl(listId, taskId, sessionId),
        context.signalOption,
      );
    }
  }
}
