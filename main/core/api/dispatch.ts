import {
  commandNames,
  type CommandFailure,
  type CommandName,
  type TaskdropCommands,
} from '../../../preload/shared/contract.ts';
import type { ZodType } from 'zod';
import { commandArgs } from '../../../preload/shared/contract-schemas.ts';
import { EngineRequestError } from '../engine/engine.ts';
import { isGraphError, type GraphErrorKind } from '../graph/errors.ts';

export type CommandResult = { ok: true; value: unknown } | { ok: false; failure: CommandFailure };

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && (commandNames as readonly string[]).includes(value);
}

/**
 * Runs one command that arrived over a transport: the name must be in the contract, the
 * arguments must fit its schema, and whatever goes wrong comes back as a failure value with
 * words for the person, never as a crash of the main process.
 */
export async function dispatchCommand(
  api: TaskdropCommands,
  name: unknown,
  args: unknown,
): Promise<CommandResult> {
  if (!isCommandName(name)) {
    return failure('unknown-command', `There is no command "${String(name)}".`);
  }
  return runChecked(api, name, commandArgs[name], args);
}

/** Calls `target[name]` with `args` once `schema` accepts them; a failure value otherwise. */
export async function runChecked<T extends object, K extends keyof T & string>(
  target: T,
  name: K,
  schema: ZodType,
  args: unknown,
): Promise<CommandResult> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    return failure(
      'invalid-request',
      `Invalid arguments for ${name}${where}: ${issue?.message ?? ''}`,
    );
  }
  try {
    const method = target[name] as (...values: unknown[]) => Promise<unknown>;
    return { ok: true, value: await method.apply(target, parsed.data as unknown[]) };
  } catch (error) {
    return failureOf(error);
  }
}

function failure(kind: CommandFailure['kind'], message: string): CommandResult {
  return { ok: false, failure: { kind, message } };
}

/**
 * Errors whose message is written for the person (main/core/auth): a cancelled or failed
 * sign-in, a login host refused. By name, so this module does not load MSAL.
 */
const plainErrorNames = new Set([
  'SignInRequiredError',
  'SignInFailedError',
  'SignInServiceUnavailableError',
  'UntrustedLoginUrlError',
]);

/** What a command's Graph failure means for the person; the codes go to the log. */
const graphFailureWords: Record<GraphErrorKind, string> = {
  transient: 'Microsoft To Do had a temporary problem. Try again in a moment.',
  throttled: 'Microsoft To Do asked taskdrop to slow down. Try again in a minute.',
  'session-gone': 'Microsoft To Do lost track of that request. Try again.',
  'not-found':
    'Microsoft To Do no longer has that list or task (deleted or moved). Reload the lists.',
  auth: 'Microsoft needs you to sign in again: open Settings and choose “Sign in again”.',
  permanent:
    'Microsoft To Do refused that. Try again; if it keeps failing, copy the diagnostics from Settings.',
};

export function failureOf(error: unknown): CommandResult {
  if (error instanceof EngineRequestError) return failure(error.reason, error.message);
  if (isGraphError(error)) {
    console.warn(`taskdrop: a command failed: ${error.message}`);
    return failure('failed', graphFailureWords[error.kind]);
  }
  if (error instanceof Error && plainErrorNames.has(error.name))
    return failure('failed', error.message);
  if (error instanceof RangeError) return failure('invalid-request', error.message);
  console.error('taskdrop: a command failed', error);
  return failure('failed', 'Something went wrong inside taskdrop; the details are in its log.');
}
