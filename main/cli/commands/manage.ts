import type { JobSelection, JobView } from '../../../preload/shared/contract.ts';
import { UsageError, type CliArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { codesOf, formatBytes, percent } from '../format.ts';
import { resolveList } from '../resolve-target.ts';

type Print = (text: string) => void;

export function selection(positionals: readonly string[]): JobSelection {
  if (positionals.length === 1 && positionals[0] === 'all') return { all: true };
  if (positionals.length === 0) throw new UsageError('Name job ids, or "all".');
  const ids = positionals.map((text) => Number(text));
  const bad = positionals.filter(
    (_, index) => !Number.isInteger(ids[index]) || (ids[index] ?? 0) < 1,
  );
  if (bad.length > 0)
    throw new UsageError(`Not a job id: ${bad.join(', ')} (see "taskdrop queue").`);
  return { ids };
}

const verbs = {
  pause: 'paused',
  resume: 'resumed',
  retry: 'queued again',
  cancel: 'cancelled',
  remove: 'removed',
} as const;

/** pause | resume | retry | cancel | remove <id...|all> */
export async function manage(
  command: keyof typeof verbs,
  args: CliArgs,
  context: CliContext,
  print: Print,
): Promise<void> {
  const changed = await context.engine[command](selection(args.positionals));
  print(
    args.json
      ? `${JSON.stringify({ event: command, changed })}\n`
      : `${changed} job(s) ${verbs[command]}.\n`,
  );
}

export async function clearFinished(
  args: CliArgs,
  context: CliContext,
  print: Print,
): Promise<void> {
  const removed = await context.engine.clearFinished();
  print(
    args.json
      ? `${JSON.stringify({ event: 'clear', removed })}\n`
      : `${removed} finished job(s) removed.\n`,
  );
}

export async function showQueue(args: CliArgs, context: CliContext, print: Print): Promise<void> {
  const jobs = await context.engine.listJobs();
  if (args.json) {
    for (const job of jobs) print(`${JSON.stringify(job)}\n`);
    return;
  }
  if (jobs.length === 0) {
    print('The queue is empty.\n');
    return;
  }
  print(
    `${'ID'.padStart(5)}  ${'STATE'.padEnd(13)} ${'DONE'.padStart(4)}  ${'SIZE'.padStart(9)}  FILE → TASK\n`,
  );
  for (const job of jobs) print(`${queueLine(job)}\n`);
}

function queueLine(job: JobView): string {
  const head = `${String(job.id).padStart(5)}  ${job.state.padEnd(13)} ${`${percent(job)}%`.padStart(4)}  ${formatBytes(job.size).padStart(9)}  ${job.fileName} → ${job.target.taskTitle}`;
  return job.problem === null
    ? head
    : `${head}\n${' '.repeat(7)}${job.problem.message}${codesOf(job)}`;
}

export async function showLists(
  args: CliArgs,
  context: CliContext,
  print: Print,
  signal: AbortSignal,
): Promise<void> {
  const lists = await context.engine.graphFor(context.account.id).listLists({ signal });
  for (const list of lists) {
    print(args.json ? `${JSON.stringify(list)}\n` : `${list.displayName}  (${list.id})\n`);
  }
}

export async function showTasks(
  args: CliArgs,
  context: CliContext,
  print: Print,
  signal: AbortSignal,
): Promise<void> {
  const [wanted] = args.positionals;
  if (wanted === undefined) throw new UsageError('Name the list: taskdrop tasks <list>.');
  const graph = context.engine.graphFor(context.account.id);
  const list = await resolveList(graph, wanted, signal);
  for (const task of await graph.listTasks(list.id, { signal })) {
    print(args.json ? `${JSON.stringify(task)}\n` : `${task.title}  (${task.id})\n`);
  }
}
