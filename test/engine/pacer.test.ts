import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AccountPacer,
  concurrencyCalmMs,
  defaultPacingLimits,
  type PacingLimits,
  type Permit,
} from '../../main/core/pacing/account-pacer.ts';
import { pacerAdmission } from '../../main/core/pacing/pacer-admission.ts';
import { GraphTransport, type GraphRequest } from '../../main/core/graph/transport.ts';
import { UsageWindow } from '../../main/core/pacing/usage-window.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

interface Tracked<T> {
  settled: boolean;
  value: T | undefined;
  error: unknown;
}

function track<T>(promise: Promise<T>): Tracked<T> {
  const state: Tracked<T> = { settled: false, value: undefined, error: undefined };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** Lets promise callbacks run, and moves the fake clock by `ms`. */
async function advance(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

function pacer(limits: Partial<PacingLimits>): AccountPacer {
  return new AccountPacer({ ...defaultPacingLimits, ...limits }, () => Date.now());
}

const permitOf = (tracked: Tracked<Permit>): Permit => {
  if (tracked.value === undefined) throw new Error('no permit yet');
  return tracked.value;
};

describe('AccountPacer', () => {
  it('caps concurrent requests; a release lets the next one in', async () => {
    const gate = pacer({ maxConcurrentRequests: 2 });
    const [a, b, c] = [0, 0, 0].map(() => track(gate.acquire(0)));
    await advance();
    expect([a!.settled, b!.settled, c!.settled]).toEqual([true, true, false]);
    expect(gate.waiting).toBe(1);
    await advance(60_000);
    expect(c!.settled).toBe(false);
    permitOf(a!).release();
    await advance();
    expect(c!.settled).toBe(true);
  });

  it('a permit released twice frees one slot only', async () => {
    const gate = pacer({ maxConcurrentRequests: 1 });
    const first = track(gate.acquire(0));
    await advance();
    const [b, c] = [0, 0].map(() => track(gate.acquire(0)));
    permitOf(first).release();
    permitOf(first).release();
    await advance();
    expect([b!.settled, c!.settled]).toEqual([true, false]);
  });

  it('keeps to the request rate over a rolling window, counted from each answer', async () => {
    const gate = pacer({ maxRequestsPerWindow: 3, requestWindowMs: 1_000 });
    for (let n = 0; n < 3; n += 1) {
      const permit = track(gate.acquire(0));
      await advance(100);
      permitOf(permit).release();
    }
    // Spent at +100, +200 and +300 ms: the fourth fits once the first has left the window.
    const fourth = track(gate.acquire(0));
    await advance(799);
    expect(fourth.settled).toBe(false);
    await advance(1);
    expect(fourth.settled).toBe(true);
  });

  it('keeps to the upload volume over a rolling window; in-flight bytes count too', async () => {
    const gate = pacer({ maxUploadBytesPerWindow: 100, uploadWindowMs: 1_000 });
    const first = track(gate.acquire(60));
    await advance();
    const second = track(gate.acquire(60));
    await advance(5_000);
    // Still in flight: the window cannot know when its bytes will count.
    expect(second.settled).toBe(false);
    permitOf(first).release();
    await advance(999);
    expect(second.settled).toBe(false);
    await advance(1);
    expect(second.settled).toBe(true);
    // Requests without a body pass while the volume is used up.
    const get = track(gate.acquire(0));
    await advance();
    expect(get.settled).toBe(true);
  });

  it('lets one request larger than the whole budget through on an empty window', async () => {
    const gate = pacer({ maxUploadBytesPerWindow: 100, uploadWindowMs: 1_000 });
    const big = track(gate.acquire(150));
    await advance();
    expect(big.settled).toBe(true);
    permitOf(big).release();
    const next = track(gate.acquire(1));
    await advance(999);
    expect(next.settled).toBe(false);
    await advance(1);
    expect(next.settled).toBe(true);
  });

  it('serves waiters strictly in arrival order: a small request never overtakes a large one', async () => {
    const gate = pacer({ maxUploadBytesPerWindow: 100, uploadWindowMs: 1_000 });
    const order: string[] = [];
    const first = track(gate.acquire(80));
    await advance();
    permitOf(first).release();
    const names = ['large', 'small', 'get'];
    const sizes = [80, 10, 0];
    const waiting = names.map((name, n) =>
      gate.acquire(sizes[n]!).then((permit) => {
        order.push(name);
        permit.release();
      }),
    );
    await advance(500);
    // 10 bytes would fit now, but the large request came first.
    expect(order).toEqual([]);
    await advance(500);
    await Promise.all(waiting);
    expect(order).toEqual(['large', 'small', 'get']);
  });

  it('pause() holds everyone until it ends; a shorter pause does not cut it short', async () => {
    const gate = pacer({});
    gate.pause(500);
    gate.pause(100);
    expect(gate.pausedUntil).toBe(Date.now() + 500);
    const [a, b] = [0, 10].map((bytes) => track(gate.acquire(bytes)));
    await advance(499);
    expect([a!.settled, b!.settled]).toEqual([false, false]);
    await advance(1);
    expect([a!.settled, b!.settled]).toEqual([true, true]);
  });

  it('a waiter aborted while waiting is rejected and leaves the line', async () => {
    const gate = pacer({ maxConcurrentRequests: 1 });
    const holder = track(gate.acquire(0));
    await advance();
    const controller = new AbortController();
    const aborted = track(gate.acquire(0, controller.signal));
    const after = track(gate.acquire(0));
    const reason = new Error('cancelled by the person');
    controller.abort(reason);
    await advance();
    expect(aborted).toMatchObject({ settled: true, error: reason });
    expect(gate.waiting).toBe(1);
    permitOf(holder).release();
    await advance();
    expect(after.settled).toBe(true);
  });

  it('keeps the process alive while a request waits for room, and only then', async () => {
    vi.useRealTimers();
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const gate = pacer({ maxUploadBytesPerWindow: 100, uploadWindowMs: 60_000 });
    (await gate.acquire(100)).release();
    const before = timers();
    const controller = new AbortController();
    const waiting = gate.acquire(50, controller.signal).catch(() => 'aborted');
    // Without it, a `taskdrop upload` whose every upload waits for the budget exits, with 0.
    expect(timers()).toBe(before + 1);
    controller.abort();
    expect(await waiting).toBe('aborted');
    expect(timers()).toBe(before);
  });

  it('refuses at once a signal that is already aborted', () => {
    const gate = pacer({});
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    expect(() => gate.acquire(0, controller.signal)).toThrow('too late');
    expect(gate.waiting).toBe(0);
  });

  it('setLimits() applies at once to the waiters', async () => {
    const gate = pacer({ maxConcurrentRequests: 1 });
    track(gate.acquire(0));
    const second = track(gate.acquire(0));
    await advance();
    expect(second.settled).toBe(false);
    gate.setLimits({ ...gate.limits, maxConcurrentRequests: 2 });
    await advance();
    expect(second.settled).toBe(true);
  });
});

describe('UsageWindow', () => {
  it('counts spends until they are a window old, plus what is in flight', () => {
    const window = new UsageWindow(() => 1_000);
    window.finish(0, 0);
    window.begin(30);
    window.finish(30, 100);
    window.begin(20);
    expect(window.used(100)).toBe(50);
    expect(window.used(1_099)).toBe(50);
    expect(window.used(1_100)).toBe(20);
  });

  it('says how long until an amount fits, or Infinity while only in-flight use blocks', () => {
    const window = new UsageWindow(() => 1_000);
    window.begin(40);
    window.finish(40, 0);
    window.begin(40);
    window.finish(40, 300);
    expect(window.waitFor(20, 100, 400)).toBe(0);
    expect(window.waitFor(30, 100, 400)).toBe(600);
    expect(window.waitFor(70, 100, 400)).toBe(900);
    window.begin(100);
    expect(window.waitFor(10, 100, 400)).toBe(Infinity);
  });
});

describe('pacerAdmission: the transport paced by the account', () => {
  const ok = (): Promise<Response> => Promise.resolve(new Response('{}', { status: 200 }));

  function transport(
    gate: AccountPacer,
    inner: typeof fetch,
    requestTimeoutMs = 60_000,
    random: () => number = Math.random,
  ) {
    return new GraphTransport({
      graphUrl: 'http://graph.test/v1.0',
      getAccessToken: () => Promise.resolve('token'),
      fetch: inner,
      admission: pacerAdmission(gate, () => Date.now(), random),
      requestTimeoutMs,
      now: () => Date.now(),
    });
  }

  const request = (url: string, body?: { bytes?: Uint8Array; json?: unknown }): GraphRequest => ({
    operation: 'createSmallAttachment',
    method: body === undefined ? 'GET' : 'POST',
    url,
    signal: undefined,
    ...body,
  });

  it.each([
    ['seconds', '2', 2_000],
    ['fractional seconds', '2.128', 2_128],
    ['an HTTP date', 'HTTP-DATE', 7_000],
  ])('a 429 with Retry-After as %s pauses the whole account', async (_, header, pauseMs) => {
    const gate = pacer({});
    const value =
      header === 'HTTP-DATE' ? new Date(Date.now() + 7_000).toUTCString() : (header ?? undefined);
    const inner = (): Promise<Response> =>
      Promise.resolve(
        new Response('{"error":{}}', {
          status: 429,
          headers: value === undefined ? {} : { 'Retry-After': value },
        }),
      );
    const sent = transport(gate, inner).send(request('http://graph.test/v1.0/x'));
    await expect(sent).rejects.toMatchObject({ kind: 'throttled' });
    // An HTTP date has whole seconds only.
    expect(Math.abs(gate.pausedUntil - (Date.now() + pauseMs))).toBeLessThan(1_000);
    if (header !== 'HTTP-DATE') expect(gate.pausedUntil).toBe(Date.now() + pauseMs);
  });

  /** A fetch answering each call with the next status; 429s with `body` and `retryAfter`. */
  function answers(statuses: number[], message = 'Please retry again later.', retryAfter?: string) {
    let index = 0;
    return (): Promise<Response> => {
      const status = statuses[Math.min(index, statuses.length - 1)] ?? 200;
      index += 1;
      if (status !== 429) return Promise.resolve(new Response('{}', { status }));
      const body = JSON.stringify({ error: { code: 'ApplicationThrottled', message } });
      const headers: Record<string, string> =
        retryAfter === undefined ? {} : { 'Retry-After': retryAfter };
      return Promise.resolve(new Response(body, { status: 429, headers }));
    };
  }

  const pauseLeft = (gate: AccountPacer): number => gate.pausedUntil - Date.now();

  it.each([
    ['shortest', () => 0, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]],
    ['longest', () => 1, [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]],
  ])(
    'a 429 without Retry-After pauses by jittered exponential backoff (%s draw), reset by an answer',
    async (_, random, pauses) => {
      const gate = pacer({});
      const paced = transport(gate, answers([...pauses.map(() => 429), 200, 429]), 60_000, random);
      for (const pause of pauses) {
        await expect(paced.send(request('http://graph.test/v1.0/x'))).rejects.toMatchObject({
          kind: 'throttled',
        });
        expect(pauseLeft(gate)).toBe(pause);
        await advance(pause);
      }
      await paced.send(request('http://graph.test/v1.0/x'));
      await expect(paced.send(request('http://graph.test/v1.0/x'))).rejects.toThrow();
      expect(pauseLeft(gate)).toBe(pauses[0]);
    },
  );

  it('a MailboxConcurrency 429 lowers the concurrency down to 1; it climbs back one per calm minute', async () => {
    const gate = pacer({ maxConcurrentRequests: 3 });
    const concurrency429 = 'Application is over its MailboxConcurrency limit.';
    const paced = transport(gate, answers([429], concurrency429, '1'));
    const concurrencies: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      await expect(paced.send(request('http://graph.test/v1.0/x'))).rejects.toThrow();
      concurrencies.push(gate.concurrency);
      await advance(1_000);
    }
    expect(concurrencies).toEqual([2, 1, 1]);
    const held = [track(gate.acquire(0)), track(gate.acquire(0))];
    await advance();
    expect(held.map((each) => each.settled)).toEqual([true, false]);
    await advance(concurrencyCalmMs);
    expect(gate.concurrency).toBe(2);
    permitOf(held[0]!).release();
    await advance();
    expect(held[1]!.settled).toBe(true);
    await advance(5 * concurrencyCalmMs);
    expect(gate.concurrency).toBe(3);
  });

  it('429s of one wave count once; one for another limit does not lower the concurrency', async () => {
    const gate = pacer({ maxConcurrentRequests: 3 });
    const wave = transport(
      gate,
      answers([429], 'Application is over its MailboxConcurrency limit.'),
    );
    const sent = [0, 1, 2].map(() => wave.send(request('http://graph.test/v1.0/x')));
    for (const each of sent) await expect(each).rejects.toThrow();
    expect(gate.concurrency).toBe(2);
    expect(pauseLeft(gate)).toBeLessThanOrEqual(2_000);
    await advance(2_000);
    const other = transport(
      gate,
      answers([429], 'Application is over its MailboxRequests limit.', '1'),
    );
    await expect(other.send(request('http://graph.test/v1.0/x'))).rejects.toThrow();
    expect(gate.concurrency).toBe(2);
  });

  it('counts the body bytes against the upload volume', async () => {
    const gate = pacer({ maxUploadBytesPerWindow: 100, uploadWindowMs: 1_000 });
    const paced = transport(gate, ok);
    await paced.send(request('http://graph.test/v1.0/x', { bytes: new Uint8Array(60) }));
    // {"a":"xxx…"}: 30 bytes of JSON.
    await paced.send(request('http://graph.test/v1.0/x', { json: { a: 'x'.repeat(22) } }));
    const next = track(gate.acquire(20));
    await advance(999);
    expect(next.settled).toBe(false);
    await advance(1);
    expect(next.settled).toBe(true);
  });

  it('holds its slot until the answer is fully read', async () => {
    const gate = pacer({ maxConcurrentRequests: 1 });
    let finishBody: () => void = () => undefined;
    const calls: string[] = [];
    const inner = (input: string | URL | Request): Promise<Response> => {
      calls.push(String(input));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"value":'));
          finishBody = () => {
            controller.enqueue(new TextEncoder().encode('[]}'));
            controller.close();
          };
        },
      });
      return Promise.resolve(new Response(body, { status: 200 }));
    };
    const paced = transport(gate, inner);
    const first = track(paced.send(request('http://graph.test/v1.0/one')));
    const second = track(paced.send(request('http://graph.test/v1.0/two')));
    await advance();
    expect(calls).toEqual(['http://graph.test/v1.0/one']);
    finishBody();
    await advance();
    expect(first.settled).toBe(true);
    expect(first.value!.bodyText).toBe('{"value":[]}');
    expect(calls).toEqual(['http://graph.test/v1.0/one', 'http://graph.test/v1.0/two']);
    finishBody();
    await advance();
    expect(second.settled).toBe(true);
  });

  it('starts the request timeout when the request goes out, not while it waits for budget', async () => {
    const gate = pacer({ maxUploadBytesPerWindow: 1_000, uploadWindowMs: 2_000 });
    const calls: number[] = [];
    const inner = (): Promise<Response> => {
      calls.push(Date.now());
      return ok();
    };
    const paced = transport(gate, inner, 500);
    const body = { bytes: new Uint8Array(600) };
    await paced.send(request('http://graph.test/v1.0/first', body));
    const second = track(paced.send(request('http://graph.test/v1.0/second', body)));
    // Four times its timeout spent waiting for room in the volume window: still no failure.
    await advance(1_999);
    expect(second.settled).toBe(false);
    await advance(1);
    expect(second.error).toBeUndefined();
    expect(second.value?.status).toBe(200);
    expect(calls).toHaveLength(2);
  });
});
