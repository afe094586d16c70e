import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskTarget } from '../../preload/shared/contract.ts';
import type { GraphClient } from '../core/graph/client.ts';
import { isGraphError } from '../core/graph/errors.ts';
import type { TodoTask, TodoTaskList } from '../core/graph/types.ts';
import { decideRetry, type RetryPolicy } from '../core/upload/retry-policy.ts';
import { UsageError, type CliArgs } from './args.ts';
import type { CliContext } from './context.ts';

/** A few quick tries: a connection dropped or a 503 while looking up the task fails nothing. */
const lookupRetry: RetryPolicy = { baseDelayMs: 500, maxDelayMs: 4_000, maxFailuresInARow: 4 };

/**
 * A read (never a write: creating a task twice is worse than failing) tried again on what
 * docs/upload-rules.md rule 5 calls transient, with the same backoff and Retry-After as uploads, a
 * few times at most. `signal` (Ctrl-C) ends the read under way and any wait before the next one.
 */
async function lookUp<T>(
  read: (options: { signal: AbortSignal }) => Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  for (let failures = 1; ; failures += 1) {
    try {
      return await read({ signal });
    } catch (error) {
      if (!isGraphError(error) || failures >= lookupRetry.maxFailuresInARow) throw error;
      const decision = decideRetry(error, failures, lookupRetry);
      if (!decision.retry) throw error;
      await sleep(decision.delayMs, undefined, { signal });
    }
  }
}

function pick<T>(
  items: readonly T[],
  wanted: string,
  id: (item: T) => string,
  name: (item: T) => string,
  kind: string,
  where: string,
): T | undefined {
  const byId = items.find((item) => id(item) === wanted);
  if (byId !== undefined) return byId;
  const lower = wanted.toLowerCase();
  const byName = items.filter((item) => name(item).toLowerCase() === lower);
  if (byName.length > 1) {
    throw new UsageError(
      `${byName.length} ${kind}s ${where} are called “${wanted}”: use its id instead (${byName.map(id).join(', ')}).`,
    );
  }
  return byName[0];
}

export async function resolveList(
  graph: GraphClient,
  wanted: string,
  signal: AbortSignal,
): Promise<TodoTaskList> {
  const lists = await lookUp((options) => graph.listLists(options), signal);
  const list = pick(
    lists,
    wanted,
    (l) => l.id,
    (l) => l.displayName,
    'list',
    'in your account',
  );
  if (list === undefined) {
    const names = lists.map((l) => `“${l.displayName}”`).join(', ');
    throw new UsageError(`No list called “${wanted}”. Your lists: ${names}.`);
  }
  return list;
}

/** --list and --task to a target; --create-task makes the task when no title matches. */
export async function resolveTarget(
  graph: GraphClient,
  accountId: string,
  listWanted: string,
  taskWanted: string,
  createTask: boolean,
  signal: AbortSignal,
): Promise<TaskTarget> {
  const list = await resolveList(graph, listWanted, signal);
  const tasks = await lookUp((options) => graph.listTasks(list.id, options), signal);
  let task: TodoTask | undefined = pick(
    tasks,
    taskWanted,
    (t) => t.id,
    (t) => t.title,
    'task',
    `in “${list.displayName}”`,
  );
  if (task === undefined) {
    if (!createTask) {
      throw new UsageError(
        `No task titled “${taskWanted}” in “${list.displayName}”. Add --create-task to create it.`,
      );
    }
    task = await graph.createTask(list.id, { title: taskWanted }, { signal });
  }
  return {
    accountId,
    listId: list.id,
    taskId: task.id,
    listName: list.displayName,
    taskTitle: task.title,
  };
}

/** The target an upload or a watched folder names with --list and --task (and --create-task). */
export async function targetFromArgs(
  args: CliArgs,
  context: CliContext,
  what: string,
  signal: AbortSignal,
): Promise<TaskTarget> {
  if (args.list === undefined || args.task === undefined) {
    throw new UsageError(`Say where ${what} go: --list <name|id> --task <title|id>.`);
  }
  const { engine, account } = context;
  return resolveTarget(
    engine.graphFor(account.id),
    account.id,
    args.list,
    args.task,
    args.createTask,
    signal,
  );
}
