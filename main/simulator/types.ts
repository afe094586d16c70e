import type { IdentityOptions } from './identity/types.ts';
import type { VariantName } from './variants.ts';

/**
 * The simulator's public shapes: options, fault rules and what the inspection API returns.
 * Tests and tools import these; the routes serve them as JSON under /_sim.
 */

/** Named Graph operations, the unit that fault rules, counters and the request log speak in. */
export const operations = [
  'listLists',
  'createList',
  'getList',
  'listDelta',
  'listTasks',
  'taskDelta',
  'createTask',
  'getTask',
  'updateTask',
  'deleteTask',
  'listAttachments',
  'createAttachment',
  'getAttachment',
  'getAttachmentValue',
  'deleteAttachment',
  'createUploadSession',
  'listUploadSessions',
  'getUploadSession',
  'deleteUploadSession',
  'uploadContent',
] as const;
export type Operation = (typeof operations)[number];

export type FaultAction =
  /** Answer with this status and a Graph error body instead of doing the work. */
  | { type: 'status'; status: number; retryAfter?: string; code?: string }
  /** Read (part of) the body, commit nothing, destroy the connection without an answer. */
  | { type: 'drop-before-commit' }
  /** Do the work (commit the range), then destroy the connection without an answer. */
  | { type: 'drop-after-commit' }
  /** Final upload range: answer 201 without a Location header. */
  | { type: 'omit-location' }
  /** Final upload range: send the header as `location`. */
  | { type: 'lowercase-location' }
  /** Expire the presented access token now: this and later calls with it get 401. */
  | { type: 'expire-token' }
  /** Wait this long before handling the request (a stalled server). */
  | { type: 'delay'; ms: number };

export interface FaultRuleInput {
  /** The operation to match, or '*' for every Graph request. */
  operation: Operation | '*';
  /**
   * Fire on the Nth matching request (1-based), counted from when the rule was added. Default 1.
   */
  nth?: number;
  /** How many consecutive matching requests fire, starting at the Nth. Default 1; 0 = forever. */
  times?: number;
  /**
   * The chance (0–1] that a matching request in that span fires, drawn from the simulator's
   * seeded random (`faultSeed`), so a run that injects faults at random replays. Default 1.
   */
  chance?: number;
  action: FaultAction;
}

export interface FaultRule extends Required<FaultRuleInput> {
  id: string;
  seen: number;
  fired: number;
}

export interface MailboxLimits {
  /** Concurrent requests per user; the next one gets 429. Graph/Outlook: 4. */
  maxConcurrentRequests: number;
  /** Requests per user per rolling window. Outlook: 10,000 per 10 minutes. */
  maxRequestsPerWindow: number;
  requestWindowMs: number;
  /** PUT/POST/PATCH body bytes per user per rolling window. Outlook: 150 MB per 5 minutes. */
  maxUploadBytesPerWindow: number;
  uploadWindowMs: number;
}

/**
 * How a refusal whose real status or code is undocumented is answered (docs/graph-todo-api.md §12,
 * the simulator checklist).
 */
export interface Refusal {
  status: number;
  code: string;
}

export interface UploadRules {
  /** Lifetime of an upload session (the real one is undocumented). */
  sessionLifetimeMs: number;
  /** Largest accepted PUT body; larger gets 413. */
  maxChunkBytes: number;
  /** Largest attachment; createUploadSession above it gets 400. */
  maxAttachmentBytes: number;
  /** Raw size at or above which a base64 POST is refused (the docs say "under 3 MB"). */
  smallAttachmentLimitBytes: number;
  /** Largest request body Graph reads at all; larger gets 413. */
  requestBodyCapBytes: number;
  /** Status of a successful createUploadSession: the docs disagree (200 vs 201). */
  createSessionStatus: 200 | 201;
  /** Reproduce Outlook's refusal of sessions for small files (not documented for To Do). */
  minSessionBytes: number;
  /** createUploadSession with a size above maxAttachmentBytes. */
  sessionTooLarge: Refusal;
  /** A base64 POST of smallAttachmentLimitBytes or more. */
  smallAttachmentTooLarge: Refusal;
  /** A range that does not start at the next expected offset; the session stays as it was. */
  rangeOutOfOrder: Refusal;
  /** Every call on a session once it has expired. */
  sessionExpired: Refusal;
  /**
   * `GET {uploadUrl}`: null answers the session's state, else this refusal (docs/graph-unknowns.md
   * §1).
   */
  sessionGetRefusal: Refusal | null;
  /** `GET …/attachmentSessions`: null lists the live sessions, else this refusal. */
  sessionListRefusal: Refusal | null;
  /** Key casing of an intermediate PUT answer (docs/graph-unknowns.md §4). */
  intermediateCasing: 'pascal' | 'camel';
  /** A POST with empty `contentBytes`: null stores an empty attachment, else this refusal. */
  emptyInlineRefusal: Refusal | null;
}

/** How the mailbox limits' 429s are answered (docs/graph-unknowns.md §3). */
export interface ThrottleRules {
  /** `error.code` of the 429 body. */
  code: string;
  /** Whether a 429 carries `Retry-After`. */
  retryAfter: boolean;
}

export interface PagingRules {
  /** Page size when the client sends no $top. */
  defaultPageSize: number;
  /** Largest $top honoured. */
  maxPageSize: number;
  /** Reproduce Graph issue #14347: /lists without $top returns one page and no nextLink. */
  listsNextLinkOnlyWithTop: boolean;
}

export interface SimulatorOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  host?: string;
  /** Keep state in this folder (survives a restart) instead of memory. */
  dataDir?: string;
  /** Demo content (default) or nothing but the two built-in lists. */
  seed?: 'demo' | 'empty';
  limits?: Partial<MailboxLimits>;
  upload?: Partial<UploadRules>;
  paging?: Partial<PagingRules>;
  throttle?: Partial<ThrottleRules>;
  /**
   * Service variants (docs/simulator-variants.md): behaviours the real service may have, applied
   * over the defaults; `upload`, `paging` and `throttle` given here still win over them.
   */
  variants?: readonly VariantName[];
  /** Lifetime of tokens from the test-token route. */
  tokenLifetimeMs?: number;
  /** The identity endpoints: access-token lifetime, device-code polling, known client ids. */
  identity?: Partial<IdentityOptions>;
  /** Serve the /_sim inspection and control routes (tests, demo tools). Default true. */
  inspection?: boolean;
  /** Keep attachment bytes (for $value); off keeps only size and SHA-256 (benchmarks). */
  retainBytes?: boolean;
  /** Time source; the control API can move it forward. Default: the system clock. */
  now?: () => number;
  /** Seed of the draws for fault rules with a `chance`. Default 1. */
  faultSeed?: number;
  /**
   * Serve https with this certificate and key (PEM) instead of http: for clients that only
   * send a token to an https host, such as the Graph SDK.
   */
  tls?: { cert: string; key: string };
}

export interface StoredAttachmentInfo {
  userId: string;
  listId: string;
  taskId: string;
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  lastModifiedDateTime: string;
  via: 'post' | 'session';
}

export interface LiveSessionInfo {
  id: string;
  userId: string;
  listId: string;
  taskId: string;
  name: string;
  size: number;
  nextOffset: number;
  expirationDateTime: string;
  expired: boolean;
}

export type ThrottleReason = 'concurrency' | 'requests' | 'volume' | 'injected';

export interface Counters {
  requests: number;
  byOperation: Partial<Record<Operation, number>>;
  byStatus: Record<string, number>;
  throttled: Record<ThrottleReason, number>;
  faultsFired: number;
  /** Body bytes received on Graph routes (all of them, committed or not). */
  bytesReceived: number;
  /** Upload bytes that became part of a session or attachment. */
  bytesCommitted: number;
  /** Highest number of concurrent requests seen per user. */
  peakConcurrency: number;
}

export interface RequestLogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  operation: Operation | null;
  userId: string | null;
  status: number;
  requestId: string;
  clientRequestId: string | null;
  bodyBytes: number;
  contentRange: string | null;
  /** 'dropped' when the connection was cut on purpose; the reason of a 429. */
  note: string | null;
}

export interface IssuedToken {
  accessToken: string;
  userId: string;
  expiresOn: string;
}

export interface UserInfo {
  id: string;
  userPrincipalName: string;
  displayName: string;
}
