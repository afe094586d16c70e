#!/usr/bin/env node
import packageJson from '../../package.json' with { type: 'json' };
import { UntrustedLoginUrlError } from '../core/auth/login-host.ts';
import { SignInFailedError, SignInServiceUnavailableError } from '../core/auth/msal-errors.ts';
import { SignInRequiredError } from '../core/auth/token-provider.ts';
import { UntrustedGraphUrlError } from '../core/graph/trusted-hosts.ts';
import { isGraphError } from '../core/graph/errors.ts';
import { defaultDataDir } from '../core/paths.ts';
import { preferSmallHeap } from '../core/runtime/heap-mode.ts';
import { DataDirInUseError } from '../core/queue/database.ts';
import { errorCodeOf, QueueFileError, queueFileErrorOf } from '../core/queue/queue-file.ts';
import { EngineRequestError } from '../core/engine/engine.ts';
import { parseCli, usage, UsageError, type CliArgs } from './args.ts';
import { login, logout, whoami } from './commands/auth.ts';
import { checkInTheApp, doctor, doctorLive, type DoctorIo } from './commands/doctor.ts';
import { clearFinished, manage, showLists, showQueue, showTasks } from './commands/manage.ts';
import { runQueue, upload, type RunOutcome } from './commands/transfer.ts';
import { watch } from './commands/watch.ts';
import { openContext, SignInNeededError, type CliContext } from './context.ts';
import { terminalSafe } from './format.ts';
import { JsonReporter, LineReporter, TerminalReporter, type Reporter } from './reporters.ts';

export const exitCodes = { ok: 0, failed: 1, usage: 2, signIn: 3, interrupted: 130 } as const;

export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Fires on Ctrl-C / SIGTERM: stop cleanly, the queue resumes on the next run. */
  interrupt: AbortSignal;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  // Names and titles reach people's terminals neutralised; JSON, for scripts, stays exact.
  const complain = (text: string): void =>
    void io.stderr.write(`taskdrop: ${terminalSafe(text)}\n`);
  let args: CliArgs;
  try {
    args = parseCli(argv);
  } catch (error) {
    complain(`${errorText(error)}\n\n${usage}`);
    return exitCodes.usage;
  }
  const json = args.json;
  const print = (text: string): void => void io.stdout.write(json ? text : terminalSafe(text));
  if (args.version) {
    print(`taskdrop ${packageJson.version}\n`);
    return exitCodes.ok;
  }
  if (args.command === 'help') {
    print(`${usage}\n`);
    return exitCodes.ok;
  }
  if (args.command === 'login' || args.command === 'logout' || args.command === 'whoami') {
    return signInCommand(args, io, print, complain);
  }
  // Without --live: about this machine, so it must work when the queue cannot open.
  if (args.command === 'doctor' && !args.live) return doctor(args, doctorIo(io));
  let context: CliContext | undefined;
  try {
    context = await openContext(args, io.env, complain);
    return await dispatch(args, context, io, print);
  } catch (error) {
    if (io.interrupt.aborted) {
      complain('stopped.');
      return exitCodes.interrupted;
    }
    complain(errorText(asQueueError(error, args.dataDir ?? defaultDataDir(io.env))));
    if (args.command === 'doctor' && error instanceof DataDirInUseError) complain(checkInTheApp);
    return exitCodeOf(error);
  } finally {
    await context?.close();
  }
}

/** login, logout, whoami: about the token cache, not the queue. */
async function signInCommand(
  args: CliArgs,
  io: CliIo,
  print: (text: string) => void,
  complain: (text: string) => void,
): Promise<number> {
  const dataDir = args.dataDir ?? defaultDataDir(io.env);
  const authIo = {
    print,
    warn: (text: string): void => void io.stderr.write(terminalSafe(text)),
    env: io.env,
    interrupt: io.interrupt,
  };
  try {
    if (args.command === 'login') return await login(args, dataDir, authIo);
    if (args.command === 'logout') return await logout(args, dataDir, authIo);
    return await whoami(args, dataDir, authIo);
  } catch (error) {
    complain(errorText(error));
    return exitCodeOf(error);
  }
}

async function dispatch(
  args: CliArgs,
  context: CliContext,
  io: CliIo,
  print: (text: string) => void,
): Promise<number> {
  switch (args.command) {
    case 'upload': {
      const reporter = reporterFor(args, io);
      return outcomeCode(await upload(args, context, reporter, io.interrupt), reporter, io);
    }
    case 'run': {
      const reporter = reporterFor(args, io);
      return outcomeCode(await runQueue(context, reporter, io.interrupt), reporter, io);
    }
    case 'queue':
      await showQueue(args, context, print);
      return exitCodes.ok;
    case 'pause':
    case 'resume':
    case 'retry':
    case 'cancel':
    case 'remove':
      await manage(args.command, args, context, print);
      return exitCodes.ok;
    case 'clear':
      await clearFinished(args, context, print);
      return exitCodes.ok;
    case 'lists':
      await showLists(args, context, print, io.interrupt);
      return exitCodes.ok;
    case 'tasks':
      await showTasks(args, context, print, io.interrupt);
      return exitCodes.ok;
    case 'watch':
      return watch(args, context, { print, interrupt: io.interrupt, cwd: process.cwd() });
    case 'doctor':
      return doctorLive(args, context, doctorIo(io));
    case 'help':
      print(`${usage}\n`);
      return exitCodes.ok;
    case 'login':
    case 'logout':
    case 'whoami':
      // Answered before the queue opens (signInCommand), never here.
      return exitCodes.usage;
  }
}

function doctorIo(io: CliIo): DoctorIo {
  return {
    print: (text) => void io.stdout.write(text),
    warn: (text) => void io.stderr.write(text),
    env: io.env,
    interrupt: io.interrupt,
  };
}

function reporterFor(args: CliArgs, io: CliIo): Reporter {
  const write = (text: string): void => void io.stdout.write(text);
  if (args.json) return new JsonReporter(write);
  if (io.stdout.isTTY) return new TerminalReporter(write, () => io.stdout.columns);
  return new LineReporter(write);
}

function outcomeCode(outcome: RunOutcome, reporter: Reporter, io: CliIo): number {
  const { jobs } = outcome;
  if (outcome.interrupted) {
    io.stderr.write(`taskdrop: ${interruptedText(outcome)}\n`);
    return exitCodes.interrupted;
  }
  reporter.finish(jobs);
  if (jobs.some((job) => job.state === 'needs-sign-in')) return exitCodes.signIn;
  if (outcome.refusedCount > 0 || jobs.some((job) => job.state !== 'done')) return exitCodes.failed;
  return exitCodes.ok;
}

/**
 * A queue write the disk refused (SQLite rolled it back), said as such rather than as a stack.
 * Only SQLite's own errors: the queue is the only SQLite file, an OS error may be anything's.
 */
function asQueueError(error: unknown, dataDir: string): unknown {
  if (!errorCodeOf(error).startsWith('SQLITE_')) return error;
  return queueFileErrorOf(error, dataDir) ?? error;
}

/** What Ctrl-C left behind, as it is. */
function interruptedText({ jobs, queuedCount }: RunOutcome): string {
  if (jobs.length === 0) return 'stopped. Nothing was queued or uploaded.';
  return `stopped. ${queuedCount} file(s) stay queued; "taskdrop run" continues where they were.`;
}

function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof UntrustedGraphUrlError)
    return exitCodes.usage;
  if (error instanceof SignInNeededError) return exitCodes.signIn;
  if (error instanceof SignInRequiredError) return exitCodes.signIn;
  if (isGraphError(error) && error.kind === 'auth') return exitCodes.signIn;
  return exitCodes.failed;
}

function errorText(error: unknown): string {
  if (
    error instanceof UsageError ||
    error instanceof SignInNeededError ||
    error instanceof DataDirInUseError ||
    error instanceof QueueFileError ||
    error instanceof EngineRequestError ||
    error instanceof SignInFailedError ||
    error instanceof SignInServiceUnavailableError ||
    error instanceof UntrustedLoginUrlError ||
    error instanceof UntrustedGraphUrlError ||
    isGraphError(error)
  ) {
    return error.message;
  }
  if (error instanceof SignInRequiredError) return `${error.message}\nRun "taskdrop login".`;
  return `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

function installSignals(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(exitCodes.interrupted);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

if (import.meta.main) {
  preferSmallHeap();
  const interrupt = installSignals();
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interrupt,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`taskdrop: ${String(error)}\n`);
      process.exitCode = exitCodes.failed;
    },
  );
}
