import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { TaskTarget } from '../../preload/shared/contract.ts';
import { oneChunk } from '../../main/core/graph/transport.ts';
import {
  defaultRangeSize,
  defaultSmallUploadMaxBytes,
} from '../../main/core/upload/upload-attempt.ts';
import {
  mb,
  ms,
  openEngine,
  range,
  stats,
  unlimited,
  untilDone,
  type BenchRow,
  type SimAddress,
} from './bench-support.ts';

/** One way to upload one file; resolves with the milliseconds it took. */
export type Uploader = (path: string) => Promise<number>;

export function taskUrl(sim: SimAddress, target: TaskTarget): string {
  const list = encodeURIComponent(target.listId);
  return `${sim.graphUrl}/me/todo/lists/${list}/tasks/${encodeURIComponent(target.taskId)}`;
}

/**
 * The limit: create a session, then PUT each range as it is read, and nothing else. Ranges are
 * sent the way taskdrop sends them (one buffer, streamed, so fetch does not copy it): the
 * difference is the bookkeeping, not the way bytes travel.
 */
export function barePutLoop(sim: SimAddress, target: TaskTarget): Uploader {
  const auth = { Authorization: `Bearer ${sim.testToken}` };
  return async (path) => {
    const size = statSync(path).size;
    const started = performance.now();
    const created = await fetch(`${taskUrl(sim, target)}/attachments/createUploadSession`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ attachmentInfo: { attachmentType: 'file', name: 'bare.bin', size } }),
    });
    const { uploadUrl } = (await created.json()) as { uploadUrl: string };
    const fd = openSync(path, 'r');
    const buffer = Buffer.allocUnsafe(defaultRangeSize);
    try {
      for (let start = 0; start < size; start += defaultRangeSize) {
        const length = Math.min(defaultRangeSize, size - start);
        readSync(fd, buffer, 0, length, start);
        const answer = await fetch(`${uploadUrl}/content`, {
          method: 'PUT',
          headers: {
            ...auth,
            'Content-Type': 'application/octet-stream',
            'Content-Length': String(length),
            'Content-Range': `bytes ${start}-${start + length - 1}/${size}`,
          },
          body: oneChunk(buffer.subarray(0, length)),
          duplex: 'half',
        });
        await answer.arrayBuffer();
      }
    } finally {
      closeSync(fd);
    }
    return performance.now() - started;
  };
}

/**
 * taskdrop as the app runs it: queue row, write-ahead, hashing, pacing (budgets lifted), from
 * enqueue to the job done. Each upload gets a fresh queue, opened before the clock starts.
 */
export function taskdropEngine(
  sim: SimAddress,
  target: TaskTarget,
  dataDir: (run: number) => string,
): Uploader {
  let run = 0;
  return async (path) => {
    const engine = openEngine(sim, dataDir(run), { pacing: unlimited });
    run += 1;
    engine.start();
    try {
      const started = performance.now();
      const done = untilDone(engine, 1);
      await engine.enqueue({ paths: [path], target });
      await done;
      return performance.now() - started;
    } finally {
      await engine.close();
    }
  };
}

/** Runs the uploaders in turn, `reps` times, so drift in the machine's load falls on all alike. */
export async function alternate(
  uploaders: Record<string, Uploader>,
  path: string,
  reps: number,
): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = {};
  for (let rep = 0; rep < reps; rep += 1) {
    for (const [name, upload] of Object.entries(uploaders)) {
      (samples[name] ??= []).push(await upload(path));
    }
  }
  return samples;
}

export function timeRow(measure: string, samples: readonly number[], bytes: number): BenchRow {
  const s = stats(samples);
  return {
    measure,
    result: `${ms(s.median)} (${mb((bytes / s.median) * 1000)}/s)`,
    spread: range(s, ms),
    target: '',
    met: null,
  };
}

/**
 * Throughput of `ours` relative to `theirs`: their median time over ours. The spread is that of
 * the ratio within each repetition (the two ran back to back).
 */
export function ratioRow(
  measure: string,
  ours: readonly number[],
  theirs: readonly number[],
  target: number,
): BenchRow {
  const ratio = stats(theirs).median / stats(ours).median;
  const perRep = stats(ours.map((time, rep) => (theirs[rep] ?? 0) / time));
  return {
    measure,
    result: ratio.toFixed(2),
    spread: range(perRep, (value) => value.toFixed(2)),
    target: `≥ ${target.toFixed(2)}`,
    met: ratio >= target,
  };
}

/** Many files at once, all queued together; resolves with the milliseconds for all of them. */
export type BatchUploader = (paths: readonly string[]) => Promise<number>;

/**
 * A file below taskdrop's small-upload limit the fastest way Graph takes it, as taskdrop sends
 * it: one POST of its bytes in base64, nothing else.
 */
export function barePost(sim: SimAddress, target: TaskTarget): Uploader {
  const headers = { Authorization: `Bearer ${sim.testToken}`, 'Content-Type': 'application/json' };
  return async (path) => {
    const started = performance.now();
    const answer = await fetch(`${taskUrl(sim, target)}/attachments`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        '@odata.type': '#microsoft.graph.taskFileAttachment',
        name: 'bare.bin',
        contentType: 'application/octet-stream',
        contentBytes: readFileSync(path).toString('base64'),
      }),
    });
    await answer.arrayBuffer();
    if (!answer.ok) throw new Error(`the bare POST was answered ${answer.status}`);
    return performance.now() - started;
  };
}

/**
 * The bare loop over many files, `concurrency` of them at a time (taskdrop's default, 3), each
 * the way taskdrop sends a file of its size: one POST below the small-upload limit, else a
 * session and its PUTs.
 */
export function bareBatch(sim: SimAddress, target: TaskTarget, concurrency: number): BatchUploader {
  const small = barePost(sim, target);
  const large = barePutLoop(sim, target);
  const upload: Uploader = (path) =>
    (statSync(path).size <= defaultSmallUploadMaxBytes ? small : large)(path);
  return async (paths) => {
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let index = next++; index < paths.length; index = next++) {
        await upload(paths[index] ?? '');
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return performance.now() - started;
  };
}

/** taskdrop with the batch enqueued in one call, from `enqueue` to the last job done. */
export function taskdropBatch(
  sim: SimAddress,
  target: TaskTarget,
  dataDir: (run: number) => string,
): BatchUploader {
  let run = 0;
  return async (paths) => {
    const engine = openEngine(sim, dataDir(run), { pacing: unlimited });
    run += 1;
    engine.start();
    try {
      const started = performance.now();
      const done = untilDone(engine, paths.length);
      await engine.enqueue({ paths: [...paths], target });
      await done;
      return performance.now() - started;
    } finally {
      await engine.close();
    }
  };
}
