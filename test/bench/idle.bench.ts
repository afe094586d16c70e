/**
 * What taskdrop costs while it does nothing, as it does most of a day: the engine process with a
 * queue of 10,000 finished uploads and 3 watched folders, signed in and idle for two minutes
 * (CPU time and timer wake-ups, by where each timer was set); then the UI, those 10,000 rows
 * shown in Chromium with the page hidden (`document.hidden`, as when the window is closed to the
 * tray), its script time over a minute.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { buildApp } from '../../scripts/build-app.ts';
import { launchBrowser, openApp, startStack } from '../support/browser.ts';
import {
  benchTarget,
  emit,
  note,
  openEngine,
  quick,
  startSimulatorProcess,
  unlimited,
  untilDone,
  type BenchRow,
} from './bench-support.ts';
import { buildResident, coreShare, percent, runResident } from './resident.ts';

const rows = quick ? 2_000 : 10_000;
const engineIdleMs = quick ? 30_000 : 120_000;
const rendererIdleMs = quick ? 20_000 : 60_000;
const targetShare = 0.001;
/** "No timer more often than once a minute." */
const minTimerPeriodMs = 60_000;

const dir = mkdtempSync(join(tmpdir(), 'taskdrop-bench-idle-'));
const sim = await startSimulatorProcess({ retainBytes: false, limits: unlimited });
try {
  const dataDir = join(dir, 'data');
  note(`idle: uploading ${rows.toLocaleString('en')} small files for a finished queue`);
  const setup = openEngine(sim, dataDir, { pacing: unlimited });
  setup.start();
  const target = await benchTarget(setup);
  mkdirSync(join(dir, 'done'));
  const paths = Array.from({ length: rows }, (_, n) => {
    const path = join(dir, 'done', `receipt-${n}.pdf`);
    writeFileSync(path, `receipt ${n}\n`);
    return path;
  });
  const done = untilDone(setup, rows);
  await setup.enqueue({ paths, target });
  await done;
  await setup.close();

  const folders = ['scans', 'photos', 'invoices'].map((name) => {
    const path = join(dir, name);
    mkdirSync(path);
    for (let n = 0; n < 3; n += 1) writeFileSync(join(path, `${name}-${n}.txt`), `${name} ${n}\n`);
    return { path, target };
  });
  const script = await buildResident();
  note(`idle: the engine process, ${engineIdleMs / 1000} s idle`);
  const run = await runResident(
    script,
    { ...sim, dataDir, start: true, addFolders: folders, expectQueued: 9 },
    { settleMs: 10_000, idleMs: engineIdleMs },
  );
  const share = coreShare(run.idle.cpuMs, run.idle.idleMs);
  // A timer re-armed after each call is a new timer each time: its delay is its period.
  const shortest = run.idle.timers.reduce<(typeof run.idle.timers)[number] | undefined>(
    (best, timer) => (best === undefined || timer.delayMs < best.delayMs ? timer : best),
    undefined,
  );
  for (const timer of run.idle.timers) {
    note(`timer ${timer.wakeups}× (set to ${timer.delayMs} ms): ${timer.site}`);
  }
  const wakeups = run.idle.timers.reduce((sum, timer) => sum + timer.wakeups, 0);
  const engineRows: BenchRow[] = [
    {
      measure: `engine idle ${engineIdleMs / 1000} s, ${rows.toLocaleString('en')} finished rows, 3 folders: CPU`,
      result: percent(share),
      spread: `${run.idle.cpuMs.toFixed(0)} ms CPU`,
      target: `< ${percent(targetShare)}`,
      met: share < targetShare,
    },
    {
      measure: '… timer wake-ups, and the shortest delay of a timer that fired',
      result: `${wakeups}; ${shortest === undefined ? 'none fired' : `${(shortest.delayMs / 1000).toFixed(1)} s`}`,
      spread: shortest === undefined ? '' : shortest.site.replace(/ \(.*$/, ''),
      target: `≥ ${minTimerPeriodMs / 1000} s`,
      met: shortest === undefined || shortest.delayMs >= minTimerPeriodMs,
    },
  ];

  note(`idle: the UI hidden, ${rows.toLocaleString('en')} rows, ${rendererIdleMs / 1000} s`);
  await buildApp();
  const scriptShare = await hiddenRendererShare(dataDir, rendererIdleMs);
  emit([
    ...engineRows,
    {
      measure: `UI hidden (document.hidden), ${rows.toLocaleString('en')} rows: script time`,
      result: percent(scriptShare.script),
      spread: `all tasks ${percent(scriptShare.tasks)}`,
      target: `< ${percent(targetShare)}`,
      met: scriptShare.script < targetShare,
    },
  ]);
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Chromium's own counters of time spent running the page's script, and all its tasks. */
async function pageTimes(page: Page): Promise<{ script: number; tasks: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const value = (name: string): number =>
    metrics.find((metric) => metric.name === name)?.value ?? 0;
  return { script: value('ScriptDuration') * 1000, tasks: value('TaskDuration') * 1000 };
}

/**
 * Headless Chromium never hides a page (another tab in front, a minimised window: it stays
 * `visible`), so the page is told it is hidden the way a window closed to the tray tells it:
 * `visibilityState` 'hidden' and a `visibilitychange` event, which is what the UI's code sees.
 * Chromium itself still runs it as a visible page, without throttling its timers: what is
 * measured is an upper bound of the hidden window's cost.
 */
async function hide(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);
  if (!(await page.evaluate<boolean>('document.hidden'))) throw new Error('the page is not hidden');
}

/**
 * The UI on the queue in `dataDir`, shown, then hidden (as a window closed to the tray is); the
 * share of a core its script and its tasks took over `idleMs`.
 */
async function hiddenRendererShare(
  dataDir: string,
  idleMs: number,
): Promise<{ script: number; tasks: number }> {
  const stack = await startStack({ start: false, engine: { dataDir } });
  const browser = await launchBrowser();
  try {
    const app = await openApp(browser, stack.web.url);
    // The rows, and the 9 files the watched folders sent.
    const all = `All (${(rows + 9).toLocaleString('en')})`;
    await app.page
      .getByRole('combobox', { name: 'Show' })
      .filter({ hasText: all })
      .waitFor({ timeout: 60_000 });
    await hide(app.page);
    await sleep(3_000);
    const before = await pageTimes(app.page);
    await sleep(idleMs);
    const after = await pageTimes(app.page);
    if (app.problems.length > 0) throw new Error(`the page complained: ${app.problems.join('; ')}`);
    return {
      script: (after.script - before.script) / idleMs,
      tasks: (after.tasks - before.tasks) / idleMs,
    };
  } finally {
    await browser.close();
    await stack.close();
  }
}
