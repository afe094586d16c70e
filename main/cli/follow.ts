import type { JobView } from '../../preload/shared/contract.ts';
import { settledStates } from '../../preload/shared/job-states.ts';
import type { Engine } from '../core/engine/engine.ts';
import type { Reporter } from './reporters.ts';

/**
 * Reports the given jobs (or, with `ids` null, every job) until all are settled, or until
 * `stop` fires; resolves with their last views.
 */
export async function followJobs(
  engine: Engine,
  ids: ReadonlySet<number> | null,
  reporter: Reporter,
  stop: AbortSignal,
): Promise<JobView[]> {
  const jobs = new Map<number, JobView>();
  const followed = (id: number): boolean => ids === null || ids.has(id);
  const settled = (): boolean =>
    [...jobs.values()].every((job) => settledStates.includes(job.state));
  return new Promise<JobView[]>((resolve) => {
    const finish = (): void => {
      unsubscribeJobs();
      unsubscribeProgress();
      stop.removeEventListener('abort', finish);
      resolve([...jobs.values()]);
    };
    const unsubscribeJobs = engine.on('jobsChanged', ({ upserted, removed }) => {
      for (const job of upserted) {
        if (!followed(job.id)) continue;
        reporter.jobChanged(job, jobs.get(job.id));
        jobs.set(job.id, job);
      }
      for (const id of removed) jobs.delete(id);
      if (settled()) finish();
    });
    const unsubscribeProgress = engine.on('progress', (updates) => {
      const changed: JobView[] = [];
      for (const update of updates) {
        const job = jobs.get(update.id);
        if (job === undefined) continue;
        const next = { ...job, ...update };
        jobs.set(update.id, next);
        changed.push(next);
      }
      if (changed.length > 0) reporter.progress(changed);
    });
    stop.addEventListener('abort', finish, { once: true });
    void engine.listJobs().then((all) => {
      for (const job of all) {
        if (!followed(job.id) || jobs.has(job.id)) continue;
        reporter.jobChanged(job, undefined);
        jobs.set(job.id, job);
      }
      if (settled()) finish();
    });
  });
}
