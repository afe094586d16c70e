import type { JobProgress, JobView, Refusal } from '../../preload/shared/contract.ts';
import {
  bar,
  describeJob,
  fit,
  formatBytes,
  formatDuration,
  percent,
  terminalSafe,
} from './format.ts';

/** How a CLI run shows what happens: live bars on a terminal, lines otherwise, or JSON. */
export interface Reporter {
  refused(refusal: Refusal): void;
  jobChanged(job: JobView, previous: JobView | undefined): void;
  progress(jobs: readonly JobView[]): void;
  finish(jobs: readonly JobView[]): void;
}

type Write = (text: string) => void;

/** Settled states print once, in scrollback; nothing else does. */
const announced = new Set(['done', 'failed', 'needs-sign-in', 'cancelled', 'retrying']);

export class LineReporter implements Reporter {
  readonly #write: Write;

  constructor(write: Write) {
    this.#write = (text) => write(terminalSafe(text));
  }

  refused(refusal: Refusal): void {
    const mark =
      refusal.reason === 'already-attached' || refusal.reason === 'duplicate' ? '•' : '✗';
    this.#write(`${mark} ${refusal.message}\n`);
  }

  jobChanged(job: JobView, previous: JobView | undefined): void {
    const changed =
      previous?.state !== job.state || previous.problem?.message !== job.problem?.message;
    if (changed && announced.has(job.state)) this.#write(`${describeJob(job)}\n`);
  }

  progress(): void {}

  finish(jobs: readonly JobView[]): void {
    this.#write(`${summaryLine(jobs)}\n`);
  }
}

export class JsonReporter implements Reporter {
  readonly #write: Write;

  constructor(write: Write) {
    this.#write = write;
  }

  #emit(value: Record<string, unknown>): void {
    this.#write(`${JSON.stringify(value)}\n`);
  }

  refused(refusal: Refusal): void {
    this.#emit({ event: 'refused', ...refusal });
  }

  jobChanged(job: JobView, previous: JobView | undefined): void {
    if (previous?.state !== job.state) this.#emit({ event: 'job', job });
  }

  progress(jobs: readonly JobView[]): void {
    for (const job of jobs) {
      const { id, bytesSent, bytesAcked, speed, etaSeconds, stalled } = job;
      const update: JobProgress = { id, bytesSent, bytesAcked, speed, etaSeconds, stalled };
      this.#emit({ event: 'progress', ...update });
    }
  }

  finish(jobs: readonly JobView[]): void {
    const count = (state: string): number => jobs.filter((job) => job.state === state).length;
    this.#emit({
      event: 'summary',
      attached: count('done'),
      failed: count('failed'),
      needsSignIn: count('needs-sign-in'),
      pending: jobs.length - count('done') - count('failed') - count('needs-sign-in'),
    });
  }
}

/** Live bars, redrawn in place below the lines already printed. */
export class TerminalReporter implements Reporter {
  readonly #lines: LineReporter;
  readonly #write: Write;
  readonly #columns: () => number;
  readonly #jobs = new Map<number, JobView>();
  #drawn = 0;

  constructor(write: Write, columns: () => number) {
    this.#write = write;
    this.#columns = columns;
    this.#lines = new LineReporter((text) => {
      this.#erase();
      write(text);
    });
  }

  refused(refusal: Refusal): void {
    this.#lines.refused(refusal);
    this.#draw();
  }

  jobChanged(job: JobView, previous: JobView | undefined): void {
    this.#jobs.set(job.id, job);
    this.#lines.jobChanged(job, previous);
    this.#draw();
  }

  progress(jobs: readonly JobView[]): void {
    for (const job of jobs) this.#jobs.set(job.id, job);
    this.#draw();
  }

  finish(jobs: readonly JobView[]): void {
    this.#erase();
    this.#lines.finish(jobs);
  }

  #erase(): void {
    if (this.#drawn > 0) this.#write(`\x1b[${this.#drawn}A\x1b[0J`);
    this.#drawn = 0;
  }

  #draw(): void {
    this.#erase();
    const width = Math.max(40, Math.min(this.#columns(), 120));
    const active = [...this.#jobs.values()].filter((job) => job.state === 'uploading');
    const lines = active.slice(0, 8).map((job) => activeLine(job, width));
    if (active.length > 8) lines.push(`  … and ${active.length - 8} more uploading`);
    lines.push(totalLine([...this.#jobs.values()], width));
    this.#write(`${lines.join('\n')}\n`);
    this.#drawn = lines.length;
  }
}

function activeLine(job: JobView, width: number): string {
  const speed = job.speed === null ? '' : `${formatBytes(job.speed)}/s`;
  const eta = job.etaSeconds === null ? '' : `ETA ${formatDuration(job.etaSeconds)}`;
  const stall = job.stalled ? ' stalled' : '';
  const tail = ` ${String(percent(job)).padStart(3)}% ${speed.padStart(10)} ${eta.padStart(9)}${stall}`;
  const nameWidth = Math.max(12, Math.floor(width * 0.35));
  const barWidth = Math.max(10, width - nameWidth - tail.length - 4);
  return `  ${fit(terminalSafe(job.fileName), nameWidth)} ${bar(job.size === 0 ? 0 : job.bytesAcked / job.size, barWidth)}${tail}`;
}

function totalLine(jobs: readonly JobView[], width: number): string {
  const bytes = jobs.reduce((sum, job) => sum + job.size, 0);
  const acked = jobs.reduce(
    (sum, job) => sum + (job.state === 'done' ? job.size : job.bytesAcked),
    0,
  );
  const done = jobs.filter((job) => job.state === 'done').length;
  const label = `Total ${done}/${jobs.length} files, ${formatBytes(acked)} of ${formatBytes(bytes)}`;
  const barWidth = Math.max(10, width - label.length - 4);
  return `${label} ${bar(bytes === 0 ? 1 : acked / bytes, barWidth)}`;
}

export function summaryLine(jobs: readonly JobView[]): string {
  const count = (state: string): number => jobs.filter((job) => job.state === state).length;
  const parts = [`${count('done')} attached`];
  if (count('failed') > 0) parts.push(`${count('failed')} failed`);
  if (count('needs-sign-in') > 0) parts.push(`${count('needs-sign-in')} waiting for sign-in`);
  const pending =
    jobs.length - count('done') - count('failed') - count('needs-sign-in') - count('cancelled');
  if (pending > 0) parts.push(`${pending} still queued`);
  return parts.join(', ');
}
