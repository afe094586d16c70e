import type { JobView } from '../../preload/contract.ts';
import { canApply } from './job-display.ts';
import type { IconName } from './ui/icons.ts';

export type RowActionKind =
  'pause' | 'resume' | 'retry' | 'cancel' | 'remove' | 'retarget' | 'sign-in';

export interface RowAction {
  kind: RowActionKind;
  label: string;
  icon: IconName;
}

const action = {
  pause: { kind: 'pause', label: 'Pause', icon: 'pause' },
  resume: { kind: 'resume', label: 'Resume', icon: 'play' },
  retry: { kind: 'retry', label: 'Retry', icon: 'retry' },
  retryNow: { kind: 'retry', label: 'Retry now', icon: 'retry' },
  retarget: { kind: 'retarget', label: 'Choose another task…', icon: 'retarget' },
  sendElsewhere: { kind: 'retarget', label: 'Send to another task…', icon: 'retarget' },
  signIn: { kind: 'sign-in', label: 'Sign in', icon: 'key' },
  cancel: { kind: 'cancel', label: 'Cancel upload', icon: 'ban' },
  remove: { kind: 'remove', label: 'Remove from queue', icon: 'trash' },
  removeShort: { kind: 'remove', label: 'Remove', icon: 'trash' },
} as const satisfies Record<string, RowAction>;

/** The buttons a row shows: what its state (and, on failure, the engine's next step) asks for. */
export function primaryActions(job: JobView): RowAction[] {
  switch (job.state) {
    case 'uploading':
    case 'waiting':
      return [action.pause];
    case 'retrying':
      return [action.retryNow];
    case 'paused':
      return [action.resume];
    case 'needs-sign-in':
      return [action.signIn];
    case 'cancelled':
      return [action.retry];
    case 'done':
      return [];
    case 'failed':
      switch (job.problem?.nextStep) {
        case 'retarget':
          return [action.retarget];
        case 'sign-in':
          return [action.signIn];
        case 'locate-file':
          return [action.retry, action.removeShort];
        case 'wait':
          return [action.retryNow];
        case 'none':
          return [action.removeShort];
        default:
          return [action.retry];
      }
  }
}

/** The rest, in the row's "More" menu: everything else the engine would accept for it. */
export function menuActions(job: JobView): RowAction[] {
  const shown = new Set(primaryActions(job).map((each) => each.kind));
  const candidates: RowAction[] = [
    action.pause,
    action.resume,
    action.retry,
    action.sendElsewhere,
    action.cancel,
    action.remove,
  ];
  return candidates.filter(
    (each) => !shown.has(each.kind) && each.kind !== 'sign-in' && canApply(each.kind, job.state),
  );
}
