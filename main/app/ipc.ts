import { eventNames, type TaskdropApi } from '../../preload/shared/contract.ts';
import { commandChannel, eventChannel } from '../../preload/shared/channels.ts';
import { dispatchCommand, type CommandResult } from '../core/api/dispatch.ts';

/** The parts of Electron's IPC objects the shell uses: injectable, so they are testable. */
export interface SenderFrame {
  url: string;
  parent: unknown;
}

export interface IpcMainLike {
  handle(
    channel: string,
    handler: (event: { senderFrame: SenderFrame | null }, ...args: unknown[]) => Promise<unknown>,
  ): void;
  removeHandler(channel: string): void;
}

export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/**
 * Only our own page, in the top frame, may call: a frame or a page navigated elsewhere gets a
 * refusal. `pageUrl` is the renderer's index.html as loaded from disk.
 */
export function isTrustedSender(frame: SenderFrame | null, pageUrl: string): boolean {
  if (frame === null || frame.parent !== null) return false;
  const url = frame.url.split('#')[0]?.split('?')[0];
  return url === pageUrl;
}

const refused: CommandResult = {
  ok: false,
  failure: { kind: 'not-available', message: 'Refused: this page is not taskdrop’s own window.' },
};

export function registerCommandHandler(
  ipcMain: IpcMainLike,
  api: TaskdropApi,
  pageUrl: string,
): () => void {
  ipcMain.handle(commandChannel, async (event, name, args) =>
    isTrustedSender(event.senderFrame, pageUrl) ? dispatchCommand(api, name, args) : refused,
  );
  return () => ipcMain.removeHandler(commandChannel);
}

/** Every event of the contract goes to each open window of ours. */
export function forwardEvents(api: TaskdropApi, windows: () => WebContentsLike[]): () => void {
  const stops = eventNames.map((event) =>
    api.on(event, (payload) => {
      for (const contents of windows()) {
        if (!contents.isDestroyed()) contents.send(eventChannel, event, payload);
      }
    }),
  );
  return () => {
    for (const stop of stops) stop();
  };
}
