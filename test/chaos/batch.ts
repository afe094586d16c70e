import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decimalSizeLimit } from '../../main/core/upload/impossible-files.ts';
import {
  startSimulator,
  type RunningSimulator,
  type VariantName,
} from '../../main/simulator/index.ts';
import { seededBytes } from '../support/seeded-random.ts';

/**
 * What the chaos runs share: a batch of seeded files, the simulator they go to, the CLI command
 * that sends them, and the invariants that must hold once the dust has settled.
 */

export interface BatchFile {
  name: string;
  path: string;
  size: number;
  sha256: string;
}

/** The demo mailbox's task every chaos batch goes to. */
export const chaosTarget = { list: 'Work', task: 'Quarterly report draft' };

/** One file of seeded bytes per size, named by its index; written one at a time. */
export function writeSeededFiles(
  dir: string,
  sizes: readonly number[],
  random: () => number,
): BatchFile[] {
  const width = String(Math.max(sizes.length - 1, 0)).length;
  return sizes.map((size, index) => {
    const name = `file-${String(index).padStart(width, '0')}.bin`;
    const bytes = seededBytes(random, size);
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return { name, path, size, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
}

/** `count` sizes from 0 to `maxBytes`, both ends included, the rest uniform between. */
export function spreadSizes(random: () => number, count: number, maxBytes: number): number[] {
  return Array.from({ length: count }, (_, index) => {
    if (index === 0) return 0;
    if (index === 1) return maxBytes;
    return Math.floor(random() * (maxBytes + 1));
  });
}

/**
 * The simulator with the demo mailbox, keeping only each attachment's size and SHA-256, and no
 * volume or request-rate limit: a CLI restarted a hundred times forgets what it sent in the last
 * five minutes, and waiting out Graph's quota is not what these runs are about.
 */
export function startChaosSimulator(
  faultSeed?: number,
  variants: readonly VariantName[] = [],
): Promise<RunningSimulator> {
  return startSimulator({
    retainBytes: false,
    limits: { maxUploadBytesPerWindow: 1e12, maxRequestsPerWindow: 1e9 },
    variants,
    ...(faultSeed === undefined ? {} : { faultSeed }),
  });
}

/** Whether the simulator's variants make a file of this size impossible to attach. */
export function impossibleThere(sim: RunningSimulator, size: number): boolean {
  const on = (name: VariantName): boolean => sim.variants.includes(name);
  return (size === 0 && on('no-empty-inline')) || (size > decimalSizeLimit && on('limit-25000000'));
}

/** How `taskdrop upload` ends once the batch is through: 1 ("some failed") when some cannot go. */
export function finishedExitCode(sim: RunningSimulator, files: readonly BatchFile[]): number {
  return files.some((file) => impossibleThere(sim, file.size)) ? 1 : 0;
}

/** `taskdrop upload` of the whole batch, to `graphUrl`, with its queue in `dataDir`. */
export function uploadArgs(
  files: readonly BatchFile[],
  graphUrl: string,
  dataDir: string,
): string[] {
  return [
    'upload',
    ...files.map((file) => file.path),
    '--list',
    chaosTarget.list,
    '--task',
    chaosTarget.task,
    '--graph-url',
    graphUrl,
    '--data-dir',
    dataDir,
  ];
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, detail });

/** A short list for a report: the first few, and how many more. */
function some(items: readonly string[], limit = 5): string {
  if (items.length === 0) return 'none';
  const shown = items.slice(0, limit).join(', ');
  return items.length > limit ? `${shown} and ${items.length - limit} more` : shown;
}

interface JobRow {
  file_name: string;
  state: string;
  attachment_id: string | null;
  failures_in_a_row: number;
  error_code: string | null;
  final_sent_at: number | null;
  error_next_step: string | null;
}

/**
 * The end state a batch must reach whatever happened on the way: one byte-identical attachment
 * per file and nothing else, no upload session left open, every job done with the attachment
 * the server holds (none lost, none stuck), and a sound queue database. Call it once the CLI
 * has exited. A file the simulator's variants make impossible has no attachment and only failed
 * jobs that say there is nothing to retry (each run of the CLI queues it again); where sessions
 * cannot be listed, an orphan of a crash may stay open until it expires.
 */
export function checkInvariants(
  sim: RunningSimulator,
  files: readonly BatchFile[],
  dataDir: string,
): Check[] {
  const stored = sim.control.attachments();
  const names = new Set(files.map((file) => file.name));
  const impossible = files.filter((file) => impossibleThere(sim, file.size));
  const impossibleNames = new Set(impossible.map((file) => file.name));
  const attachable = files.filter((file) => !impossibleNames.has(file.name));
  const copies = (name: string) => stored.filter((attachment) => attachment.name === name);
  const missing = attachable.filter((file) => copies(file.name).length === 0).map((f) => f.name);
  const twice = files
    .filter((file) => copies(file.name).length > (impossibleNames.has(file.name) ? 0 : 1))
    .map((f) => f.name);
  const wrong = files
    .filter((file) => copies(file.name).some((copy) => copy.sha256 !== file.sha256))
    .map((file) => file.name);
  const strangers = stored.filter((attachment) => !names.has(attachment.name)).map((a) => a.name);
  const sessions = sim.control.sessions().filter((session) => !session.expired);
  const openSessions = sessions.map((s) => `${s.name} at ${s.nextOffset}/${s.size}`);
  const orphansMayStay = sim.variants.includes('no-session-list');

  const db = new Database(join(dataDir, 'queue.sqlite3'), { readonly: true, fileMustExist: true });
  let integrity: unknown;
  let jobs: JobRow[];
  try {
    integrity = db.pragma('integrity_check', { simple: true });
    jobs = db
      .prepare<[], JobRow>(
        'SELECT file_name, state, attachment_id, failures_in_a_row, error_code, final_sent_at, error_next_step FROM jobs',
      )
      .all();
  } finally {
    db.close();
  }
  const jobsOf = (name: string) => jobs.filter((job) => job.file_name === name);
  const lost = attachable.filter((file) => jobsOf(file.name).length !== 1).map((f) => f.name);
  const impossibleJobs = jobs.filter((job) => impossibleNames.has(job.file_name));
  const notFailedRight = impossible
    .filter((file) => {
      const mine = jobsOf(file.name);
      return (
        mine.length === 0 ||
        mine.some((job) => job.state !== 'failed' || job.error_next_step !== 'none')
      );
    })
    .map((file) => file.name);
  const stuck = jobs
    .filter((job) => job.state !== 'done' && !impossibleNames.has(job.file_name))
    .map(
      (job) =>
        `${job.file_name} ${job.state} (${job.failures_in_a_row} failures in a row, last ` +
        `${job.error_code ?? 'none'}${job.final_sent_at === null ? '' : ', last range sent'})`,
    );
  const misrecorded = files
    .filter((file) => {
      const [job] = jobsOf(file.name);
      const [copy] = copies(file.name);
      return job?.state === 'done' && job.attachment_id !== copy?.id;
    })
    .map((file) => file.name);
  const states = new Map<string, number>();
  for (const job of jobs) states.set(job.state, (states.get(job.state) ?? 0) + 1);

  return [
    check(
      'one attachment per file, byte-identical',
      missing.length + twice.length + wrong.length + strangers.length === 0,
      `${files.length} files, ${stored.length} attachments; missing: ${some(missing)}; ` +
        `twice: ${some(twice)}; other bytes: ${some(wrong)}; unknown: ${some(strangers)}`,
    ),
    check(
      orphansMayStay
        ? 'no upload session left open but orphans nobody can list'
        : 'no upload session left open',
      orphansMayStay || sessions.length === 0,
      sessions.length === 0 ? 'none open' : `${sessions.length} open: ${some(openSessions)}`,
    ),
    check(
      'no job lost or stuck',
      lost.length + stuck.length + misrecorded.length === 0 &&
        jobs.length - impossibleJobs.length === attachable.length,
      `${jobs.length} jobs (${[...states].map(([state, n]) => `${n} ${state}`).join(', ')}); ` +
        `lost: ${some(lost)}; stuck: ${some(stuck)}; attachment id not the server's: ${some(misrecorded)}`,
    ),
    check(
      'every file the service cannot take failed, with nothing to retry',
      notFailedRight.length === 0,
      `${impossible.length} such files (${some(impossible.map((file) => file.name))}); ` +
        `not failed so: ${some(notFailedRight)}`,
    ),
    check(
      'queue database intact',
      integrity === 'ok',
      `PRAGMA integrity_check: ${String(integrity)}`,
    ),
  ];
}

export const allPassed = (checks: readonly Check[]): boolean => checks.every((c) => c.ok);

export const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
