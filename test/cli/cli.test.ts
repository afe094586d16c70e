import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import { runCli } from '../support/cli.ts';
import { sha256Of, waitUntil } from '../support/engine-harness.ts';

let sim: RunningSimulator;
let dir: string;
let env: NodeJS.ProcessEnv;
let global: string[];

function file(name: string, size: number): { path: string; bytes: Buffer } {
  const bytes = randomBytes(size);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

beforeAll(async () => {
  sim = await startSimulator();
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-cli-'));
  env = { TASKDROP_ACCESS_TOKEN: sim.testToken };
  global = ['--graph-url', sim.graphUrl, '--data-dir', join(dir, 'data')];
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('taskdrop upload', () => {
  it('attaches files to a task named by list and title, and exits 0', async () => {
    const a = file('invoice.pdf', 12_345);
    const b = file('scan.png', 5_000_000);
    const result = await runCli(
      [
        'upload',
        a.path,
        b.path,
        '--list',
        'receipts 2026',
        '--task',
        'Laptop repair invoice',
        ...global,
      ],
      env,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ invoice.pdf attached to “Laptop repair invoice”');
    expect(result.stdout).toContain('2 attached');
    const stored = sim.control.attachments();
    expect(stored.find((x) => x.name === 'invoice.pdf')?.sha256).toBe(sha256Of(a.bytes));
    expect(stored.find((x) => x.name === 'scan.png')?.sha256).toBe(sha256Of(b.bytes));
    expect(stored.find((x) => x.name === 'invoice.pdf')?.contentType).toBe('application/pdf');
  });

  it('sends nothing twice when the same files are uploaded again', async () => {
    const before = sim.control.attachments().length;
    const again = await runCli(
      [
        'upload',
        join(dir, 'invoice.pdf'),
        '--list',
        'Receipts 2026',
        '--task',
        'Laptop repair invoice',
        ...global,
      ],
      env,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already attached');
    expect(sim.control.attachments()).toHaveLength(before);
  });

  it('fails clearly for a missing file and still attaches the others', async () => {
    const ok = file('ok.txt', 10);
    const result = await runCli(
      [
        'upload',
        ok.path,
        join(dir, 'missing.pdf'),
        '--list',
        'Work',
        '--task',
        'Design review notes',
        ...global,
      ],
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('missing.pdf does not exist');
    expect(result.stdout).toContain('✓ ok.txt attached');
  });

  it('looks the task up again after a 503 or a 429, instead of failing the upload', async () => {
    const note = file('flaky-network.txt', 321);
    sim.control.addFault({
      operation: 'listLists',
      times: 2,
      action: { type: 'status', status: 503 },
    });
    sim.control.addFault({
      operation: 'listTasks',
      action: { type: 'status', status: 429, retryAfter: '0.2' },
    });
    const result = await runCli(
      ['upload', note.path, '--list', 'Work', '--task', 'Design review notes', ...global],
      env,
    );
    expect(sim.control.faults().map((rule) => rule.fired)).toEqual([2, 1]);
    sim.control.clearFaults();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const stored = sim.control.attachments().filter((x) => x.name === 'flaky-network.txt');
    expect(stored.map((x) => x.sha256)).toEqual([sha256Of(note.bytes)]);
  });

  it('names an unknown task and creates it with --create-task', async () => {
    const a = file('plan.md', 100);
    const args = ['upload', a.path, '--list', 'Home', '--task', 'Garden plan', ...global];
    const refused = await runCli(args, env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('No task titled “Garden plan” in “Home”. Add --create-task');
    const created = await runCli([...args, '--create-task'], env);
    expect(created.code).toBe(0);
    const tasks = await runCli(['tasks', 'Home', ...global], env);
    expect(tasks.stdout).toContain('Garden plan');
  });

  it('speaks JSON lines with --json, ending in a summary', async () => {
    const a = file('data.csv', 2_000);
    const result = await runCli(
      [
        'upload',
        a.path,
        '--list',
        'Work',
        '--task',
        'Budget spreadsheet 2027',
        '--json',
        ...global,
      ],
      env,
    );
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.at(-1)).toEqual({
      event: 'summary',
      attached: 1,
      failed: 0,
      needsSignIn: 0,
      pending: 0,
    });
    expect(lines.some((line) => line['event'] === 'job')).toBe(true);
  });

  it('lists the queue as JSON, one job per line', async () => {
    const result = await runCli(['queue', '--json', ...global], env);
    expect(result.code).toBe(0);
    const jobs = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { state: string });
    expect(jobs.length).toBeGreaterThanOrEqual(5);
    expect(jobs.every((job) => job.state === 'done')).toBe(true);
  });
});

describe('taskdrop without a way to sign in, or with bad input', () => {
  it('says how to get going when there is no token', async () => {
    const result = await runCli(['lists', '--data-dir', join(dir, 'other')], {
      TASKDROP_ACCESS_TOKEN: '',
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Set TASKDROP_ACCESS_TOKEN');
    expect(result.stderr).toContain('--demo');
  });

  it('rejects an unknown command with the usage', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "frobnicate"');
    expect(result.stderr).toContain('Usage:');
  });

  it('refuses a second taskdrop on the same data dir', async () => {
    const { spawnCli, finished } = await import('../support/cli.ts');
    const big = file('slow.bin', 20_000_000);
    sim.control.addFault({
      operation: 'uploadContent',
      nth: 1,
      times: 0,
      action: { type: 'delay', ms: 300 },
    });
    const since = sim.control.requests().at(-1)?.seq ?? 0;
    const first = spawnCli(
      ['upload', big.path, '--list', 'Work', '--task', 'Client workshop slides', ...global],
      env,
    );
    try {
      // The first holds the queue once its upload has begun: wait for that, not for a fixed time.
      await waitUntil(
        () => sim.control.requests(since).some((entry) => entry.operation === 'uploadContent'),
        "the first taskdrop's upload",
        15_000,
      );
      const second = await runCli(['queue', ...global], env);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/Another taskdrop \(pid \d+\) is already using/);
    } finally {
      sim.control.clearFaults();
      expect((await finished(first)).code).toBe(0);
    }
  });
});

describe('Ctrl-C', () => {
  it('stops cleanly with 130, and the next run finishes where it stopped', async () => {
    const { spawnCli, finished } = await import('../support/cli.ts');
    const big = file('interrupted.bin', 12_000_000);
    const rule = sim.control.addFault({
      operation: 'uploadContent',
      times: 0,
      action: { type: 'delay', ms: 400 },
    });
    const args = [
      'upload',
      big.path,
      '--list',
      'Home',
      '--task',
      'Tax return documents',
      ...global,
    ];
    const child = spawnCli(args, env);
    const stopping = finished(child);
    // Interrupted once a range is acknowledged, however long the CLI took to start on a busy
    // machine: ranges then take 400 ms each, so the rest is still to come.
    await waitUntil(
      () =>
        sim.control
          .sessions()
          .some((session) => session.name === 'interrupted.bin' && session.nextOffset > 0),
      'the first range of interrupted.bin to be acknowledged',
      20_000,
    );
    child.kill('SIGINT');
    const stopped = await stopping;
    sim.control.removeFault(rule.id);
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('stopped. 1 file(s) stay queued; "taskdrop run" continues');
    const since = sim.control.requests().at(-1)?.seq ?? 0;
    const resumed = await runCli(['run', ...global], env);
    expect(resumed.code).toBe(0);
    const copies = sim.control.attachments().filter((a) => a.name === 'interrupted.bin');
    expect(copies.map((copy) => copy.sha256)).toEqual([sha256Of(big.bytes)]);
    // Resumed, not restarted: the session was asked where it stood and no range from byte 0 went
    // again. (Counting bytes would also count the interrupted run's range in flight, which the
    // server may finish reading after the interrupt.)
    const after = sim.control.requests(since);
    expect(after.map((entry) => entry.operation)).toContain('getUploadSession');
    const ranges = after.flatMap((entry) =>
      entry.operation === 'uploadContent' && entry.contentRange !== null
        ? [entry.contentRange]
        : [],
    );
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.filter((range) => range.startsWith('bytes 0-'))).toEqual([]);
  });
});

describe('the upload budget', () => {
  it('keeps taskdrop upload running while files wait for the budget, instead of exiting 0', async () => {
    const { spawnCli, finished } = await import('../support/cli.ts');
    const { default: Database } = await import('better-sqlite3');
    const dataDir = join(dir, 'budget');
    expect(
      (await runCli(['queue', '--graph-url', sim.graphUrl, '--data-dir', dataDir], env)).code,
    ).toBe(0);
    const db = new Database(join(dataDir, 'queue.sqlite3'));
    db.prepare("INSERT INTO settings (key, value) VALUES ('uploadBudgetMb', '10')").run();
    db.close();
    // 12 MB against 10 MB per 5 minutes: the last file waits minutes for room.
    const paths = [1, 2, 3, 4].map((n) => file(`budget-${n}.bin`, 3_000_000).path);
    const child = spawnCli(
      [
        'upload',
        ...paths,
        '--list',
        'Work',
        '--task',
        'Design review notes',
        '--graph-url',
        sim.graphUrl,
        '--data-dir',
        dataDir,
      ],
      env,
    );
    const attached = () => sim.control.attachments().filter((x) => x.name.startsWith('budget-'));
    await waitUntil(() => attached().length >= 3, 'three files to fit the budget', 15_000, 50);
    // What is asserted is an absence: the CLI does not exit while the last file waits for room.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(attached()).toHaveLength(3);
    expect(child.exitCode).toBeNull();
    child.kill('SIGINT');
    const stopped = await finished(child);
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('1 file(s) stay queued');
  });
});

describe('demo mode', () => {
  it('runs against the built-in simulator with nothing configured', async () => {
    const demoDir = join(dir, 'demo');
    const a = file('demo.txt', 64);
    const upload = await runCli(
      [
        'upload',
        a.path,
        '--list',
        'Tasks',
        '--task',
        'Scan passport',
        '--demo',
        '--data-dir',
        demoDir,
      ],
      { TASKDROP_ACCESS_TOKEN: '' },
    );
    expect(upload.code).toBe(0);
    expect(upload.stdout).toContain('✓ demo.txt attached to “Scan passport”');
    const queue = await runCli(['queue', '--demo', '--data-dir', demoDir]);
    expect(queue.stdout).toMatch(/done\s+100%.*demo\.txt → Scan passport/);
  });
});
