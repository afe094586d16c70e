import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import { finished, runCli, spawnCli } from '../support/cli.ts';
import { seededBytes, seededRandom } from '../support/seeded-random.ts';

const seed = Number(process.env['TASKDROP_CRASH_SEED'] ?? 20261122);
const kills = 30;
const maxLaunches = 80;
const sizes = [
  0, 1, 1_000, 65_536, 300_000, 2_899_999, 2_900_000, 2_900_001, 3_932_159, 3_932_160, 3_932_161,
  5_000_000, 7_864_321, 9_000_000, 11_796_480, 12_000_000, 1_048_576, 4_500_000, 6_000_000, 123,
];

let sim: RunningSimulator;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator();
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-crash-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('crash safety: the CLI killed with SIGKILL at random moments', () => {
  it(`attaches every file exactly once, byte-identical (seed ${seed})`, async () => {
    const random = seededRandom(seed);
    const files = sizes.map((size, index) => {
      const bytes = seededBytes(random, size);
      const path = join(dir, `file-${String(index).padStart(2, '0')}.bin`);
      writeFileSync(path, bytes);
      return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
    });
    // Slow each range a little, so kills land in every phase of an upload.
    sim.control.addFault({
      operation: 'uploadContent',
      times: 0,
      action: { type: 'delay', ms: 250 },
    });
    sim.control.addFault({
      operation: 'createAttachment',
      times: 0,
      action: { type: 'delay', ms: 120 },
    });
    const args = [
      'upload',
      ...files.map((file) => file.path),
      '--list',
      'Work',
      '--task',
      'Quarterly report draft',
      '--graph-url',
      sim.graphUrl,
      '--data-dir',
      join(dir, 'data'),
    ];
    const env = { TASKDROP_ACCESS_TOKEN: sim.testToken };
    const killedAt: number[] = [];
    for (let launch = 0; launch < maxLaunches && killedAt.length < kills; launch += 1) {
      const child = spawnCli(args, env);
      const delay = Math.round(100 + random() * 800);
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const result = await finished(child);
      clearTimeout(timer);
      if (result.signal === 'SIGKILL') killedAt.push(delay);
    }
    const final = await runCli(args, env, 120_000);
    expect(final.stderr).toBe('');
    expect(final.code).toBe(0);
    // Every kill cut a run short: the batch outlasted all of them.
    expect(killedAt).toHaveLength(kills);

    const stored = sim.control.attachments();
    for (const [index, file] of files.entries()) {
      const name = `file-${String(index).padStart(2, '0')}.bin`;
      const copies = stored.filter((attachment) => attachment.name === name);
      expect(
        copies.map((copy) => copy.sha256),
        name,
      ).toEqual([file.sha256]);
    }
    expect(stored).toHaveLength(files.length);
    expect(sim.control.sessions()).toEqual([]);

    const db = new Database(join(dir, 'data', 'queue.sqlite3'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const states = db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all();
      expect(states).toEqual([{ state: 'done', n: files.length }]);
    } finally {
      db.close();
    }
    const counters = sim.control.counters();
    const total = sizes.reduce((sum, size) => sum + size, 0);
    console.log(
      `crash loop (seed ${seed}): ${killedAt.length} kills, ${(counters.bytesReceived / 1e6).toFixed(1)} MB received for ${(total / 1e6).toFixed(1)} MB of files`,
    );
  }, 180_000);
});
