import { z } from 'zod';
import { parseJson } from '../body.ts';
import { badRequest, graphError, notFound } from '../errors.ts';
import type { ListRecord, TaskRecord } from '../model.ts';
import { decodeToken, encodeToken, pageLink, pageSize } from '../paging.ts';
import { empty, fail, json, type GraphContext, type Handler, type Reply } from '../reply.ts';
import { listJson, taskJson } from '../serialize.ts';

const newListBody = z.object({ displayName: z.string().trim().min(1).max(255) });

const taskFields = {
  title: z.string().max(255),
  importance: z.enum(['low', 'normal', 'high']),
  status: z.enum(['notStarted', 'inProgress', 'completed', 'waitingOnOthers', 'deferred']),
  categories: z.array(z.string()),
};
const newTaskBody = z.object({
  ...taskFields,
  title: taskFields.title.trim().min(1),
  body: z.object({ content: z.string() }).optional(),
  importance: taskFields.importance.optional(),
  status: taskFields.status.optional(),
  categories: taskFields.categories.optional(),
});
const taskPatchBody = z.object(taskFields).partial();

function context(ctx: GraphContext, entitySet: string): string {
  return `${ctx.origin}/${ctx.route.version}/$metadata#users('${ctx.user.id}')/todo/${entitySet}`;
}

function linkBase(ctx: GraphContext): string {
  return `${ctx.origin}${ctx.url.pathname}`;
}

async function readJson<T>(ctx: GraphContext, schema: z.ZodType<T>): Promise<T | Reply> {
  const body = await ctx.readBody();
  if (body.kind === 'too-large') {
    return fail(graphError(413, 'RequestEntityTooLarge', 'The request body is too large.'));
  }
  if (body.kind === 'aborted') return { kind: 'drop' };
  const parsed = schema.safeParse(parseJson(body.bytes));
  if (!parsed.success) {
    return fail(
      badRequest(`Invalid request body: ${parsed.error.issues[0]?.message ?? 'bad JSON'}`),
    );
  }
  return parsed.data;
}

const isReply = (value: unknown): value is Reply =>
  typeof value === 'object' && value !== null && 'kind' in value;

function findList(ctx: GraphContext): ListRecord | undefined {
  return ctx.store.list(ctx.user.id, ctx.route.params.listId ?? '');
}

export function findTask(ctx: GraphContext): TaskRecord | undefined {
  const { listId = '', taskId = '' } = ctx.route.params;
  return ctx.store.task(ctx.user.id, listId, taskId);
}

/** One page of a collection, with an opaque nextLink when more remain. */
function page<T>(
  ctx: GraphContext,
  items: T[],
  serialize: (item: T) => Record<string, unknown>,
  entitySet: string,
  { nextLinkOnlyWithTop = false } = {},
): Reply {
  const size = pageSize(ctx.url, ctx.req.headers.prefer, ctx.paging);
  if (!size.ok) return fail(badRequest('$top must be a positive whole number.'));
  const offset = decodeToken(ctx.url.searchParams.get('$skiptoken'))?.['o'] ?? 0;
  const slice = items.slice(offset, offset + size.size);
  const body: Record<string, unknown> = {
    '@odata.context': context(ctx, entitySet),
    value: slice.map(serialize),
  };
  const more = offset + size.size < items.length;
  if (more && (size.explicit || !nextLinkOnlyWithTop)) {
    body['@odata.nextLink'] = pageLink(linkBase(ctx), {
      $top: String(size.size),
      $skiptoken: encodeToken({ o: offset + size.size }),
    });
  }
  return json(200, body);
}

export const listLists: Handler = (ctx) =>
  page(ctx, ctx.store.lists(ctx.user.id), listJson, 'lists', {
    nextLinkOnlyWithTop: ctx.paging.listsNextLinkOnlyWithTop,
  });

export const createList: Handler = async (ctx) => {
  const input = await readJson(ctx, newListBody);
  if (isReply(input)) return input;
  return json(201, listJson(ctx.store.createList(ctx.user.id, input.displayName)));
};

export const getList: Handler = (ctx) => {
  const list = findList(ctx);
  return list === undefined ? fail(notFound('list')) : json(200, listJson(list));
};

export const listTasks: Handler = (ctx) => {
  const list = findList(ctx);
  if (list === undefined) return fail(notFound('list'));
  const filter = taskFilter(ctx.url.searchParams.get('$filter'));
  if (filter === null) return fail(badRequest('This $filter is not supported.'));
  const tasks = ctx.store.tasks(ctx.user.id, list.id).filter(filter);
  return page(ctx, tasks, taskJson, `lists('${list.id}')/tasks`);
};

/**
 * `$filter` on tasks (docs/graph-unknowns.md §5): Graph supports a subset, so the simulator honours
 * the form public clients use (`status eq|ne '…'`) and refuses any other with 400 rather than
 * ignoring it, which would hand a client every task as if they matched.
 */
function taskFilter(text: string | null): ((task: TaskRecord) => boolean) | null {
  if (text === null) return () => true;
  const match = /^\s*status\s+(eq|ne)\s+'(\w+)'\s*$/.exec(text);
  if (match === null) return null;
  const [, operator, status] = match;
  return operator === 'eq' ? (task) => task.status === status : (task) => task.status !== status;
}

/**
 * The `$deltatoken` of a request, or null when there is none. One the simulator never issued is
 * answered 410, as Outlook's delta answers an expired or bad sync state (docs/graph-unknowns.md
 * §5): a silent full resync would hand the client every item as if it had changed.
 */
function deltaSince(ctx: GraphContext): number | null | Reply {
  const text = ctx.url.searchParams.get('$deltatoken');
  if (text === null) return null;
  const since = decodeToken(text)?.['s'];
  if (since === undefined) {
    return fail(graphError(410, 'SyncStateNotFound', 'The sync state is invalid or expired.'));
  }
  return since;
}

export const createTask: Handler = async (ctx) => {
  const list = findList(ctx);
  if (list === undefined) return fail(notFound('list'));
  const input = await readJson(ctx, newTaskBody);
  if (isReply(input)) return input;
  const task = ctx.store.createTask(ctx.user.id, list.id, { ...input, body: input.body?.content });
  return json(201, taskJson(task));
};

export const getTask: Handler = (ctx) => {
  const task = findTask(ctx);
  return task === undefined ? fail(notFound('task')) : json(200, taskJson(task));
};

export const updateTask: Handler = async (ctx) => {
  const task = findTask(ctx);
  if (task === undefined) return fail(notFound('task'));
  const changes = await readJson(ctx, taskPatchBody);
  if (isReply(changes)) return changes;
  return json(200, taskJson(ctx.store.updateTask(task, changes)));
};

export const deleteTask: Handler = (ctx) => {
  const task = findTask(ctx);
  if (task === undefined) return fail(notFound('task'));
  ctx.store.deleteTask(task);
  return empty(204);
};

/**
 * Task delta (docs/graph-todo-api.md §3.1): a round pages through what changed since the last
 * deltaLink; its last page carries a new deltaLink. Tokens pin the round's upper bound, so changes
 * made during a round show up in the next one.
 */
export const taskDelta: Handler = (ctx) => {
  const list = findList(ctx);
  if (list === undefined) return fail(notFound('list'));
  const size = pageSize(ctx.url, ctx.req.headers.prefer, ctx.paging);
  if (!size.ok) return fail(badRequest('$top must be a positive whole number.'));
  const skip = decodeToken(ctx.url.searchParams.get('$skiptoken'));
  const delta = deltaSince(ctx);
  if (isReply(delta)) return delta;
  // Query options go on the first call only (TD): later pages keep its page size.
  const limit = size.explicit ? size.size : (skip?.['t'] ?? size.size);
  const since = skip?.['s'] ?? delta ?? 0;
  const upTo = skip?.['u'] ?? ctx.store.changeSeq;
  // Resume after the last change delivered, not at an offset: a task changed mid-round leaves
  // this round's window, and an offset would then skip the entry behind it.
  const after = skip?.['a'] ?? since;
  const { changed, removed } = ctx.store.delta(ctx.user.id, list.id, after, upTo);
  const entries = [
    ...changed.map((task) => ({ seq: task.changeSeq, json: taskJson(task) })),
    ...(since === 0 ? [] : removed).map((stone) => ({
      seq: stone.changeSeq,
      json: { id: stone.id, '@removed': { reason: 'deleted' } },
    })),
  ].sort((a, b) => a.seq - b.seq);
  const pageEntries = entries.slice(0, limit);
  const body: Record<string, unknown> = {
    '@odata.context': context(ctx, `lists('${list.id}')/tasks`),
    value: pageEntries.map((entry) => entry.json),
  };
  const last = pageEntries.at(-1);
  if (entries.length > limit && last !== undefined) {
    body['@odata.nextLink'] = pageLink(linkBase(ctx), {
      $skiptoken: encodeToken({ s: since, u: upTo, a: last.seq, t: limit }),
    });
  } else {
    body['@odata.deltaLink'] = pageLink(linkBase(ctx), { $deltatoken: encodeToken({ s: upTo }) });
  }
  return json(200, body);
};

/** List delta: every list on the first round, then lists created or changed since. */
export const listDelta: Handler = (ctx) => {
  const delta = deltaSince(ctx);
  if (isReply(delta)) return delta;
  const since = delta ?? 0;
  const upTo = ctx.store.changeSeq;
  const changed = ctx.store
    .lists(ctx.user.id)
    .filter((list) => list.changeSeq > since && list.changeSeq <= upTo);
  return json(200, {
    '@odata.context': context(ctx, 'lists'),
    value: changed.map(listJson),
    '@odata.deltaLink': pageLink(linkBase(ctx), { $deltatoken: encodeToken({ s: upTo }) }),
  });
};
