import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingLogFile } from '../../main/core/logging/log-file.ts';
import { createLogger, logLevelFrom, type LogSink } from '../../main/core/logging/logger.ts';
import { defaultLogDir } from '../../main/core/paths.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-log-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').slice(0, -1);

/** A record of about 60 bytes, numbered. */
const record = (index: number): string =>
  JSON.stringify({
    n: index,
    msg: `record ${String(index).padStart(4, '0')}`,
    pad: 'x'.repeat(20),
  });

describe('the rotating log file', () => {
  it('rotates by size, keeps maxFiles files, newest first, and loses no record at a boundary', () => {
    const file = new RotatingLogFile({ dir, maxBytes: 1_000, maxFiles: 3 });
    for (let index = 0; index < 200; index += 1) file.write(record(index));
    file.close();

    expect(readdirSync(dir).sort()).toEqual(['taskdrop.1.log', 'taskdrop.2.log', 'taskdrop.log']);
    const kept = ['taskdrop.2.log', 'taskdrop.1.log', 'taskdrop.log'].map((name) =>
      lines(join(dir, name)).map((line) => (JSON.parse(line) as { n: number }).n),
    );
    for (const name of readdirSync(dir))
      expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(1_000);
    // Oldest file first, the newest record last; across the two boundaries, not one missing.
    const all = kept.flat();
    expect(all.at(-1)).toBe(199);
    expect(all).toEqual(Array.from({ length: all.length }, (_, index) => 200 - all.length + index));
    // The older files were filled to the limit before they were rotated.
    for (const name of ['taskdrop.2.log', 'taskdrop.1.log'])
      expect(statSync(join(dir, name)).size).toBeGreaterThan(1_000 - record(0).length - 1);
    expect(kept[2]!.length).toBeGreaterThan(0);
  });

  it('appends to the file a previous run left, and rotates it once full', () => {
    const first = new RotatingLogFile({ dir, maxBytes: 1_000, maxFiles: 2 });
    for (let index = 0; index < 10; index += 1) first.write(record(index));
    first.close();
    const second = new RotatingLogFile({ dir, maxBytes: 1_000, maxFiles: 2 });
    second.write(record(10));
    expect(lines(second.path)).toHaveLength(11);
    for (let index = 11; index < 20; index += 1) second.write(record(index));
    second.close();
    const older = lines(join(dir, 'taskdrop.1.log'));
    const newer = lines(second.path);
    expect([...older, ...newer].map((line) => (JSON.parse(line) as { n: number }).n)).toEqual(
      Array.from({ length: 20 }, (_, index) => index),
    );
  });

  it('never throws when its folder cannot be made; says so once; notes the loss once it can write', () => {
    const blocker = join(dir, 'logs');
    writeFileSync(blocker, 'a file where the log folder should be');
    const reports: string[] = [];
    const file = new RotatingLogFile({
      dir: join(blocker, 'taskdrop'),
      report: (text) => reports.push(text),
    });
    for (let index = 0; index < 3; index += 1)
      expect(() => file.write(record(index))).not.toThrow();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/cannot write the log at .*taskdrop\.log .*goes on without it/);

    rmSync(blocker);
    file.write(record(3));
    file.close();
    const written = lines(file.path).map((line) => JSON.parse(line) as { msg: string; n?: number });
    expect(written[0]?.msg).toBe('3 log records were lost while the log could not be written');
    expect(written[1]?.n).toBe(3);
    expect(reports).toHaveLength(1);
  });

  it('never throws on a full disk, and keeps going', () => {
    symlinkSync('/dev/full', join(dir, 'taskdrop.log'));
    const reports: string[] = [];
    const file = new RotatingLogFile({ dir, report: (text) => reports.push(text) });
    for (let index = 0; index < 5; index += 1)
      expect(() => file.write(record(index))).not.toThrow();
    file.close();
    expect(reports).toEqual([expect.stringContaining('ENOSPC')]);
  });
});

describe('the logger', () => {
  it('writes one JSON line per record at or above its level, with bound fields', () => {
    const file = new RotatingLogFile({ dir });
    const log = createLogger({
      sink: file,
      level: 'info',
      now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    });
    const upload = log.child({ part: 'upload' });
    upload.debug('not written');
    upload.info('upload done', {
      job: 7,
      msg: 'a field cannot replace the message',
      multi: 'a\nb',
    });
    file.close();
    expect(lines(file.path)).toEqual([
      '{"time":"2026-01-02T03:04:05.000Z","level":"info","msg":"upload done","part":"upload","job":7,"multi":"a\\nb"}',
    ]);
    expect(log.file).toBe(join(dir, 'taskdrop.log'));
  });

  it('keeps the latest problems in memory, bounded, whatever the level written', () => {
    const log = createLogger({ level: 'error', recentLimit: 3 });
    for (let index = 0; index < 5; index += 1) log.warn(`problem ${index}`, { token: 'abc' });
    log.info('not a problem');
    expect(log.file).toBeNull();
    const recent = log.recentProblems();
    expect(recent.map((problem) => problem.msg)).toEqual(['problem 2', 'problem 3', 'problem 4']);
    expect(recent[0]?.fields).toEqual({ token: '[redacted]' });
  });

  it('never throws into the caller, even when its sink does', () => {
    const broken: LogSink = {
      path: join(dir, 'x.log'),
      write: () => {
        throw new Error('disk on fire');
      },
      close: () => undefined,
    };
    const log = createLogger({ sink: broken, now: () => Number.NaN });
    expect(() => log.error('still fine', { value: 1n })).not.toThrow();
  });

  it('reads its level from TASKDROP_LOG_LEVEL, info unless it names one', () => {
    expect(logLevelFrom('DEBUG')).toBe('debug');
    expect(logLevelFrom(' warn ')).toBe('warn');
    expect(logLevelFrom('verbose')).toBe('info');
    expect(logLevelFrom(undefined)).toBe('info');
  });
});

describe('where the log goes', () => {
  it('mirrors app.getPath("logs"), keeps a data folder of its own inside it, and obeys TASKDROP_LOG_DIR', () => {
    expect(defaultLogDir(undefined, {}, 'linux', '/home/ada')).toBe(
      '/home/ada/.config/taskdrop/logs',
    );
    expect(defaultLogDir(undefined, { XDG_CONFIG_HOME: '/x' }, 'linux', '/home/ada')).toBe(
      '/x/taskdrop/logs',
    );
    expect(defaultLogDir(undefined, {}, 'darwin', '/Users/ada')).toBe(
      '/Users/ada/Library/Logs/taskdrop',
    );
    expect(
      defaultLogDir(
        undefined,
        { APPDATA: 'C:/Users/ada/AppData/Roaming' },
        'win32',
        'C:/Users/ada',
      ),
    ).toBe(join('C:/Users/ada/AppData/Roaming', 'taskdrop', 'logs'));
    expect(defaultLogDir('/tmp/queue', {}, 'darwin', '/Users/ada')).toBe('/tmp/queue/logs');
    expect(defaultLogDir(undefined, { TASKDROP_DATA_DIR: '/srv/q' }, 'linux', '/h')).toBe(
      '/srv/q/logs',
    );
    expect(defaultLogDir('/tmp/queue', { TASKDROP_LOG_DIR: '/var/log/td' }, 'linux', '/h')).toBe(
      '/var/log/td',
    );
    expect(existsSync(dir)).toBe(true);
  });
});
