import type {
  EnqueueResult,
  PastedClipboard,
  PastedImageRequest,
} from '../../../preload/shared/contract.ts';

/** The system clipboard as the engine serves it (the app: a ClipboardIntake); absent elsewhere. */
export interface ClipboardHost {
  read(): Promise<PastedClipboard>;
  enqueuePasted(request: PastedImageRequest): Promise<EnqueueResult>;
}
