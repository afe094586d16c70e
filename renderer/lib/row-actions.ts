import type { JobView } from '../../preload/shared/contract.ts';
import { canApply } from '../../preload/shared/job-states.ts';
import type { IconName } from './ui/icons.ts';

export type RowActionKind =
  | 'pause'
  | 'resume'
  | 'retry'
  | 'cancel'
  | 'remove'
  | 'retarget'
  | 'sign-in'
  | 'details'
  | 'show-in-folder'
  | 'open-in-todo';

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
  details: { kind: 'details', label: 'Details…', icon: 'info' },
  showInFolder: { kind: 'show-in-folder', label: 'Show in folder', icon: 'folder' },
  openInToDo: { kind: 'open-in-todo', label: 'Open Microsoft To Do', icon: 'task' },
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

/** What this window can open: the file manager (the app only), To Do (not for the demo). */
export interface Openers {
  files: boolean;
  toDo: boolean;
}

/** The rest, in the row's "More" menu: everything else the engine would accept for it. */
export function menuActions(job: JobView, openers: Openers): RowAction[] {
  const shown = new Set(primaryActions(job).map((each) => each.kind));
  const candidates: RowAction[] = [
    action.pause,
    action.resume,
    action.retry,
    action.sendElsewhere,
    action.cancel,
    action.remove,
  ];
  const applicable = candidates.filter(
    (each) =>
      !shown.has(each.kind) &&
      each.kind !== 'sign-in' &&
      each.kind !== 'details' &&
      each.kind !== 'show-in-folder' &&
      each.kind !== 'open-in-todo' &&
      canApply(each.kind, job.state),
  );
  // A finished file: where it is, and To Do, where it went.
  const finished: RowAction[] = [];
  if (job.state === 'done' && openers.files) finished.push(action.showInFolder);
  if (job.state === 'done' && openers.toDo) finished.push(action.openInToDo);
  // What happened, with the codes to look up: behind "Details", not in the plain words.
  const details = job.problem === null || job.state === 'done' ? [] : [action.details];
  return [...finished, ...details, ...applicable];
}
