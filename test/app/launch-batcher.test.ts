import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { filesFromArgv, LaunchBatcher, targetRequestFor } from '../../main/app/launch-batcher.ts';
import type { TaskTarget } from '../../preload/shared/contract.ts';
import { FakeTimers } from './fake-timers.ts';

const cwd = resolve('/home/me/Downloads');
const existing = new Set([
  join(cwd, 'a.pdf'),
  join(cwd, 'b c.pdf'),
  resolve('/tmp/scan.png'),
  join(cwd, '-dash.txt'),
  resolve('/opt/taskdrop/dist/app/main.js'),
]);
const isFile = (path: string): boolean => existing.has(path);

describe('files on a command line', () => {
  it('skips the executable, flags and the app’s own script; resolves against the launch’s folder', () => {
    const argv = [
      '/opt/taskdrop/taskdrop',
      '/opt/taskdrop/dist/app/main.js',
      '--allow-file-access-from-files',
      '--original-process-start-time=13372',
      'a.pdf',
      'b c.pdf',
      '../../../tmp/scan.png',
      'missing.pdf',
      '.',
      'a.pdf',
      pathToFileURL(resolve('/tmp/scan.png')).href,
      '--',
      '-dash.txt',
    ];
    expect(filesFromArgv(argv, cwd, isFile, ['/opt/taskdrop/dist/app/main.js'])).toEqual([
      join(cwd, 'a.pdf'),
      join(cwd, 'b c.pdf'),
      resolve('/tmp/scan.png'),
      join(cwd, '-dash.txt'),
    ]);
  });

  it('finds nothing in a plain start', () => {
    expect(filesFromArgv(['/opt/taskdrop/taskdrop'], cwd, isFile)).toEqual([]);
    expect(filesFromArgv([], cwd, isFile)).toEqual([]);
  });
});

describe('single-instance batching', () => {
  function setup(debounceMs = 400, maxWaitMs = 2_000) {
    const timers = new FakeTimers();
    const batches: string[][] = [];
    const batcher = new LaunchBatcher({
      onBatch: (paths) => batches.push(paths),
      isFile: () => true,
      timers,
      debounceMs,
      maxWaitMs,
    });
    return { timers, batches, batcher };
  }

  it('turns a burst of launches (one per selected file) into one batch', () => {
    const { timers, batches, batcher } = setup();
    for (let i = 0; i < 25; i += 1) {
      expect(batcher.launched(['taskdrop.exe', `file-${i}.pdf`], cwd)).toBe(1);
      timers.advance(50);
    }
    expect(batches).toEqual([]);
    timers.advance(400);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(25);
    expect(batches[0]![0]).toBe(join(cwd, 'file-0.pdf'));
    expect(timers.pending).toBe(0);
  });

  it('sends a batch after the maximum wait even while launches keep coming', () => {
    const { timers, batches, batcher } = setup(400, 2_000);
    for (let i = 0; i < 30; i += 1) {
      batcher.launched(['taskdrop.exe', `f${i}.pdf`], cwd);
      timers.advance(300);
    }
    // 9 s of launches 300 ms apart: never 400 ms quiet, so the 2 s cap cuts the batches.
    timers.advance(400);
    expect(batches.length).toBeGreaterThanOrEqual(4);
    expect(batches[0]).toHaveLength(7);
    expect(batches.flat()).toHaveLength(30);
    expect(new Set(batches.flat()).size).toBe(30);
  });

  it('merges the same file named twice, ignores launches without files, and flushes on demand', () => {
    const { timers, batches, batcher } = setup();
    expect(batcher.launched(['taskdrop'], cwd)).toBe(0);
    timers.advance(5_000);
    expect(batches).toEqual([]);
    batcher.launched(['taskdrop', 'a.pdf'], cwd);
    batcher.add([join(cwd, 'a.pdf'), '/Users/me/b.pdf']);
    batcher.flush();
    expect(batches).toEqual([[join(cwd, 'a.pdf'), '/Users/me/b.pdf']]);
    timers.advance(5_000);
    expect(batches).toHaveLength(1);
  });

  it('holds files that arrive before the app is ready, and sends them once it is', () => {
    const timers = new FakeTimers();
    const batches: string[][] = [];
    const batcher = new LaunchBatcher({
      onBatch: (paths) => batches.push(paths),
      isFile: () => true,
      holdUntilReady: true,
      timers,
    });
    // macOS: a file dropped on the Dock icon starts the app; open-file comes before ready.
    batcher.add(['/Users/me/scan.pdf']);
    timers.advance(5_000);
    batcher.flush();
    expect(batches).toEqual([]);
    batcher.launched(['taskdrop', 'a.pdf'], cwd);
    batcher.ready();
    expect(batches).toEqual([['/Users/me/scan.pdf', join(cwd, 'a.pdf')]]);
    expect(timers.pending).toBe(0);
    batcher.add(['/Users/me/later.pdf']);
    timers.advance(400);
    expect(batches).toEqual([['/Users/me/scan.pdf', join(cwd, 'a.pdf')], ['/Users/me/later.pdf']]);
  });

  it('asks the picker with the last target preselected', () => {
    const recent: TaskTarget = {
      accountId: 'a',
      listId: 'l',
      taskId: 't',
      listName: 'L',
      taskTitle: 'T',
    };
    expect(targetRequestFor(['/x.pdf'], [recent])).toEqual({
      paths: ['/x.pdf'],
      suggested: recent,
    });
    expect(targetRequestFor(['/x.pdf'], [])).toEqual({ paths: ['/x.pdf'], suggested: null });
  });
});
