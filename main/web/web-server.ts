import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  eventNames,
  stagingCommandNames,
  type AppInfo,
  type StagingCommandName,
  type TaskdropApi,
} from '../../preload/shared/contract.ts';
import { stagingArgs } from '../../preload/shared/contract-schemas.ts';
import {
  dispatchCommand,
  failureOf,
  runChecked,
  type CommandResult,
} from '../core/api/dispatch.ts';
import { createLogger, type Logger } from '../core/logging/logger.ts';
import {
  StagingArea,
  type StagingQueue,
  type StagingSession,
} from '../core/staging/staging-area.ts';
import { RefusalLog } from './refusal-log.ts';
import { contentSecurityPolicy } from '../core/ui/renderer-files.ts';
import { serveStatic } from './static-files.ts';

export interface WebServerOptions {
  api: TaskdropApi & StagingQueue;
  /** The built renderer (index.html and its assets). */
  staticDir: string;
  /** Where files dropped in a browser are written before they are queued. */
  stageDir: string;
  host?: string;
  port?: number;
  /** Where bad requests and broken sockets are written down; memory only without one. */
  log?: Logger;
  /** What a page may leave unread before it counts as stuck (tests make it small). */
  maxUnreadBytes?: number;
}

export interface RunningWebServer {
  /** Open this in a browser: it carries the per-run secret in its fragment. */
  url: string;
  origin: string;
  close(): Promise<void>;
}

/** One piece of a dropped file in base64 (contract: stagedPieceBytes) and its envelope, with room. */
const maxMessageBytes = 2 * 1024 * 1024;
/**
 * What one connection may have sent and not had answered yet (answer not written out): past
 * either, it is not read until answers drain, so a burst waits in its own buffers, not in ours.
 */
const maxCommandsInFlight = 16;
const maxBytesInFlight = 8 * 1024 * 1024;
/** Events a page has not read, at most: past this it is stuck, and its connection is closed. */
const defaultMaxUnreadBytes = 64 * 1024 * 1024;
const badRequestReply = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';
/** What a logged request line may show of itself. */
const shownUrlLength = 200;

interface CallMessage {
  id: number;
  command: string;
  args: unknown;
}

function parseCall(data: string): CallMessage | null {
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value !== 'object' || value === null) return null;
    const { id, command, args } = value as Record<string, unknown>;
    if (typeof id !== 'number' || typeof command !== 'string') return null;
    return { id, command, args };
  } catch {
    return null;
  }
}

function sameSecret(given: string | null, secret: string): boolean {
  if (given === null) return false;
  // Compared as bytes: a string of the same length may be longer in UTF-8 (timingSafeEqual throws).
  const bytes = Buffer.from(given);
  const expected = Buffer.from(secret);
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

/** The request's URL; null when it or its path is malformed (`GET /%`). */
function parseTarget(req: IncomingMessage, origin: string): { url: URL } | null {
  try {
    const url = new URL(req.url ?? '/', origin);
    decodeURIComponent(url.pathname);
    return { url };
  } catch {
    return null;
  }
}

/** What the log says of a request: never all of it (its query may carry the secret). */
function requestFields(req: IncomingMessage): Record<string, unknown> {
  return { method: req.method, url: (req.url ?? '').slice(0, shownUrlLength) };
}

const errorFields = (error: Error): Record<string, unknown> => ({
  error: error.message,
  code: (error as { code?: unknown }).code,
});

/**
 * The engine and the built renderer on 127.0.0.1, so the UI runs in a plain browser: how it is
 * tested here, and how it runs where Electron cannot. A socket is accepted only from our own
 * page (Origin) presenting this run's secret, so no other page or local program can drive it.
 * Whatever arrives malformed is refused and written down, and the server goes on.
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const secret = randomBytes(24).toString('base64url');
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? createLogger();
  const maxUnread = options.maxUnreadBytes ?? defaultMaxUnreadBytes;
  const refusals = new RefusalLog(log);
  const staging = await StagingArea.open({ dir: options.stageDir, queue: options.api, log });
  let origin = '';
  let csp = '';
  const http = createServer((req, res) => {
    const target = parseTarget(req, origin);
    if (target === null) {
      refusals.refused('bad request refused', requestFields(req));
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Bad request');
      return;
    }
    serveStatic(options.staticDir, target.url.pathname, res, csp).catch((error: unknown) => {
      log.error('a file of the UI could not be served', {
        ...requestFields(req),
        error: String(error),
      });
      res.destroy();
    });
  });
  http.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code !== 'ECONNRESET')
      refusals.refused('malformed request refused', errorFields(error));
    if (socket.writable) socket.end(badRequestReply);
    else socket.destroy();
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  sockets.on('wsClientError', (error, socket, req) => {
    refusals.refused('bad WebSocket handshake refused', {
      ...requestFields(req),
      ...errorFields(error),
    });
    socket.end(badRequestReply);
  });
  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', (error) => log.debug('a socket failed', errorFields(error)));
    const target = parseTarget(req, origin);
    if (target === null) {
      refusals.refused('bad request refused', requestFields(req));
      socket.end(badRequestReply);
      return;
    }
    if (!accepted(req, target, origin, secret)) {
      refusals.refused('WebSocket refused: not our page, or not this run’s secret', {
        path: target.url.pathname.slice(0, shownUrlLength),
        origin: String(req.headers.origin ?? '').slice(0, shownUrlLength),
      });
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) =>
      serveSocket(ws, options.api, staging.session(), refusals),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    staging.close();
    throw error;
  }
  const { port } = http.address() as AddressInfo;
  origin = `http://${host}:${port}`;
  csp = contentSecurityPolicy(`ws://${host}:${port}`);
  const unsubscribe = eventNames.map((event) =>
    options.api.on(event, (payload) => {
      const message = JSON.stringify({ event, payload });
      for (const client of sockets.clients) sendEvent(client, message, maxUnread, log);
    }),
  );
  return {
    url: `${origin}/#secret=${secret}`,
    origin,
    close: async () => {
      for (const stop of unsubscribe) stop();
      staging.close();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function accepted(
  req: IncomingMessage,
  { url }: { url: URL },
  origin: string,
  secret: string,
): boolean {
  return (
    url.pathname === '/ws' &&
    req.headers.origin === origin &&
    sameSecret(url.searchParams.get('secret'), secret)
  );
}

function sendEvent(client: WebSocket, message: string, maxUnread: number, log: Logger): void {
  if (client.readyState !== client.OPEN) return;
  if (client.bufferedAmount > maxUnread) {
    log.warn('a page stopped reading; its connection was closed', {
      unreadBytes: client.bufferedAmount,
    });
    client.terminate();
    return;
  }
  client.send(message);
}

const sizeOf = (data: RawData): number =>
  Array.isArray(data)
    ? data.reduce((sum, part) => sum + part.length, 0)
    : (data as Buffer | ArrayBuffer).byteLength;

interface Message {
  data: RawData;
  isBinary: boolean;
  size: number;
}

/**
 * Runs one connection's commands a few at a time (see maxCommandsInFlight). Past that it stops
 * reading the connection; what one read had already brought waits here for its turn.
 */
class CommandFlow {
  readonly #ws: WebSocket;
  readonly #handle: (message: Message) => Promise<void>;
  readonly #waiting: Message[] = [];
  #running = 0;
  #bytes = 0;

  constructor(ws: WebSocket, handle: (message: Message) => Promise<void>) {
    this.#ws = ws;
    this.#handle = handle;
  }

  push(data: RawData, isBinary: boolean): void {
    const size = sizeOf(data);
    this.#waiting.push({ data, isBinary, size });
    this.#bytes += size;
    this.#next();
  }

  #next(): void {
    for (
      let message = this.#waiting[0];
      message !== undefined && this.#running < maxCommandsInFlight;
      message = this.#waiting[0]
    ) {
      this.#waiting.shift();
      this.#running += 1;
      void this.#handle(message).finally(() => {
        this.#running -= 1;
        this.#bytes -= message.size;
        this.#next();
      });
    }
    const full = this.#waiting.length > 0 || this.#bytes >= maxBytesInFlight;
    if (full && !this.#ws.isPaused) this.#ws.pause();
    else if (!full && this.#ws.isPaused) this.#ws.resume();
  }
}

function serveSocket(
  ws: WebSocket,
  api: TaskdropApi,
  session: StagingSession,
  refusals: RefusalLog,
): void {
  ws.on('error', (error) =>
    refusals.refused('a WebSocket broke the protocol and was closed', errorFields(error)),
  );
  ws.on('close', () => void session.close());
  const flow = new CommandFlow(ws, async ({ data, isBinary, size }) => {
    const call = isBinary ? null : parseCall(data.toString());
    if (call === null) {
      refusals.refused('a WebSocket sent something not a command and was closed', { bytes: size });
      ws.close(1003, 'not a command');
      return;
    }
    const result = await run(call, api, session).catch((error: unknown) => failureOf(error));
    if (ws.readyState !== ws.OPEN) return;
    // Done once the answer is written out: one the page does not read counts as in flight.
    await new Promise((resolve) => ws.send(JSON.stringify({ id: call.id, ...result }), resolve));
  });
  ws.on('message', (data, isBinary) => flow.push(data, isBinary));
}

const isStagingCommand = (name: string): name is StagingCommandName =>
  (stagingCommandNames as readonly string[]).includes(name);

async function run(
  call: CallMessage,
  api: TaskdropApi,
  session: StagingSession,
): Promise<CommandResult> {
  if (isStagingCommand(call.command)) {
    return runChecked(session, call.command, stagingArgs[call.command], call.args);
  }
  const result = await dispatchCommand(api, call.command, call.args);
  if (call.command === 'appInfo' && result.ok) {
    const info = result.value as AppInfo;
    return { ok: true, value: { ...info, transport: 'websocket', dropsCarryPaths: false } };
  }
  return result;
}
