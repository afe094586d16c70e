import type { JobState } from '../../../preload/shared/contract.ts';

/** The table itself is shared by every process: preload/shared/job-states.ts. */

export class IllegalTransitionError extends Error {
  constructor(id: number, from: JobState, to: JobState) {
    super(`job ${id} cannot go from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** States as an SQL list for `state IN (…)`: they are the table's own words, never input. */
export function sqlStates(states: readonly JobState[]): string {
  return states.map((state) => `'${state}'`).join(', ');
}
