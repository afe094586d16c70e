import { problemCodes } from '../../preload/shared/problem-details.ts';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../preload/shared/contract.ts';
import type { Engine, EngineOptions } from '../../main/core/engine/engine.ts';
import type { FaultRuleInput, RequestLogEntry } from '../../main/simulator/index.ts';
import { raw } from '../support/raw-http.ts';
import {
  CountingTokens,
  expectAttachedOnce,
  harness,
  receivedAt,
  recordViews,
  requestsFor,
  settle,
  smallRanges,
  waitUntil,
  type Harness,
} from '../support/engine-harness.ts';

const range = smallRanges.rangeSize;
/** Four ranges, the last one short. */
const size = 3 * range + 20_000;
const lastRange = 4;

let h: Harness;
let engine: Engine;

beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

function fault(rule: FaultRuleInput): void {
  h.sim.control.addFault(rule);
}

function start(options: Partial<EngineOptions> = {}): Engine {
  engine = h.open({ ...smallRanges, ...options });
  engine.start();
  return engine;
}

/** Queues one new file of `bytes` and waits until its job stops moving. */
async function upload(name: string, bytes = size): Promise<JobView> {
  const { accepted, refused } = await engine.enqueue({
    paths: [h.file(name, bytes)],
    target: h.target,
  });
  expect(refused).toEqual([]);
  const [job] = await settle(engine, [accepted[0]!.id]);
  return job!;
}

/** Body bytes of every request but the upload ranges (JSON of createUploadSession, POSTs). */
function jsonBodyBytes(): number {
  return h.sim.control
    .requests()
    .filter((entry) => entry.operation !== 'uploadContent')
    .reduce((sum, entry) => sum + entry.bodyBytes, 0);
}

const rangesSent = (): (string | null)[] =>
  requestsFor(h.sim, 'uploadContent').map((entry) => entry.contentRange);

function firstAfter(entry: RequestLogEntry): RequestLogEntry {
  const next = h.sim.control.requests().find((candidate) => candidate.seq > entry.seq);
  if (next === undefined) throw new Error(`nothing was sent after request ${entry.seq}`);
  return next;
}

describe('throttling (429)', () => {
  it('with Retry-After: the engine waits at least that long, then finishes', async () => {
    fault({
      operation: 'uploadContent',
      nth: 2,
      action: { type: 'status', status: 429, retryAfter: '0.8' },
    });
    start();
    const views = recordViews(engine);
    const job = await upload('throttled.pdf');
    expectAttachedOnce(h.sim, job);
    const throttled = h.sim.control.requests().find((entry) => entry.status === 429)!;
    const waited = receivedAt(firstAfter(throttled)) - receivedAt(throttled);
    console.log(`429 Retry-After 0.8 s: next request after ${waited} ms`);
    expect(waited).toBeGreaterThanOrEqual(800);
    expect(waited).toBeLessThan(3_000);
    expect(views).toContainEqual(
      expect.objectContaining({
        state: 'retrying',
        problem: expect.objectContaining({ kind: 'throttled', nextStep: 'wait', httpStatus: 429 }),
      }),
    );
  });

  it('without Retry-After: the engine backs off by itself, then finishes', async () => {
    fault({ operation: 'uploadContent', nth: 2, action: { type: 'status', status: 429 } });
    start();
    const job = await upload('throttled-no-header.pdf');
    expectAttachedOnce(h.sim, job);
    const throttled = h.sim.control.requests().find((entry) => entry.status === 429)!;
    const waited = receivedAt(firstAfter(throttled)) - receivedAt(throttled);
    console.log(`429 without Retry-After: next request after ${waited} ms`);
    // The harness's backoff starts at 50 ms; a 429 must not be answered by hammering.
    expect(waited).toBeGreaterThanOrEqual(50);
    expect(h.sim.control.counters().throttled.injected).toBe(1);
  });
});

describe('server errors', () => {
  it('503 twice on a range: retried, no range committed twice', async () => {
    fault({
      operation: 'uploadContent',
      nth: 2,
      times: 2,
      action: { type: 'status', status: 503 },
    });
    start();
    const views = recordViews(engine);
    const job = await upload('unavailable.pdf');
    expectAttachedOnce(h.sim, job);
    expect(job.attempts).toBe(3);
    expect(job.problem).toBeNull();
    expect(h.sim.control.counters().bytesCommitted).toBe(size);
    expect(views).toContainEqual(
      expect.objectContaining({
        state: 'retrying',
        problem: expect.objectContaining({ kind: 'transient', nextStep: 'wait', httpStatus: 503 }),
      }),
    );
  });

  it('504 on a middle range: retried from the server offset', async () => {
    fault({ operation: 'uploadContent', nth: 2, action: { type: 'status', status: 504 } });
    start();
    const job = await upload('gateway-mid.pdf');
    expectAttachedOnce(h.sim, job);
    expect(requestsFor(h.sim, 'createUploadSession')).toHaveLength(1);
  });

  it('504 on the final range: asks the session first, then sends the range again', async () => {
    fault({ operation: 'uploadContent', nth: lastRange, action: { type: 'status', status: 504 } });
    start();
    const job = await upload('gateway-final.pdf');
    expectAttachedOnce(h.sim, job);
    // 504 is ambiguous: the engine must not resend the last range before looking. The session
    // still waiting for it proves the file did not complete; the task needs no listing.
    const log = h.sim.control.requests();
    const failed = log.find((entry) => entry.status === 504)!;
    const look = log.find(
      (entry) => entry.seq > failed.seq && entry.operation === 'getUploadSession',
    );
    expect(
      log.some((entry) => entry.seq > failed.seq && entry.operation === 'listAttachments'),
    ).toBe(false);
    const resend = log.find(
      (entry) => entry.seq > failed.seq && entry.operation === 'uploadContent',
    );
    expect(look).toBeDefined();
    expect(resend).toBeDefined();
    expect(look!.seq).toBeLessThan(resend!.seq);
  });

  it('a 5xx that never stops fails after the retry budget, in plain words; retry() later succeeds', async () => {
    fault({ operation: 'uploadContent', times: 0, action: { type: 'status', status: 503 } });
    start({ retry: { baseDelayMs: 20, maxDelayMs: 100, maxFailuresInARow: 3 } });
    const job = await upload('always-503.pdf');
    expect(job.state).toBe('failed');
    expect(job.attempts).toBe(3);
    expect(job.problem).toMatchObject({ kind: 'transient', nextStep: 'retry', httpStatus: 503 });
    expect(job.problem!.message).toBe(
      'Microsoft To Do kept failing, so taskdrop stopped trying for now. Retry later.',
    );
    expect(problemCodes(job.problem!)).toMatch(/^503 \S+, request-id \S+$/);
    expect(h.sim.control.attachments().filter((a) => a.name === job.fileName)).toEqual([]);

    h.sim.control.clearFaults();
    expect(await engine.retry({ ids: [job.id] })).toBe(1);
    const [again] = await settle(engine, [job.id]);
    expectAttachedOnce(h.sim, again!);
    expect(again!.problem).toBeNull();
  });

  it('another 4xx fails at once, with the Graph code and request-id', async () => {
    fault({
      operation: 'uploadContent',
      nth: 2,
      action: { type: 'status', status: 403, code: 'accessDenied' },
    });
    start();
    const job = await upload('forbidden.pdf');
    expect(job.state).toBe('failed');
    expect(job.attempts).toBe(1);
    const refused = h.sim.control.requests().find((entry) => entry.status === 403)!;
    expect(job.problem).toMatchObject({
      kind: 'permanent',
      graphCode: 'accessDenied',
      httpStatus: 403,
      requestId: refused.requestId,
    });
    // Plain words; the codes on request.
    expect(job.problem!.message).toBe(
      'Microsoft To Do refused the file. Retry; if it is refused again, copy the details into a report.',
    );
    expect(problemCodes(job.problem!)).toBe(`403 accessDenied, request-id ${refused.requestId}`);
  });

  it('the failure budget resets whenever bytes advance', async () => {
    // A 503 on every other range: never two failures in a row without progress.
    for (const nth of [2, 4, 6]) {
      fault({ operation: 'uploadContent', nth, action: { type: 'status', status: 503 } });
    }
    start({ retry: { baseDelayMs: 20, maxDelayMs: 100, maxFailuresInARow: 2 } });
    const job = await upload('intermittent.pdf');
    expectAttachedOnce(h.sim, job);
    expect(h.sim.control.counters().byStatus['503']).toBe(3);
  });
});

describe('dropped connections', () => {
  it('dropped before a range is committed: the range is sent again', async () => {
    fault({ operation: 'uploadContent', nth: 2, action: { type: 'drop-before-commit' } });
    start();
    const job = await upload('drop-before.pdf');
    expectAttachedOnce(h.sim, job);
    const sent = rangesSent();
    expect(sent).toHaveLength(lastRange + 1);
    expect(sent[1]).toBe(sent[2]);
  });

  it('dropped after a range is committed: resumes at the server offset, nothing re-sent', async () => {
    fault({ operation: 'uploadContent', nth: 2, action: { type: 'drop-after-commit' } });
    start();
    const job = await upload('drop-after.pdf');
    expectAttachedOnce(h.sim, job);
    const sent = rangesSent();
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent).toHaveLength(lastRange);
    expect(h.sim.control.counters().bytesReceived - jsonBodyBytes()).toBe(size);
    expect(requestsFor(h.sim, 'getUploadSession').length).toBeGreaterThanOrEqual(1);
  });

  it('dropped after the FINAL range is committed: found on the task, attached once', async () => {
    fault({ operation: 'uploadContent', nth: lastRange, action: { type: 'drop-after-commit' } });
    start();
    const job = await upload('drop-final.pdf');
    expectAttachedOnce(h.sim, job);
    expect(rangesSent()).toHaveLength(lastRange);
    expect(requestsFor(h.sim, 'createUploadSession')).toHaveLength(1);
    expect(requestsFor(h.sim, 'listAttachments').length).toBeGreaterThanOrEqual(1);
  });

  it('cancelled while it waits to retry after its final range landed: done, nothing of the wait left', async () => {
    fault({ operation: 'uploadContent', nth: lastRange, action: { type: 'drop-after-commit' } });
    // A retry far off: the job is still waiting for it when cancelled.
    start({ retry: { baseDelayMs: 600_000, maxDelayMs: 600_000 } });
    const { accepted } = await engine.enqueue({
      paths: [h.file('cancel-landed.pdf', size)],
      target: h.target,
    });
    const id = accepted[0]!.id;
    const views = recordViews(engine);
    await waitUntil(
      () => views.some((view) => view.id === id && view.state === 'retrying'),
      'the job to wait for its retry',
    );
    expect(await engine.cancel({ ids: [id] })).toBe(1);
    const job = (await engine.listJobs()).find((candidate) => candidate.id === id)!;
    expect(job.state).toBe('done');
    expect(job.problem).toBeNull();
    expect(job.nextAttemptAt).toBeNull();
    expectAttachedOnce(h.sim, job);
  });

  it('dropped after the small POST is committed: found on the task, not posted again', async () => {
    fault({ operation: 'createAttachment', action: { type: 'drop-after-commit' } });
    start();
    const job = await upload('drop-post.txt', 8_000);
    expectAttachedOnce(h.sim, job);
    expect(requestsFor(h.sim, 'createAttachment')).toHaveLength(1);
    expect(h.sim.control.attachments()[0]?.via).toBe('post');
  });

  it('dropped before the small POST is committed: posted again, attached once', async () => {
    fault({ operation: 'createAttachment', action: { type: 'drop-before-commit' } });
    start();
    const job = await upload('drop-post-before.txt', 8_000);
    expectAttachedOnce(h.sim, job);
    expect(requestsFor(h.sim, 'createAttachment')).toHaveLength(2);
  });

  it('dropped after createUploadSession: the orphan session is not left behind', async () => {
    fault({ operation: 'createUploadSession', action: { type: 'drop-after-commit' } });
    start();
    const job = await upload('drop-create.pdf');
    expectAttachedOnce(h.sim, job);
    expect(requestsFor(h.sim, 'createUploadSession')).toHaveLength(2);
  });
});

describe('the server offset is the truth (416)', () => {
  it('the session moved on under a range in flight: resync, at most one range re-sent', async () => {
    fault({ operation: 'uploadContent', nth: 2, action: { type: 'delay', ms: 500 } });
    start();
    const path = h.file('moved.pdf', size);
    const { accepted } = await engine.enqueue({ paths: [path], target: h.target });
    await waitUntil(
      () => (h.sim.control.counters().byOperation.uploadContent ?? 0) >= 2,
      'the second range to reach the simulator',
    );
    // Someone else (a lost duplicate of the same client) commits that range first.
    const [session] = h.sim.control.sessions();
    const url =
      `${h.sim.graphUrl}/users/${session!.userId}/todo/lists/${encodeURIComponent(session!.listId)}` +
      `/tasks/${encodeURIComponent(session!.taskId)}/attachmentSessions/${encodeURIComponent(session!.id)}/content`;
    const bytes = readFileSync(path).subarray(range, 2 * range);
    const put = await raw(url, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${h.sim.testToken}`,
        'Content-Type': 'application/octet-stream',
        'Content-Range': `bytes ${range}-${2 * range - 1}/${size}`,
      },
      body: bytes,
    });
    expect(put.status).toBe(200);

    const [job] = await settle(engine, [accepted[0]!.id]);
    expectAttachedOnce(h.sim, job!);
    expect(h.sim.control.counters().byStatus['416']).toBe(1);
    const resent = h.sim.control.counters().bytesReceived - bytes.length - jsonBodyBytes() - size;
    // The engine sent every byte once: its copy of the stolen range was the one refused.
    console.log(`416 resync: ${resent} bytes re-sent by the engine (one range: ${range})`);
    expect(resent).toBe(0);
    // After the 416 the engine asked the session and went on with the third range.
    const after = rangesSent().slice(-2);
    expect(after).toEqual([
      `bytes ${2 * range}-${3 * range - 1}/${size}`,
      `bytes ${3 * range}-${size - 1}/${size}`,
    ]);
  });

  it('a 416 when the session did not move: asks the session and sends that range again', async () => {
    fault({ operation: 'uploadContent', nth: 3, action: { type: 'status', status: 416 } });
    start();
    const job = await upload('416.pdf');
    expectAttachedOnce(h.sim, job);
    expect(requestsFor(h.sim, 'getUploadSession').length).toBeGreaterThanOrEqual(1);
    expect(job.attempts).toBe(1);
  });
});

describe('the session is gone (404)', () => {
  it('gone when asked after a 416: a new session from byte 0, attached once', async () => {
    fault({ operation: 'uploadContent', nth: 2, action: { type: 'status', status: 416 } });
    fault({ operation: 'getUploadSession', action: { type: 'status', status: 404 } });
    start();
    const job = await upload('416-then-404.pdf');
    expectAttachedOnce(h.sim, job);
  });

  it('a 404 on every range: gives up in the end instead of opening sessions forever', async () => {
    fault({ operation: 'uploadContent', times: 0, action: { type: 'status', status: 404 } });
    start({ retry: { baseDelayMs: 20, maxDelayMs: 100, maxFailuresInARow: 3 } });
    const job = await upload('always-404.pdf');
    expect(job.state).toBe('failed');
    expect(job.problem).toMatchObject({ kind: 'session-gone', httpStatus: 404, nextStep: 'retry' });
    expect(job.problem!.message).toBe(
      'Microsoft To Do kept failing, so taskdrop stopped trying for now. Retry later.',
    );
    expect(problemCodes(job.problem!)).toMatch(/^404 \w+/);
    const sessions = requestsFor(h.sim, 'createUploadSession').length;
    console.log(`404 forever: ${sessions} sessions opened before giving up`);
    expect(sessions).toBeLessThanOrEqual(10);
  });
});

describe('expiry', () => {
  it('the session expires between ranges: a new session from byte 0, attached once', async () => {
    fault({ operation: 'uploadContent', nth: 2, action: { type: 'delay', ms: 300 } });
    start();
    const path = h.file('expired-session.pdf', size);
    const { accepted } = await engine.enqueue({ paths: [path], target: h.target });
    await waitUntil(
      () => (h.sim.control.counters().byOperation.uploadContent ?? 0) >= 2,
      'the second range to reach the simulator',
    );
    h.sim.control.advanceClock(16 * 60_000);
    const [job] = await settle(engine, [accepted[0]!.id]);
    expectAttachedOnce(h.sim, job!);
    expect(requestsFor(h.sim, 'createUploadSession')).toHaveLength(2);
    const fromZero = rangesSent().filter((sent) => sent?.startsWith('bytes 0-'));
    expect(fromZero).toHaveLength(2);
  });

  it('the token expires mid-upload: refreshed once, nothing re-sent, one attempt', async () => {
    fault({ operation: 'uploadContent', nth: 2, action: { type: 'expire-token' } });
    const tokens = new CountingTokens(h.sim);
    start({ tokens });
    const job = await upload('token.pdf');
    expectAttachedOnce(h.sim, job);
    expect(tokens.refreshes).toBe(1);
    expect(job.attempts).toBe(1);
    const accepted = requestsFor(h.sim, 'uploadContent').filter((entry) => entry.status < 300);
    expect(accepted).toHaveLength(lastRange);
    expect(new Set(accepted.map((entry) => entry.contentRange)).size).toBe(lastRange);
    expect(h.sim.control.counters().bytesReceived - jsonBodyBytes()).toBe(size);
  });

  it('a token refused again after the refresh: needs sign-in, then continues', async () => {
    fault({ operation: 'uploadContent', nth: 2, times: 2, action: { type: 'expire-token' } });
    const tokens = new CountingTokens(h.sim);
    start({ tokens });
    const job = await upload('sign-in.pdf');
    expect(job.state).toBe('needs-sign-in');
    expect(job.problem).toMatchObject({ kind: 'auth', nextStep: 'sign-in' });
    expect(tokens.refreshes).toBe(1);
    engine.signedIn('sim');
    const [after] = await settle(engine, [job.id]);
    expectAttachedOnce(h.sim, after!);
  });
});

describe('the final answer without a usable Location', () => {
  it('no Location: the attachment is found on the task', async () => {
    fault({ operation: 'uploadContent', nth: lastRange, action: { type: 'omit-location' } });
    start();
    const job = await upload('no-location.pdf');
    expectAttachedOnce(h.sim, job);
    expect(requestsFor(h.sim, 'listAttachments').length).toBeGreaterThanOrEqual(1);
  });

  it('a lowercase location header: read as it is', async () => {
    fault({ operation: 'uploadContent', nth: lastRange, action: { type: 'lowercase-location' } });
    start();
    const job = await upload('lowercase-location.pdf');
    expectAttachedOnce(h.sim, job);
    expect(requestsFor(h.sim, 'listAttachments')).toHaveLength(0);
  });
});
