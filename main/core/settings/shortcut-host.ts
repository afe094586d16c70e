import type { ShortcutStatus } from '../../../preload/shared/contract.ts';

/**
 * Where the global shortcut is claimed from the OS (the app, main/app/global-shortcut.ts);
 * absent where there is none (a browser, the CLI). `apply` answers what became of it; when the
 * new one is `taken`, the one before stays claimed.
 */
export interface ShortcutHost {
  apply(accelerator: string | null): ShortcutStatus;
  status(): ShortcutStatus;
}
