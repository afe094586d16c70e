import type { IconName } from './ui/icons.ts';

/**
 * The app's views, in navigation order; `short` names a tab in a narrow window. A new view is
 * one entry here and one branch in Shell.svelte.
 */
export const views = [
  { id: 'queue', label: 'Queue', short: 'Queue', icon: 'inbox' },
  { id: 'folders', label: 'Watched folders', short: 'Folders', icon: 'folder' },
  { id: 'settings', label: 'Settings', short: 'Settings', icon: 'sliders' },
] as const satisfies readonly { id: string; label: string; short: string; icon: IconName }[];

export type ViewId = (typeof views)[number]['id'];
