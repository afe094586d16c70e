import { describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.ts';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../main/simulator/index.ts';
import {
  call,
  createSession,
  expectGraphError,
  heldOffset,
  newTask,
  pattern,
  putRange,
  reportedOffset,
} from '../support/graph-sim.ts';
import { raw, type RawResponse } from '../support/raw-http.ts';

async function withSim(
  options: SimulatorOptions,
  work: (sim: RunningSimulator) => Promise<void>,
): Promise<void> {
  // A frozen clock: windows move only when a test says so, however slow the machine.
  const base = Date.parse('2026-06-01T12:00:00Z');
  const sim = await startSimulator({ seed: 'empty', now: () => base, ...options });
  try {
    await work(sim);
  } finally {
    await sim.close();
  }
}

/** Asserts a mailbox-limit 429: Retry-After in (0, maxSeconds] and code ApplicationThrottled. */
function expectThrottled(res: RawResponse, maxSeconds: number): number {
  expectGraphError(res, 429, 'ApplicationThrottled');
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  return retryAfter;
}

/** Waits (bounded) until the simulator has seen this many concurrent requests. */
async function untilConcurrent(sim: RunningSimulator, count: number): Promise<void> {
  await waitUntil(
    () => sim.control.counters().peakConcurrency >= count,
    `${count} concurrent requests`,
    5_000,
    10,
  );
}

describe('mailbox limits', () => {
  it('defaults to the Outlook limits', async () => {
    await withSim({}, async (sim) => {
      expect(sim.control.limits()).toEqual({
        maxConcurrentRequests: 4,
        maxRequestsPerWindow: 10_000,
        requestWindowMs: 600_000,
        maxUploadBytesPerWindow: 150_000_000,
        uploadWindowMs: 300_000,
      });
    });
  });

  it.each([
    { limit: 2, options: { limits: { maxConcurrentRequests: 2 } } },
    { limit: 4, options: {} },
  ])(
    'refuses request $limit + 1 in flight with 429 and Retry-After',
    async ({ limit, options }) => {
      await withSim(options, async (sim) => {
        sim.control.addFault({
          operation: 'listLists',
          times: limit,
          action: { type: 'delay', ms: 300 },
        });
        const held = Array.from({ length: limit }, () => call(sim, '/me/todo/lists'));
        await untilConcurrent(sim, limit);
        const over = await call(sim, '/me/todo/lists');
        expectThrottled(over, 1);
        expect(over.headers['retry-after']).toBe('1');
        expect((over.json() as { error: { message: string } }).error.message).toMatch(
          /MailboxConcurrency/,
        );
        expect(sim.control.counters().throttled.concurrency).toBe(1);
        for (const res of await Promise.all(held)) expect(res.status).toBe(200);
        // The slots are free again.
        expect((await call(sim, '/me/todo/lists')).status).toBe(200);
        expect(sim.control.counters().peakConcurrency).toBe(limit);
      });
    },
  );

  it('refuses the request over the per-window rate, until the window moves on', async () => {
    await withSim({ limits: { maxRequestsPerWindow: 5, requestWindowMs: 1_000 } }, async (sim) => {
      for (let index = 0; index < 5; index += 1) {
        expect((await call(sim, '/me/todo/lists')).status).toBe(200);
      }
      const sixth = await call(sim, '/me/todo/lists');
      expectThrottled(sixth, 1);
      expect(sim.control.counters().throttled.requests).toBe(1);
      expect(sim.control.requests().at(-1)?.note).toBe('throttled: requests');
      sim.control.advanceClock(1_000);
      expect((await call(sim, '/me/todo/lists')).status).toBe(200);
    });
  });

  it('counts throttled requests against the window too', async () => {
    await withSim({ limits: { maxRequestsPerWindow: 2, requestWindowMs: 1_000 } }, async (sim) => {
      expect((await call(sim, '/me/todo/lists')).status).toBe(200);
      sim.control.advanceClock(500);
      expect((await call(sim, '/me/todo/lists')).status).toBe(200);
      expectThrottled(await call(sim, '/me/todo/lists'), 1);
      // The first request left the window, but the refused one still fills it.
      sim.control.advanceClock(500);
      expectThrottled(await call(sim, '/me/todo/lists'), 1);
    });
  });

  it('refuses an upload that would pass the volume limit, leaving the session as it was', async () => {
    const options = { limits: { maxUploadBytesPerWindow: 100, uploadWindowMs: 1_000 } };
    await withSim(options, async (sim) => {
      const { path } = await newTask(sim, 'volume');
      const bytes = pattern(120);
      const uploadUrl = await createSession(sim, path, bytes.length);
      sim.control.advanceClock(1_000);
      expect((await putRange(sim, uploadUrl, bytes, 0, 59)).status).toBe(200);
      const refused = await putRange(sim, uploadUrl, bytes, 60, 119);
      expectThrottled(refused, 1);
      expect(sim.control.counters().throttled.volume).toBe(1);
      expect(await reportedOffset(sim, uploadUrl)).toBe(60);
      expect(heldOffset(sim, uploadUrl)).toBe(60);
      sim.control.advanceClock(1_000);
      expect((await putRange(sim, uploadUrl, bytes, 60, 119)).status).toBe(201);
    });
  });

  it("keeps each user's limits apart", async () => {
    await withSim({ limits: { maxRequestsPerWindow: 3, requestWindowMs: 60_000 } }, async (sim) => {
      const other = sim.control.addUser('Other', 'other@taskdrop.example');
      const otherToken = sim.control.issueToken({ userId: other.id }).accessToken;
      for (let index = 0; index < 3; index += 1) await call(sim, '/me/todo/lists');
      expectThrottled(await call(sim, '/me/todo/lists'), 60);
      for (let index = 0; index < 3; index += 1) {
        expect((await call(sim, '/me/todo/lists', { token: otherToken })).status).toBe(200);
      }
      expectThrottled(await call(sim, '/me/todo/lists', { token: otherToken }), 60);
    });
  });

  it('changes limits through PUT /_sim/limits', async () => {
    await withSim({}, async (sim) => {
      const limitsUrl = `${sim.inspectUrl}/limits`;
      const put = await raw(limitsUrl, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ maxRequestsPerWindow: 2, requestWindowMs: 10_000 }),
      });
      expect(put.status).toBe(200);
      expect(put.json()).toMatchObject({
        maxRequestsPerWindow: 2,
        requestWindowMs: 10_000,
        maxConcurrentRequests: 4,
      });
      expect((await raw(limitsUrl)).json()).toEqual(sim.control.limits());
      expect((await call(sim, '/me/todo/lists')).status).toBe(200);
      expect((await call(sim, '/me/todo/lists')).status).toBe(200);
      expectThrottled(await call(sim, '/me/todo/lists'), 10);

      const bad = await raw(limitsUrl, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ maxRequestsPerWindow: -1 }),
      });
      expect(bad.status).toBe(400);
      expect(sim.control.limits().maxRequestsPerWindow).toBe(2);

      sim.control.setLimits({ maxRequestsPerWindow: 100 });
      expect((await call(sim, '/me/todo/lists')).status).toBe(200);
    });
  });
});
