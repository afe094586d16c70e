import { beforeEach, describe, expect, it } from 'vitest';
import { defaultStallAfterMs, ProgressTracker } from '../../main/core/engine/progress-tracker.ts';

let t: number;
let tracker: ProgressTracker;

beforeEach(() => {
  t = 1_000_000;
  tracker = new ProgressTracker(() => t);
});

describe('ProgressTracker', () => {
  it('starts from what the server acknowledged, with no speed yet', () => {
    tracker.begin(1, 10_000, 4_000);
    expect(tracker.view(1)).toEqual({
      id: 1,
      bytesSent: 4_000,
      bytesAcked: 4_000,
      speed: null,
      etaSeconds: null,
      stalled: false,
    });
    expect(tracker.active).toBe(1);
  });

  it('smooths the speed over acknowledgements and derives the ETA from it', () => {
    tracker.begin(1, 10_000, 0);
    t += 1_000;
    tracker.update(1, 2_000, 1_000);
    expect(tracker.view(1)).toMatchObject({ speed: 1_000, etaSeconds: 9, bytesSent: 2_000 });
    // A burst of 2,000 B/s moves the estimate 30 % of the way, not all of it.
    t += 1_000;
    tracker.update(1, 4_000, 3_000);
    expect(tracker.view(1)).toMatchObject({ speed: 1_300, etaSeconds: Math.ceil(7_000 / 1_300) });
    // Bytes sent but not yet acknowledged change no estimate.
    t += 5_000;
    tracker.update(1, 6_000, 3_000);
    expect(tracker.view(1)).toMatchObject({ speed: 1_300, bytesSent: 6_000, bytesAcked: 3_000 });
  });

  it('a restart from a lower offset resets the speed instead of mixing two runs', () => {
    tracker.begin(1, 10_000, 0);
    t += 100;
    tracker.update(1, 5_000, 5_000);
    expect(tracker.view(1)?.speed).toBe(50_000);
    t += 100;
    tracker.update(1, 0, 0);
    expect(tracker.view(1)).toMatchObject({ bytesAcked: 0, speed: null, etaSeconds: null });
    t += 1_000;
    tracker.update(1, 500, 500);
    expect(tracker.view(1)?.speed).toBe(500);
  });

  it('flags a stall after 30 s without progress, once, and clears it on progress', () => {
    expect(defaultStallAfterMs).toBe(30_000);
    tracker.begin(1, 10_000, 0);
    expect(tracker.drain()).toHaveLength(1);
    t += 29_999;
    expect(tracker.drain()).toEqual([]);
    t += 1;
    expect(tracker.drain()).toEqual([expect.objectContaining({ id: 1, stalled: true })]);
    t += 10_000;
    expect(tracker.drain()).toEqual([]);
    // The same numbers again are no progress.
    tracker.update(1, 0, 0);
    expect(tracker.drain()).toEqual([expect.objectContaining({ stalled: true })]);
    tracker.update(1, 1_000, 0);
    expect(tracker.drain()).toEqual([
      expect.objectContaining({ stalled: false, bytesSent: 1_000 }),
    ]);
  });

  it('honours another stall threshold', () => {
    const quick = new ProgressTracker(() => t, 1_000);
    quick.begin(7, 100, 0);
    quick.drain();
    t += 1_000;
    expect(quick.drain()).toEqual([expect.objectContaining({ id: 7, stalled: true })]);
  });

  it('drain() reports each changed job once per batch; end() forgets a job', () => {
    tracker.begin(1, 100, 0);
    tracker.begin(2, 100, 0);
    expect(tracker.drain().map((p) => p.id)).toEqual([1, 2]);
    t += 10;
    tracker.update(2, 50, 10);
    tracker.update(2, 60, 20);
    expect(tracker.drain()).toEqual([
      expect.objectContaining({ id: 2, bytesSent: 60, bytesAcked: 20 }),
    ]);
    tracker.end(2);
    tracker.update(2, 100, 100);
    expect(tracker.view(2)).toBeUndefined();
    expect(tracker.drain()).toEqual([]);
    expect(tracker.active).toBe(1);
  });
});
