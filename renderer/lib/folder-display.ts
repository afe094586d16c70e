import type { WatchedFolderView, WatchState } from '../../preload/shared/contract.ts';
import type { StateLook } from './job-display.ts';

/** How a watched folder's state reads, and what the person can do about it. */
export interface FolderLook extends StateLook {
  /** What to do next, when there is something to do; null otherwise. */
  next: string | null;
}

const looks: Record<WatchState, FolderLook> = {
  watching: { label: 'Watching', icon: 'eye', tone: 'success', next: null },
  paused: {
    label: 'Paused',
    icon: 'pause-circle',
    tone: 'neutral',
    next: 'New files wait in the folder until you resume it.',
  },
  'folder-missing': {
    label: 'Folder missing',
    icon: 'alert',
    tone: 'warning',
    next: 'If the folder moved, remove it here and add it at its new place.',
  },
  error: {
    label: 'Cannot watch',
    icon: 'x-circle',
    tone: 'danger',
    next: 'Make sure it is a folder you can open, then choose Try again.',
  },
  stopped: {
    label: 'Stopped',
    icon: 'ban',
    tone: 'muted',
    next: 'Nothing watches it right now: it starts with the taskdrop app.',
  },
};

export function folderLook(state: WatchState): FolderLook {
  return looks[state];
}

/** The folder's own name: the last part of its path. */
export function folderName(path: string): string {
  const parts = path.split(/[\\/]+/).filter((part) => part !== '');
  return parts[parts.length - 1] ?? path;
}

/**
 * A long path shortened in the middle, where it says least: its start (the drive, the home
 * folder) and its last two parts stay. "/home/ann/…/Documents/Scans".
 */
export function shortPath(path: string): string {
  const separator = path.includes('\\') && !path.includes('/') ? '\\' : '/';
  const parts = path.split(/[\\/]/);
  const keepStart = parts[0] === '' ? 3 : 2;
  if (parts.length <= keepStart + 3) return path;
  return [...parts.slice(0, keepStart), '…', ...parts.slice(-2)].join(separator);
}

/** Patterns as the person types them: separated by commas (names may hold spaces). */
export function parsePatterns(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '');
}

export function patternsText(patterns: readonly string[]): string {
  return patterns.join(', ');
}

/** What the folder takes and what becomes of its files, in one line. */
export function rulesSummary(folder: WatchedFolderView): string {
  const which = folder.include.length === 0 ? 'All files' : `Only ${patternsText(folder.include)}`;
  const except = folder.exclude.length === 0 ? '' : `, except ${patternsText(folder.exclude)}`;
  const depth = folder.recursive ? 'with subfolders' : 'this folder only';
  const after = {
    keep: 'kept where they are',
    move: `then moved to ${folder.moveTo}/`,
    delete: 'then moved to the trash',
  }[folder.afterUpload];
  const poll = folder.poll ? ' · checked every few seconds' : '';
  return `${which}${except} · ${depth} · ${after}${poll}`;
}
