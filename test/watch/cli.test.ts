import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatchedFolderView } from '../../preload/shared/contract.ts';
import { finished, runCli, spawnCli } from '../support/cli.ts';
import { eventually } from './watch-harness.ts';

let dir: string;
let inbox: string;
let common: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-watch-cli-'));
  inbox = join(dir, 'Scans');
  mkdirSync(inbox);
  common = ['--demo', '--data-dir', join(dir, 'data')];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const folders = async (): Promise<WatchedFolderView[]> => {
  const result = await runCli(['watch', 'list', '--json', ...common]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as WatchedFolderView);
};

describe('taskdrop watch', { timeout: 60_000 }, () => {
  it('refuses an add without a target, with the usage exit code', async () => {
    const result = await runCli(['watch', 'add', inbox, ...common]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--list');
  });

  it('adds a folder, runs until Ctrl-C uploading and moving what lands in it, and removes it', async () => {
    const added = await runCli([
      'watch',
      'add',
      inbox,
      '--list',
      'Receipts 2026',
      '--task',
      'Phone bill March',
      '--include',
      '*.pdf',
      '--after',
      'move',
      ...common,
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Watching folder 1');
    const [listed] = await folders();
    expect(listed).toMatchObject({
      path: inbox,
      include: ['*.pdf'],
      afterUpload: 'move',
      moveTo: 'uploaded',
      status: { state: 'stopped' },
    });

    const run = spawnCli(['watch', 'run', ...common]);
    const ended = finished(run);
    let out = '';
    run.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually(
      () => out.includes('Watching 1 folder(s)'),
      () => `the run to start: ${out}`,
    );
    const bytes = randomBytes(5_000);
    writeFileSync(join(inbox, 'bill.pdf'), bytes);
    writeFileSync(join(inbox, 'notes.txt'), 'not a pdf');
    await eventually(
      () => out.includes('bill.pdf moved to uploaded/bill.pdf'),
      () => `the file to be uploaded and moved: ${out}`,
      30_000,
    );
    expect(out).toContain('→ bill.pdf queued for “Phone bill March”');
    expect(out).toContain('✓ bill.pdf attached to “Phone bill March”');
    run.kill('SIGINT');
    const result = await ended;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readFileSync(join(inbox, 'uploaded', 'bill.pdf')).equals(bytes)).toBe(true);
    expect(existsSync(join(inbox, 'notes.txt'))).toBe(true);
    expect(out).not.toContain('notes.txt');

    const [after] = await folders();
    expect(after!.status).toMatchObject({ uploaded: 1, filesSeen: 1, failed: 0 });

    const removed = await runCli(['watch', 'remove', inbox, ...common]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`No longer watching ${inbox}`);
    expect(await folders()).toEqual([]);
  });
});
