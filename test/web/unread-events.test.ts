import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../main/core/engine/engine.ts';
import { createLogger, type Logger } from '../../main/core/logging/logger.ts';
import { startWebServer, type RunningWebServer } from '../../main/web/web-server.ts';
import { harness, waitUntil, type Harness } from '../support/engine-harness.ts';
import { openCommandSocket } from '../support/web-socket.ts';

let h: Harness;
let engine: Engine;
let web: RunningWebServer;
let log: Logger;
let staticDir: string;

beforeAll(async () => {
  h = await harness();
  // Not started: the jobs wait, and each pause or resume of all of them is one large event.
  engine = h.open();
  const folder = join(h.dir, 'many');
  mkdirSync(folder);
  const paths = Array.from({ length: 2_000 }, (_, index) => join(folder, `file ${index}.txt`));
  for (const path of paths) writeFileSync(path, path);
  await engine.enqueue({ paths, target: h.target });
  staticDir = mkdtempSync(join(tmpdir(), 'taskdrop-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>taskdrop</title>');
  log = createLogger();
  web = await startWebServer({
    api: engine,
    staticDir,
    stageDir: join(h.dir, 'staged'),
    log,
    maxUnreadBytes: 1024 * 1024,
  });
});
afterAll(async () => {
  await web?.close();
  await h?.close();
  rmSync(staticDir, { recursive: true, force: true });
});

describe('a page that stops reading', () => {
  it('is disconnected once its unread events pass the limit; a page that reads keeps up', async () => {
    const stuck = await openCommandSocket(web);
    const reading = await openCommandSocket(web);
    stuck.ws.pause();
    const stuckClosed = (): boolean =>
      log.recentProblems().some((record) => record.msg.startsWith('a page stopped reading'));
    // Each round is two events of 2,000 jobs each (about a megabyte apiece).
    for (let round = 0; round < 40 && !stuckClosed(); round += 1) {
      await engine.pause({ all: true });
      await engine.resume({ all: true });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitUntil(stuckClosed, 'the stuck page to be let go');
    const unread = log.recentProblems().find((record) => record.msg.startsWith('a page stopped'));
    expect(unread?.fields['unreadBytes']).toBeGreaterThan(1024 * 1024);
    expect(await reading.call('summary', [])).toMatchObject({ ok: true });
    expect(reading.events.filter((event) => event.event === 'jobsChanged').length).toBeGreaterThan(
      2,
    );
    reading.close();
  });
});
