import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderRules } from '../../main/core/watch/folder-rules.ts';
import { newFolderSettings, changedSettings } from '../../main/core/watch/folder-settings.ts';
import { compileGlob, isTemporaryName, nameFilter } from '../../main/core/watch/patterns.ts';
import { nextStatus } from '../../main/core/watch/finisher.ts';
import type { TaskTarget } from '../../preload/shared/contract.ts';

describe('globs', () => {
  it('matches * and ? on the whole name, case-insensitively, everything else literally', () => {
    expect(compileGlob('*.pdf')('Invoice.PDF')).toBe(true);
    expect(compileGlob('*.pdf')('invoice.pdf.crdownload')).toBe(false);
    expect(compileGlob('scan-*')('scan-0001.png')).toBe(true);
    expect(compileGlob('scan-*')('my scan-1.png')).toBe(false);
    expect(compileGlob('page?.jpg')('page7.jpg')).toBe(true);
    expect(compileGlob('page?.jpg')('page17.jpg')).toBe(false);
    expect(compileGlob('a+b (1).txt')('a+b (1).txt')).toBe(true);
    expect(compileGlob('[x].txt')('x.txt')).toBe(false);
  });
});

describe('temporary and partial names', () => {
  it.each([
    'report.pdf.crdownload',
    'movie.part',
    'data.partial',
    'x.download',
    'setup.tmp',
    'BUILD.TMP',
    '~$memo.docx',
    '.~lock.sheet.ods#',
    '.DS_Store',
    '.hidden',
    'Thumbs.db',
    'desktop.ini',
    'notes.txt~',
    '.notes.txt.swp',
  ])('%s is never a finished file', (name) => {
    expect(isTemporaryName(name)).toBe(true);
  });

  it.each(['report.pdf', 'scan 2026-01.png', 'tmp-notes.txt', 'partial results.xlsx'])(
    '%s is',
    (name) => expect(isTemporaryName(name)).toBe(false),
  );

  it('takes a dotfile only when an include pattern starting with a dot names it', () => {
    expect(nameFilter({ include: [], exclude: [] })('.env')).toBe(false);
    expect(nameFilter({ include: ['.env'], exclude: [] })('.env')).toBe(true);
    expect(nameFilter({ include: ['.*'], exclude: [] })('.DS_Store')).toBe(false);
  });

  it('applies include, then exclude', () => {
    const wants = nameFilter({ include: ['*.pdf', '*.png'], exclude: ['draft-*'] });
    expect(wants('a.pdf')).toBe(true);
    expect(wants('b.png')).toBe(true);
    expect(wants('c.txt')).toBe(false);
    expect(wants('draft-a.pdf')).toBe(false);
  });
});

describe('folder rules', () => {
  const root = join(sep, 'home', 'me', 'Scans');
  const flat = new FolderRules({
    path: root,
    include: [],
    exclude: [],
    recursive: false,
    moveTo: 'uploaded',
  });
  const deep = new FolderRules({
    path: root,
    include: [],
    exclude: [],
    recursive: true,
    moveTo: 'done/2026',
  });

  it('takes the folder’s own files; subfolders only when recursive', () => {
    expect(flat.wantsFile(join(root, 'a.pdf'))).toBe(true);
    expect(flat.wantsFile(join(root, 'sub', 'a.pdf'))).toBe(false);
    expect(deep.wantsFile(join(root, 'sub', 'a.pdf'))).toBe(true);
    expect(flat.wantsFile(join(sep, 'home', 'me', 'Scans2', 'a.pdf'))).toBe(false);
  });

  it('never looks into the after-upload subfolder, nor hidden or temporary folders', () => {
    expect(flat.wantsFile(join(root, 'uploaded', 'a.pdf'))).toBe(false);
    expect(flat.skipsDir(join(root, 'uploaded'))).toBe(true);
    expect(deep.wantsFile(join(root, 'done', '2026', 'a.pdf'))).toBe(false);
    expect(deep.skipsDir(join(root, 'done', '2026', 'x'))).toBe(true);
    expect(deep.skipsDir(join(root, 'done'))).toBe(false);
    expect(deep.wantsFile(join(root, '.git', 'a.pdf'))).toBe(false);
    expect(deep.ignored(join(root, '.git'))).toBe(true);
    expect(deep.ignored(join(root, 'sub'))).toBe(false);
    expect(deep.ignored(root)).toBe(false);
  });
});

describe('folder settings', () => {
  const target: TaskTarget = {
    accountId: 'a',
    listId: 'l',
    taskId: 't',
    listName: 'L',
    taskTitle: 'T',
  };
  const missing = join(sep, 'nowhere', 'drive');

  it('fills in the defaults; a folder not there yet is allowed (a drive not connected)', () => {
    expect(newFolderSettings({ path: missing, target })).toEqual({
      path: missing,
      target,
      include: [],
      exclude: [],
      recursive: false,
      afterUpload: 'keep',
      moveTo: 'uploaded',
      poll: false,
      paused: false,
      skipAttachedContent: true,
    });
  });

  it('refuses a folder not there when asked to (the UI: most likely a typo)', () => {
    expect(() => newFolderSettings({ path: missing, target, mustExist: true })).toThrow(
      `There is no folder at ${missing}.`,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'taskdrop-rules-')), 'scan.pdf');
    writeFileSync(file, 'x');
    expect(() =>
      newFolderSettings({ path: join(file, 'inside'), target, mustExist: true }),
    ).toThrow(/There is no folder at/);
    expect(() => newFolderSettings({ path: file, target, mustExist: true })).toThrow(
      /is a file; watch a folder/,
    );
    rmSync(dirname(file), { recursive: true });
  });

  it('refuses relative folders, path-like patterns, and a subfolder outside the folder', () => {
    expect(() => newFolderSettings({ path: 'Scans', target })).toThrow(/full path/);
    expect(() => newFolderSettings({ path: missing, target, include: ['a/*.pdf'] })).toThrow(
      /pattern/,
    );
    const current = newFolderSettings({ path: missing, target });
    expect(() => changedSettings(current, { id: 1, changes: { moveTo: '../x' } })).toThrow(
      /subfolder/,
    );
    expect(() => changedSettings(current, { id: 1, changes: { moveTo: '/tmp' } })).toThrow(
      /subfolder/,
    );
    expect(changedSettings(current, { id: 1, changes: { moveTo: 'done/' } }).moveTo).toBe('done');
  });
});

describe('a watched file follows its job', () => {
  it('moves only while its job stands for it, and never leaves an attached state', () => {
    expect(nextStatus('queued', 'done')).toBe('done');
    expect(nextStatus('queued', 'failed')).toBe('failed');
    expect(nextStatus('queued', 'cancelled')).toBe('failed');
    expect(nextStatus('queued', null)).toBe('removed');
    expect(nextStatus('failed', 'waiting')).toBe('queued');
    expect(nextStatus('failed', 'done')).toBe('done');
    expect(nextStatus('queued', 'uploading')).toBe('queued');
    for (const settled of [
      'done',
      'kept',
      'moved',
      'deleted',
      'skipped',
      'refused',
      'removed',
    ] as const) {
      expect(nextStatus(settled, 'failed')).toBeUndefined();
      expect(nextStatus(settled, null)).toBeUndefined();
    }
  });
});
