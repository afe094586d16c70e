import { existsSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import trash from 'trash';
import type { AfterUploadAction, WatchedFolderView } from '../../../preload/shared/contract.ts';
import { afterUploadActions } from '../../../preload/shared/contract.ts';
import type { WatchActivity } from '../../core/watch/types.ts';
import { UsageError, type CliArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { targetFromArgs } from '../resolve-target.ts';

type Print = (text: string) => void;

export interface WatchIo {
  print: Print;
  /** Ctrl-C: `watch run` stops. */
  interrupt: AbortSignal;
  cwd: string;
}

/** `taskdrop watch add|list|remove|run`; answers the exit code. */
export async function watch(args: CliArgs, context: CliContext, io: WatchIo): Promise<number> {
  const [sub, ...rest] = args.positionals;
  switch (sub) {
    case 'add':
      await addFolder(args, rest, context, io);
      return 0;
    case 'list':
      await listFolders(args, context, io.print);
      return 0;
    case 'remove':
      await removeFolder(args, rest, context, io);
      return 0;
    case 'run':
      return runWatching(args, context, io);
    default:
      throw new UsageError('Say what to do: taskdrop watch add|list|remove|run.');
  }
}

async function addFolder(
  args: CliArgs,
  rest: readonly string[],
  context: CliContext,
  io: WatchIo,
): Promise<void> {
  const [folder] = rest;
  if (folder === undefined || rest.length > 1) {
    throw new UsageError('Name one folder: taskdrop watch add <folder> --list … --task ….');
  }
  const target = await targetFromArgs(args, context, 'its files', io.interrupt);
  const { engine } = context;
  const { watch: options } = args;
  const view = await engine.addWatchedFolder({
    path: resolve(io.cwd, folder),
    target,
    include: options.include,
    exclude: options.exclude,
    recursive: options.recursive,
    afterUpload: afterAction(options.after, options.moveTo),
    ...(options.moveTo === undefined ? {} : { moveTo: options.moveTo }),
    poll: options.poll,
    skipAttachedContent: !options.uploadDuplicates,
  });
  if (args.json) {
    io.print(`${JSON.stringify({ event: 'watch-added', folder: view })}\n`);
    return;
  }
  io.print(`Watching folder ${view.id}: ${describeFolder(view)}\n`);
  if (!existsSync(view.path)) {
    io.print(`Note: ${view.path} is not there now; it is watched from when it appears.\n`);
  }
  io.print('Files are picked up while taskdrop runs (the app, or "taskdrop watch run").\n');
}

function afterAction(after: string | undefined, moveTo: string | undefined): AfterUploadAction {
  if (after === undefined) return moveTo === undefined ? 'keep' : 'move';
  const action = afterUploadActions.find((candidate) => candidate === after);
  if (action === undefined)
    throw new UsageError(`--after is keep, move or delete, not "${after}".`);
  if (moveTo !== undefined && action !== 'move') {
    throw new UsageError('--move-to goes with --after move.');
  }
  return action;
}

async function listFolders(args: CliArgs, context: CliContext, print: Print): Promise<void> {
  const folders = await context.engine.listWatchedFolders();
  if (args.json) {
    for (const folder of folders) print(`${JSON.stringify(folder)}\n`);
    return;
  }
  if (folders.length === 0) {
    print('No watched folders. Add one: taskdrop watch add <folder> --list … --task ….\n');
    return;
  }
  for (const folder of folders) print(`${folderBlock(folder)}\n`);
}

async function removeFolder(
  args: CliArgs,
  rest: readonly string[],
  context: CliContext,
  io: WatchIo,
): Promise<void> {
  const [wanted] = rest;
  if (wanted === undefined) throw new UsageError('Name the folder: its id or its path.');
  const folders = await context.engine.listWatchedFolders();
  const byId = /^\d+$/.test(wanted) ? folders.find((f) => f.id === Number(wanted)) : undefined;
  const folder = byId ?? folders.find((f) => f.path === resolve(io.cwd, wanted));
  if (folder === undefined) {
    throw new UsageError(`No watched folder "${wanted}" (see "taskdrop watch list").`);
  }
  await context.engine.removeWatchedFolder(folder.id);
  io.print(
    args.json
      ? `${JSON.stringify({ event: 'watch-removed', id: folder.id, path: folder.path })}\n`
      : `No longer watching ${folder.path}. Its files and queued uploads stay as they are.\n`,
  );
}

/** Watches and uploads until Ctrl-C, printing what happens. */
async function runWatching(args: CliArgs, context: CliContext, io: WatchIo): Promise<number> {
  const { engine } = context;
  const folders = new Map((await engine.listWatchedFolders()).map((f) => [f.id, f]));
  if (folders.size === 0) {
    io.print('No watched folders. Add one: taskdrop watch add <folder> --list … --task ….\n');
    return 1;
  }
  const stopFolders = engine.on('watchedFoldersChanged', (views) => {
    for (const view of views) folders.set(view.id, view);
  });
  const stopActivity = engine.onWatchActivity((event) => {
    io.print(
      args.json
        ? `${JSON.stringify({ event: 'watch', ...event })}\n`
        : `${activityLine(event, folders.get(event.folderId))}\n`,
    );
  });
  try {
    engine.start();
    await engine.startWatching({ trash: (path) => trash(path, { glob: false }) });
    if (!args.json) {
      io.print(`Watching ${folders.size} folder(s). Ctrl-C stops; nothing is lost.\n`);
    }
    if (!io.interrupt.aborted) {
      await new Promise((resolve) =>
        io.interrupt.addEventListener('abort', resolve, { once: true }),
      );
    }
  } finally {
    stopActivity();
    stopFolders();
  }
  return 0;
}

export function activityLine(event: WatchActivity, folder: WatchedFolderView | undefined): string {
  const name = event.kind === 'state' ? event.path : basename(event.path);
  const task = folder === undefined ? 'its task' : `“${folder.target.taskTitle}”`;
  switch (event.kind) {
    case 'queued':
      return `→ ${name} queued for ${task} (job ${event.jobId})`;
    case 'attached':
      return `✓ ${name} attached to ${task}`;
    case 'failed':
      return `✗ ${name}: ${event.why} (job ${event.jobId}; "taskdrop retry ${event.jobId}")`;
    case 'refused':
      return `✗ ${event.why}`;
    case 'skipped':
      return `• ${name} not sent: ${event.why}`;
    case 'moved':
      return `↪ ${name} moved to ${folder === undefined ? event.to : relative(folder.path, event.to)}`;
    case 'deleted':
      return `– ${name} put in the trash`;
    case 'state':
      return event.why === null ? `watching ${name}` : `! ${event.why}`;
    case 'problem':
      return `! ${event.why}`;
  }
}

function describeFolder(folder: WatchedFolderView): string {
  const rules = [
    folder.include.length > 0 ? `only ${folder.include.join(', ')}` : null,
    folder.exclude.length > 0 ? `not ${folder.exclude.join(', ')}` : null,
    folder.recursive ? 'with subfolders' : null,
    folder.poll ? 'polled' : null,
    folder.skipAttachedContent ? null : 'duplicates sent too',
  ].filter((rule) => rule !== null);
  const after =
    folder.afterUpload === 'move'
      ? `then moved into ${folder.moveTo}/`
      : folder.afterUpload === 'delete'
        ? 'then put in the trash'
        : 'then kept where they are';
  const where = `${folder.path} → “${folder.target.taskTitle}” (${folder.target.listName})`;
  return `${where}, ${[...rules, after].join(', ')}`;
}

function folderBlock(folder: WatchedFolderView): string {
  const { status } = folder;
  const counts =
    `${status.filesSeen} seen, ${status.uploaded} uploaded, ${status.queued} queued, ` +
    `${status.waiting} waiting, ${status.failed} failed, ${status.skipped} skipped`;
  const error =
    status.lastError === null
      ? ''
      : `\n      last error (${new Date(status.lastErrorAt ?? 0).toLocaleString()}): ${status.lastError}`;
  const state = status.state === 'stopped' ? 'not running' : status.state;
  return `${String(folder.id).padStart(4)}  ${state}  ${describeFolder(folder)}\n      ${counts}${error}`;
}
