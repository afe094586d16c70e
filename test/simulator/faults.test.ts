import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startSimulator,
  type FaultRule,
  type FaultRuleInput,
  type IssuedToken,
  type RunningSimulator,
} from '../../main/simulator/index.ts';
import {
  attachmentIdOf,
  call,
  createSession,
  expectGraphError,
  getJson,
  heldOffset,
  newTask,
  pattern,
  postJson,
  putRange,
  reportedOffset,
  sha256,
  type NewTask,
} from '../support/graph-sim.ts';
import { raw } from '../support/raw-http.ts';

let sim: RunningSimulator;
let task: NewTask;

beforeAll(async () => {
  sim = await startSimulator({ seed: 'empty' });
  task = await newTask(sim, 'faults');
});
afterEach(() => sim.control.clearFaults());
afterAll(() => sim.close());

/** Adds a fault rule through the HTTP control API, as an out-of-process tool would. */
async function addFault(rule: FaultRuleInput): Promise<FaultRule> {
  const res = await raw(`${sim.inspectUrl}/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(rule),
  });
  expect(res.status, res.text).toBe(200);
  return res.json() as FaultRule;
}

const getTask = () => call(sim, task.path);

describe('status faults', () => {
  it('injects 429 with a fractional Retry-After, once', async () => {
    const before = sim.control.counters();
    const rule = await addFault({
      operation: 'getTask',
      action: { type: 'status', status: 429, retryAfter: '2.128' },
    });
    expect(rule).toMatchObject({ operation: 'getTask', nth: 1, times: 1, seen: 0, fired: 0 });
    const res = await getTask();
    expectGraphError(res, 429, 'ApplicationThrottled');
    expect(res.headers['retry-after']).toBe('2.128');
    expect((await getTask()).status).toBe(200);
    const after = sim.control.counters();
    expect(after.throttled.injected - before.throttled.injected).toBe(1);
    expect(after.faultsFired - before.faultsFired).toBe(1);
    expect(sim.control.faults()[0]).toMatchObject({ seen: 2, fired: 1 });
  });

  it('injects 429 without Retry-After', async () => {
    await addFault({ operation: 'getTask', action: { type: 'status', status: 429 } });
    const res = await getTask();
    expectGraphError(res, 429, 'ApplicationThrottled');
    expect(res.headers).not.toHaveProperty('retry-after');
  });

  it('injects 503 with and without Retry-After, and 504', async () => {
    await addFault({
      operation: 'getTask',
      action: { type: 'status', status: 503, retryAfter: '1.5' },
    });
    const with503 = await getTask();
    expectGraphError(with503, 503, 'serviceNotAvailable');
    expect(with503.headers['retry-after']).toBe('1.5');

    await addFault({ operation: 'getTask', action: { type: 'status', status: 503 } });
    const bare503 = await getTask();
    expectGraphError(bare503, 503, 'serviceNotAvailable');
    expect(bare503.headers).not.toHaveProperty('retry-after');

    await addFault({ operation: 'getTask', action: { type: 'status', status: 504 } });
    expectGraphError(await getTask(), 504, 'gatewayTimeout');

    await addFault({
      operation: 'getTask',
      action: { type: 'status', status: 500, code: 'somethingOdd' },
    });
    expectGraphError(await getTask(), 500, 'somethingOdd');
    expect((await getTask()).status).toBe(200);
  });

  it('fires on the Nth uploadContent request, mid-upload, without touching the session', async () => {
    const bytes = pattern(30);
    const uploadUrl = await createSession(sim, task.path, bytes.length);
    await addFault({
      operation: 'uploadContent',
      nth: 2,
      action: { type: 'status', status: 503, retryAfter: '1' },
    });
    expect((await putRange(sim, uploadUrl, bytes, 0, 9)).status).toBe(200);
    expectGraphError(await putRange(sim, uploadUrl, bytes, 10, 19), 503);
    expect(await reportedOffset(sim, uploadUrl)).toBe(10);
    expect((await putRange(sim, uploadUrl, bytes, 10, 19)).status).toBe(200);
    expect((await putRange(sim, uploadUrl, bytes, 20, 29)).status).toBe(201);
  });

  it('fires `times` requests in a row, and forever with times 0', async () => {
    await addFault({ operation: 'getTask', times: 2, action: { type: 'status', status: 503 } });
    expect((await getTask()).status).toBe(503);
    expect((await getTask()).status).toBe(503);
    expect((await getTask()).status).toBe(200);

    await addFault({
      operation: 'getTask',
      nth: 2,
      times: 0,
      action: { type: 'status', status: 504 },
    });
    expect((await getTask()).status).toBe(200);
    for (let index = 0; index < 5; index += 1) expect((await getTask()).status).toBe(504);
    const cleared = await raw(`${sim.inspectUrl}/faults`, { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    expect(sim.control.faults()).toEqual([]);
    expect((await getTask()).status).toBe(200);
  });

  it('with a chance, fires on a seeded share of requests: the same faultSeed, the same ones', async () => {
    const firedPattern = async (faultSeed: number): Promise<string> => {
      const seeded = await startSimulator({ seed: 'empty', faultSeed });
      try {
        seeded.control.addFault({
          operation: 'listLists',
          times: 0,
          chance: 0.25,
          action: { type: 'status', status: 503 },
        });
        let fired = '';
        for (let index = 0; index < 40; index += 1) {
          fired += (await call(seeded, '/me/todo/lists')).status === 503 ? 'x' : '.';
        }
        return fired;
      } finally {
        await seeded.close();
      }
    };
    const first = await firedPattern(7);
    expect(await firedPattern(7)).toBe(first);
    expect(await firedPattern(8)).not.toBe(first);
    const fired = first.replaceAll('.', '').length;
    expect(fired).toBeGreaterThan(2);
    expect(fired).toBeLessThan(20);
  });

  it("matches every Graph operation with '*'", async () => {
    await addFault({ operation: '*', times: 3, action: { type: 'status', status: 503 } });
    expect((await call(sim, '/me/todo/lists')).status).toBe(503);
    expect((await getTask()).status).toBe(503);
    expect((await call(sim, `${task.path}/attachments`)).status).toBe(503);
    expect((await call(sim, '/me/todo/lists')).status).toBe(200);
  });

  it('removes one rule with DELETE /_sim/faults/{id} and lists rules with GET', async () => {
    const keep = await addFault({
      operation: 'listLists',
      times: 0,
      action: { type: 'status', status: 503 },
    });
    const drop = await addFault({
      operation: 'getTask',
      times: 0,
      action: { type: 'status', status: 503 },
    });
    const removed = await raw(`${sim.inspectUrl}/faults/${drop.id}`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    const listed = (await raw(`${sim.inspectUrl}/faults`)).json() as FaultRule[];
    expect(listed.map((rule) => rule.id)).toEqual([keep.id]);
    expect((await getTask()).status).toBe(200);
    expect((await call(sim, '/me/todo/lists')).status).toBe(503);
    expect((await raw(`${sim.inspectUrl}/faults/${drop.id}`, { method: 'DELETE' })).status).toBe(
      404,
    );
  });

  it('refuses malformed fault rules with 400', async () => {
    const bodies: unknown[] = [
      { operation: 'noSuchOperation', action: { type: 'status', status: 503 } },
      { operation: 'getTask', action: { type: 'status', status: 200 } },
      { operation: 'getTask', action: { type: 'explode' } },
      { operation: 'getTask', nth: 0, action: { type: 'status', status: 503 } },
      { operation: 'getTask', times: -1, action: { type: 'status', status: 503 } },
      { operation: 'getTask', chance: 0, action: { type: 'status', status: 503 } },
      { operation: 'getTask', chance: 1.5, action: { type: 'status', status: 503 } },
    ];
    for (const body of bodies) {
      const res = await raw(`${sim.inspectUrl}/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
    }
    expect(sim.control.faults()).toEqual([]);
  });
});

describe('connection drops', () => {
  it('drop-before-commit: the request fails and the range is discarded', async () => {
    const bytes = pattern(20);
    const uploadUrl = await createSession(sim, task.path, bytes.length);
    expect((await putRange(sim, uploadUrl, bytes, 0, 9)).status).toBe(200);
    const committed = sim.control.counters().bytesCommitted;
    await addFault({ operation: 'uploadContent', action: { type: 'drop-before-commit' } });
    await expect(putRange(sim, uploadUrl, bytes, 10, 19)).rejects.toThrow();
    expect(await reportedOffset(sim, uploadUrl)).toBe(10);
    expect(heldOffset(sim, uploadUrl)).toBe(10);
    expect(sim.control.counters().bytesCommitted).toBe(committed);
    const dropped = sim.control.requests().filter((entry) => entry.note === 'dropped');
    expect(dropped.at(-1)).toMatchObject({
      method: 'PUT',
      status: 0,
      contentRange: 'bytes 10-19/20',
    });
    const done = await putRange(sim, uploadUrl, bytes, 10, 19);
    expect(done.status).toBe(201);
    const id = attachmentIdOf(String(done.headers['location']));
    expect(sim.control.attachments().find((a) => a.id === id)?.sha256).toBe(sha256(bytes));
  });

  it('drop-after-commit: the request fails but the range is kept', async () => {
    const bytes = pattern(20);
    const uploadUrl = await createSession(sim, task.path, bytes.length);
    await addFault({ operation: 'uploadContent', action: { type: 'drop-after-commit' } });
    await expect(putRange(sim, uploadUrl, bytes, 0, 9)).rejects.toThrow();
    expect(await reportedOffset(sim, uploadUrl)).toBe(10);
    // Re-sending the lost range is refused; the status GET tells where to go on.
    expectGraphError(await putRange(sim, uploadUrl, bytes, 0, 9), 416, 'invalidRange');
    expect((await putRange(sim, uploadUrl, bytes, 10, 19)).status).toBe(201);
  });

  it('drop-after-commit on the final range: the attachment exists without an answer', async () => {
    const bytes = pattern(8);
    const uploadUrl = await createSession(sim, task.path, bytes.length, { name: 'lost.bin' });
    await addFault({ operation: 'uploadContent', action: { type: 'drop-after-commit' } });
    await expect(putRange(sim, uploadUrl, bytes, 0, 7)).rejects.toThrow();
    expectGraphError(await call(sim, uploadUrl), 404, 'itemNotFound');
    const stored = sim.control.attachments().find((a) => a.name === 'lost.bin');
    expect(stored?.sha256).toBe(sha256(bytes));
  });

  it('drop-before-commit on a small POST stores nothing', async () => {
    await addFault({ operation: 'createAttachment', action: { type: 'drop-before-commit' } });
    const post = postJson(sim, `${task.path}/attachments`, {
      name: 'never.txt',
      contentBytes: Buffer.from('x').toString('base64'),
    });
    await expect(post).rejects.toThrow();
    expect(sim.control.attachments().some((a) => a.name === 'never.txt')).toBe(false);
  });
});

describe('Location faults on the final range', () => {
  it('omit-location: 201 with an empty body and no Location', async () => {
    const bytes = pattern(6);
    const uploadUrl = await createSession(sim, task.path, bytes.length, { name: 'nolocation.bin' });
    await addFault({ operation: 'uploadContent', action: { type: 'omit-location' } });
    const res = await putRange(sim, uploadUrl, bytes, 0, 5);
    expect(res.status).toBe(201);
    expect(res.body.length).toBe(0);
    expect(res.headers).not.toHaveProperty('location');
    expect(sim.control.attachments().some((a) => a.name === 'nolocation.bin')).toBe(true);
  });

  it('lowercase-location: the header goes out as "location"', async () => {
    const bytes = pattern(6);
    const uploadUrl = await createSession(sim, task.path, bytes.length);
    await addFault({ operation: 'uploadContent', action: { type: 'lowercase-location' } });
    const res = await putRange(sim, uploadUrl, bytes, 0, 5);
    expect(res.status).toBe(201);
    expect(res.rawHeaderNames).toContain('location');
    expect(res.rawHeaderNames).not.toContain('Location');
    expect(String(res.headers['location'])).toMatch(/\/Attachments\/[^/]+$/);
  });
});

describe('token and timing faults', () => {
  it('expire-token: 401 now and later for that token; a fresh token works', async () => {
    const issued = await raw(`${sim.inspectUrl}/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    const token = (issued.json() as IssuedToken).accessToken;
    expect((await call(sim, task.path, { token })).status).toBe(200);
    await addFault({ operation: 'getTask', action: { type: 'expire-token' } });
    expectGraphError(await call(sim, task.path, { token }), 401, 'InvalidAuthenticationToken');
    expectGraphError(await call(sim, task.path, { token }), 401, 'InvalidAuthenticationToken');
    expectGraphError(await call(sim, '/me/todo/lists', { token }), 401);
    expect((await getTask()).status).toBe(200);
    const fresh = sim.control.issueToken().accessToken;
    expect((await call(sim, task.path, { token: fresh })).status).toBe(200);
  });

  it('delay: holds the answer for the given time', async () => {
    await addFault({ operation: 'getTask', action: { type: 'delay', ms: 150 } });
    const started = performance.now();
    const res = await getTask();
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    const quick = performance.now();
    expect((await getTask()).status).toBe(200);
    expect(performance.now() - quick).toBeLessThan(140);
  });

  it('combines with the in-process control API', async () => {
    const rule = sim.control.addFault({
      operation: 'getTask',
      action: { type: 'status', status: 503 },
    });
    expect(sim.control.faults().map((r) => r.id)).toEqual([rule.id]);
    expect((await getTask()).status).toBe(503);
    const body = await getJson<{ id: string }>(sim, task.path);
    expect(body.id).toBe(task.taskId);
    expect(sim.control.removeFault(rule.id)).toBe(true);
  });
});
