import type { QueueSummary, TaskTarget } from '../../preload/shared/contract.ts';

export type TrayState =
  | { kind: 'idle'; done: number }
  | { kind: 'uploading'; percent: number; active: number; waiting: number }
  | { kind: 'paused'; paused: number }
  | { kind: 'attention'; failed: number; signIn: number };

/** What the tray says at a glance; trouble the person must act on wins over progress. */
export function trayStateOf(summary: QueueSummary): TrayState {
  const { byState } = summary;
  if (byState.failed > 0 || byState['needs-sign-in'] > 0) {
    return { kind: 'attention', failed: byState.failed, signIn: byState['needs-sign-in'] };
  }
  const active = byState.uploading + byState.retrying;
  if (active > 0 || byState.waiting > 0) {
    return { kind: 'uploading', percent: summary.overallPercent, active, waiting: byState.waiting };
  }
  if (byState.paused > 0) return { kind: 'paused', paused: byState.paused };
  return { kind: 'idle', done: byState.done };
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

export function trayTooltip(state: TrayState, demo: boolean): string {
  const prefix = demo ? 'taskdrop (demo) — ' : 'taskdrop — ';
  switch (state.kind) {
    case 'idle':
      return `${prefix}all files attached`;
    case 'uploading':
      return `${prefix}uploading ${plural(state.active + state.waiting, 'file')}, ${state.percent}%`;
    case 'paused':
      return `${prefix}${plural(state.paused, 'upload')} paused`;
    case 'attention': {
      const parts = [];
      if (state.failed > 0) parts.push(`${plural(state.failed, 'file')} failed`);
      if (state.signIn > 0) parts.push('sign-in needed');
      return `${prefix}${parts.join(', ')}`;
    }
  }
}

/** Menu entries as data: main/app turns them into Electron's Menu; tests read them as they are. */
export type TrayMenuItem =
  | { type: 'action'; id: string; label: string; enabled?: boolean }
  | { type: 'checkbox'; id: string; label: string; checked: boolean }
  | { type: 'submenu'; label: string; items: TrayMenuItem[] }
  | { type: 'separator' };

export interface TrayMenuContext {
  state: TrayState;
  recentTargets: readonly TaskTarget[];
  signedIn: boolean;
  canSignIn: boolean;
  startAtLogin: boolean;
  /** Whether a paste would bring a file, an image or a file's path (ClipboardIntake). */
  clipboardAttachable: boolean;
}

/** A task title as a menu shows it: long ones cut, so the menu stays narrow. */
function shortTitle(title: string): string {
  return title.length > 40 ? `${title.slice(0, 39).trimEnd()}…` : title;
}

/** "Attach clipboard to “the last task”", or why it cannot, in its label. */
function attachClipboardItem(context: TrayMenuContext): TrayMenuItem {
  const last = context.recentTargets[0];
  if (last === undefined) {
    return {
      type: 'action',
      id: 'attach-clipboard',
      label: 'Attach clipboard (no task used yet)',
      enabled: false,
    };
  }
  const label = `Attach clipboard to “${shortTitle(last.taskTitle)}”`;
  return context.clipboardAttachable
    ? { type: 'action', id: 'attach-clipboard', label }
    : {
        type: 'action',
        id: 'attach-clipboard',
        label: `${label} (nothing to attach)`,
        enabled: false,
      };
}

export function trayMenu(context: TrayMenuContext): TrayMenuItem[] {
  const { state } = context;
  const recent: TrayMenuItem[] =
    context.recentTargets.length === 0
      ? [{ type: 'action', id: 'none', label: 'No recent tasks yet', enabled: false }]
      : context.recentTargets.slice(0, 8).map((target, index) => ({
          type: 'action',
          id: `recent:${index}`,
          label: `${target.taskTitle} — ${target.listName}`,
        }));
  return [
    { type: 'action', id: 'open', label: 'Open queue' },
    state.kind === 'paused'
      ? { type: 'action', id: 'resume-all', label: 'Resume all' }
      : {
          type: 'action',
          id: 'pause-all',
          label: 'Pause all',
          enabled: state.kind === 'uploading',
        },
    { type: 'submenu', label: 'Send files to…', items: recent },
    attachClipboardItem(context),
    { type: 'separator' },
    context.signedIn
      ? { type: 'action', id: 'sign-out', label: 'Sign out', enabled: context.canSignIn }
      : { type: 'action', id: 'sign-in', label: 'Sign in…', enabled: context.canSignIn },
    {
      type: 'checkbox',
      id: 'start-at-login',
      label: 'Start at login',
      checked: context.startAtLogin,
    },
    { type: 'separator' },
    { type: 'action', id: 'quit', label: 'Quit taskdrop' },
  ];
}
