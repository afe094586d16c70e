/**
 * Tolerant reading of Graph JSON. Graph's upload answers drift in key casing (PascalCase on
 * intermediate PUTs) and range format (`"N"`, `"N-"`, `"N-M"`), so every read here accepts the
 * variants docs/graph-todo-api.md documents (§4.3, §9.8) and returns null or [] instead of throwing
 * on surprises.
 */
import type {
  AttachmentInfo,
  ByteRange,
  TodoTask,
  TodoTaskList,
  UploadSessionState,
} from './types.ts';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJsonObject(text: string): JsonObject | null {
  if (text.trim() === '') return null;
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

/** The value under `name`, matched exactly first, then case-insensitively. */
export function field(object: JsonObject, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

export function stringField(object: JsonObject, name: string): string | null {
  const value = field(object, name);
  return typeof value === 'string' ? value : null;
}

function numberField(object: JsonObject, name: string): number | null {
  const value = field(object, name);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  // Int64 values may arrive as strings (IEEE754Compatible); sizes here stay far below 2^53.
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}

function booleanField(object: JsonObject, name: string): boolean | null {
  const value = field(object, name);
  return typeof value === 'boolean' ? value : null;
}

/** `"N"` (Outlook-style bare offset), `"N-"` or `"N-M"`; null for anything else. */
export function parseByteRange(text: string): ByteRange | null {
  const match = /^\s*(\d+)\s*(?:-\s*(\d*)\s*)?$/.exec(text);
  if (match === null) return null;
  const start = Number(match[1]);
  const endText = match[2];
  if (!Number.isSafeInteger(start)) return null;
  if (endText === undefined || endText === '') return { start, end: null };
  const end = Number(endText);
  if (!Number.isSafeInteger(end) || end < start) return null;
  return { start, end };
}

export function parseRanges(value: unknown): ByteRange[] {
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  return items
    .map((item) => (typeof item === 'string' ? parseByteRange(item) : null))
    .filter((range) => range !== null);
}

/** Where the server wants the next byte, or null when it did not say. */
export function nextOffset(ranges: readonly ByteRange[]): number | null {
  return ranges[0]?.start ?? null;
}

/**
 * Milliseconds since the epoch. Graph times are UTC, so a time without an offset is read as UTC.
 */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const hasZone = /(?:Z|[+-]\d\d:?\d\d)$/i.test(text);
  const isIsoDateTime = /^\d{4}-\d\d-\d\dT/.test(text);
  const ms = Date.parse(isIsoDateTime && !hasZone ? `${text}Z` : text);
  return Number.isNaN(ms) ? null : ms;
}

/** GA's example wraps a single entity in `{"value": {...}}`; accept both shapes. */
export function unwrapEntity(object: JsonObject): JsonObject {
  const inner = object['value'];
  return !Object.hasOwn(object, 'id') && isJsonObject(inner) ? inner : object;
}

export function parseTaskList(value: unknown): TodoTaskList | null {
  if (!isJsonObject(value)) return null;
  const id = stringField(value, 'id');
  if (id === null) return null;
  return {
    id,
    displayName: stringField(value, 'displayName') ?? '',
    isOwner: booleanField(value, 'isOwner') ?? true,
    isShared: booleanField(value, 'isShared') ?? false,
    wellknownListName: stringField(value, 'wellknownListName') ?? 'none',
  };
}

export function parseTask(value: unknown): TodoTask | null {
  if (!isJsonObject(value)) return null;
  const id = stringField(value, 'id');
  if (id === null) return null;
  return {
    id,
    title: stringField(value, 'title') ?? '',
    status: stringField(value, 'status') ?? 'notStarted',
    importance: stringField(value, 'importance') ?? 'normal',
    hasAttachments: booleanField(value, 'hasAttachments') ?? false,
    createdDateTime: stringField(value, 'createdDateTime'),
    lastModifiedDateTime: stringField(value, 'lastModifiedDateTime'),
  };
}

/** A session as listed on its task: Graph's attachmentSession carries no file name or size. */
export function parseSessionId(value: unknown): string | null {
  return isJsonObject(value) ? stringField(value, 'id') : null;
}

export function parseAttachment(value: unknown): AttachmentInfo | null {
  if (!isJsonObject(value)) return null;
  const id = stringField(value, 'id');
  if (id === null) return null;
  return {
    id,
    name: stringField(value, 'name') ?? '',
    size: numberField(value, 'size') ?? 0,
    contentType: stringField(value, 'contentType') ?? 'application/octet-stream',
    lastModifiedDateTime: stringField(value, 'lastModifiedDateTime'),
  };
}

export interface CollectionPage {
  items: unknown[];
  nextLink: string | null;
  deltaLink: string | null;
}

export function parseCollectionPage(object: JsonObject): CollectionPage | null {
  const items = field(object, 'value');
  if (!Array.isArray(items)) return null;
  return {
    items,
    nextLink: stringField(object, '@odata.nextLink'),
    deltaLink: stringField(object, '@odata.deltaLink'),
  };
}

/** Delta marks a removal with an `@removed` annotation next to the id. */
export function isRemovedItem(value: unknown): boolean {
  return isJsonObject(value) && field(value, '@removed') !== undefined;
}

export function parseSessionState(object: JsonObject): UploadSessionState {
  return {
    nextExpectedRanges: parseRanges(field(object, 'nextExpectedRanges')),
    expiresAt: parseTimestamp(field(object, 'expirationDateTime')),
  };
}

export interface GraphErrorBody {
  code: string | null;
  message: string | null;
  requestId: string | null;
  clientRequestId: string | null;
}

const innerErrorDepthLimit = 8;

/**
 * `{"error":{"code","message","innerError"|"innererror":{"request-id","client-request-id"}}}`.
 * innerError may nest, so the ids are taken from the first level that has them.
 */
export function parseGraphErrorBody(text: string): GraphErrorBody {
  const empty: GraphErrorBody = {
    code: null,
    message: null,
    requestId: null,
    clientRequestId: null,
  };
  const root = parseJsonObject(text);
  const error = root === null ? undefined : field(root, 'error');
  if (!isJsonObject(error)) return empty;
  const body: GraphErrorBody = {
    ...empty,
    code: stringField(error, 'code'),
    message: stringField(error, 'message'),
  };
  let inner = field(error, 'innerError');
  for (let depth = 0; isJsonObject(inner) && depth < innerErrorDepthLimit; depth += 1) {
    body.requestId ??= stringField(inner, 'request-id');
    body.clientRequestId ??= stringField(inner, 'client-request-id');
    inner = field(inner, 'innerError');
  }
  return body;
}
