import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { settle, sha256Of } from '../support/engine-harness.ts';
import {
  attachmentsWith,
  eventually,
  folderView,
  jobsFor,
  watchHarness,
  type WatchHarness,
} from './watch-harness.ts';

let h: WatchHarness;

// The real readiness rules (≥ 2 s old, three equal looks), looked at four times a second.
beforeAll(async () => {
  h = await watchHarness({
    checkIntervalMs: 250,
    stableChecks: 3,
    minAgeMs: 2_000,
    folderCheckMs: 500,
    statusIntervalMs: 50,
  });
});
afterAll(() => h.close());

const chunks = 14;
const chunkEveryMs = 350;

it(
  'enqueues a file written slowly over ~5 s once, after it is complete',
  { timeout: 40_000 },
  async () => {
    const engine = await h.watching();
    const dir = h.folder('scanner');
    const folder = await engine.addWatchedFolder({ path: dir, target: h.target });
    const path = join(dir, 'scan-0001.pdf');
    const parts = Array.from({ length: chunks }, () => randomBytes(50_000));

    let sawWaiting = false;
    writeFileSync(path, parts[0]!);
    for (const part of parts.slice(1)) {
      await new Promise((resolve) => setTimeout(resolve, chunkEveryMs));
      // Half-written, it is never queued; the folder shows it as waiting.
      expect(await jobsFor(engine, path)).toEqual([]);
      sawWaiting ||= (await folderView(engine, folder.id)).status.waiting === 1;
      appendFileSync(path, part);
    }
    const completeAt = Date.now();
    expect(sawWaiting).toBe(true);

    await eventually(async () => (await jobsFor(engine, path)).length > 0, 'the file to be queued');
    const jobs = await jobsFor(engine, path);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.createdAt).toBeGreaterThanOrEqual(completeAt);
    expect(jobs[0]!.size).toBe(chunks * 50_000);
    const [job] = await settle(engine, [jobs[0]!.id]);
    expect(job!.state).toBe('done');

    const final = readFileSync(path);
    const attached = attachmentsWith(h, h.target.taskId, final);
    expect(attached).toHaveLength(1);
    expect(attached[0]!.sha256).toBe(sha256Of(Buffer.concat(parts)));
    expect(h.sim.control.attachments().filter((a) => a.name === 'scan-0001.pdf')).toHaveLength(1);
    await engine.close();
  },
);
