import {
  commandNames,
  type CommandFailure,
  type EnqueueResult,
  type StagedEnqueueRequest,
  type TaskdropApi,
  type TaskdropEvents,
  type Unsubscribe,
} from '../../../preload/contract.ts';

/** A command that failed on the other side, with words for the person. */
export class CommandError extends Error {
  readonly kind: CommandFailure['kind'];

  constructor(failure: CommandFailure) {
    super(failure.message);
    this.name = 'CommandError';
    this.kind = failure.kind;
  }
}

export interface StagingApi {
  enqueueStaged(request: StagedEnqueueRequest): Promise<EnqueueResult>;
}

export type ConnectionState = 'connected' | 'disconnected';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

type AnyListener = (payload: never) => void;

/**
 * The contract over the local WebSocket (`npm run web`): every command becomes a message with
 * an id, answered once; events arrive as they happen. The page's own address carries the
 * per-run secret in its fragment, which never leaves the browser in a request line.
 */
export function connectWebSocketApi(
  location: Location,
  onConnection: (state: ConnectionState) => void,
): Promise<TaskdropApi & StagingApi> {
  const secret = new URLSearchParams(location.hash.slice(1)).get('secret') ?? '';
  const socket = new WebSocket(`ws://${location.host}/ws?secret=${encodeURIComponent(secret)}`);
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<AnyListener>>();
  let nextId = 1;

  const call = (command: string, args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (socket.readyState !== WebSocket.OPEN) {
        reject(new CommandError({ kind: 'not-available', message: 'taskdrop is not running.' }));
        return;
      }
      const id = nextId;
      nextId += 1;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, command, args }));
    });

  socket.addEventListener('message', (message: MessageEvent<string>) => {
    const data = JSON.parse(message.data) as
      | { id: number; ok: true; value: unknown }
      | { id: number; ok: false; failure: CommandFailure }
      | { event: string; payload: unknown };
    if ('event' in data) {
      for (const listener of listeners.get(data.event) ?? []) {
        (listener as (payload: unknown) => void)(data.payload);
      }
      return;
    }
    const waiting = pending.get(data.id);
    pending.delete(data.id);
    if (data.ok) waiting?.resolve(data.value);
    else waiting?.reject(new CommandError(data.failure));
  });
  socket.addEventListener('close', () => {
    onConnection('disconnected');
    for (const waiting of pending.values()) {
      waiting.reject(new CommandError({ kind: 'not-available', message: 'taskdrop stopped.' }));
    }
    pending.clear();
  });

  const api: Record<string, unknown> = {
    on<E extends keyof TaskdropEvents>(
      event: E,
      listener: (payload: TaskdropEvents[E]) => void,
    ): Unsubscribe {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener as AnyListener);
      return () => set.delete(listener as AnyListener);
    },
    enqueueStaged: (request: StagedEnqueueRequest) => call('enqueueStaged', [request]),
  };
  for (const name of commandNames) api[name] = (...args: unknown[]) => call(name, args);

  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => {
      onConnection('connected');
      resolve(api as unknown as TaskdropApi & StagingApi);
    });
    socket.addEventListener('error', () =>
      reject(new Error('Cannot reach taskdrop: is `npm run web` still running?')),
    );
  });
}
