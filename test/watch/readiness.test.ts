import { afterEach, describe, expect, it } from 'vitest';
import type { FileStamp } from '../../main/core/files/file-reader.ts';
import { ReadinessTracker, type Look, type ReadyFile } from '../../main/core/watch/readiness.ts';

/** A tracker on a fake clock and fake files; passes run when the test says so. */
function setup(known: (path: string, stamp: FileStamp) => boolean = () => false, minAgeMs = 2_000) {
  let now = 100_000;
  const files = new Map<string, Look>();
  const ready: ReadyFile[] = [];
  let looks = 0;
  const tracker = new ReadinessTracker({
    // Long real timers: only the test's own check() calls run passes.
    timings: {
      checkIntervalMs: 1_000,
      stableChecks: 3,
      minAgeMs,
      slowAfterMs: 60_000,
      slowCheckIntervalMs: 15_000,
    },
    now: () => now,
    look: (path) => {
      looks += 1;
      return Promise.resolve(files.get(path) ?? { kind: 'gone' });
    },
    isKnown: known,
    onReady: (batch) => ready.push(...batch),
    onWaitingChanged: () => undefined,
  });
  const file = (path: string, size: number, mtimeMs: number): void => {
    files.set(path, { kind: 'file', stamp: { size, mtimeMs } });
  };
  /** Advances the clock, then runs one pass. */
  const pass = async (ms = 1_000): Promise<void> => {
    now += ms;
    await tracker.check();
  };
  return { tracker, files, ready, file, pass, now: () => now, looks: () => looks };
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
});

describe('readiness', () => {
  it('takes a file after three equal looks once it is two seconds old', async () => {
    const t = setup();
    stop = () => t.tracker.stop();
    t.file('/a.pdf', 10, t.now());
    t.tracker.observe('/a.pdf');
    await t.pass();
    await t.pass();
    expect(t.ready).toEqual([]);
    await t.pass();
    expect(t.ready).toEqual([{ path: '/a.pdf', size: 10, mtimeMs: 100_000 }]);
    expect(t.tracker.waiting).toBe(0);
  });

  it('waits while size or mtime move', async () => {
    const t = setup();
    stop = () => t.tracker.stop();
    t.tracker.observe('/grows.pdf');
    for (let size = 1; size <= 5; size += 1) {
      t.file('/grows.pdf', size * 100, t.now() - 10_000);
      await t.pass();
    }
    expect(t.ready).toEqual([]);
    await t.pass();
    await t.pass();
    expect(t.ready.map((file) => file.size)).toEqual([500]);
  });

  it('needs the minimum age even after enough equal looks', async () => {
    const t = setup(undefined, 5_000);
    stop = () => t.tracker.stop();
    t.file('/fresh.pdf', 10, t.now());
    t.tracker.observe('/fresh.pdf');
    for (let second = 1; second <= 4; second += 1) await t.pass();
    expect(t.ready).toEqual([]);
    await t.pass();
    expect(t.ready.map((file) => file.path)).toEqual(['/fresh.pdf']);
  });

  it('keeps a file that never settles as waiting, looked at less often, and never drops it', async () => {
    const t = setup();
    stop = () => t.tracker.stop();
    t.tracker.observe('/log.txt');
    for (let second = 1; second <= 60; second += 1) {
      t.file('/log.txt', second, t.now());
      await t.pass();
    }
    expect(t.looks()).toBe(60);
    const before = t.looks();
    for (let second = 1; second <= 60; second += 1) {
      t.file('/log.txt', 1_000 + second, t.now());
      await t.pass();
    }
    // After a minute unsettled: every 15 s instead of every second; still waiting.
    expect(t.looks() - before).toBeLessThanOrEqual(5);
    expect(t.tracker.waiting).toBe(1);
    expect(t.ready).toEqual([]);
    // A new event about it brings the next look close again.
    t.tracker.observe('/log.txt');
    const again = t.looks();
    await t.pass();
    expect(t.looks()).toBe(again + 1);
  });

  it('drops a file that is gone or that is known already, at its first look', async () => {
    const t = setup((path) => path === '/known.pdf');
    stop = () => t.tracker.stop();
    t.file('/known.pdf', 1, 0);
    t.tracker.observe('/known.pdf');
    t.tracker.observe('/vanished.pdf');
    await t.pass();
    expect(t.tracker.waiting).toBe(0);
    expect(t.ready).toEqual([]);
  });

  it('takes a file whose mtime lies in the future once it has stayed the same that long', async () => {
    const t = setup(undefined, 5_000);
    stop = () => t.tracker.stop();
    t.file('/skewed.pdf', 7, t.now() + 3_600_000);
    t.tracker.observe('/skewed.pdf');
    for (let second = 1; second <= 5; second += 1) await t.pass();
    expect(t.ready).toEqual([]);
    await t.pass();
    expect(t.ready.map((file) => file.path)).toEqual(['/skewed.pdf']);
  });
});
