import type {
  Settings,
  SettingsCommands,
  ShortcutStatus,
} from '../../../preload/shared/contract.ts';
import { bytesPerMb } from '../../../preload/shared/sizes.ts';
import type { Logger } from '../logging/logger.ts';
import { defaultPacingLimits, type PacingLimits } from '../pacing/account-pacer.ts';
import { settingsSchema, type SettingsStore } from '../settings/settings-store.ts';
import type { ShortcutHost } from '../settings/shortcut-host.ts';
import type { Accounts } from './accounts.ts';
import { EngineRequestError } from './engine-types.ts';
import type { EventHub } from './events.ts';

/** The contract's settings commands, and the pacing the settings ask for. */
export type SettingsService = Pick<
  SettingsCommands,
  'getSettings' | 'updateSettings' | 'shortcutStatus'
>;

export interface SettingsServiceDeps {
  store: SettingsStore;
  /** Their pacing follows the settings. */
  accounts: Pick<Accounts, 'setLimits'>;
  events: EventHub;
  /** The new caps may let more uploads start. */
  pump: () => void;
  log: Logger;
  /** Pacing fixed by the engine's owner (tests, benchmarks), over what the settings say. */
  pacing: Partial<PacingLimits> | undefined;
  /** Where the global shortcut is claimed (the app); absent where there is none. */
  shortcut: ShortcutHost | undefined;
}

export class QueueSettingsService implements SettingsService {
  readonly #deps: SettingsServiceDeps;

  constructor(deps: SettingsServiceDeps) {
    this.#deps = deps;
  }

  getSettings(): Promise<Settings> {
    return Promise.resolve(this.#deps.store.get());
  }

  /** Applies at once: pacing of every account follows the new caps. */
  async updateSettings(changes: Partial<Settings>): Promise<Settings> {
    const parsed = settingsSchema.partial().safeParse(changes);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EngineRequestError(
        'invalid-request',
        `${issue?.path.join('.') ?? 'settings'}: ${issue?.message ?? 'not a valid value'}`,
      );
    }
    this.#claimShortcut(parsed.data.globalShortcut);
    const settings = this.#deps.store.update(parsed.data);
    this.#deps.log.info('settings changed', { changes: parsed.data });
    this.#deps.accounts.setLimits(pacingLimitsFor(settings, this.#deps.pacing));
    this.#deps.events.emit('settingsChanged', settings);
    this.#deps.pump();
    return settings;
  }

  shortcutStatus(): Promise<ShortcutStatus> {
    return Promise.resolve(
      this.#deps.shortcut?.status() ?? {
        state: 'unavailable',
        message: 'A global shortcut works in the taskdrop app, not in a browser.',
      },
    );
  }

  /** A shortcut another app holds is refused, not saved: the one before stays (or none). */
  #claimShortcut(accelerator: string | null | undefined): void {
    const host = this.#deps.shortcut;
    if (accelerator === undefined || host === undefined) return;
    const status = host.apply(accelerator);
    if (status.state === 'taken') throw new EngineRequestError('not-available', status.message);
  }
}

/** An account's pacing under `settings`; `fixed` (tests, benchmarks) wins over them. */
export function pacingLimitsFor(
  settings: Settings,
  fixed: Partial<PacingLimits> | undefined,
): PacingLimits {
  return {
    ...defaultPacingLimits,
    maxConcurrentRequests: settings.maxConcurrentUploads,
    // The budget is in the app's one MB (preload/shared/sizes.ts), but never above Graph's
    // "150 MB" read as the smaller 150,000,000 bytes (docs/graph-unknowns.md).
    maxUploadBytesPerWindow: Math.min(
      settings.uploadBudgetMb * bytesPerMb,
      defaultPacingLimits.maxUploadBytesPerWindow,
    ),
    ...fixed,
  };
}
