import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { seededRandom } from '../support/seeded-random.ts';

/**
 * A TCP proxy on 127.0.0.1 that a client talks to instead of the simulator: it forwards bytes
 * unchanged (so the Host header, and every URL the simulator builds from it, names the proxy),
 * and breaks connections the way real networks do.
 *
 * Each connection has a fault plan per direction, drawn from the seed and the connection's number
 * alone: its bytes are cut into windows, and each window carries a fault with chance `faultRate`,
 * at a uniform offset inside it. So faults scale with the bytes sent, however few connections a
 * keep-alive client opens, and the same seed replays the same plans.
 */

export const proxyFaultKinds = [
  'reset-request',
  'reset-response',
  'truncate-response',
  'stall-request',
  'stall-response',
] as const;
export type ProxyFaultKind = (typeof proxyFaultKinds)[number];

/** request: client to server; response: server to client. */
export type Side = 'request' | 'response';

/** One planned fault: it strikes once `atByte` bytes of its side have passed. */
export interface PlannedFault {
  kind: ProxyFaultKind;
  atByte: number;
  /** How long a stall holds the bytes after that offset. */
  stallMs: number;
}

export interface FaultPlanOptions {
  seed: number;
  /** Chance that a window of a connection's bytes carries a fault, 0–1. Default 0: no faults. */
  faultRate?: number;
  /** The faults to draw from, evenly within each side. Default: all of them. */
  kinds?: readonly ProxyFaultKind[];
  /** Window of request bytes: about one upload range. */
  requestWindowBytes?: number;
  /** Window of response bytes: Graph's answers are a few hundred bytes each. */
  responseWindowBytes?: number;
  stallMs?: { min: number; max: number };
}

/**
 * The link between client and server, as a Wi-Fi link is: one bandwidth per direction that
 * every connection on it shares, and a propagation delay that every byte pays each way.
 * BENCHMARKS.md ("The shaped link") says how this plays out per request.
 */
export interface LinkShape {
  /**
   * One-way delay added to every byte (the round trip is twice this). A new connection also
   * pays one round trip for its handshake before its first byte leaves the client.
   */
  latencyMs?: number;
  /** Bandwidth per direction, a token bucket shared by every connection of the proxy. */
  bytesPerSecond?: number;
}

/** A link of `megabitsPerSecond` each way with a round trip of `rttMs`. */
export function shapedLink(megabitsPerSecond: number, rttMs: number): LinkShape {
  return { bytesPerSecond: (megabitsPerSecond * 1e6) / 8, latencyMs: rttMs / 2 };
}

export interface FaultProxyOptions extends FaultPlanOptions, LinkShape {
  targetPort: number;
  targetHost?: string;
  /** Sees every chunk as it reaches the proxy, before any delay (benchmarks time arrivals). */
  observe?: (side: Side, connection: number, chunk: Buffer) => void;
}

export type FaultCounts = Record<ProxyFaultKind, number>;

export interface ProxyReport {
  connections: number;
  /** Faults that struck, by kind. */
  injected: FaultCounts;
  bytesToServer: number;
  bytesToClient: number;
}

export interface RunningFaultProxy {
  /** e.g. http://127.0.0.1:PORT: use it where the simulator's origin would go. */
  readonly origin: string;
  readonly port: number;
  report(): ProxyReport;
  close(): Promise<void>;
}

const sideOf = (kind: ProxyFaultKind): Side => (kind.endsWith('request') ? 'request' : 'response');
const defaultWindowBytes: Record<Side, number> = { request: 4 * 1024 * 1024, response: 1024 };
const defaultStallMs = { min: 200, max: 2_000 };
/** Bytes queued in one direction before the sender is paused. */
const highWaterBytes = 1024 * 1024;
/** How long a server may take to close a connection the proxy cut mid-request. */
const upstreamGraceMs = 5_000;
/** A reset that lands on bytes the client has not read yet reads as a plain end on Linux. */
const resetAfterFlushMs = 10;
/** Shaped links send in slices this big, so a bandwidth cap paces smoothly. */
const shapedSliceBytes = 16 * 1024;
/**
 * What a direction may send at once after a pause: a few slices, so a timer that fires late
 * on a loaded machine is caught up on without the link ever running faster than its rate.
 */
const burstBytes = 4 * shapedSliceBytes;

/**
 * A token bucket: `bytesPerSecond` on average, at most `burst` bytes at once. One per direction
 * of a link, so connections share the bandwidth instead of each having its own.
 */
export class TokenBucket {
  readonly #bytesPerSecond: number;
  readonly #burst: number;
  #tokens: number;
  #updatedAt: number;

  constructor(bytesPerSecond: number, burst = burstBytes, now = performance.now()) {
    this.#bytesPerSecond = bytesPerSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#updatedAt = now;
  }

  /** Takes `bytes` (at most the burst) and answers 0, or answers how many ms until it could. */
  take(bytes: number, now = performance.now()): number {
    this.#tokens = Math.min(
      this.#burst,
      this.#tokens + ((now - this.#updatedAt) * this.#bytesPerSecond) / 1000,
    );
    this.#updatedAt = now;
    if (this.#tokens >= bytes) {
      this.#tokens -= bytes;
      return 0;
    }
    return ((bytes - this.#tokens) * 1000) / this.#bytesPerSecond;
  }
}

/** Both directions of a link: one bucket each, or none where the bandwidth is not capped. */
type LinkBuckets = Record<Side, TokenBucket | undefined>;

function linkBuckets(shape: LinkShape): LinkBuckets {
  const rate = shape.bytesPerSecond;
  return {
    request: rate === undefined ? undefined : new TokenBucket(rate),
    response: rate === undefined ? undefined : new TokenBucket(rate),
  };
}

export const zeroCounts = (): FaultCounts =>
  Object.fromEntries(proxyFaultKinds.map((kind) => [kind, 0])) as FaultCounts;

/** A seed for one side of one connection: independent of every other connection's traffic. */
function streamSeed(seed: number, connection: number, side: Side): number {
  return (
    (Math.imul(seed, 0x9e3779b1) ^
      Math.imul(connection * 2 + (side === 'request' ? 0 : 1), 0x85ebca6b)) >>>
    0
  );
}

/** The faults of one side of connection `connection` (1, 2, 3… as accepted), in stream order. */
export function* faultPlan(
  options: FaultPlanOptions,
  connection: number,
  side: Side,
): Generator<PlannedFault, void, undefined> {
  const rate = options.faultRate ?? 0;
  const kinds = (options.kinds ?? proxyFaultKinds).filter((kind) => sideOf(kind) === side);
  if (rate <= 0 || kinds.length === 0) return;
  const random = seededRandom(streamSeed(options.seed, connection, side));
  const window =
    (side === 'request' ? options.requestWindowBytes : options.responseWindowBytes) ??
    defaultWindowBytes[side];
  const stall = options.stallMs ?? defaultStallMs;
  for (let start = 0; ; start += window) {
    // Four draws per window whatever comes of them, so one window never shifts the next.
    const [faulty, pick, offset, pause] = [random(), random(), random(), random()];
    if (faulty >= rate) continue;
    yield {
      kind: kinds[Math.floor(pick * kinds.length)]!,
      atByte: start + Math.floor(offset * window),
      stallMs: Math.round(stall.min + pause * (stall.max - stall.min)),
    };
  }
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<RunningFaultProxy> {
  const report: ProxyReport = {
    connections: 0,
    injected: zeroCounts(),
    bytesToServer: 0,
    bytesToClient: 0,
  };
  const live = new Set<Connection>();
  const buckets = linkBuckets(options);
  const server = createServer({ allowHalfOpen: true }, (client) => {
    report.connections += 1;
    const number = report.connections;
    const upstream = connect({
      host: options.targetHost ?? '127.0.0.1',
      port: options.targetPort,
      allowHalfOpen: true,
    });
    const observe = options.observe;
    if (observe !== undefined) {
      client.on('data', (chunk: Buffer) => observe('request', number, chunk));
      upstream.on('data', (chunk: Buffer) => observe('response', number, chunk));
    }
    const connection = new Connection(client, upstream, options, buckets, report, (side) =>
      faultPlan(options, number, side),
    );
    live.add(connection);
    void connection.closed.then(() => live.delete(connection));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    report: () => structuredClone(report),
    close: () =>
      new Promise((resolve) => {
        for (const connection of live) connection.destroy();
        server.close(() => resolve());
      }),
  };
}

type Entry =
  { kind: 'bytes'; bytes: Buffer; readyAt: number } | { kind: 'fault'; fault: PlannedFault };

/** One proxied TCP connection: two shaped flows, each with its fault plan. */
class Connection {
  readonly closed: Promise<void>;
  readonly #client: Socket;
  readonly #upstream: Socket;
  readonly #report: ProxyReport;
  readonly #flows: Flow[];
  #over = false;

  constructor(
    client: Socket,
    upstream: Socket,
    shape: LinkShape,
    buckets: LinkBuckets,
    report: ProxyReport,
    plan: (side: Side) => Iterator<PlannedFault, void, undefined>,
  ) {
    this.#client = client;
    this.#upstream = upstream;
    this.#report = report;
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const strike = (fault: PlannedFault) => this.#strike(fault);
    const latencyMs = shape.latencyMs ?? 0;
    // The handshake: SYN out, SYN-ACK back, before the client's first byte may leave.
    const handshakeDoneAt = performance.now() + 2 * latencyMs;
    this.#flows = [
      new Flow(client, upstream, {
        latencyMs,
        notBefore: handshakeDoneAt,
        bucket: buckets.request,
        plan: plan('request'),
        strike,
        count: (n) => (report.bytesToServer += n),
      }),
      new Flow(upstream, client, {
        latencyMs,
        notBefore: 0,
        bucket: buckets.response,
        plan: plan('response'),
        strike,
        count: (n) => (report.bytesToClient += n),
      }),
    ];
    let closedSockets = 0;
    this.closed = new Promise((resolve) => {
      for (const socket of [client, upstream]) {
        socket.on('error', () => {
          if (!this.#over) this.destroy();
        });
        socket.on('close', () => {
          // A side that closed without its flow ending (a reset) takes the other with it, unless
          // a fault is ending the connection its own way.
          if (!socket.readableEnded && !this.#over) this.destroy();
          closedSockets += 1;
          if (closedSockets === 2) resolve();
        });
      }
    });
  }

  destroy(): void {
    this.#stopFlows();
    this.#client.destroy();
    this.#upstream.destroy();
  }

  /** Acts out a fault; answers how long its flow must hold (a stall), or null once it is over. */
  #strike(fault: PlannedFault): number | null {
    if (this.#over) return null;
    this.#report.injected[fault.kind] += 1;
    switch (fault.kind) {
      case 'stall-request':
      case 'stall-response':
        return fault.stallMs;
      case 'reset-request':
        // The server gets the bytes before the offset and a closed connection; the client a reset.
        this.#stopFlows();
        this.#upstream.end();
        setTimeout(() => this.#upstream.destroy(), upstreamGraceMs).unref();
        this.#client.resetAndDestroy();
        return null;
      case 'reset-response':
        this.#stopFlows();
        this.#upstream.destroy();
        this.#client.write(Buffer.alloc(0), () =>
          setTimeout(() => this.#client.resetAndDestroy(), resetAfterFlushMs),
        );
        return null;
      case 'truncate-response':
        // A clean end of the stream in the middle of an answer.
        this.#stopFlows();
        this.#upstream.destroy();
        this.#client.end();
        return null;
    }
  }

  #stopFlows(): void {
    this.#over = true;
    for (const flow of this.#flows) flow.stop();
  }
}

interface FlowShape {
  latencyMs: number;
  /** No byte leaves before this moment (the connection's handshake). */
  notBefore: number;
  /** The link's bandwidth in this direction, shared with the other connections. */
  bucket: TokenBucket | undefined;
  plan: Iterator<PlannedFault, void, undefined>;
  strike: (fault: PlannedFault) => number | null;
  count: (bytes: number) => void;
}

/**
 * One direction of a connection: forwards in order, each byte `latencyMs` after it arrived (and
 * not before the handshake is done), at the pace the link's bucket allows, with faults.
 */
class Flow {
  readonly #from: Socket;
  readonly #to: Socket;
  readonly #shape: FlowShape;
  #nextFault: PlannedFault | undefined;
  #received = 0;
  #queued = 0;
  readonly #queue: Entry[] = [];
  /** A stall holds the flow until then. */
  #heldUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #awaitingDrain = false;
  #sourceEnded = false;
  #stopped = false;

  constructor(from: Socket, to: Socket, shape: FlowShape) {
    this.#from = from;
    this.#to = to;
    this.#shape = shape;
    this.#nextFault = this.#drawFault();
    from.on('data', (chunk: Buffer) => this.#take(chunk));
    from.on('end', () => {
      this.#sourceEnded = true;
      this.#pump();
    });
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#queue.length = 0;
  }

  #drawFault(): PlannedFault | undefined {
    const next = this.#shape.plan.next();
    return next.done === true ? undefined : next.value;
  }

  #take(chunk: Buffer): void {
    if (this.#stopped) return;
    const readyAt = Math.max(performance.now(), this.#shape.notBefore) + this.#shape.latencyMs;
    let rest = chunk;
    let fault = this.#nextFault;
    while (fault !== undefined && this.#received + rest.length > fault.atByte) {
      const before = fault.atByte - this.#received;
      this.#enqueue(rest.subarray(0, before), readyAt);
      this.#queue.push({ kind: 'fault', fault });
      this.#received += before;
      rest = rest.subarray(before);
      fault = this.#nextFault = this.#drawFault();
    }
    this.#enqueue(rest, readyAt);
    this.#received += rest.length;
    if (this.#queued > highWaterBytes) this.#from.pause();
    this.#pump();
  }

  #enqueue(bytes: Buffer, readyAt: number): void {
    const slice = this.#shape.bucket === undefined ? bytes.length : shapedSliceBytes;
    for (let start = 0; start < bytes.length; start += slice) {
      const part = bytes.subarray(start, start + slice);
      this.#queue.push({ kind: 'bytes', bytes: part, readyAt });
      this.#queued += part.length;
    }
  }

  #pump(): void {
    if (this.#stopped || this.#timer !== undefined || this.#awaitingDrain) return;
    for (;;) {
      const head = this.#queue[0];
      if (head === undefined) break;
      const now = performance.now();
      if (head.kind === 'fault') {
        this.#queue.shift();
        const holdMs = this.#shape.strike(head.fault);
        if (holdMs === null) return;
        this.#heldUntil = Math.max(now, this.#heldUntil) + holdMs;
        continue;
      }
      const waitMs = Math.max(head.readyAt, this.#heldUntil) - now;
      if (waitMs > 1) {
        this.#sleep(waitMs);
        return;
      }
      const bucketWaitMs = this.#shape.bucket?.take(head.bytes.length, now) ?? 0;
      if (bucketWaitMs > 0) {
        this.#sleep(Math.max(1, bucketWaitMs));
        return;
      }
      this.#queue.shift();
      this.#queued -= head.bytes.length;
      this.#shape.count(head.bytes.length);
      if (!this.#to.write(head.bytes)) {
        this.#awaitingDrain = true;
        this.#to.once('drain', () => {
          this.#awaitingDrain = false;
          this.#pump();
        });
        return;
      }
    }
    if (this.#sourceEnded) this.#to.end();
    else this.#resumeIfRoom();
  }

  #sleep(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, ms);
    this.#resumeIfRoom();
  }

  #resumeIfRoom(): void {
    if (this.#from.isPaused() && this.#queued <= highWaterBytes / 2) this.#from.resume();
  }
}
