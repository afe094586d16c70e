import type {
  AccountView,
  QueueSummary,
  Settings,
  WatchedFolderView,
} from '../../../preload/shared/contract.ts';
import { jobStates, watchStates } from '../../../preload/shared/contract.ts';
import type { LogRecord } from './logger.ts';
import { redactText, redactValue } from './redact.ts';

/** What "Copy diagnostics" reports, gathered by the engine. */
export interface DiagnosticsFacts {
  at: number;
  /** taskdrop, Node.js, OS…, and Electron and Chromium in the app. */
  versions: Readonly<Record<string, string>>;
  settings: Settings;
  accounts: readonly AccountView[];
  queue: QueueSummary;
  folders: readonly WatchedFolderView[];
  problems: readonly LogRecord[];
  logFile: string | null;
  /** Written as ~ wherever it appears: a home folder names the person. */
  home: string;
}

/** Recent problems listed, at most. */
export const reportedProblems = 20;

/**
 * A plain-text report to paste into an issue: versions, settings, accounts (a hint of who, no
 * tokens), queue and watched-folder states, the latest problems and where the log is. Secrets
 * are taken out once more over the whole text, whatever the parts did.
 */
export function diagnosticsReport(facts: DiagnosticsFacts): string {
  const sections = [
    [`taskdrop diagnostics, ${new Date(facts.at).toISOString()}`],
    section('Versions', aligned(facts.versions)),
    section('Settings', aligned(plainValues(redactValue(facts.settings)))),
    section('Accounts', accountLines(facts.accounts)),
    section(`Queue (${facts.queue.total} files)`, queueLines(facts.queue)),
    section(`Watched folders (${facts.folders.length})`, folderLines(facts.folders)),
    section(
      `Recent problems (last ${reportedProblems}, oldest first)`,
      problemLines(facts.problems.slice(-reportedProblems)),
    ),
    section('Log file', [facts.logFile ?? 'none: this taskdrop keeps no log file']),
  ];
  const text = sections.map((lines) => lines.join('\n')).join('\n\n');
  return redactText(withoutHome(text, facts.home)) + '\n';
}

/** Who an account is, without saying it: `d***@t***.example`, `D***`. */
export function labelHint(label: string): string {
  const email = /^([^@\s]+)@([^@\s.]+)((?:\.[^@\s.]+)*)$/.exec(label.trim());
  if (email !== null) {
    const [, name = '', domain = '', rest = ''] = email;
    const tld = rest.split('.').at(-1) ?? '';
    return `${name.charAt(0)}***@${domain.charAt(0)}***${tld === '' ? '' : `.${tld}`}`;
  }
  return `${label.trim().charAt(0) || '?'}***`;
}

function section(title: string, lines: readonly string[]): string[] {
  return [title, ...(lines.length === 0 ? ['  none'] : lines.map((line) => `  ${line}`))];
}

function aligned(values: Readonly<Record<string, string>>): string[] {
  const width = Math.max(0, ...Object.keys(values).map((key) => key.length));
  return Object.entries(values).map(([key, value]) => `${`${key}:`.padEnd(width + 2)}${value}`);
}

function plainValues(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      typeof item === 'string' ? item : JSON.stringify(item),
    ]),
  );
}

function accountLines(accounts: readonly AccountView[]): string[] {
  return accounts.map(
    (account) =>
      `${account.kind} account ${labelHint(account.label)}: ${account.signedIn ? 'signed in' : 'needs sign-in'}`,
  );
}

function queueLines(queue: QueueSummary): string[] {
  const states = jobStates
    .filter((state) => queue.byState[state] > 0)
    .map((state) => `${state} ${queue.byState[state]}`);
  return states.length === 0 ? [] : [states.join(', ')];
}

function folderLines(folders: readonly WatchedFolderView[]): string[] {
  if (folders.length === 0) return [];
  const byState = watchStates
    .map((state) => [state, folders.filter((folder) => folder.status.state === state).length])
    .filter(([, count]) => count !== 0)
    .map(([state, count]) => `${state} ${count}`);
  return [
    byState.join(', '),
    ...folders.map(({ id, status, recursive, poll, afterUpload }) => {
      const how = [recursive ? 'recursive' : null, poll ? 'polled' : null, `after: ${afterUpload}`]
        .filter((part) => part !== null)
        .join(', ');
      const counts = `${status.filesSeen} seen, ${status.waiting} waiting, ${status.queued} queued, ${status.uploaded} uploaded, ${status.failed} failed, ${status.skipped} skipped`;
      const error =
        status.lastError === null
          ? ''
          : `; last error${status.lastErrorAt === null ? '' : ` ${new Date(status.lastErrorAt).toISOString()}`}: ${status.lastError}`;
      return `#${id} ${status.state} (${how}): ${counts}${error}`;
    }),
  ];
}

function problemLines(problems: readonly LogRecord[]): string[] {
  return problems.map((record) => {
    const fields =
      Object.keys(record.fields).length === 0 ? '' : ` ${JSON.stringify(record.fields)}`;
    return `${record.time} ${record.level.toUpperCase()} ${record.msg}${fields}`;
  });
}

function withoutHome(text: string, home: string): string {
  // A home of "/" or "C:\" would turn every path into nonsense.
  if (home.replace(/[\\/]+$/, '').length < 3) return text;
  return text.split(home).join('~');
}
