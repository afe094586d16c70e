import type { JobProgress } from '../../../preload/shared/contract.ts';

interface Track {
  size: number;
  bytesSent: number;
  bytesAcked: number;
  speed: number | null;
  lastAckAt: number;
  lastAdvanceAt: number;
  stalled: boolean;
  dirty: boolean;
}

/** Weight of the newest sample in the smoothed speed. */
const smoothing = 0.3;
export const defaultStallAfterMs = 30_000;

/**
 * Progress of the jobs uploading now: bytes sent and acknowledged, a smoothed speed and ETA,
 * a stall flag after 30 s without progress. Callers read the changes in batches (`drain`), so
 * a thousand active rows never turn into a thousand events per range.
 */
export class ProgressTracker {
  readonly #tracks = new Map<number, Track>();
  readonly #now: () => number;
  readonly #stallAfterMs: number;

  constructor(now: () => number, stallAfterMs = defaultStallAfterMs) {
    this.#now = now;
    this.#stallAfterMs = stallAfterMs;
  }

  begin(id: number, size: number, ackedOffset: number): void {
    const now = this.#now();
    this.#tracks.set(id, {
      size,
      bytesSent: ackedOffset,
      bytesAcked: ackedOffset,
      speed: null,
      lastAckAt: now,
      lastAdvanceAt: now,
      stalled: false,
      dirty: true,
    });
  }

  update(id: number, bytesSent: number, bytesAcked: number): void {
    const track = this.#tracks.get(id);
    if (track === undefined) return;
    const now = this.#now();
    if (bytesAcked > track.bytesAcked) {
      const elapsed = Math.max(1, now - track.lastAckAt) / 1000;
      const sample = (bytesAcked - track.bytesAcked) / elapsed;
      track.speed =
        track.speed === null ? sample : track.speed + smoothing * (sample - track.speed);
      track.lastAckAt = now;
    } else if (bytesAcked < track.bytesAcked) {
      // A restart (changed file, expired session): the old speed says nothing about the new run.
      track.speed = null;
      track.lastAckAt = now;
    }
    if (bytesSent !== track.bytesSent || bytesAcked !== track.bytesAcked) {
      track.lastAdvanceAt = now;
      track.stalled = false;
    }
    track.bytesSent = bytesSent;
    track.bytesAcked = bytesAcked;
    track.dirty = true;
  }

  end(id: number): void {
    this.#tracks.delete(id);
  }

  view(id: number): JobProgress | undefined {
    const track = this.#tracks.get(id);
    if (track === undefined) return undefined;
    const remaining = track.size - track.bytesAcked;
    return {
      id,
      bytesSent: track.bytesSent,
      bytesAcked: track.bytesAcked,
      speed: track.speed === null ? null : Math.round(track.speed),
      etaSeconds:
        track.speed === null || track.speed <= 0 ? null : Math.ceil(remaining / track.speed),
      stalled: track.stalled,
    };
  }

  /** What changed since the last call, stall flags included. */
  drain(): JobProgress[] {
    const now = this.#now();
    const changed: JobProgress[] = [];
    for (const [id, track] of this.#tracks) {
      const stalled = now - track.lastAdvanceAt >= this.#stallAfterMs;
      if (stalled !== track.stalled) {
        track.stalled = stalled;
        track.dirty = true;
      }
      if (!track.dirty) continue;
      track.dirty = false;
      const view = this.view(id);
      if (view !== undefined) changed.push(view);
    }
    return changed;
  }

  get active(): number {
    return this.#tracks.size;
  }
}
