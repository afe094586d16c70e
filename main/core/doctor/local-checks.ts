/**
 * `taskdrop doctor`'s local checks: what a bug report needs to know about this machine's
 * taskdrop, each a plain verdict and, when something is wrong, what to do about it.
 */
import Database from 'better-sqlite3';
import { constants, existsSync } from 'node:fs';
import { access, mkdtemp, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface LocalCheck {
  /** A stable id: data-folder, secrets, queue, token-cache, account, disk-space, clock. */
  check: string;
  status: CheckStatus;
  verdict: string;
  /** What to do; null when nothing needs doing. */
  todo: string | null;
}

const ok = (check: string, verdict: string): LocalCheck => ({
  check,
  status: 'ok',
  verdict,
  todo: null,
});

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

function errorCode(error: unknown): string {
  return error instanceof Error && 'code' in error ? String(error.code) : String(error);
}

/** The folder exists (or can be made), taskdrop can write in it, and others cannot. */
export async function checkDataFolder(dataDir: string): Promise<LocalCheck> {
  const check = 'data-folder';
  let mode: number;
  try {
    const info = await stat(dataDir);
    if (!info.isDirectory()) {
      return {
        check,
        status: 'fail',
        verdict: `${dataDir} is not a folder.`,
        todo: 'Move that file away, or choose another folder with --data-dir.',
      };
    }
    mode = info.mode;
  } catch (error) {
    return missingFolder(dataDir, error);
  }
  try {
    // A real write, not access(): a read-only mount or ACL is only seen by trying.
    await rm(await mkdtemp(join(dataDir, '.doctor-')), { recursive: true });
  } catch (error) {
    return {
      check,
      status: 'fail',
      verdict: `taskdrop cannot write in ${dataDir} (${errorCode(error)}): nothing can be queued.`,
      todo: `Give your user write access (chmod u+rwx "${dataDir}"), or use another --data-dir.`,
    };
  }
  if ((mode & 0o022) !== 0) {
    return {
      check,
      status: 'warn',
      verdict: `${dataDir} is writable by other users (mode ${octal(mode)}).`,
      todo: `chmod go-w "${dataDir}" (taskdrop's queue and sign-in live there).`,
    };
  }
  return ok(check, `${dataDir} is there and writable (mode ${octal(mode)}).`);
}

async function missingFolder(dataDir: string, error: unknown): Promise<LocalCheck> {
  const check = 'data-folder';
  if (errorCode(error) !== 'ENOENT') {
    return {
      check,
      status: 'fail',
      verdict: `${dataDir} cannot be read (${errorCode(error)}).`,
      todo: 'Check the path and its permissions, or use another --data-dir.',
    };
  }
  const parent = await nearestFolder(dirname(dataDir));
  try {
    await access(parent, constants.W_OK);
  } catch {
    return {
      check,
      status: 'fail',
      verdict: `${dataDir} does not exist and cannot be made in ${parent}.`,
      todo: 'Create it by hand, or choose another folder with --data-dir.',
    };
  }
  return ok(check, `${dataDir} does not exist yet; taskdrop makes it on first use.`);
}

async function nearestFolder(path: string): Promise<string> {
  for (let current = path, depth = 0; depth < 64; depth += 1) {
    try {
      if ((await stat(current)).isDirectory()) return current;
    } catch {
      // Not there: look one level up.
    }
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
  return path;
}

/** The files holding a sign-in must be readable by their owner alone. */
export async function checkSecretFiles(paths: readonly string[]): Promise<LocalCheck> {
  const check = 'secrets';
  const open: string[] = [];
  for (const path of paths) {
    try {
      if (((await stat(path)).mode & 0o077) !== 0) open.push(path);
    } catch {
      // No such file: nothing to protect.
    }
  }
  if (open.length === 0) return ok(check, 'The sign-in files are readable by you alone.');
  return {
    check,
    status: 'fail',
    verdict: `Other users can read ${open.join(', ')}.`,
    todo: `chmod 600 ${open.map((path) => `"${path}"`).join(' ')}`,
  };
}

/** `PRAGMA integrity_check` on the queue, opened read-only (a damaged file is not touched). */
export function checkQueue(dataDir: string): LocalCheck {
  const check = 'queue';
  const path = join(dataDir, 'queue.sqlite3');
  if (!existsSync(path)) return ok(check, 'No queue yet (nothing queued so far).');
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 200 });
  } catch (error) {
    return damagedQueue(path, error);
  }
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const problems = rows.map((row) => row.integrity_check).filter((text) => text !== 'ok');
    if (problems.length > 0) return damagedQueue(path, new Error(problems.slice(0, 3).join('; ')));
    const jobs = db.prepare('SELECT count(*) AS jobs FROM jobs').get() as { jobs: number };
    return ok(check, `The queue (${path}) is intact: ${jobs.jobs} job(s).`);
  } catch (error) {
    return damagedQueue(path, error);
  } finally {
    db.close();
  }
}

function damagedQueue(path: string, error: unknown): LocalCheck {
  const code = errorCode(error);
  if (code.startsWith('SQLITE_BUSY')) {
    return {
      check: 'queue',
      status: 'warn',
      verdict: 'The queue is in use by a running taskdrop, so it was not checked.',
      todo: 'Quit taskdrop (the app, or a "taskdrop watch run") and run "taskdrop doctor" again.',
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    check: 'queue',
    status: 'fail',
    verdict: `The queue file ${path} is damaged (${detail}).`,
    todo:
      'Quit taskdrop and move the file aside (keep it for the bug report); taskdrop starts an ' +
      'empty queue next time, and the files it held need to be dropped again.',
  };
}

const mb = 1_000_000;

export async function checkDiskSpace(dataDir: string): Promise<LocalCheck> {
  const check = 'disk-space';
  const folder = await nearestFolder(dataDir);
  let free: number;
  try {
    const info = await statfs(folder);
    free = info.bavail * info.bsize;
  } catch (error) {
    return {
      check,
      status: 'warn',
      verdict: `The free space of ${folder} is unknown (${errorCode(error)}).`,
      todo: null,
    };
  }
  const amount = `${Math.floor(free / mb).toLocaleString('en-US')} MB free`;
  if (free < 50 * mb) {
    return {
      check,
      status: 'fail',
      verdict: `${amount} where the queue lives: its writes may fail.`,
      todo: 'Free some disk space.',
    };
  }
  if (free < 500 * mb) {
    return {
      check,
      status: 'warn',
      verdict: `${amount} where the queue lives.`,
      todo: 'Free some disk space soon.',
    };
  }
  return ok(check, `${amount} where the queue lives.`);
}

const minute = 60_000;

/** This machine's clock against the server's `Date`: sign-in tokens are refused when far off. */
export function checkClock(
  serverDate: string | null,
  localNow: number,
  server: string,
): LocalCheck {
  const check = 'clock';
  const serverNow = serverDate === null ? Number.NaN : Date.parse(serverDate);
  if (Number.isNaN(serverNow)) {
    return {
      check,
      status: 'warn',
      verdict: `${server} sent no readable Date, so the clock was not compared.`,
      todo: null,
    };
  }
  // Date has whole seconds: up to a second off is no skew.
  const skew = localNow - serverNow;
  const seconds = Math.round(Math.abs(skew) / 1_000);
  const way = skew > 0 ? 'ahead of' : 'behind';
  if (Math.abs(skew) < 2_000) return ok(check, `The clock agrees with ${server}.`);
  const verdict = `This machine's clock is ${seconds} s ${way} ${server}.`;
  if (Math.abs(skew) < 2 * minute) return ok(check, verdict);
  return {
    check,
    status: Math.abs(skew) < 5 * minute ? 'warn' : 'fail',
    verdict,
    todo: 'Turn on automatic time (NTP): sign-in tokens are refused when the clock is minutes off.',
  };
}

/** One authenticated (or not) request's outcome: the status, and the server's clock. */
export interface ServiceContact {
  status: number | null;
  date: string | null;
  /** Why no answer came (offline, refused connection, timeout). */
  problem: string | null;
}

/** GET one list with the token (or none: any answer, even a 401, carries the server's Date). */
export async function contactService(
  graphUrl: string,
  token: string | null,
  fetchImpl: typeof fetch = fetch,
): Promise<ServiceContact> {
  const url = `${graphUrl.replace(/\/+$/, '')}/me/todo/lists?$top=1`;
  try {
    const response = await fetchImpl(url, {
      headers: token === null ? {} : { Authorization: `Bearer ${token}` },
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
    await response.body?.cancel();
    return { status: response.status, date: response.headers.get('date'), problem: null };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return { status: null, date: null, problem: errorCode(cause) };
  }
}

/** Whether an account got a token and the service took it. */
export function checkAccount(
  label: string,
  token: { ok: true } | { ok: false; message: string },
  contact: ServiceContact | null,
  signInAgain: string,
): LocalCheck {
  const check = 'account';
  if (!token.ok) {
    return {
      check,
      status: 'fail',
      verdict: `${label}: no token (${token.message})`,
      todo: signInAgain,
    };
  }
  if (contact === null || contact.status === 200) {
    return ok(
      check,
      `${label}: ${contact === null ? 'a token is at hand' : 'To Do accepts its token'}.`,
    );
  }
  if (contact.status === null) {
    return {
      check,
      status: 'warn',
      verdict: `${label}: a token is at hand, but To Do could not be reached (${contact.problem ?? 'no answer'}).`,
      todo: 'Check the network connection (and a proxy or firewall), then run this again.',
    };
  }
  return {
    check,
    status: 'fail',
    verdict: `${label}: To Do answered ${contact.status} to its token.`,
    todo: contact.status === 401 || contact.status === 403 ? signInAgain : null,
  };
}
