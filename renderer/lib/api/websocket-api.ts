import {
  commandNames,
  stagedFilesAtOnce,
  stagedPieceBytes,
  type CommandFailure,
  type EnqueueResult,
  type Refusal,
  type StagedFileStarted,
  type TaskdropApi,
  type TaskdropEvents,
  type TaskTarget,
  type Unsubscribe,
} from '../../../preload/shared/contract.ts';

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
  /** A browser has no paths: the files' bytes travel in pieces, are staged, then queued. */
  enqueueFiles(files: readonly File[], target: TaskTarget): Promise<EnqueueResult>;
}

type Call = (command: string, args: unknown[]) => Promise<unknown>;

function base64(bytes: ArrayBuffer): string {
  let binary = '';
  const view = new Uint8Array(bytes);
  for (let index = 0; index < view.length; index += 0x8000) {
    binary += String.fromCharCode(...view.subarray(index, index + 0x8000));
  }
  return btoa(binary);
}

/**
 * Announces the file, then sends it a piece at a time (each answered before the next goes, so
 * neither side holds more than a piece). Answers its upload handle, or why it was refused.
 */
async function stageFile(call: Call, file: File): Promise<string | Refusal> {
  const started = (await call('stageFile', [
    { name: file.name, size: file.size },
  ])) as StagedFileStarted;
  if (started.uploadId === null) return started.refused;
  const { uploadId } = started;
  for (let offset = 0; offset < file.size; offset += stagedPieceBytes) {
    let piece: ArrayBuffer;
    try {
      piece = await file.slice(offset, offset + stagedPieceBytes).arrayBuffer();
    } catch {
      // The browser could not read it (gone since the drop): the server says it came short.
      return uploadId;
    }
    try {
      await call('stagePiece', [{ uploadId, offset, contentBase64: base64(piece) }]);
    } catch (error) {
      if (!(error instanceof CommandError) || error.kind !== 'invalid-request') throw error;
      return { path: file.name, reason: 'unreadable', message: error.message, jobId: null };
    }
  }
  return uploadId;
}

/** Stages and queues the files, a group at a time (the server holds that many at most). */
async function enqueueFiles(
  call: Call,
  files: readonly File[],
  target: TaskTarget,
): Promise<EnqueueResult> {
  const result: EnqueueResult = { accepted: [], refused: [] };
  for (let start = 0; start < files.length; start += stagedFilesAtOnce) {
    const uploadIds: string[] = [];
    for (const file of files.slice(start, start + stagedFilesAtOnce)) {
      const staged = await stageFile(call, file);
      if (typeof staged === 'string') uploadIds.push(staged);
      else result.refused.push(staged);
    }
    if (uploadIds.length === 0) continue;
    const queued = (await call('enqueueStaged', [{ uploadIds, target }])) as EnqueueResult;
    result.accepted.push(...queued.accepted);
    result.refused.push(...queued.refused);
  }
  return result;
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
    enqueueFiles: (files: readonly File[], target: TaskTarget) => enqueueFiles(call, files, target),
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
