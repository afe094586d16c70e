import WebSocket from 'ws';
import type { RunningWebServer } from '../../main/web/web-server.ts';

/** A command's answer as it comes over the socket: `{ id, ok, value }` or `{ id, ok, failure }`. */
export type Answer = Record<string, unknown>;

export interface CommandSocket {
  call(command: string, args: unknown): Promise<Answer>;
  events: { event: string; payload: unknown }[];
  /** Resolves with the close code once the server closes it. */
  closed: Promise<number>;
  ws: WebSocket;
  close(): void;
}

/** A socket to `web` speaking its protocol: numbered commands, each answered once, and events. */
export function openCommandSocket(
  web: RunningWebServer,
  options: { secret?: string; origin?: string } = {},
): Promise<CommandSocket> {
  const secret = options.secret ?? new URL(web.url).hash.replace('#secret=', '');
  const ws = new WebSocket(`${web.origin.replace('http', 'ws')}/ws?secret=${secret}`, {
    origin: options.origin ?? web.origin,
  });
  const answers = new Map<number, (value: Answer) => void>();
  const events: { event: string; payload: unknown }[] = [];
  let next = 1;
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as Answer;
    if (typeof message['event'] === 'string')
      events.push({ event: message['event'], payload: message['payload'] });
    else answers.get(message['id'] as number)?.(message);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('open', () =>
      resolve({
        events,
        closed,
        ws,
        close: () => ws.close(),
        call: (command, args) =>
          new Promise((answer) => {
            const id = next;
            next += 1;
            answers.set(id, answer);
            ws.send(JSON.stringify({ id, command, args }));
          }),
      }),
    );
  });
}

/**
 * Stages `bytes` as the renderer does (announce, then pieces of `pieceBytes`); answers the
 * upload handle, or the answer that refused it.
 */
export async function stage(
  socket: CommandSocket,
  name: string,
  bytes: Buffer,
  pieceBytes = 1_048_576,
): Promise<{ uploadId: string } | { refused: Answer }> {
  const started = await socket.call('stageFile', [{ name, size: bytes.length }]);
  const value = started['value'] as { uploadId: string | null } | undefined;
  if (value?.uploadId === null || value === undefined) return { refused: started };
  const { uploadId } = value;
  for (let offset = 0; offset < bytes.length; offset += pieceBytes) {
    const piece = bytes.subarray(offset, offset + pieceBytes).toString('base64');
    const answer = await socket.call('stagePiece', [{ uploadId, offset, contentBase64: piece }]);
    if (answer['ok'] !== true) return { refused: answer };
  }
  return { uploadId };
}

/** Stages every file and queues them in one request; answers that request's answer. */
export async function dropFiles(
  socket: CommandSocket,
  files: readonly { name: string; bytes: Buffer }[],
  target: unknown,
): Promise<Answer> {
  const uploadIds: string[] = [];
  for (const file of files) {
    const staged = await stage(socket, file.name, file.bytes);
    if (!('uploadId' in staged))
      throw new Error(`${file.name} was refused: ${JSON.stringify(staged)}`);
    uploadIds.push(staged.uploadId);
  }
  return socket.call('enqueueStaged', [{ uploadIds, target }]);
}
