import { z } from 'zod';
import {
  afterUploadActions,
  stagedFilesAtOnce,
  stagedPieceBytes,
  type CommandName,
  type StagingCommandName,
  type StagingCommands,
  type TaskdropCommands,
} from './contract.ts';
import type { Equals, Exact } from './type-equality.ts';

/**
 * The shape of every command's arguments, checked in main before anything runs: a page
 * (or anything else on the other end of a transport) can send any bytes at all.
 */
const id = z.string().min(1).max(1024);
const path = z.string().min(1).max(4096);

const taskTarget = z.strictObject({
  accountId: id,
  listId: id,
  taskId: id,
  listName: z.string().max(1024),
  taskTitle: z.string().max(1024),
});

const selection = z.union([
  z.strictObject({ ids: z.array(z.number().int().positive()).max(100_000) }),
  z.strictObject({ all: z.literal(true) }),
]);

const none = z.tuple([]);

/** A file-name glob: `*.pdf`, `scan-*`; names only, so no separators. */
const glob = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^/\\]+$/, 'a pattern for file names, without / or \\');

const watchedFolderChanges = z
  .strictObject({
    target: taskTarget,
    include: z.array(glob).max(100),
    exclude: z.array(glob).max(100),
    recursive: z.boolean(),
    afterUpload: z.enum(afterUploadActions),
    moveTo: z.string().min(1).max(255),
    poll: z.boolean(),
    paused: z.boolean(),
    skipAttachedContent: z.boolean(),
  })
  .partial();

type ArgsOf<K extends CommandName> = Parameters<TaskdropCommands[K]>;
type StagingArgsOf<K extends StagingCommandName> = Parameters<StagingCommands[K]>;

const commandSchemas = {
  enqueue: z.tuple([
    z.strictObject({ paths: z.array(path).min(1).max(100_000), target: taskTarget }),
  ]),
  listJobs: none,
  summary: none,
  pause: z.tuple([selection]),
  resume: z.tuple([selection]),
  retry: z.tuple([selection]),
  cancel: z.tuple([selection]),
  remove: z.tuple([selection]),
  clearFinished: none,
  retarget: z.tuple([
    z.strictObject({
      ids: z.array(z.number().int().positive()).min(1).max(100_000),
      target: taskTarget,
    }),
  ]),
  listAccounts: none,
  listTaskLists: z.tuple([id]),
  findTasks: z.tuple([
    z.strictObject({
      accountId: id,
      text: z.string().max(500),
      listId: id.optional(),
      includeCompleted: z.boolean().optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
    }),
  ]),
  createTask: z.tuple([
    z.strictObject({ accountId: id, listId: id, title: z.string().trim().min(1).max(255) }),
  ]),
  recentTargets: none,
  refreshTasks: z.tuple([id]),
  showInFolder: z.tuple([z.number().int().positive()]),
  openInToDo: z.tuple([z.number().int().positive()]),
  appInfo: none,
  getSettings: none,
  diagnostics: none,
  checkConnection: z.tuple([id]),
  shortcutStatus: none,
  readClipboard: none,
  pastedText: z.tuple([z.string().max(1_000_000)]),
  enqueuePasted: z.tuple([z.strictObject({ pasteId: id, target: taskTarget })]),
  signIn: none,
  signOut: z.tuple([id]),
  tryDemo: none,
  updateSettings: z.tuple([
    z
      .strictObject({
        maxConcurrentUploads: z.number().int(),
        uploadBudgetMb: z.number().int(),
        startAtLogin: z.boolean(),
        allowWeakTokenStorage: z.boolean(),
        globalShortcut: z.string().min(1).max(100).nullable(),
      })
      .partial(),
  ]),
  listWatchedFolders: none,
  addWatchedFolder: z.tuple([
    watchedFolderChanges
      .extend({ path, target: taskTarget, mustExist: z.boolean().optional() })
      .required({ path: true, target: true }),
  ]),
  updateWatchedFolder: z.tuple([
    z.strictObject({ id: z.number().int().positive(), changes: watchedFolderChanges }),
  ]),
  removeWatchedFolder: z.tuple([z.number().int().positive()]),
  chooseFolder: none,
} satisfies { [K in CommandName]: z.ZodType<ArgsOf<K>> };

/** The arguments each command of the contract takes, exactly (see `Mismatched` below). */
export const commandArgs: { [K in CommandName]: z.ZodType<ArgsOf<K>> } = commandSchemas;

/** Files a browser drops, in pieces (the WebSocket transport only). */
const stagingSchemas = {
  stageFile: z.tuple([
    z.strictObject({
      name: z
        .string()
        .min(1)
        .max(255)
        .regex(/^[^/\\]+$/, 'a file name, not a path')
        .refine((name) => name !== '.' && name !== '..' && !name.includes('\0'), 'a file name'),
      size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    }),
  ]),
  stagePiece: z.tuple([
    z.strictObject({
      uploadId: id,
      offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
      contentBase64: z.string().max(Math.ceil(stagedPieceBytes / 3) * 4),
    }),
  ]),
  enqueueStaged: z.tuple([
    z.strictObject({ uploadIds: z.array(id).min(1).max(stagedFilesAtOnce), target: taskTarget }),
  ]),
} satisfies { [K in StagingCommandName]: z.ZodType<StagingArgsOf<K>> };

export const stagingArgs: { [K in StagingCommandName]: z.ZodType<StagingArgsOf<K>> } =
  stagingSchemas;

/**
 * The schemas and the contract's types, checked both ways at compile time: `z.ZodType<T>` alone
 * only says what a schema accepts fits the type, so a field added to a type (optional or not)
 * would compile and then be refused at run time. `Mismatched` names each command whose schema
 * and arguments differ in any way; it must be `never` (test/shared/contract-types.test.ts
 * shows a drift failing `npm run typecheck`).
 */
type Mismatched<Schemas, Args> = {
  [K in keyof Schemas & keyof Args]: Schemas[K] extends z.ZodType
    ? Equals<z.output<Schemas[K]>, Args[K]> extends true
      ? never
      : K
    : K;
}[keyof Schemas & keyof Args];

type CommandArgsOf = { [K in CommandName]: ArgsOf<K> };
type StagingArgsOfAll = { [K in StagingCommandName]: StagingArgsOf<K> };

export const schemasMatchCommands: Exact<Mismatched<typeof commandSchemas, CommandArgsOf>> = true;
export const schemasMatchStaging: Exact<Mismatched<typeof stagingSchemas, StagingArgsOfAll>> = true;
