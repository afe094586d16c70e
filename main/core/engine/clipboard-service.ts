import type {
  ClipboardCommands,
  EnqueueResult,
  PastedClipboard,
  PastedImageRequest,
} from '../../../preload/shared/contract.ts';
import type { DesktopPlatform } from '../../../preload/shared/accelerator.ts';
import type { ClipboardHost } from '../clipboard/clipboard-host.ts';
import { filesNamedBy } from '../clipboard/pasted-text.ts';
import type { Accounts } from './accounts.ts';
import { EngineRequestError } from './engine-types.ts';

/** The contract's clipboard commands (paste in the window, the tray's "Attach clipboard"). */
export type ClipboardService = ClipboardCommands;

export interface ClipboardServiceDeps {
  /** The system clipboard (the app); absent where the page pastes its own data (a browser). */
  host: ClipboardHost | undefined;
  accounts: Pick<Accounts, 'get'>;
  platform: DesktopPlatform;
}

export class ClipboardCommandService implements ClipboardService {
  readonly #deps: ClipboardServiceDeps;

  constructor(deps: ClipboardServiceDeps) {
    this.#deps = deps;
  }

  async readClipboard(): Promise<PastedClipboard> {
    return this.#host().read();
  }

  pastedText(text: string): Promise<PastedClipboard> {
    return filesNamedBy(text, { platform: this.#deps.platform });
  }

  async enqueuePasted(request: PastedImageRequest): Promise<EnqueueResult> {
    this.#deps.accounts.get(request.target.accountId);
    return this.#host().enqueuePasted(request);
  }

  #host(): ClipboardHost {
    const host = this.#deps.host;
    if (host === undefined) {
      throw new EngineRequestError(
        'not-available',
        'Only the taskdrop app reads the clipboard; in a browser, paste into the page.',
      );
    }
    return host;
  }
}
