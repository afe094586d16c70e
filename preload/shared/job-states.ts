import { jobStates, type JobState } from './contract.ts';

/**
 * The job-state rules, in one place for every process: the moves the queue's store allows, which
 * queue command applies to which state, and the groups of states the engine, the CLI and the UI
 * read alike. Nothing else lists states by hand (test/shared/job-states.test.ts holds the table's
 * properties).
 */

/**
 * Every allowed move between job states. The store refuses any other, so a bug elsewhere shows up
 * as an error instead of a job in an impossible state. A job not in flight may still go to done:
 * cancelling it can reveal that its last request had attached the file.
 */
export const transitions: Readonly<Record<JobState, readonly JobState[]>> = {
  waiting: ['uploading', 'needs-sign-in', 'paused', 'cancelled', 'done'],
  uploading: ['done', 'failed', 'retrying', 'needs-sign-in', 'paused', 'cancelled', 'waiting'],
  retrying: ['uploading', 'waiting', 'needs-sign-in', 'paused', 'cancelled', 'done'],
  'needs-sign-in': ['waiting', 'paused', 'cancelled', 'done'],
  paused: ['waiting', 'cancelled', 'done'],
  failed: ['waiting', 'cancelled', 'done'],
  cancelled: ['waiting'],
  done: [],
};

/** Where a new job starts. */
export const initialState = 'waiting' satisfies JobState;

export function canTransition(from: JobState, to: JobState): boolean {
  return transitions[from].includes(to);
}

const except = (left: readonly JobState[]): JobState[] =>
  jobStates.filter((state) => !left.includes(state));

/** States the scheduler may pick a job from. */
export const runnableStates: readonly JobState[] = ['waiting', 'retrying'];

/** States in which a job moves by itself: being sent, or about to be. */
export const activeStates: readonly JobState[] = ['waiting', 'uploading', 'retrying'];

/** States a job rests in until the person (or a sign-in) moves it: everything not active. */
export const settledStates: readonly JobState[] = except(activeStates);

/** States whose job's work has ended (its `finishedAt` is set), until the person retries it. */
export const endedStates: readonly JobState[] = ['done', 'failed', 'cancelled'];

/** States a job is still queued in: it has not ended. */
export const pendingStates: readonly JobState[] = except(endedStates);

/**
 * States in which a job stands for its file (or content) being attached to its task, now or
 * soon: queued still, or done. A failed or cancelled job does not, so the same file may come again.
 */
export const standingStates: readonly JobState[] = [...pendingStates, 'done'];

/** States "Clear finished" removes: done with, one way or the other. */
export const finishedStates: readonly JobState[] = ['done', 'cancelled'];

export const isFinished = (state: JobState): boolean => finishedStates.includes(state);

/**
 * Each queue command: the states it applies to (`from`; the engine skips a selected job in any
 * other) and the state it moves a job to (`to`). `remove` deletes the job; `retarget` keeps a
 * job's state but queues again one that had stopped (`requeues`).
 */
export const queueCommands = {
  pause: { from: ['waiting', 'retrying', 'needs-sign-in', 'uploading'], to: 'paused' },
  resume: { from: ['paused'], to: 'waiting' },
  retry: { from: ['failed', 'cancelled', 'retrying', 'needs-sign-in'], to: 'waiting' },
  cancel: {
    from: ['waiting', 'uploading', 'retrying', 'paused', 'needs-sign-in', 'failed'],
    to: 'cancelled',
  },
  retarget: {
    from: ['waiting', 'retrying', 'paused', 'needs-sign-in', 'failed', 'cancelled'],
    to: 'waiting',
    requeues: ['failed', 'cancelled', 'needs-sign-in'],
  },
  remove: { from: jobStates, to: null },
} as const satisfies Record<string, QueueCommandRule>;

export interface QueueCommandRule {
  from: readonly JobState[];
  to: JobState | null;
  /** The states it moves to `to`; without it, every state it applies to. */
  requeues?: readonly JobState[];
}

export type QueueCommand = keyof typeof queueCommands;

/** The states `command` applies to. */
export function commandStates(command: QueueCommand): readonly JobState[] {
  return queueCommands[command].from;
}

export function canApply(command: QueueCommand, state: JobState): boolean {
  return commandStates(command).includes(state);
}

/** Whether `retarget` queues a job in `state` again (else it stays in its state). */
export function retargetRequeues(state: JobState): boolean {
  return (queueCommands.retarget.requeues as readonly JobState[]).includes(state);
}
