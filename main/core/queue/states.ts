import type { JobState } from '../../../preload/contract.ts';

/**
 * Every allowed move between job states, in one place. The store refuses any other, so a bug
 * elsewhere shows up as an error instead of a job in an impossible state. A job not in flight
 * may still go to done: cancelling it can reveal that its last request had attached the file.
 */
const transitions: Record<JobState, readonly JobState[]> = {
  waiting: ['uploading', 'needs-sign-in', 'paused', 'cancelled', 'done'],
  uploading: ['done', 'failed', 'retrying', 'needs-sign-in', 'paused', 'cancelled', 'waiting'],
  retrying: ['uploading', 'waiting', 'needs-sign-in', 'paused', 'cancelled', 'done'],
  'needs-sign-in': ['waiting', 'paused', 'cancelled', 'done'],
  paused: ['waiting', 'cancelled', 'done'],
  failed: ['waiting', 'cancelled', 'done'],
  cancelled: ['waiting'],
  done: [],
};

export function canTransition(from: JobState, to: JobState): boolean {
  return transitions[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(id: number, from: JobState, to: JobState) {
    super(`job ${id} cannot go from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** States the scheduler may pick a job from. */
export const runnableStates: readonly JobState[] = ['waiting', 'retrying'];

/** States that end a job's work (until the user retries it). */
export const finishedStates: readonly JobState[] = ['done', 'cancelled'];

export const isFinished = (state: JobState): boolean => finishedStates.includes(state);

/** States from which the user may send a job to another task (nothing in flight). */
export const retargetableStates: readonly JobState[] = [
  'waiting',
  'retrying',
  'paused',
  'needs-sign-in',
  'failed',
  'cancelled',
];
