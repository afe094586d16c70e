/**
 * How soon an idle engine starts on a file: from `enqueue` returning to the first byte of that
 * file arriving at the simulator (seen by a proxy in front of it, unshaped, in this process so
 * both moments are read from one clock). The engine runs and has nothing to do before each file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFaultProxy } from '../chaos/fault-proxy.ts';
import {
  benchTarget,
  emit,
  ms,
  note,
  openEngine,
  range,
  repetitions,
  startSimulatorProcess,
  stats,
  unlimited,
  untilDone,
} from './bench-support.ts';

const reps = repetitions(21, 5);
const targetMs = 50;
/** Idle before each file: longer than a scheduler's pass, shorter than keep-alive's end. */
const idleMs = 1_500;

const dir = mkdtempSync(join(tmpdir(), 'taskdrop-bench-latency-'));
const sim = await startSimulatorProcess({ retainBytes: false, limits: unlimited });
/** The marker each file begins with, and when the proxy first saw it. */
const waitingFor = new Map<string, (at: number) => void>();
const tails = new Map<number, string>();
const proxy = await startFaultProxy({
  seed: 1,
  targetPort: Number(new URL(sim.graphUrl).port),
  observe: (side, connection, chunk) => {
    if (side !== 'request' || waitingFor.size === 0) return;
    const at = performance.now();
    // A marker may straddle two chunks: the end of the last one is searched too.
    const text = (tails.get(connection) ?? '') + chunk.toString('latin1');
    tails.set(connection, text.slice(-64));
    for (const [marker, seen] of waitingFor) {
      // A small file goes as base64 in a JSON POST; its marker, three bytes a group, encodes
      // the same wherever the file begins.
      if (text.includes(marker) || text.includes(Buffer.from(marker).toString('base64'))) {
        waitingFor.delete(marker);
        seen(at);
      }
    }
  },
});
const viaProxy = { ...sim, graphUrl: `${proxy.origin}${new URL(sim.graphUrl).pathname}` };
try {
  const engine = openEngine(viaProxy, join(dir, 'data'), { pacing: unlimited });
  engine.start();
  const target = await benchTarget(engine);
  const samples: number[] = [];
  note(
    `latency: enqueue to the first byte at the simulator, ${reps} files, ${idleMs} ms idle before each`,
  );
  for (let rep = 0; rep <= reps; rep += 1) {
    await sleep(idleMs);
    const marker = `taskdrop-latency-${String(rep).padStart(3, '0')}-${Date.now()}`.padEnd(45, '-');
    const path = join(dir, `note-${rep}.txt`);
    writeFileSync(path, `${marker}\n${'x'.repeat(64 * 1024)}`);
    const firstByte = new Promise<number>((resolve) => waitingFor.set(marker, resolve));
    const done = untilDone(engine, rep + 1);
    await engine.enqueue({ paths: [path], target });
    const returned = performance.now();
    const arrived = await firstByte;
    await done;
    // The first file opens the connection: a warm-up, not a sample.
    if (rep > 0) samples.push(arrived - returned);
  }
  await engine.close();
  const s = stats(samples);
  emit([
    {
      measure: 'enqueue returned → first byte at the simulator, engine idle',
      result: ms(s.median),
      spread: range(s, ms),
      target: `< ${ms(targetMs)}`,
      met: s.median < targetMs,
    },
  ]);
} finally {
  await proxy.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
