import {
  connectionReportLines,
  type ConnectionReport,
  type FactFinding,
} from '../../../preload/shared/contract.ts';
import { readAuthSettings } from '../../core/auth/auth-settings.ts';
import { findKeyStore } from '../../core/auth/keychain.ts';
import { accessTokenVariable } from '../../core/auth/token-provider.ts';
import { plaintextCachePath, sealedCachePath } from '../../core/auth/token-store.ts';
import {
  checkAccount,
  checkClock,
  checkDataFolder,
  checkDiskSpace,
  checkQueue,
  checkSecretFiles,
  contactService,
  type LocalCheck,
  type ServiceContact,
} from '../../core/doctor/local-checks.ts';
import { defaultDataDir } from '../../core/paths.ts';
import type { CliArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { microsoftGraphUrl } from '../../core/graph/trusted-hosts.ts';
import { openCliAuth } from './auth.ts';

export interface DoctorIo {
  print: (text: string) => void;
  warn: (text: string) => void;
  env: NodeJS.ProcessEnv;
  interrupt: AbortSignal;
}

const labels: Record<string, string> = {
  'data-folder': 'data folder',
  secrets: 'sign-in files',
  queue: 'queue',
  'token-cache': 'token cache',
  account: 'account',
  'disk-space': 'disk space',
  clock: 'clock',
};
const marks = { ok: '✓', warn: '!', fail: '✗' } as const;

/** `taskdrop doctor`: the local checks, without opening the queue for work (it may be broken). */
export async function doctor(args: CliArgs, io: DoctorIo): Promise<number> {
  const dataDir = args.dataDir ?? defaultDataDir(io.env);
  const graphUrl = args.graphUrl ?? microsoftGraphUrl;
  const checks: LocalCheck[] = [
    await checkDataFolder(dataDir),
    await checkSecretFiles([sealedCachePath(dataDir), plaintextCachePath(dataDir)]),
    checkQueue(dataDir),
  ];
  const accounts = await accountChecks(args, dataDir, graphUrl, io);
  checks.push(...accounts.checks);
  checks.push(await clockCheck(args, graphUrl, accounts.contact), await checkDiskSpace(dataDir));
  for (const check of checks)
    io.print(args.json ? `${JSON.stringify(check)}\n` : `${checkLine(check)}\n`);
  return checks.some((check) => check.status === 'fail') ? 1 : 0;
}

/** Against the first answer the accounts got, or an unauthenticated one (a 401 has a Date too). */
async function clockCheck(
  args: CliArgs,
  graphUrl: string,
  answered: ServiceContact | null,
): Promise<LocalCheck> {
  if (args.demo) {
    return {
      check: 'clock',
      status: 'ok',
      verdict:
        'Demo mode: the simulator keeps this machine’s time, so there is nothing to compare.',
      todo: null,
    };
  }
  const contact = answered ?? (await contactService(graphUrl, null));
  if (contact.status !== null) return checkClock(contact.date, Date.now(), new URL(graphUrl).host);
  return {
    check: 'clock',
    status: 'warn',
    verdict: `${graphUrl} could not be reached (${contact.problem ?? 'no answer'}), so the clock was not compared.`,
    todo: 'Check the network connection, then run this again.',
  };
}

function checkLine(check: LocalCheck): string {
  const todo = check.todo === null ? '' : ` → ${check.todo}`;
  return `${marks[check.status]} ${labels[check.check] ?? check.check}: ${check.verdict}${todo}`;
}

interface AccountFindings {
  checks: LocalCheck[];
  /** The first answer from the service, for the clock. */
  contact: ServiceContact | null;
}

async function accountChecks(
  args: CliArgs,
  dataDir: string,
  graphUrl: string,
  io: DoctorIo,
): Promise<AccountFindings> {
  if (args.demo) {
    return {
      checks: [
        {
          check: 'account',
          status: 'ok',
          verdict: 'Demo mode: the built-in simulator, no sign-in.',
          todo: null,
        },
      ],
      contact: null,
    };
  }
  const envToken = io.env[accessTokenVariable]?.trim() ?? '';
  if (envToken !== '') {
    const contact = await contactService(graphUrl, envToken);
    return {
      checks: [
        {
          check: 'token-cache',
          status: 'ok',
          verdict: `${accessTokenVariable} is set: taskdrop uses that token, not a signed-in account.`,
          todo: null,
        },
        checkAccount(
          `The token in ${accessTokenVariable}`,
          { ok: true },
          contact,
          `Set a fresh token in ${accessTokenVariable}.`,
        ),
      ],
      contact,
    };
  }
  return signedInChecks(args, dataDir, graphUrl, io);
}

async function signedInChecks(
  args: CliArgs,
  dataDir: string,
  graphUrl: string,
  io: DoctorIo,
): Promise<AccountFindings> {
  const checks = [await tokenCacheCheck(dataDir)];
  const auth = await openCliAuth(args, io.env, dataDir, { graphUrl, warn: io.warn });
  const accounts = auth === null ? [] : await auth.accounts.list();
  if (auth === null || accounts.length === 0) {
    checks.push({
      check: 'account',
      status: 'warn',
      verdict: 'No account is signed in.',
      todo: `Run "taskdrop login" (or set ${accessTokenVariable}).`,
    });
    return { checks, contact: null };
  }
  let first: ServiceContact | null = null;
  for (const account of accounts) {
    const again = `Sign in again: taskdrop login --account ${account.label}`;
    try {
      const token = await auth.accounts.tokens.getAccessToken(account.id, { forceRefresh: false });
      const contact = await contactService(account.graphUrl, token);
      first ??= contact;
      checks.push(checkAccount(account.label, { ok: true }, contact, again));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      checks.push(checkAccount(account.label, { ok: false, message }, null, again));
    }
  }
  return { checks, contact: first };
}

async function tokenCacheCheck(dataDir: string): Promise<LocalCheck> {
  const check = 'token-cache';
  if (readAuthSettings(dataDir).tokenStore === 'plaintext-file') {
    return {
      check,
      status: 'warn',
      verdict: `Sign-in is kept UNENCRYPTED in ${plaintextCachePath(dataDir)} (chosen with --plaintext-token-cache).`,
      todo: 'Where an OS keychain exists, "taskdrop logout all" and log in again without that option.',
    };
  }
  const keyStore = await findKeyStore();
  if (keyStore !== null)
    return {
      check,
      status: 'ok',
      verdict: `Sign-in is kept encrypted, its key in ${keyStore.description}.`,
      todo: null,
    };
  return {
    check,
    status: 'warn',
    verdict:
      'No OS keychain answers (secret-tool / macOS keychain): a sign-in cannot be kept encrypted.',
    todo: `Unlock or install a keyring, or use "taskdrop login --plaintext-token-cache", or ${accessTokenVariable}.`,
  };
}

/** For `doctor --live` while the app holds the data folder. */
export const checkInTheApp =
  'The app runs the same check: Settings → About → "Check the connection with To Do".';

/** `taskdrop doctor --live`: the connection check as a table, or JSON lines for a report. */
export async function doctorLive(
  args: CliArgs,
  context: CliContext,
  io: DoctorIo,
): Promise<number> {
  const account = context.account;
  if (!args.json)
    io.print(
      `Checking ${account.graphUrl} as ${account.label} with a scratch task (deleted at the end)…\n`,
    );
  let report: ConnectionReport;
  try {
    report = await context.engine.checkConnection(account.id, { signal: io.interrupt });
  } catch (error) {
    if (!io.interrupt.aborted) throw error;
    io.warn(
      'taskdrop: stopped. What the check made is deleted (or, if it could not be, the next check deletes it).\n',
    );
    return 130;
  }
  if (args.json) io.print(connectionReportLines(report));
  else io.print(reportTable(report));
  for (const leftover of report.leftovers) {
    io.warn(
      `taskdrop: could not delete ${leftover}; the next "taskdrop doctor --live" tries again.\n`,
    );
  }
  return report.leftovers.length > 0 ? 1 : 0;
}

function reportTable(report: ConnectionReport): string {
  const rows = [
    ['fact', 'simulator assumes', 'seen', 'agrees'],
    ...report.findings.map((line) => [line.fact, line.expected, line.seen, agreement(line)]),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const table = rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
  const differing = report.findings.filter((line) => line.agrees === false).length;
  const summary =
    differing === 0
      ? 'The service behaves as the simulator assumes.'
      : `${differing} of ${report.findings.length} facts differ from what the simulator assumes; taskdrop keeps what it saw as this account's service knowledge.`;
  return `\n${table}\n\n${summary}\nTo send this as a report: taskdrop doctor --live --json > doctor.jsonl\n`;
}

function agreement(line: FactFinding): string {
  if (line.agrees === null) return '?';
  return line.agrees ? 'yes' : 'NO';
}
