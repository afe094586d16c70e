import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  eventNames,
  type AppInfo,
  type EnqueueResult,
  type StagedEnqueueRequest,
  type TaskdropApi,
} from '../../preload/contract.ts';
import { stagedEnqueueArgs } from '../../preload/contract-schemas.ts';
import { dispatchCommand, failureOf, type CommandResult } from '../core/api/dispatch.ts';
import { contentSecurityPolicy, serveStatic } from './static-files.ts';

export interface WebServerOptions {
  api: TaskdropApi;
  /** The built renderer (index.html and its assets). */
  staticDir: string;
  /** Where files dropped in a browser are written before they are queued. */
  stageDir: string;
  host?: string;
  port?: number;
}

export interface RunningWebServer {
  /** Open this in a browser: it carries the per-run secret in its fragment. */
  url: string;
  origin: string;
  close(): Promise<void>;
}

const maxMessageBytes = 40 * 1024 * 1024;

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
  if (given === null || given.length !== secret.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(secret));
}

/**
 * The engine and the built renderer on 127.0.0.1, so the UI runs in a plain browser: how it is
 * tested here, and how it runs where Electron cannot. A socket is accepted only from our own
 * page (Origin) presenting this run's secret, so no other page or local program can drive it.
 */
export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const secret = randomBytes(24).toString('base64url');
  const host = options.host ?? '127.0.0.1';
  let origin = '';
  let csp = '';
  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    void serveStatic(options.staticDir, url.pathname, res, csp);
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  http.on('upgrade', (req, socket, head) => {
    if (!accepted(req, origin, secret)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, options));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  origin = `http://${host}:${port}`;
  csp = contentSecurityPolicy(`ws://${host}:${port}`);
  const unsubscribe = eventNames.map((event) =>
    options.api.on(event, (payload) => {
      const message = JSON.stringify({ event, payload });
      for (const client of sockets.clients) client.send(message);
    }),
  );
  return {
    url: `${origin}/#secret=${secret}`,
    origin,
    close: async () => {
      for (const stop of unsubscribe) stop();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function accepted(req: IncomingMessage, origin: string, secret: string): boolean {
  const url = new URL(req.url ?? '/', origin);
  return (
    url.pathname === '/ws' &&
    req.headers.origin === origin &&
    sameSecret(url.searchParams.get('secret'), secret)
  );
}

function serveSocket(ws: WebSocket, options: WebServerOptions): void {
  ws.on('message', (data, isBinary) => {
    const call = isBinary ? null : parseCall(data.toString());
    if (call === null) {
      ws.close(1003, 'not a command');
      return;
    }
    void run(call, options).then((result) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: call.id, ...result }));
    });
  });
}

async function run(call: CallMessage, options: WebServerOptions): Promise<CommandResult> {
  if (call.command === 'enqueueStaged') return enqueueStaged(call.args, options);
  const result = await dispatchCommand(options.api, call.command, call.args);
  if (call.command === 'appInfo' && result.ok) {
    const info = result.value as AppInfo;
    return { ok: true, value: { ...info, transport: 'websocket', dropsCarryPaths: false } };
  }
  return result;
}

/** A browser gives bytes, not paths: they are written under the data dir, then queued. */
async function enqueueStaged(args: unknown, options: WebServerOptions): Promise<CommandResult> {
  const parsed = stagedEnqueueArgs.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      failure: {
        kind: 'invalid-request',
        message: `Invalid dropped files: ${issue?.message ?? ''}`,
      },
    };
  }
  const [request]: [StagedEnqueueRequest] = parsed.data;
  try {
    const folder = join(options.stageDir, randomUUID());
    await mkdir(folder, { recursive: true });
    const paths: string[] = [];
    for (const file of request.files) {
      const path = join(folder, file.name);
      await writeFile(path, Buffer.from(file.contentBase64, 'base64'));
      paths.push(path);
    }
    const value: EnqueueResult = await options.api.enqueue({ paths, target: request.target });
    return { ok: true, value };
  } catch (error) {
    return failureOf(error);
  }
}
