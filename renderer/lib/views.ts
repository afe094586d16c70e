import type { IconName } from './ui/icons.ts';

/**
 * The app's views, in navigation order. A new view (watched folders, say) is one entry here
 * and one branch in Shell.svelte.
 */
export const views = [
  { id: 'queue', label: 'Queue', icon: 'inbox' },
  { id: 'settings', label: 'Settings', icon: 'sliders' },
] as const satisfies readonly { id: string; label: string; icon: IconName }[];

export type ViewId = (typeof views)[number]['id'];
