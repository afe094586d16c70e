/**
 * A recursive watched folder of 100,000 files in 1,000 folders (under the OS temp folder,
 * removed after): from `startWatching()` until it is ready (chokidar set up and every file
 * handed to the readiness checks), and until every file is queued; resident memory then; CPU
 * over a minute of idling afterwards. The engine process is built the way the app's is; the
 * scheduler does not run, so what is measured is the watching.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskTarget } from '../../preload/shared/contract.ts';
import { benchAccountId, emit, mb, ms, note, quick } from './bench-support.ts';
import { buildResident, coreShare, percent, runResident } from './resident.ts';

const folders = quick ? 100 : 1_000;
const perFolder = 100;
const count = folders * perFolder;
const idleMs = quick ? 20_000 : 60_000;
const targets = { readyMs: 30_000, rssBytes: 250e6, idleShare: 0.001 };
const offline = { graphUrl: 'http://127.0.0.1:9/v1.0', testToken: 'unused' };
const target: TaskTarget = {
  accountId: benchAccountId,
  listId: 'list',
  taskId: 'task',
  listName: 'Inbox',
  taskTitle: 'Archive',
};

const dir = mkdtempSync(join(tmpdir(), 'taskdrop-bench-watch-scale-'));
try {
  const root = join(dir, 'archive');
  note(`watch-scale: writing ${count.toLocaleString('en')} files in ${folders} folders`);
  for (let folder = 0; folder < folders; folder += 1) {
    const sub = join(root, `year-${String(folder).padStart(4, '0')}`);
    mkdirSync(sub, { recursive: true });
    for (let file = 0; file < perFolder; file += 1) {
      writeFileSync(join(sub, `scan-${file}.pdf`), `scan ${folder}/${file}\n`);
    }
  }
  const script = await buildResident();
  note(`watch-scale: watching, then ${idleMs / 1000} s idle`);
  const run = await runResident(
    script,
    {
      ...offline,
      dataDir: join(dir, 'data'),
      start: false,
      addFolders: [{ path: root, target, recursive: true }],
      expectQueued: count,
    },
    { settleMs: 5_000, idleMs },
  );
  const share = coreShare(run.idle.cpuMs, run.idle.idleMs);
  const rss = Math.max(run.ready.rssBytes, run.queued.rssBytes, run.idle.rssBytes);
  const name = `${count.toLocaleString('en')} files in ${folders} folders`;
  const busiest = run.idle.timers[0];
  emit([
    {
      measure: `watch ${name}: ready`,
      result: ms(run.ready.readyMs),
      spread: '',
      target: `< ${ms(targets.readyMs)}`,
      met: run.ready.readyMs < targets.readyMs,
    },
    {
      measure: `… every file queued`,
      result: ms(run.queued.queuedMs),
      spread: '',
      target: '',
      met: null,
    },
    {
      measure: `… RSS once ready (ready / queued / idle)`,
      result: mb(rss),
      spread: `${mb(run.ready.rssBytes)} / ${mb(run.queued.rssBytes)} / ${mb(run.idle.rssBytes)}`,
      target: `< ${mb(targets.rssBytes)}`,
      met: rss < targets.rssBytes,
    },
    {
      measure: `… CPU over ${idleMs / 1000} s idle`,
      result: percent(share),
      spread: `${run.idle.cpuMs.toFixed(0)} ms CPU; busiest timer ${busiest === undefined ? 'none' : `${busiest.wakeups}× (${busiest.delayMs} ms)`}`,
      target: `< ${percent(targets.idleShare)}`,
      met: share < targets.idleShare,
    },
  ]);
  for (const timer of run.idle.timers)
    note(`timer ${timer.wakeups}× every ${timer.delayMs} ms: ${timer.site}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
