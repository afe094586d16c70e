import { describe, expect, it } from 'vitest';
import { NotificationPlanner, type Notice } from '../../main/app/notifications.ts';
import type { JobState, JobsChanged, JobView, TaskTarget } from '../../preload/shared/contract.ts';
import { jobStates } from '../../preload/shared/contract.ts';
import { FakeTimers } from './fake-timers.ts';

const receipts: TaskTarget = {
  accountId: 'a',
  listId: 'l',
  taskId: 't1',
  listName: 'L',
  taskTitle: 'Receipts',
};
const travel: TaskTarget = { ...receipts, taskId: 't2', taskTitle: 'Travel' };

function job(id: number, state: JobState, target = receipts): JobView {
  return {
    id,
    fileName: `file-${id}.pdf`,
    sourcePath: `/x/file-${id}.pdf`,
    size: 1,
    contentType: 'application/pdf',
    target,
    state,
    attempts: 1,
    nextAttemptAt: null,
    problem:
      state === 'failed'
        ? {
            kind: 'not-found',
            message: 'The task was deleted.',
            nextStep: 'retarget',
            graphCode: null,
            httpStatus: 404,
            requestId: null,
            at: 0,
          }
        : null,
    attachmentId: null,
    watchedFolder: null,
    createdAt: 0,
    updatedAt: 0,
    finishedAt: null,
    bytesSent: 0,
    bytesAcked: 0,
    speed: null,
    etaSeconds: null,
    stalled: false,
  };
}

/** A change of these jobs, with a summary counting them (and `others` still active). */
function change(jobs: JobView[], others: Partial<Record<JobState, number>> = {}): JobsChanged {
  const byState = Object.fromEntries(jobStates.map((s) => [s, others[s] ?? 0])) as Record<
    JobState,
    number
  >;
  for (const j of jobs) byState[j.state] += 1;
  return {
    upserted: jobs,
    removed: [],
    summary: { total: jobs.length, byState, overallPercent: 0 },
  };
}

function setup(quiet = () => false) {
  const timers = new FakeTimers();
  const shown: Notice[] = [];
  const planner = new NotificationPlanner({
    show: (n) => shown.push(n),
    quiet,
    timers,
    settleMs: 1_000,
  });
  return { timers, shown, planner };
}

describe('notifications', () => {
  it('says once when a batch is finished, not once per file', () => {
    const { timers, shown, planner } = setup();
    planner.jobsChanged(change([1, 2, 3].map((id) => job(id, 'uploading'))));
    planner.jobsChanged(change([job(1, 'done')], { uploading: 2 }));
    planner.jobsChanged(change([job(2, 'done')], { uploading: 1 }));
    timers.advance(5_000);
    expect(shown).toEqual([]);
    planner.jobsChanged(change([job(3, 'done')]));
    timers.advance(999);
    expect(shown).toEqual([]);
    timers.advance(1);
    expect(shown).toEqual([
      {
        kind: 'batch-done',
        title: '3 files attached',
        body: '3 files attached to “Receipts”',
        jobId: null,
      },
    ]);
  });

  it('waits while a second wave of the same drop arrives, then counts both', () => {
    const { timers, shown, planner } = setup();
    planner.jobsChanged(change([job(1, 'done')]));
    timers.advance(500);
    planner.jobsChanged(change([job(2, 'waiting', travel)]));
    timers.advance(5_000);
    planner.jobsChanged(change([job(2, 'done', travel)]));
    timers.advance(1_000);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.body).toBe('2 files attached to 2 tasks: “Receipts”, “Travel”');
  });

  it('names the file when a batch is one file', () => {
    const { timers, shown, planner } = setup();
    planner.jobsChanged(change([job(7, 'done')]));
    timers.advance(1_000);
    expect(shown[0]).toMatchObject({
      title: '1 file attached',
      body: 'file-7.pdf attached to “Receipts”',
    });
  });

  it('tells each failure that needs action, with the job to open; one cause, one notice', () => {
    const { shown, planner } = setup();
    planner.jobsChanged(change([job(1, 'failed')]));
    expect(shown).toEqual([
      {
        kind: 'failed',
        title: 'A file could not be attached',
        body: 'file-1.pdf → “Receipts”: The task was deleted.',
        jobId: 1,
      },
    ]);
    planner.jobsChanged(
      change([job(2, 'failed', travel), job(3, 'failed', travel), job(4, 'failed', travel)]),
    );
    expect(shown[1]).toMatchObject({ title: '3 files could not be attached', jobId: 2 });
    expect(shown[1]!.body).toContain('file-2.pdf and 2 more');
    // The same failed job reported again (a progress update, say) is no news.
    planner.jobsChanged(change([job(1, 'failed')]));
    expect(shown).toHaveLength(2);
  });

  it('asks to sign in once while uploads wait for it, again after it cleared', () => {
    const { shown, planner } = setup();
    planner.jobsChanged(change([job(1, 'needs-sign-in'), job(2, 'needs-sign-in')]));
    planner.jobsChanged(change([job(3, 'needs-sign-in')], { 'needs-sign-in': 2 }));
    expect(shown.map((n) => n.kind)).toEqual(['sign-in']);
    expect(shown[0]!.body).toBe('2 files wait until you sign in again.');
    planner.jobsChanged(change([job(1, 'waiting')]));
    planner.jobsChanged(change([job(1, 'needs-sign-in')]));
    expect(shown.map((n) => n.kind)).toEqual(['sign-in', 'sign-in']);
  });

  it('shows nothing during do-not-disturb, and no old news afterwards', () => {
    let quiet = true;
    const { timers, shown, planner } = setup(() => quiet);
    planner.jobsChanged(change([job(1, 'failed')]));
    planner.jobsChanged(change([job(2, 'done')]));
    timers.advance(1_000);
    expect(shown).toEqual([]);
    quiet = false;
    timers.advance(10_000);
    expect(shown).toEqual([]);
  });

  it('does not announce jobs that were finished before the app started', () => {
    const { timers, shown, planner } = setup();
    planner.seed([job(1, 'done'), job(2, 'failed')]);
    planner.jobsChanged(change([job(1, 'done'), job(2, 'failed')]));
    timers.advance(2_000);
    expect(shown).toEqual([]);
  });
});
