import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultRangeSize,
  defaultSmallUploadMaxBytes,
} from '../../main/core/upload/upload-attempt.ts';
import type { Engine } from '../../main/core/engine/engine.ts';
import { harness, settle, sha256Of, type Harness } from '../support/engine-harness.ts';

const range = defaultRangeSize;
const threshold = defaultSmallUploadMaxBytes;
const sizes: Record<string, number> = {
  empty: 0,
  'one byte': 1,
  'threshold - 1': threshold - 1,
  threshold: threshold,
  'threshold + 1': threshold + 1,
  'range - 1': range - 1,
  range: range,
  'range + 1': range + 1,
  '2 ranges + 1': 2 * range + 1,
  'exactly 25 MB': 26_214_400,
};

let h: Harness;
let engine: Engine;

beforeAll(async () => {
  h = await harness();
  engine = h.open();
  engine.start();
});
afterAll(() => h.close());

describe('every size from 0 to 25 MB attaches once, byte-identical', () => {
  it('uploads the whole matrix, through POST below the threshold and sessions above', async () => {
    const paths = Object.entries(sizes).map(([name, size]) => h.file(`${name}.bin`, size));
    const result = await engine.enqueue({ paths, target: h.target });
    expect(result.refused).toEqual([]);
    const jobs = await settle(
      engine,
      result.accepted.map((job) => job.id),
      ['done', 'failed'],
      60_000,
    );
    expect(jobs.map((job) => [job.fileName, job.state, job.problem?.message ?? null])).toEqual(
      Object.keys(sizes).map((name) => [`${name}.bin`, 'done', null]),
    );
    const stored = h.sim.control.attachments();
    for (const job of jobs) {
      const matching = stored.filter((attachment) => attachment.name === job.fileName);
      expect(matching).toHaveLength(1);
      expect(matching[0]?.id).toBe(job.attachmentId);
      expect(matching[0]?.sha256).toBe(sha256Of(readFileSync(job.sourcePath)));
      expect(matching[0]?.via).toBe(job.size <= threshold ? 'post' : 'session');
    }
    expect(h.sim.control.sessions()).toEqual([]);
  });

  it('refuses 26,214,401 bytes before anything is sent', async () => {
    const before = h.sim.control.counters().requests;
    const path = h.file('too-big.bin', 26_214_401);
    const result = await engine.enqueue({ paths: [path], target: h.target });
    expect(result.accepted).toEqual([]);
    expect(result.refused).toEqual([
      {
        path: expect.stringContaining('too-big.bin'),
        reason: 'too-large',
        message: expect.stringContaining('1 byte over the 25.0 MB To Do accepts'),
        jobId: null,
      },
    ]);
    expect(h.sim.control.counters().requests).toBe(before);
  });
});
