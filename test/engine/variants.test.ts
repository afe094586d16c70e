import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../preload/shared/contract.ts';
import type { Engine } from '../../main/core/engine/engine.ts';
import { variantNames, type FaultRuleInput, type VariantName } from '../../main/simulator/index.ts';
import {
  harness,
  requestsFor,
  settle,
  sha256Of,
  smallRanges,
  killMidUpload,
  type Harness,
} from '../support/engine-harness.ts';

/**
 * docs/upload-rules.md rule 11 proven: the upload, resume, crash and lost-answer paths under each
 * service variant alone and under `pessimistic` (docs/simulator-variants.md), through the real
 * simulator and a real SQLite queue. Every file is attached exactly once with identical bytes; a
 * file the variant makes impossible fails in plain words after at most one attempt.
 */

const range = smallRanges.rangeSize;
/** Four ranges, the last one short. */
const size = 3 * range + 20_000;
const cases = variantNames.map((name) => [name] as const);

let h: Harness;
let engine: Engine;
afterEach(() => h.close());

const has = (variant: VariantName, name: VariantName): boolean =>
  variant === name || variant === 'pessimistic';

function start(): Engine {
  engine = h.open(smallRanges);
  engine.start();
  return engine;
}

async function upload(
  name: string,
  bytes: number,
  faults: FaultRuleInput[] = [],
): Promise<JobView> {
  for (const rule of faults) h.sim.control.addFault(rule);
  const { accepted, refused } = await engine.enqueue({
    paths: [h.file(name, bytes)],
    target: h.target,
  });
  expect(refused).toEqual([]);
  const [job] = await settle(engine, [accepted[0]!.id]);
  h.sim.control.clearFaults();
  return job!;
}

/** Exactly one attachment of the job's name on its task, with the file's bytes. */
function expectAttachedOnce(job: JobView): void {
  expect(job.state, job.problem?.message).toBe('done');
  const matching = h.sim.control.attachments().filter((each) => each.name === job.fileName);
  expect(matching.map((each) => each.id)).toEqual([job.attachmentId]);
  expect(matching[0]!.taskId).toBe(job.target.taskId);
  expect(matching[0]!.sha256).toBe(sha256Of(readFileSync(job.sourcePath)));
}

/** Sessions left behind: none, but for an orphan nobody can list (no-session-list). */
function expectSessionsLeft(variant: VariantName, orphans: number): void {
  const left = h.sim.control.sessions().filter((session) => !session.expired);
  expect(left).toHaveLength(has(variant, 'no-session-list') ? orphans : 0);
}

/** The status a range at the wrong offset gets under the variant. */
const outOfOrder = (variant: VariantName): number => (has(variant, 'resend-400') ? 400 : 416);

describe.each(cases)('under %s', (variant) => {
  beforeEach(async () => {
    h = await harness({ variants: [variant] });
  });

  it('uploads, resumes after drops, survives lost answers and refused ranges: each file once', async () => {
    start();
    const small = await upload('small.txt', 8_000);
    const ranged = await upload('ranged.pdf', size);
    const resumed = await upload('resumed.pdf', size + 1, [
      { operation: 'uploadContent', nth: 2, action: { type: 'drop-after-commit' } },
    ]);
    const landed = await upload('final-landed.pdf', size + 2, [
      { operation: 'uploadContent', nth: 4, action: { type: 'drop-after-commit' } },
    ]);
    const lost = await upload('final-lost.pdf', size + 3, [
      { operation: 'uploadContent', nth: 4, action: { type: 'drop-before-commit' } },
    ]);
    const refused = await upload('refused-range.pdf', size + 4, [
      {
        operation: 'uploadContent',
        nth: 3,
        action: { type: 'status', status: outOfOrder(variant) },
      },
    ]);
    const postLost = await upload('post-lost.txt', 8_001, [
      { operation: 'createAttachment', action: { type: 'drop-after-commit' } },
    ]);
    const sessionsBefore = requestsFor(h.sim, 'createUploadSession').length;
    const orphaned = await upload('orphan.pdf', size + 5, [
      { operation: 'createUploadSession', action: { type: 'drop-after-commit' } },
    ]);
    for (const job of [small, ranged, resumed, landed, lost, refused, postLost, orphaned]) {
      expectAttachedOnce(job);
    }
    expect(requestsFor(h.sim, 'createUploadSession').length - sessionsBefore).toBe(2);
    // Refusing an out-of-order range is a re-sync, not a failure: one attempt.
    expect(refused.attempts).toBe(1);
    expect(requestsFor(h.sim, 'createAttachment')).toHaveLength(2);
    // The orphan of the lost createUploadSession is cleaned up where sessions can be listed.
    expectSessionsLeft(variant, 1);
    if (has(variant, 'no-session-get')) {
      // Asked once, learned, never asked again.
      expect(requestsFor(h.sim, 'getUploadSession').length).toBeLessThanOrEqual(1);
    }
  });

  it('killed (SIGKILL) mid-upload: finishes once after a restart, at most one file re-sent', async () => {
    const path = h.file('crash.pdf', 6 * range + 999);
    const total = 6 * range + 999;
    await killMidUpload(h, path);
    start();
    const [recovered] = await engine.listJobs();
    const [job] = await settle(engine, [recovered!.id]);
    expectAttachedOnce(job!);
    const sent = requestsFor(h.sim, 'uploadContent').reduce(
      (sum, entry) => sum + entry.bodyBytes,
      0,
    );
    const allowed = has(variant, 'no-session-get') ? total : range;
    expect(sent - total).toBeLessThanOrEqual(allowed);
    expectSessionsLeft(variant, 0);
  });
});

describe.each(cases.filter(([name]) => has(name, 'no-empty-inline')))(
  'an empty file under %s',
  (variant) => {
    beforeEach(async () => {
      h = await harness({ variants: [variant] });
    });

    it('fails in plain words after one refused POST; the next empty file sends nothing; the batch goes on', async () => {
      start();
      const first = await upload('empty.txt', 0);
      expect(first.state).toBe('failed');
      expect(first.attempts).toBe(1);
      expect(first.problem).toMatchObject({ nextStep: 'none', httpStatus: 400 });
      expect(first.problem!.message).toBe(
        'empty.txt is empty (0 bytes), and Microsoft To Do does not take empty attachments. Add content to it and queue it again, or remove it from the queue.',
      );
      const posts = requestsFor(h.sim, 'createAttachment').length;
      const second = await upload('empty-too.txt', 0);
      expect(second).toMatchObject({ state: 'failed', attempts: 1 });
      expect(requestsFor(h.sim, 'createAttachment')).toHaveLength(posts);
      expectAttachedOnce(await upload('not-empty.txt', 10));
    });
  },
);

describe('an empty file where empty POSTs are taken', () => {
  it('is attached once, 0 bytes', async () => {
    h = await harness({ variants: [] });
    start();
    const job = await upload('empty.txt', 0);
    expectAttachedOnce(job);
  });
});

describe.each(cases.filter(([name]) => has(name, 'limit-25000000')))(
  'a file of 25,000,001 bytes under %s',
  (variant) => {
    beforeEach(async () => {
      h = await harness({ variants: [variant] });
    });

    it('fails in plain words when the session is refused, no byte sent; the next one sends nothing', async () => {
      start();
      const first = await upload('big.bin', 25_000_001);
      expect(first.state).toBe('failed');
      expect(first.attempts).toBe(1);
      expect(first.problem).toMatchObject({ nextStep: 'none', httpStatus: 400 });
      expect(first.problem!.message).toBe(
        'big.bin is 25,000,001 bytes; Microsoft To Do takes attachments of at most 25,000,000 bytes here. Compress or split it, then queue it again.',
      );
      expect(requestsFor(h.sim, 'createUploadSession')).toHaveLength(1);
      expect(requestsFor(h.sim, 'uploadContent')).toHaveLength(0);
      const second = await upload('big-too.bin', 26_000_000);
      expect(second).toMatchObject({ state: 'failed', attempts: 1 });
      expect(requestsFor(h.sim, 'createUploadSession')).toHaveLength(1);
      expectAttachedOnce(await upload('fits.pdf', size));
    });
  },
);

describe.each(cases.filter(([name]) => has(name, 'throttle-bare')))(
  'concurrency 429s without Retry-After under %s',
  (variant) => {
    beforeEach(async () => {
      // Another app holds two of the mailbox's four slots: the engine's three do not fit.
      h = await harness({ variants: [variant], limits: { maxConcurrentRequests: 2 } });
    });

    it('the account backs off and goes down to what fits; every file attached once', async () => {
      // Ranges slow enough for the engine's requests to overlap on the server.
      h.sim.control.addFault({
        operation: 'uploadContent',
        times: 0,
        action: { type: 'delay', ms: 40 },
      });
      start();
      const paths = [0, 1, 2, 3, 4, 5].map((index) => h.file(`busy-${index}.pdf`, size + index));
      const { accepted } = await engine.enqueue({ paths, target: h.target });
      const jobs = await settle(
        engine,
        accepted.map((job) => job.id),
        undefined,
        60_000,
      );
      for (const job of jobs) expectAttachedOnce(job);
      const throttled = requestsFor(h.sim, 'uploadContent')
        .concat(requestsFor(h.sim, 'createUploadSession'))
        .filter((entry) => entry.status === 429);
      expect(throttled.length).toBeGreaterThan(0);
      for (const entry of throttled) expect(entry.note).toBe('throttled: concurrency');
      // Once down to two at once, nothing more is refused: a handful in all, not a storm.
      console.log(`${variant}: ${h.sim.control.counters().throttled.concurrency} concurrency 429s`);
      expect(h.sim.control.counters().throttled.concurrency).toBeLessThanOrEqual(4);
    });
  },
);
