import { afterEach, describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../main/simulator/index.ts';
import {
  expectAttachedOnce,
  harness,
  receivedAt,
  settle,
  smallRanges,
  type Harness,
} from '../support/engine-harness.ts';

const range = smallRanges.rangeSize;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const uploadMethods = new Set(['PUT', 'POST', 'PATCH']);
const uploadBytes = (entries: RequestLogEntry[]): number =>
  entries
    .filter((entry) => uploadMethods.has(entry.method))
    .reduce((sum, entry) => sum + entry.bodyBytes, 0);

describe('pacing to the mailbox limits (docs/upload-rules.md rule 6)', () => {
  it("counts the upload budget in the app's one MB: 10 MB lets 10,485,760 bytes through", async () => {
    h = await harness();
    const engine = h.open();
    await engine.updateSettings({ uploadBudgetMb: 10 });
    engine.start();
    // 10,350,000 bytes: over 10,000,000, under 10 × 1,048,576 with the requests' own bodies.
    const paths = [1, 2, 3].map((n) => h!.file(`budget-${n}.bin`, 3_450_000));
    const { accepted } = await engine.enqueue({ paths, target: h.target });
    const jobs = await settle(
      engine,
      accepted.map((job) => job.id),
      ['done'],
      15_000,
    );
    for (const job of jobs) expectAttachedOnce(h.sim, job);
  });

  it('a batch needing several upload windows: zero 429s, most of the budget used', async () => {
    const budget = 2_000_000;
    const windowMs = 2_000;
    const limits = {
      maxUploadBytesPerWindow: budget,
      uploadWindowMs: windowMs,
      maxRequestsPerWindow: 60,
      requestWindowMs: windowMs,
    };
    h = await harness({ limits: { ...limits, maxConcurrentRequests: 4 } });
    const engine = h.open({ ...smallRanges, pacing: { ...limits, maxConcurrentRequests: 3 } });
    engine.start();
    const seq = h.sim.control.requests().at(-1)?.seq ?? 0;
    const paths = Array.from({ length: 8 }, (_, n) => h!.file(`paced-${n}.pdf`, 700_000 + n));
    const { accepted } = await engine.enqueue({ paths, target: h.target });
    const jobs = await settle(
      engine,
      accepted.map((job) => job.id),
      ['done', 'failed'],
      30_000,
    );
    for (const job of jobs) expectAttachedOnce(h.sim, job);

    const counters = h.sim.control.counters();
    expect(counters.throttled).toEqual({ concurrency: 0, requests: 0, volume: 0, injected: 0 });
    expect(counters.peakConcurrency).toBeLessThanOrEqual(3);

    const log = h.sim.control.requests(seq);
    const start = receivedAt(log[0]!);
    const end = receivedAt(log.at(-1)!);
    const total = uploadBytes(log);
    const windows: number[] = [];
    for (let from = start; from + windowMs <= end; from += windowMs) {
      const inWindow = log.filter((entry) => {
        const at = receivedAt(entry);
        return at >= from && at < from + windowMs;
      });
      windows.push(uploadBytes(inWindow) / budget);
    }
    // A rolling window lets through at most one budget per window plus one at the start.
    const ceiling = budget * ((end - start) / windowMs + 1);
    console.log(
      `pacing: ${total} bytes in ${end - start} ms; full ${windowMs} ms windows used ` +
        `${windows.map((share) => `${(share * 100).toFixed(1)} %`).join(', ')} of ${budget} bytes; ` +
        `${((total / ceiling) * 100).toFixed(1)} % of what the rolling window allows; ` +
        `${log.length} requests, peak concurrency ${counters.peakConcurrency}`,
    );
    // Several windows were needed, and each full one was used to at least 80 %.
    expect(total).toBeGreaterThan(2 * budget);
    expect(windows.length).toBeGreaterThanOrEqual(2);
    for (const share of windows) {
      expect(share).toBeGreaterThanOrEqual(0.8);
      expect(share).toBeLessThanOrEqual(1);
    }
  });

  it('one 429 with Retry-After pauses the whole account, not just its file', async () => {
    h = await harness();
    const engine = h.open(smallRanges);
    engine.start();
    // Slow ranges keep three uploads in flight together.
    h.sim.control.addFault({
      operation: 'uploadContent',
      times: 0,
      action: { type: 'delay', ms: 20 },
    });
    h.sim.control.addFault({
      operation: 'uploadContent',
      nth: 6,
      action: { type: 'status', status: 429, retryAfter: '1' },
    });
    const paths = [1, 2, 3].map((n) => h!.file(`account-${n}.pdf`, 8 * range + n));
    const { accepted } = await engine.enqueue({ paths, target: h.target });
    const jobs = await settle(
      engine,
      accepted.map((job) => job.id),
    );
    for (const job of jobs) expectAttachedOnce(h.sim, job);
    expect(h.sim.control.counters().throttled).toEqual({
      concurrency: 0,
      requests: 0,
      volume: 0,
      injected: 1,
    });

    const log = h.sim.control.requests();
    const throttled = log.find((entry) => entry.status === 429)!;
    const at = receivedAt(throttled);
    // Requests already on their way when the 429 came back may still arrive just after it.
    const during = log.filter(
      (entry) => receivedAt(entry) > at + 50 && receivedAt(entry) < at + 995,
    );
    const next = log.find((entry) => receivedAt(entry) > at + 50)!;
    const sizes = new Set(
      log
        .filter((entry) => entry.seq > throttled.seq)
        .map((entry) => entry.contentRange?.split('/')[1]),
    );
    console.log(
      `429 at +0 ms: ${during.length} requests during the pause, next after ${receivedAt(next) - at} ms`,
    );
    expect(during).toEqual([]);
    expect(receivedAt(next) - at).toBeGreaterThanOrEqual(995);
    // Every file's upload was still going when the pause ended.
    expect(sizes.size).toBeGreaterThanOrEqual(2);
  });
});
