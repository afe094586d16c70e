import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { TaskTarget } from '../../preload/shared/contract.ts';
import { IssuingTokenProvider } from '../../main/core/auth/token-provider.ts';
import { Engine, type EngineOptions } from '../../main/core/engine/engine.ts';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import { startWebServer, type RunningWebServer } from '../../main/web/web-server.ts';
import { firstTask, simAccountId } from './engine-harness.ts';
import { compareWithBaseline, defaultTolerance, type Tolerance } from './baselines.ts';
import { raw } from './raw-http.ts';
import { browserCandidates, findBrowser } from '../../scripts/find-browser.ts';

/** The built renderer (test/e2e/build-renderer.ts builds it once per run). */
export const rendererDir = fileURLToPath(new URL('../../dist/renderer', import.meta.url));
export const screenshotDir = fileURLToPath(
  new URL('../../test-output/screenshots', import.meta.url),
);

/** A Chromium-based browser of this machine (scripts/find-browser.ts), never Playwright's own. */
export const chromiumPath = findBrowser() ?? browserCandidates()[0] ?? 'chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    // Root in a container: no sandbox. The rest keeps Chromium from calling home, which this
    // network refuses (and which would only slow the tests down).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The engine and the simulator in this process, and the UI served over the WebSocket. */
export interface Stack {
  sim: RunningSimulator;
  engine: Engine;
  web: RunningWebServer;
  dir: string;
  /** A task of the demo mailbox by list name and position. */
  task(listName: string, index?: number): Promise<TaskTarget>;
  /** Titles of a list's tasks, straight from the simulator (first 200). */
  titles(listName: string): Promise<string[]>;
  /** Writes a file of random bytes under the stack's folder; returns its path. */
  file(name: string, size: number): string;
  close(): Promise<void>;
}

export interface StackOptions {
  engine?: Partial<EngineOptions>;
  /** Start the scheduler (default true); without it every job stays waiting. */
  start?: boolean;
  /** Watch the watched folders, as `npm run web` does (timings through `engine.watch`). */
  watching?: boolean;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startSimulator({ seed: 'demo' });
  const dir = mkdtempSync(join(tmpdir(), 'taskdrop-e2e-'));
  const engine = Engine.open({
    dataDir: join(dir, 'data'),
    accounts: [{ id: simAccountId, graphUrl: sim.graphUrl, label: 'Demo account', kind: 'demo' }],
    tokens: new IssuingTokenProvider(() => sim.control.issueToken().accessToken),
    retry: { baseDelayMs: 50, maxDelayMs: 400 },
    progressIntervalMs: 100,
    ...options.engine,
  });
  if (options.start !== false) engine.start();
  if (options.watching === true) await engine.startWatching();
  const web = await startWebServer({
    api: engine,
    staticDir: rendererDir,
    stageDir: join(dir, 'staged'),
  });
  let closed = false;
  return {
    sim,
    engine,
    web,
    dir,
    task: (listName, index = 0) => firstTask(sim, listName, index),
    async titles(listName) {
      const { listId } = await firstTask(sim, listName, 0);
      const url = `${sim.graphUrl}/me/todo/lists/${encodeURIComponent(listId)}/tasks?$top=200`;
      const answer = await raw(url, { headers: { Authorization: `Bearer ${sim.testToken}` } });
      return (answer.json() as { value: { title: string }[] }).value.map((task) => task.title);
    },
    file(name, size) {
      const path = join(dir, 'files', name);
      mkdirSync(join(dir, 'files'), { recursive: true });
      writeFileSync(path, randomBytes(size));
      return path;
    },
    async close() {
      if (closed) return;
      closed = true;
      await web.close();
      await engine.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A page and everything it complained about: console errors, CSP refusals, uncaught errors. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  problems: string[];
}

export async function openApp(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number } = { width: 900, height: 640 },
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport,
    colorScheme: 'light',
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url);
  return { context, page, problems };
}

/** CSP refusals show up as console errors naming the policy. */
export function cspViolations(problems: readonly string[]): string[] {
  return problems.filter((problem) => /Content Security Policy/i.test(problem));
}

/** Writes test-output/screenshots/<name>.png (gitignored) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Light and dark, 1000 and 400 px wide: the four looks every screen is checked in. */
export const looks = [
  { name: 'light', colorScheme: 'light', width: 1000, height: 680 },
  { name: 'dark', colorScheme: 'dark', width: 1000, height: 680 },
  { name: 'light-narrow', colorScheme: 'light', width: 400, height: 720 },
  { name: 'dark-narrow', colorScheme: 'dark', width: 400, height: 720 },
] as const;

/** axe-core's own bundle, run inside the page under test (axe-core is pinned in package.json). */
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/**
 * What axe-core finds serious or critical on the page as it is now (WCAG 2.1 A and AA and
 * axe's best practices), as "rule (impact): element, element". Evaluated through the
 * debugging protocol, so the page's CSP stays as strict as shipped.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) {
    await page.evaluate(axeSource);
  }
  return page.evaluate<string[]>(`(async () => {
    const { violations } = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => violation.id + ' (' + violation.impact + '): ' +
        violation.nodes.slice(0, 4).map((node) => node.target.join(' ')).join(', '));
  })()`);
}

export interface Looks {
  paths: string[];
  /** Serious or critical axe-core findings in any look, prefixed with the look's name. */
  accessibility: string[];
  /** Looks that differ from their committed baseline beyond the tolerance, and by how much. */
  baseline: string[];
}

/**
 * Screenshots of the page as it is now, in every look, each checked with axe-core. `prepare`
 * runs after each resize (to scroll something into view, say).
 */
export async function screenshotsInEveryLook(
  page: Page,
  name: string,
  prepare: () => Promise<void> = () => Promise.resolve(),
  tolerance: Tolerance = defaultTolerance,
): Promise<Looks> {
  const paths: string[] = [];
  const accessibility: string[] = [];
  const baseline: string[] = [];
  // No hover effect on whatever the last click left the pointer over.
  await page.mouse.move(0, 0);
  for (const look of looks) {
    await page.setViewportSize({ width: look.width, height: look.height });
    await page.emulateMedia({ colorScheme: look.colorScheme });
    await page.waitForTimeout(100);
    await prepare();
    // Let layout and the progress transitions settle.
    await page.waitForTimeout(350);
    const path = await screenshot(page, `${name}-${look.name}`);
    paths.push(path);
    const difference = compareWithBaseline(path, `${name}-${look.name}`, tolerance);
    if (difference !== null) baseline.push(difference);
    for (const problem of await accessibilityProblems(page)) {
      accessibility.push(`${look.name}: ${problem}`);
    }
  }
  await page.setViewportSize({ width: 900, height: 640 });
  await page.emulateMedia({ colorScheme: 'light' });
  return { paths, accessibility, baseline };
}

/** Files for setInputFiles: names people have, a few KB to a few MB of random bytes. */
export function payload(
  name: string,
  size: number,
): { name: string; mimeType: string; buffer: Buffer } {
  return { name, mimeType: 'application/octet-stream', buffer: randomBytes(size) };
}
