import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../main/simulator/index.ts';
import { createSession, newTask } from '../support/graph-sim.ts';
import {
  faultPlan,
  shapedLink,
  startFaultProxy,
  type FaultProxyOptions,
  type ProxyFaultKind,
  type RunningFaultProxy,
} from './fault-proxy.ts';

/** A plain TCP server: records what each connection sent it; echoes, or sends `answer` and ends. */
interface Upstream {
  port: number;
  /** Bytes received per connection, complete once that connection has closed. */
  received: Promise<Buffer>[];
  close(): Promise<void>;
}

async function startUpstream(answer: 'echo' | Buffer): Promise<Upstream> {
  const received: Promise<Buffer>[] = [];
  const server: Server = createServer((socket) => {
    const chunks: Buffer[] = [];
    received.push(
      new Promise((resolve) => socket.on('close', () => resolve(Buffer.concat(chunks)))),
    );
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (answer === 'echo') socket.write(chunk);
    });
    socket.on('end', () => socket.end());
    if (answer !== 'echo') socket.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Exchange {
  bytes: Buffer;
  /** When each chunk arrived, ms after the connection opened, with its size. */
  arrivals: { at: number; size: number }[];
  error: string | null;
  endedCleanly: boolean;
}

/** Connects to the proxy, sends `body` (then half-closes unless told not to), reads to the end. */
function exchange(port: number, body: Buffer, { halfClose = true } = {}): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = performance.now();
    const result: Exchange = {
      bytes: Buffer.alloc(0),
      arrivals: [],
      error: null,
      endedCleanly: false,
    };
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port }, () => {
      if (halfClose) socket.end(body);
      else socket.write(body);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      result.arrivals.push({ at: performance.now() - started, size: chunk.length });
    });
    socket.on('end', () => (result.endedCleanly = true));
    socket.on('error', (error: NodeJS.ErrnoException) => (result.error = error.code ?? 'error'));
    socket.on('close', () => resolve({ ...result, bytes: Buffer.concat(chunks) }));
  });
}

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((item) => item.close()));
});

async function proxyTo(
  upstream: Upstream,
  options: Omit<FaultProxyOptions, 'targetPort' | 'seed'> & { seed?: number },
): Promise<RunningFaultProxy> {
  const proxy = await startFaultProxy({ seed: 1, ...options, targetPort: upstream.port });
  running.push(proxy);
  return proxy;
}

async function upstreamWith(answer: 'echo' | Buffer): Promise<Upstream> {
  const upstream = await startUpstream(answer);
  running.push(upstream);
  return upstream;
}

/** Options where every window carries this fault, and the first fault of connection 1. */
function only(kind: ProxyFaultKind, extra: Partial<FaultProxyOptions> = {}) {
  const options = { seed: 1, faultRate: 1, kinds: [kind], ...extra };
  const side = kind.endsWith('request') ? 'request' : 'response';
  return { options, first: faultPlan(options, 1, side).next().value! };
}

describe('fault plans', () => {
  it('the same seed and connection draw the same plan; another seed or connection another', () => {
    const options = { seed: 42, faultRate: 0.3 };
    const draw = (seed: number, connection: number, side: 'request' | 'response') => {
      const plan = faultPlan({ ...options, seed }, connection, side);
      return Array.from({ length: 100 }, () => plan.next().value!);
    };
    const first = draw(42, 1, 'request');
    expect(draw(42, 1, 'request')).toEqual(first);
    expect(draw(43, 1, 'request')).not.toEqual(first);
    expect(draw(42, 2, 'request')).not.toEqual(first);
    // Strictly in stream order, about one window in three, each kind of its side.
    const offsets = first.map((fault) => fault.atByte);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(new Set(offsets).size).toBe(100);
    const windows = offsets.at(-1)! / (4 * 1024 * 1024);
    expect(100 / windows).toBeGreaterThan(0.2);
    expect(100 / windows).toBeLessThan(0.4);
    expect(new Set(first.map((fault) => fault.kind))).toEqual(
      new Set(['reset-request', 'stall-request']),
    );
    const answers = draw(42, 1, 'response');
    expect(new Set(answers.map((fault) => fault.kind))).toEqual(
      new Set(['reset-response', 'truncate-response', 'stall-response']),
    );
    for (const fault of [...first, ...answers]) {
      expect(fault.stallMs).toBeGreaterThanOrEqual(200);
      expect(fault.stallMs).toBeLessThanOrEqual(2_000);
    }
  });

  it('draws nothing without a fault rate', () => {
    expect(faultPlan({ seed: 1 }, 1, 'request').next().done).toBe(true);
    expect(
      faultPlan({ seed: 1, faultRate: 1, kinds: ['reset-request'] }, 1, 'response').next().done,
    ).toBe(true);
  });
});

describe('the fault proxy', () => {
  it('forwards bytes unchanged both ways when it has no fault to inject', async () => {
    const upstream = await upstreamWith('echo');
    const proxy = await proxyTo(upstream, {});
    const body = randomBytes(3 * 1024 * 1024);
    const result = await exchange(proxy.port, body);
    expect(result.error).toBeNull();
    expect(result.endedCleanly).toBe(true);
    expect(result.bytes.equals(body)).toBe(true);
    expect((await upstream.received[0]!).equals(body)).toBe(true);
    const report = proxy.report();
    expect(report).toMatchObject({ connections: 1, bytesToServer: body.length });
    expect(report.bytesToClient).toBe(body.length);
    expect(Object.values(report.injected).every((count) => count === 0)).toBe(true);
  });

  it('reset-request: the server gets exactly the bytes before the offset, the client a reset', async () => {
    const { options, first } = only('reset-request', { requestWindowBytes: 500_000, seed: 7 });
    const upstream = await upstreamWith('echo');
    const proxy = await proxyTo(upstream, options);
    const result = await exchange(proxy.port, randomBytes(1_000_000), { halfClose: false });
    expect(first.atByte).toBeGreaterThan(0);
    expect((await upstream.received[0]!).length).toBe(first.atByte);
    expect(result.error).toBe('ECONNRESET');
    expect(result.endedCleanly).toBe(false);
    // The next connection follows its own plan.
    await exchange(proxy.port, randomBytes(1_000_000), { halfClose: false });
    const second = faultPlan(options, 2, 'request').next().value!;
    expect((await upstream.received[1]!).length).toBe(second.atByte);
    expect(second.atByte).not.toBe(first.atByte);
    expect(proxy.report().injected['reset-request']).toBe(2);
  });

  it('reset-response: the client gets at most the bytes before the offset, then a reset', async () => {
    const { options, first } = only('reset-response', { responseWindowBytes: 50_000, seed: 8 });
    const upstream = await upstreamWith(randomBytes(100_000));
    const proxy = await proxyTo(upstream, options);
    const result = await exchange(proxy.port, Buffer.alloc(0), { halfClose: false });
    expect(result.bytes.length).toBeLessThanOrEqual(first.atByte);
    // A reset that lands before the client read the bytes shows as an end of stream instead.
    expect(result.error === 'ECONNRESET' || result.bytes.length < first.atByte).toBe(true);
    expect(proxy.report().injected['reset-response']).toBe(1);
  });

  it('truncate-response: the client gets exactly the bytes before the offset, then a clean end', async () => {
    const answer = randomBytes(100_000);
    const { options, first } = only('truncate-response', { responseWindowBytes: 50_000, seed: 9 });
    const upstream = await upstreamWith(answer);
    const proxy = await proxyTo(upstream, options);
    const result = await exchange(proxy.port, Buffer.alloc(0), { halfClose: false });
    expect(result.error).toBeNull();
    expect(result.endedCleanly).toBe(true);
    expect(result.bytes.equals(answer.subarray(0, first.atByte))).toBe(true);
    expect(proxy.report().injected['truncate-response']).toBe(1);
  });

  it('stall-response: the bytes after each offset come a stall later, all of them', async () => {
    const answer = randomBytes(2_000);
    const { options } = only('stall-response', {
      responseWindowBytes: 1_000,
      stallMs: { min: 400, max: 400 },
      seed: 10,
    });
    const plan = faultPlan(options, 1, 'response');
    const [one, two] = [plan.next().value!, plan.next().value!];
    const upstream = await upstreamWith(answer);
    const proxy = await proxyTo(upstream, options);
    // The upstream answers at once, in one go: one stall per window of 1,000 bytes.
    const result = await exchange(proxy.port, Buffer.alloc(0), { halfClose: false });
    expect(result.bytes.equals(answer)).toBe(true);
    const before = (ms: number) =>
      result.arrivals.filter((arrival) => arrival.at < ms).reduce((sum, a) => sum + a.size, 0);
    expect(before(380)).toBeLessThanOrEqual(one.atByte);
    expect(before(780)).toBeLessThanOrEqual(two.atByte);
    expect(result.arrivals.at(-1)!.at).toBeGreaterThanOrEqual(780);
    expect(proxy.report().injected['stall-response']).toBe(2);
  });

  it('stall-request: the server waits out each stall for the rest of the request', async () => {
    const { options } = only('stall-request', {
      requestWindowBytes: 2_500,
      stallMs: { min: 300, max: 300 },
    });
    const upstream = await upstreamWith('echo');
    const proxy = await proxyTo(upstream, options);
    const started = performance.now();
    const body = randomBytes(5_000);
    const result = await exchange(proxy.port, body);
    expect(result.bytes.equals(body)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(590);
    expect(proxy.report().injected['stall-request']).toBe(2);
  });

  it('caps bandwidth and adds latency per direction', async () => {
    const upstream = await upstreamWith('echo');
    const capped = await proxyTo(upstream, { bytesPerSecond: 1_000_000 });
    const body = randomBytes(400_000);
    const started = performance.now();
    const result = await exchange(capped.port, body);
    const elapsed = performance.now() - started;
    expect(result.bytes.equals(body)).toBe(true);
    // 0.4 s each way, pipelined: at least the 0.4 s of one direction less the bucket's burst
    // (64 KB go at once after a pause), well under unshaped time × 10.
    expect(elapsed).toBeGreaterThanOrEqual(320);
    expect(elapsed).toBeLessThan(3_000);

    const slow = await proxyTo(upstream, { latencyMs: 150 });
    const pinged = performance.now();
    const echo = await exchange(slow.port, Buffer.from('ping'));
    expect(echo.bytes.toString()).toBe('ping');
    // Out and back: two one-way delays.
    expect(echo.arrivals[0]!.at).toBeGreaterThanOrEqual(290);
    expect(performance.now() - pinged).toBeGreaterThanOrEqual(290);
  });

  it('keeps the Host header: the simulator hands out upload URLs on the proxy', async () => {
    const sim = await startSimulator({ seed: 'empty' });
    running.push(sim);
    const proxy = await startFaultProxy({ seed: 1, targetPort: sim.port });
    running.push(proxy);
    const viaProxy = { ...sim, graphUrl: `${proxy.origin}/v1.0` };
    const task = await newTask(viaProxy, 'through the proxy');
    const uploadUrl = await createSession(viaProxy, task.path, 10);
    expect(new URL(uploadUrl).origin).toBe(proxy.origin);
    expect(proxy.report().connections).toBeGreaterThan(0);
  });
});

/** Bytes and when they arrived, across every connection of one side. */
interface Arrivals {
  bytes: number;
  firstAt: number;
  lastAt: number;
}

const noArrivals = (): Arrivals => ({ bytes: 0, firstAt: Infinity, lastAt: 0 });

function arrived(into: Arrivals, size: number): void {
  const now = performance.now();
  into.bytes += size;
  into.firstAt = Math.min(into.firstAt, now);
  into.lastAt = now;
}

/** Bytes per second from the first byte to the last: the bandwidth, without the delay. */
const rateOf = (seen: Arrivals): number => (seen.bytes * 1000) / (seen.lastAt - seen.firstAt);

/** An upstream that records what arrives and sends `download` bytes on every connection. */
async function meteredUpstream(download: number) {
  const seen = noArrivals();
  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => arrived(seen, chunk.length));
    socket.on('end', () => socket.end());
    if (download > 0) socket.write(randomBytes(download));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  running.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
  return { port: (server.address() as AddressInfo).port, seen };
}

/** Opens a connection through the proxy, sends `upload` bytes, counts what comes back. */
function transfer(port: number, upload: number, expectBack: number, seen: Arrivals) {
  return new Promise<void>((resolve, reject) => {
    let back = 0;
    const socket = connect({ host: '127.0.0.1', port }, () => {
      if (upload > 0) socket.write(randomBytes(upload), () => socket.end());
    });
    socket.on('data', (chunk: Buffer) => {
      arrived(seen, chunk.length);
      back += chunk.length;
      if (back >= expectBack && upload === 0) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

describe('the shaped link (20 Mbit/s, 80 ms round trip)', () => {
  const link = shapedLink(20, 80);
  const rate = 2_500_000;
  // A loaded machine's timers fire late: the link may run a little slow, never fast.
  const within = (measured: number) => {
    expect(measured).toBeGreaterThan(rate * 0.85);
    expect(measured).toBeLessThan(rate * 1.05);
  };

  it('uploads share one bandwidth: two connections together get 20 Mbit/s, not 40', async () => {
    const upstream = await meteredUpstream(0);
    const proxy = await startFaultProxy({ seed: 1, ...link, targetPort: upstream.port });
    running.push(proxy);
    const back = noArrivals();
    await Promise.all([1, 2].map(() => transfer(proxy.port, 1_250_000, 0, back)));
    expect(upstream.seen.bytes).toBe(2_500_000);
    within(rateOf(upstream.seen));
  });

  it('downloads are shaped too, and shared the same way', async () => {
    const upstream = await meteredUpstream(1_250_000);
    const proxy = await startFaultProxy({ seed: 1, ...link, targetPort: upstream.port });
    running.push(proxy);
    const seen = noArrivals();
    await Promise.all([1, 2].map(() => transfer(proxy.port, 0, 1_250_000, seen)));
    expect(seen.bytes).toBe(2_500_000);
    within(rateOf(seen));
  });

  it('a connection pays a round trip to open, and every request and answer half of one', async () => {
    const upstream = await upstreamWith('echo');
    const proxy = await startFaultProxy({ seed: 1, ...link, targetPort: upstream.port });
    running.push(proxy);
    const turns: number[] = [];
    await new Promise<void>((resolve, reject) => {
      let sentAt = performance.now();
      const socket = connect({ host: '127.0.0.1', port: proxy.port }, () => socket.write('1'));
      socket.on('data', () => {
        turns.push(performance.now() - sentAt);
        if (turns.length === 3) {
          socket.end();
          return;
        }
        sentAt = performance.now();
        socket.write('again');
      });
      socket.on('error', reject);
      socket.on('close', () => resolve());
    });
    // Handshake and the first exchange: two round trips; each later exchange: one.
    expect(turns[0]).toBeGreaterThanOrEqual(159);
    for (const turn of turns.slice(1)) {
      expect(turn).toBeGreaterThanOrEqual(79);
      expect(turn).toBeLessThan(400);
    }
  });
});
