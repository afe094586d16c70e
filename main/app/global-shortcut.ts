import { describeAccelerator, type DesktopPlatform } from '../../preload/shared/accelerator.ts';
import type { ShortcutStatus } from '../../preload/shared/contract.ts';
import type { ShortcutHost } from '../core/settings/shortcut-host.ts';

/** The part of Electron's globalShortcut used: injectable, so it is testable. */
export interface GlobalShortcutLike {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

/**
 * Claims Settings.globalShortcut from the OS. The OS refuses a shortcut another app holds
 * (register answers false): that is said, and the shortcut claimed before stays claimed.
 */
export class ShortcutRegistrar implements ShortcutHost {
  readonly #shortcuts: GlobalShortcutLike;
  readonly #onPress: (accelerator: string) => void;
  readonly #platform: DesktopPlatform;
  /** The accelerator taskdrop holds now; null: none. */
  #held: string | null = null;
  #status: ShortcutStatus = { state: 'off' };

  constructor(
    shortcuts: GlobalShortcutLike,
    onPress: (accelerator: string) => void,
    platform: DesktopPlatform,
  ) {
    this.#shortcuts = shortcuts;
    this.#onPress = onPress;
    this.#platform = platform;
  }

  status(): ShortcutStatus {
    return this.#status;
  }

  apply(accelerator: string | null): ShortcutStatus {
    if (accelerator === this.#held && accelerator !== null) return this.#status;
    if (accelerator === null) {
      this.#release();
      this.#status = { state: 'off' };
      return this.#status;
    }
    if (!this.#claim(accelerator)) {
      const shown = describeAccelerator(accelerator, this.#platform);
      const taken: ShortcutStatus = {
        state: 'taken',
        accelerator,
        message: `${shown} is already used by another app or by the system, so taskdrop cannot have it. Choose another shortcut.`,
      };
      // Refused as a change: what was held stays. At start (nothing held) it is what stands.
      if (this.#held === null) this.#status = taken;
      return taken;
    }
    this.#release();
    this.#held = accelerator;
    this.#status = { state: 'active', accelerator };
    return this.#status;
  }

  #claim(accelerator: string): boolean {
    try {
      return this.#shortcuts.register(accelerator, () => this.#onPress(accelerator));
    } catch {
      // Electron throws for an accelerator it cannot read; the settings never save one.
      return false;
    }
  }

  #release(): void {
    if (this.#held !== null) this.#shortcuts.unregister(this.#held);
    this.#held = null;
  }
}
