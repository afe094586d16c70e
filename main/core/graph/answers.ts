/**
 * Reading an answer as what its call promised, or an invalid-response GraphError: one entity,
 * one object, or a collection followed page by page through `@odata.nextLink`.
 */
import { invalidResponseError } from './errors.ts';
import {
  isRemovedItem,
  parseCollectionPage,
  parseJsonObject,
  parseTask,
  unwrapEntity,
  type CollectionPage,
  type JsonObject,
} from './parse.ts';
import type { GraphAnswer, GraphTransport } from './transport.ts';
import type { GraphOperation, TaskDelta } from './types.ts';

/** A server that keeps sending nextLinks (or the same one) must not keep us paging forever. */
const maxPages = 1000;
/** For failures that belong to a whole paging round rather than one response. */
export const noAnswer = { status: null, requestId: null, clientRequestId: null };

export function readObject(operation: GraphOperation, answer: GraphAnswer): JsonObject {
  const body = parseJsonObject(answer.bodyText);
  if (body === null) throw invalidResponseError(operation, 'the body is not a JSON object', answer);
  return body;
}

export function readEntity<T>(
  operation: GraphOperation,
  answer: GraphAnswer,
  parse: (value: unknown) => T | null,
): T {
  const entity = parse(unwrapEntity(readObject(operation, answer)));
  if (entity === null) throw invalidResponseError(operation, 'the entity has no id', answer);
  return entity;
}

export function addDeltaItems(
  delta: Omit<TaskDelta, 'deltaLink'>,
  items: readonly unknown[],
): void {
  for (const value of items) {
    const task = parseTask(value);
    if (task === null) continue;
    if (isRemovedItem(value)) delta.removedIds.push(task.id);
    else delta.changed.push(task);
  }
}

/** Follows `@odata.nextLink` verbatim until it is absent or a deltaLink ends the round. */
export async function* pages(
  transport: GraphTransport,
  operation: GraphOperation,
  firstUrl: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<CollectionPage> {
  let url: string | null = firstUrl;
  for (let count = 0; url !== null; count += 1) {
    if (count === maxPages) {
      throw invalidResponseError(operation, `more than ${maxPages} pages`, noAnswer);
    }
    const answer = await transport.send({ operation, method: 'GET', url, signal });
    const page = parseCollectionPage(readObject(operation, answer));
    if (page === null) throw invalidResponseError(operation, 'no "value" array', answer);
    yield page;
    url = page.deltaLink === null ? page.nextLink : null;
  }
}

/** Every item of every page; an item without an id cannot be addressed, so it is skipped. */
export async function collect<T>(
  transport: GraphTransport,
  operation: GraphOperation,
  firstUrl: string,
  parseItem: (value: unknown) => T | null,
  signal: AbortSignal | undefined,
): Promise<T[]> {
  const items: T[] = [];
  for await (const page of pages(transport, operation, firstUrl, signal)) {
    for (const value of page.items) {
      const item = parseItem(value);
      if (item !== null) items.push(item);
    }
  }
  return items;
}
