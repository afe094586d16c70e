import { join } from 'node:path';
import type { DesktopPlatform } from '../../preload/shared/accelerator.ts';
import type {
  EnqueueRequest,
  EnqueueResult,
  PastedClipboard,
  PastedImageRequest,
  TaskTarget,
} from '../../preload/shared/contract.ts';
import type { ClipboardHost } from '../core/clipboard/clipboard-host.ts';
import { ClipboardIntake, type ClipboardReader } from '../core/clipboard/clipboard-intake.ts';
import type { Logger } from '../core/logging/logger.ts';
import { StagingArea, type StagingQueue } from '../core/staging/staging-area.ts';
import type { Notice } from './notifications.ts';

/**
 * The tray looks at the clipboard when it is about to be used (the pointer over the icon on
 * macOS and Windows, the window losing focus) and otherwise once a minute, so an idle app wakes
 * no more often than that (docs/architecture.md). Linux tells nothing of the pointer: there the
 * item stays offered, and an empty clipboard is said when it is chosen.
 */
const clipboardCheckMs = 60_000;
/** However often the pointer moves over the icon, one look a second at most. */
const pointerCheckMs = 1_000;

export interface TrayClipboardDeps {
  platform: DesktopPlatform;
  notify: (notice: Notice) => void;
  /** The tray menu is rebuilt when what it says of the clipboard changes. */
  changed: () => Promise<void>;
}

/**
 * The app's clipboard: what the engine serves to the window (ClipboardHost), and the tray's
 * "Attach clipboard to “last task”". Pasted images wait in the staging area a browser's drops
 * use, until their job ends.
 */
export class TrayClipboard implements ClipboardHost {
  readonly #deps: TrayClipboardDeps;
  readonly #knowable: boolean;
  #staging: StagingArea | undefined;
  #pastes: ClipboardIntake | undefined;
  #attachable = false;
  #lastCheck = 0;

  constructor(deps: TrayClipboardDeps) {
    this.#deps = deps;
    this.#knowable = deps.platform !== 'linux';
  }

  async open(options: {
    dataDir: string;
    reader: ClipboardReader;
    queue: StagingQueue & { enqueue(request: EnqueueRequest): Promise<EnqueueResult> };
    log: Logger;
  }): Promise<void> {
    const { dataDir, reader, queue, log } = options;
    this.#staging = await StagingArea.open({ dir: join(dataDir, 'staged'), queue, log });
    this.#pastes = new ClipboardIntake({
      reader,
      staging: this.#staging,
      queue,
      platform: this.#deps.platform,
    });
  }

  /** Whether the tray offers its item (always where the OS cannot be asked in time). */
  get offered(): boolean {
    return this.#attachable || !this.#knowable;
  }

  read(): Promise<PastedClipboard> {
    return this.#intake().read();
  }

  enqueuePasted(request: PastedImageRequest): Promise<EnqueueResult> {
    return this.#intake().enqueuePasted(request);
  }

  /** The tray's item: what was not attached, and why, is said in a notification. */
  async attachTo(target: TaskTarget | undefined): Promise<void> {
    if (this.#pastes === undefined || target === undefined) return;
    const tell = (title: string, body: string): void =>
      this.#deps.notify({ kind: 'failed', title, body, jobId: null });
    try {
      const outcome = await this.#pastes.attachTo(target);
      if ('nothing' in outcome) tell('Nothing to attach', outcome.nothing);
      else if (outcome.refused.length > 0) {
        tell(
          outcome.accepted.length === 0 ? 'Nothing attached' : 'Not everything was attached',
          outcome.refused.map((refusal) => refusal.message).join('\n'),
        );
      }
    } catch (error) {
      tell(
        'The clipboard could not be attached',
        error instanceof Error ? error.message : String(error),
      );
    }
  }

  /** Follows the clipboard once a minute; answers what to call when it may be wanted. */
  watch(): () => void {
    setInterval(() => void this.#check(), clipboardCheckMs).unref();
    void this.#check();
    return () => {
      if (Date.now() - this.#lastCheck >= pointerCheckMs) void this.#check();
    };
  }

  close(): void {
    this.#staging?.close();
  }

  async #check(): Promise<void> {
    if (!this.#knowable) return;
    this.#lastCheck = Date.now();
    const now = (await this.#pastes?.attachable().catch(() => false)) ?? false;
    if (now === this.#attachable) return;
    this.#attachable = now;
    await this.#deps.changed();
  }

  #intake(): ClipboardIntake {
    if (this.#pastes === undefined) {
      throw new Error('taskdrop is still starting: paste again in a moment.');
    }
    return this.#pastes;
  }
}
