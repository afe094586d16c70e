import { dirname } from 'node:path';
import type { JobProblem, NextStep, ProblemKind } from '../../../preload/shared/contract.ts';
import type { GraphError } from '../graph/errors.ts';
import type { QueueFileError } from '../queue/queue-file.ts';

/** A problem the upload found, in plain words, with the one action that helps. */
export function problem(
  kind: ProblemKind,
  message: string,
  nextStep: NextStep,
  at: number,
  graph?: GraphError,
): JobProblem {
  return {
    kind,
    message,
    nextStep,
    graphCode: graph?.code ?? null,
    httpStatus: graph?.status ?? null,
    requestId: graph?.requestId ?? null,
    at,
  };
}

/**
 * For a failure the engine retries by itself. When is not in the words: it would be stale a
 * second later; the job's nextAttemptAt says it, and the UI and CLI count down from it.
 */
export function retryingProblem(error: GraphError, at: number): JobProblem {
  if (error.kind === 'throttled') {
    return problem(
      'throttled',
      'Microsoft asked taskdrop to slow down; it continues by itself.',
      'wait',
      at,
      error,
    );
  }
  if (error.status === null) {
    return problem(
      'transient',
      'Cannot reach Microsoft To Do right now; taskdrop keeps trying. Nothing is lost.',
      'wait',
      at,
      error,
    );
  }
  return problem(
    'transient',
    'Microsoft To Do had a temporary problem; taskdrop tries again by itself.',
    'wait',
    at,
    error,
  );
}

/** For a failure that retrying by itself will not fix. */
export function failedProblem(error: GraphError, taskTitle: string, at: number): JobProblem {
  switch (error.kind) {
    case 'not-found':
      return problem(
        'not-found',
        `The task “${taskTitle}” no longer exists in Microsoft To Do (deleted or moved). Choose another task.`,
        'retarget',
        at,
        error,
      );
    case 'auth':
      return signInProblem(at, error);
    case 'transient':
    case 'throttled':
    case 'session-gone':
      return problem(
        error.kind,
        'Microsoft To Do kept failing, so taskdrop stopped trying for now. Retry later.',
        'retry',
        at,
        error,
      );
    default:
      return problem(
        error.kind,
        'Microsoft To Do refused the file. Retry; if it is refused again, copy the details into a report.',
        'retry',
        at,
        error,
      );
  }
}

export function signInProblem(at: number, error?: GraphError): JobProblem {
  return problem(
    'auth',
    'Your Microsoft sign-in expired or was revoked. Sign in again: uploads continue where they stopped.',
    'sign-in',
    at,
    error,
  );
}

/**
 * The queue could not record an upload's step (docs/upload-rules.md rule 2), so the upload
 * stopped before taking it. Nothing is lost: the server holds what was sent (rule 3).
 */
export function queueWriteProblem(error: QueueFileError, at: number): JobProblem {
  const folder = dirname(error.path);
  const message =
    error.problem === 'full'
      ? `The disk holding ${folder} is full, so taskdrop could not save this upload's progress and stopped it for now; nothing is lost. Free some space on that disk: the upload then continues by itself where it stopped.`
      : `taskdrop cannot write its queue in ${folder}, so it stopped this upload for now; nothing is lost. Make the folder writable again: the upload then continues by itself where it stopped.`;
  return problem('file', message, 'wait', at);
}
