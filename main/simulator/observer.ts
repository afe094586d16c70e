import type { Counters, Operation, RequestLogEntry, ThrottleReason } from './types.ts';

const logCapacity = 20_000;

function zeroCounters(): Counters {
  return {
    requests: 0,
    byOperation: {},
    byStatus: {},
    throttled: { concurrency: 0, requests: 0, volume: 0, injected: 0 },
    faultsFired: 0,
    bytesReceived: 0,
    bytesCommitted: 0,
    peakConcurrency: 0,
  };
}

/** What tests read back: counters and the most recent requests, oldest first. */
export class Observer {
  #counters = zeroCounters();
  #log: RequestLogEntry[] = [];
  #seq = 0;

  counters(): Counters {
    return structuredClone(this.#counters);
  }

  reset(): void {
    this.#counters = zeroCounters();
  }

  requests(sinceSeq = 0): RequestLogEntry[] {
    return this.#log.filter((entry) => entry.seq > sinceSeq);
  }

  get lastSeq(): number {
    return this.#seq;
  }

  countOperation(operation: Operation): void {
    this.#counters.requests += 1;
    this.#counters.byOperation[operation] = (this.#counters.byOperation[operation] ?? 0) + 1;
  }

  throttled(reason: ThrottleReason): void {
    this.#counters.throttled[reason] += 1;
  }

  faultFired(): void {
    this.#counters.faultsFired += 1;
  }

  received(bytes: number): void {
    this.#counters.bytesReceived += bytes;
  }

  committed(bytes: number): void {
    this.#counters.bytesCommitted += bytes;
  }

  concurrency(current: number): void {
    this.#counters.peakConcurrency = Math.max(this.#counters.peakConcurrency, current);
  }

  record(entry: Omit<RequestLogEntry, 'seq'>): void {
    this.#seq += 1;
    const key = String(entry.status);
    this.#counters.byStatus[key] = (this.#counters.byStatus[key] ?? 0) + 1;
    this.#log.push({ seq: this.#seq, ...entry });
    if (this.#log.length > logCapacity) this.#log = this.#log.slice(-logCapacity / 2);
  }
}
