/**
 * The one contract between the UI (renderer, CLI) and the engine: commands and events, declared
 * once here and implemented once by the engine facade (main/core/engine). Transports (Electron
 * IPC, the local WebSocket) carry exactly these shapes.
 */

export const jobStates = [
  'waiting',
  'uploading',
  'retrying',
  'paused',
  'needs-sign-in',
  'done',
  'failed',
  'cancelled',
] as const;
export type JobState = (typeof jobStates)[number];

/** Where a file goes: one task of one list of one account, with names for display. */
export interface TaskTarget {
  accountId: string;
  listId: string;
  taskId: string;
  listName: string;
  taskTitle: string;
}

/** What kind of trouble, in the engine's words (BRIEF: errors are values with a kind). */
export type ProblemKind =
  'transient' | 'throttled' | 'session-gone' | 'not-found' | 'auth' | 'permanent' | 'file';

/** The one thing the user can do about it, which the UI offers as a button. */
export type NextStep = 'retry' | 'retarget' | 'sign-in' | 'locate-file' | 'wait' | 'none';

export interface JobProblem {
  kind: ProblemKind;
  /** Plain words for the person: what happened and what to do. */
  message: string;
  nextStep: NextStep;
  graphCode: string | null;
  httpStatus: number | null;
  requestId: string | null;
  /** Milliseconds since the epoch. */
  at: number;
}

export interface JobProgress {
  id: number;
  /** Bytes handed to the network, including a range not yet acknowledged. */
  bytesSent: number;
  /** Bytes the server has confirmed. */
  bytesAcked: number;
  /** Smoothed, bytes per second; null until there is enough to say. */
  speed: number | null;
  /** Seconds left at the smoothed speed; null when unknown. */
  etaSeconds: number | null;
  /** No progress for 30 s while uploading. */
  stalled: boolean;
}

export interface JobView extends JobProgress {
  fileName: string;
  sourcePath: string;
  size: number;
  contentType: string;
  target: TaskTarget;
  state: JobState;
  attempts: number;
  /** When a retrying job tries again (ms since the epoch). */
  nextAttemptAt: number | null;
  problem: JobProblem | null;
  attachmentId: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export type RefusalReason =
  'missing' | 'not-a-file' | 'too-large' | 'unreadable' | 'duplicate' | 'already-attached';

export interface Refusal {
  path: string;
  reason: RefusalReason;
  message: string;
  /** For a duplicate: the job already queued for (or done with) that file and task. */
  jobId: number | null;
}

export interface EnqueueRequest {
  paths: string[];
  target: TaskTarget;
}

export interface EnqueueResult {
  accepted: JobView[];
  refused: Refusal[];
}

/** Which jobs a command applies to. */
export type JobSelection = { ids: number[] } | { all: true };

export interface RetargetRequest {
  ids: number[];
  target: TaskTarget;
}

export interface QueueSummary {
  total: number;
  byState: Record<JobState, number>;
  /** Bytes acknowledged over bytes of every job not cancelled, 0..100. */
  overallPercent: number;
}

export interface JobsChanged {
  upserted: JobView[];
  removed: number[];
  summary: QueueSummary;
}

/** The queue commands; each answers how many jobs it changed, where that is the question. */
export interface QueueCommands {
  enqueue(request: EnqueueRequest): Promise<EnqueueResult>;
  listJobs(): Promise<JobView[]>;
  summary(): Promise<QueueSummary>;
  pause(selection: JobSelection): Promise<number>;
  resume(selection: JobSelection): Promise<number>;
  retry(selection: JobSelection): Promise<number>;
  cancel(selection: JobSelection): Promise<number>;
  remove(selection: JobSelection): Promise<number>;
  clearFinished(): Promise<number>;
  retarget(request: RetargetRequest): Promise<number>;
}

export interface TaskdropEvents {
  jobsChanged: JobsChanged;
  /** Throttled: at most a few batches a second, whatever the number of active jobs. */
  progress: JobProgress[];
}

export type Unsubscribe = () => void;

export interface TaskdropApi extends QueueCommands {
  on<E extends keyof TaskdropEvents>(
    event: E,
    listener: (payload: TaskdropEvents[E]) => void,
  ): Unsubscribe;
}
