import type { IncomingMessage } from 'node:http';
import type { BodyRead } from './body.ts';
import type { GraphErrorReply } from './errors.ts';
import type { UserRecord } from './model.ts';
import type { GraphRoute } from './router.ts';
import type { SimStore } from './store.ts';
import type { SimClock } from './clock.ts';
import type { PagingRules, UploadRules } from './types.ts';

export type Reply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'bytes'; status: number; body: Buffer; contentType: string }
  | { kind: 'empty'; status: number; headers?: Record<string, string> }
  | { kind: 'error'; error: GraphErrorReply }
  /** Cut the connection without an answer (injected faults). */
  | { kind: 'drop' };

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply =>
  headers === undefined ? { kind: 'json', status, body } : { kind: 'json', status, body, headers };

export const empty = (status: number, headers?: Record<string, string>): Reply =>
  headers === undefined ? { kind: 'empty', status } : { kind: 'empty', status, headers };

export const fail = (error: GraphErrorReply): Reply => ({ kind: 'error', error });

/** Injected behaviour a handler must apply itself (the rest is applied around it). */
export interface HandlerFaults {
  dropBeforeCommit: boolean;
  dropAfterCommit: boolean;
  omitLocation: boolean;
  lowercaseLocation: boolean;
}

export interface GraphContext {
  route: GraphRoute;
  user: UserRecord;
  req: IncomingMessage;
  url: URL;
  /** `http://host:port` as the client addressed us, so links work through a proxy too. */
  origin: string;
  store: SimStore;
  clock: SimClock;
  upload: UploadRules;
  paging: PagingRules;
  faults: HandlerFaults;
  /** Reads the body, capped at what Graph accepts for this operation. */
  readBody: () => Promise<BodyRead>;
  /** Counts upload bytes that became part of a session or attachment. */
  noteCommitted: (bytes: number) => void;
}

export type Handler = (ctx: GraphContext) => Reply | Promise<Reply>;
