import {
  connectionReportLines,
  type ConnectionReport,
  type TaskdropApi,
} from '../../../preload/shared/contract.ts';
import type { CopyText } from './settings.svelte.ts';

/** Where the check is: not run yet, running, its report, or why it could not run. */
export type CheckProgress =
  | { kind: 'idle' | 'checking' }
  | { kind: 'done'; report: ConnectionReport }
  | { kind: 'failed'; message: string };

/** Where "Copy report" is: the text to copy by hand when the clipboard was refused. */
export type ReportCopy = { kind: 'idle' | 'copied' } | { kind: 'manual'; text: string };

/**
 * "Check the connection with To Do" (Settings → About): the engine probes the service with a
 * scratch task it deletes again, and the findings show as a table the person can copy as the
 * same JSON lines `taskdrop doctor --live --json` prints.
 */
export class ConnectionCheckState {
  readonly #api: Pick<TaskdropApi, 'checkConnection'>;
  readonly #copyText: CopyText;
  progress = $state.raw<CheckProgress>({ kind: 'idle' });
  copy = $state.raw<ReportCopy>({ kind: 'idle' });
  #copiedTimer: ReturnType<typeof setTimeout> | undefined;

  readonly differing = $derived(
    this.progress.kind === 'done'
      ? this.progress.report.findings.filter((finding) => finding.agrees === false).length
      : 0,
  );

  constructor(api: Pick<TaskdropApi, 'checkConnection'>, copyText: CopyText) {
    this.#api = api;
    this.#copyText = copyText;
  }

  async check(accountId: string): Promise<void> {
    if (this.progress.kind === 'checking') return;
    this.progress = { kind: 'checking' };
    this.copy = { kind: 'idle' };
    try {
      this.progress = { kind: 'done', report: await this.#api.checkConnection(accountId) };
    } catch (error) {
      this.progress = {
        kind: 'failed',
        message: error instanceof Error ? error.message : String(error),
      };
    }
  }

  async copyReport(): Promise<void> {
    if (this.progress.kind !== 'done') return;
    const text = connectionReportLines(this.progress.report);
    clearTimeout(this.#copiedTimer);
    try {
      await this.#copyText(text);
      this.copy = { kind: 'copied' };
      this.#copiedTimer = setTimeout(() => (this.copy = { kind: 'idle' }), 8_000);
    } catch {
      this.copy = { kind: 'manual', text };
    }
  }
}
