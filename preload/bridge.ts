import type {
  CommandFailure,
  TaskdropApi,
  TaskdropEvents,
  Unsubscribe,
} from './shared/contract.ts';
import { commandNames, eventNames } from './shared/contract.ts';
import { commandChannel, eventChannel } from './shared/channels.ts';

/** The part of Electron's ipcRenderer the bridge uses: injectable, so it is testable. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

type Answer = { ok: true; value: unknown } | { ok: false; failure: CommandFailure };

function isAnswer(value: unknown): value is Answer {
  return typeof value === 'object' && value !== null && 'ok' in value;
}

/**
 * The contract as the page sees it: one function per command and `on` for events. Nothing of
 * Electron reaches the page: no ipcRenderer, no IPC event objects, only payloads.
 */
export function createBridge(ipc: IpcRendererLike): TaskdropApi {
  const bridge: Record<string, unknown> = {};
  for (const name of commandNames) {
    bridge[name] = async (...args: unknown[]): Promise<unknown> => {
      const answer = await ipc.invoke(commandChannel, name, args);
      if (!isAnswer(answer)) throw new Error('taskdrop gave an answer the page cannot read.');
      if (!answer.ok) throw new Error(answer.failure.message);
      return answer.value;
    };
  }
  bridge['on'] = <E extends keyof TaskdropEvents>(
    event: E,
    listener: (payload: TaskdropEvents[E]) => void,
  ): Unsubscribe => {
    if (!(eventNames as readonly string[]).includes(event)) {
      throw new RangeError(`taskdrop has no event "${String(event)}"`);
    }
    const relay = (_event: unknown, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload as TaskdropEvents[E]);
    };
    ipc.on(eventChannel, relay as (event: unknown, ...args: unknown[]) => void);
    return () => {
      ipc.removeListener(eventChannel, relay as (event: unknown, ...args: unknown[]) => void);
    };
  };
  return bridge as unknown as TaskdropApi;
}
