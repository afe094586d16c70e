import type { GraphClient } from '../graph/client.ts';
import type { ByteRange } from '../graph/types.ts';
import type { JobFacts, JobRow, JobStore } from '../queue/job-store.ts';
import type { AccountKnowledge } from '../queue/service-knowledge.ts';

export interface AttemptDeps {
  store: JobStore;
  graph: GraphClient;
  /** What the account's service is known to do and not to do (docs/upload-rules.md rule 11). */
  knowledge: AccountKnowledge;
  now: () => number;
  signal: AbortSignal;
  rangeSize: number;
  smallUploadMaxBytes: number;
  onProgress: (id: number, bytesSent: number, bytesAcked: number) => void;
}

/** How far one attempt goes before it leaves the decision to the retry policy, as data. */
export const attemptLimits = {
  /** A session with less time left than this is not worth resuming. */
  sessionMarginMs: 60_000,
  /** Times a file may change under one attempt before it is left to settle. */
  restarts: 2,
  /** Times the server's offset may disagree with ours in one attempt. */
  resyncs: 3,
  /** Sessions found gone (404) in one attempt; more means the 404 is not about expiry. */
  sessionsGone: 2,
} as const;

/** The lowest offset the server expects next, or null when it named none. */
export function firstOffset(ranges: readonly ByteRange[]): number | null {
  return ranges.length === 0 ? null : Math.min(...ranges.map((range) => range.start));
}

/**
 * The job one attempt works on, as the queue last recorded it, and the one way to record more
 * (docs/upload-rules.md rule 2: each fact is written before the step that rests on it).
 */
export class AttemptContext {
  readonly deps: AttemptDeps;
  #job: JobRow;

  constructor(job: JobRow, deps: AttemptDeps) {
    this.#job = job;
    this.deps = deps;
  }

  get job(): JobRow {
    return this.#job;
  }

  record(facts: JobFacts): void {
    this.#job = this.deps.store.record(this.#job.id, facts);
  }

  /** The attempt's signal, as the Graph client's calls take it. */
  get signalOption(): { signal: AbortSignal } {
    return { signal: this.deps.signal };
  }

  /** Whether an earlier attempt already sent bytes or opened a session for this job. */
  hasProgress(): boolean {
    return this.#job.uploadUrl !== null || this.#job.ackedOffset > 0;
  }

  progress(bytesSent: number, bytesAcked: number): void {
    this.deps.onProgress(this.#job.id, bytesSent, bytesAcked);
  }
}
