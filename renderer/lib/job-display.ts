import type { JobState, JobView } from '../../preload/shared/contract.ts';
import type { IconName } from './ui/icons.ts';

/** How a job's state reads: words and a shape first, colour only as a third cue. */
export interface StateLook {
  label: string;
  icon: IconName;
  tone: 'neutral' | 'accent' | 'success' | 'warning' | 'danger' | 'muted';
}

const looks: Record<JobState, StateLook> = {
  waiting: { label: 'Waiting', icon: 'clock', tone: 'neutral' },
  uploading: { label: 'Uploading', icon: 'upload-circle', tone: 'accent' },
  retrying: { label: 'Retrying', icon: 'refresh', tone: 'warning' },
  paused: { label: 'Paused', icon: 'pause-circle', tone: 'neutral' },
  'needs-sign-in': { label: 'Sign-in needed', icon: 'key', tone: 'warning' },
  done: { label: 'Attached', icon: 'check-circle', tone: 'success' },
  failed: { label: 'Failed', icon: 'x-circle', tone: 'danger' },
  cancelled: { label: 'Cancelled', icon: 'ban', tone: 'muted' },
};

export function lookOf(job: Pick<JobView, 'state' | 'stalled'>): StateLook {
  if (job.state === 'uploading' && job.stalled) {
    return { label: 'Stalled', icon: 'alert', tone: 'warning' };
  }
  return looks[job.state];
}

export type FilterId = 'all' | 'uploading' | 'waiting' | 'paused' | 'failed' | 'done' | 'cancelled';

export interface QueueFilter {
  id: FilterId;
  label: string;
  states: readonly JobState[] | null;
}

/** The state filter of the queue; "Failed" includes what waits for a sign-in. */
export const queueFilters: readonly QueueFilter[] = [
  { id: 'all', label: 'All', states: null },
  { id: 'uploading', label: 'Uploading', states: ['uploading'] },
  { id: 'waiting', label: 'Waiting', states: ['waiting', 'retrying'] },
  { id: 'paused', label: 'Paused', states: ['paused'] },
  { id: 'failed', label: 'Failed', states: ['failed', 'needs-sign-in'] },
  { id: 'done', label: 'Done', states: ['done'] },
  { id: 'cancelled', label: 'Cancelled', states: ['cancelled'] },
];
