import { parseArgs } from 'node:util';
import { microsoftGraphUrl } from '../core/graph/trusted-hosts.ts';

export const commandNames = [
  'upload',
  'run',
  'queue',
  'pause',
  'resume',
  'retry',
  'cancel',
  'remove',
  'clear',
  'lists',
  'tasks',
  'login',
  'logout',
  'whoami',
  'watch',
  'doctor',
  'help',
] as const;
export type CommandName = (typeof commandNames)[number];

export interface CliArgs {
  command: CommandName;
  positionals: string[];
  dataDir: string | undefined;
  graphUrl: string | undefined;
  demo: boolean;
  json: boolean;
  list: string | undefined;
  task: string | undefined;
  createTask: boolean;
  version: boolean;
  /** Which signed-in Microsoft account (id or sign-in name), when there are several. */
  account: string | undefined;
  clientId: string | undefined;
  plaintextTokenCache: boolean;
  /** doctor: check the service itself, not only this machine. */
  live: boolean;
  watch: WatchFolderArgs;
}

/** `taskdrop watch add`'s settings for the folder. */
export interface WatchFolderArgs {
  include: string[];
  exclude: string[];
  recursive: boolean;
  after: string | undefined;
  moveTo: string | undefined;
  poll: boolean;
  uploadDuplicates: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const usage = `taskdrop — attach files to Microsoft To Do tasks, reliably

Usage:
  taskdrop upload <files...> --list <name|id> --task <title|id> [--create-task]
  taskdrop run                      upload everything queued, then exit
  taskdrop queue                    show the queue
  taskdrop pause|resume|retry|cancel|remove <id...|all>
  taskdrop clear                    remove finished jobs (done, cancelled) from the queue
  taskdrop lists                    your To Do lists
  taskdrop tasks <list>             the tasks of a list
  taskdrop login                    sign in with Microsoft (prints a code to enter in a browser)
  taskdrop logout [account|all]     sign out; that account's queued files wait for its return
  taskdrop whoami                   the Microsoft accounts signed in
  taskdrop watch add <folder> --list <name|id> --task <title|id> [--create-task]
        [--include GLOB]... [--exclude GLOB]... [--recursive] [--after keep|move|delete]
        [--move-to NAME] [--poll] [--upload-duplicates]
                                    attach what lands in the folder to the task, by itself
  taskdrop watch list               the watched folders and how they are doing
  taskdrop watch remove <id|folder> stop watching a folder (its files stay)
  taskdrop watch run                watch and upload until Ctrl-C
  taskdrop doctor [--live]          what a bug report needs: this machine's taskdrop; with
                                    --live also the service (a scratch task, deleted again)

Options:
  --data-dir DIR    where the queue lives (default: the app's data folder, or $TASKDROP_DATA_DIR)
  --graph-url URL   Microsoft Graph root (default ${microsoftGraphUrl})
  --demo            use the built-in Graph simulator (data under the data dir), no account needed
  --json            one JSON object per line, for scripts
  --account ACCOUNT which signed-in account (sign-in name or id), when there are several
  --client-id ID    your app registration's client id (or $TASKDROP_CLIENT_ID; login saves it)
  --plaintext-token-cache
                    login: keep tokens in an unencrypted 0600 file (only without an OS keychain)
  -h, --help        this text
  -v, --version     the version

Without --demo: "taskdrop login" first, or set TASKDROP_ACCESS_TOKEN to a Graph access token
with Tasks.ReadWrite (it takes precedence over signed-in accounts).
Exit codes: 0 all attached · 1 something failed or was refused · 2 usage · 3 sign-in needed · 130 interrupted`;

export function parseCli(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        'graph-url': { type: 'string' },
        demo: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        list: { type: 'string' },
        task: { type: 'string' },
        'create-task': { type: 'boolean', default: false },
        account: { type: 'string' },
        'client-id': { type: 'string' },
        'plaintext-token-cache': { type: 'boolean', default: false },
        live: { type: 'boolean', default: false },
        include: { type: 'string', multiple: true, default: [] },
        exclude: { type: 'string', multiple: true, default: [] },
        recursive: { type: 'boolean', default: false },
        after: { type: 'string' },
        'move-to': { type: 'string' },
        poll: { type: 'boolean', default: false },
        'upload-duplicates': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  const command = values.help || first === undefined ? 'help' : first;
  if (!isCommand(command)) throw new UsageError(`Unknown command "${command}".`);
  return {
    command,
    positionals: rest,
    dataDir: values['data-dir'],
    graphUrl: values['graph-url'],
    demo: values.demo,
    json: values.json,
    list: values.list,
    task: values.task,
    createTask: values['create-task'],
    version: values.version,
    account: values.account,
    clientId: values['client-id'],
    plaintextTokenCache: values['plaintext-token-cache'],
    live: values.live,
    watch: {
      include: values.include,
      exclude: values.exclude,
      recursive: values.recursive,
      after: values.after,
      moveTo: values['move-to'],
      poll: values.poll,
      uploadDuplicates: values['upload-duplicates'],
    },
  };
}

function isCommand(value: string): value is CommandName {
  return (commandNames as readonly string[]).includes(value);
}
