import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  moveIntoSubfolder,
  numberedName,
  stillAttachedContent,
} from '../../main/core/watch/after-upload.ts';
import { sha256Of } from '../support/engine-harness.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'taskdrop-after-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('numbered names', () => {
  it('puts the number before the extension', () => {
    expect(numberedName('scan.pdf', 1)).toBe('scan.pdf');
    expect(numberedName('scan.pdf', 2)).toBe('scan (2).pdf');
    expect(numberedName('archive.tar.gz', 3)).toBe('archive.tar (3).gz');
    expect(numberedName('README', 2)).toBe('README (2)');
    expect(numberedName('.env', 2)).toBe('.env (2)');
  });
});

describe('moving into the subfolder', () => {
  it('creates the subfolder, keeps the place below the root, and never replaces a file', async () => {
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', 'a.pdf'), 'new');
    mkdirSync(join(root, 'uploaded', 'sub'), { recursive: true });
    writeFileSync(join(root, 'uploaded', 'sub', 'a.pdf'), 'first');
    writeFileSync(join(root, 'uploaded', 'sub', 'a (2).pdf'), 'second');
    const to = await moveIntoSubfolder(join(root, 'sub', 'a.pdf'), root, 'uploaded');
    expect(to).toBe(join(root, 'uploaded', 'sub', 'a (3).pdf'));
    expect(readFileSync(to, 'utf8')).toBe('new');
    expect(readFileSync(join(root, 'uploaded', 'sub', 'a.pdf'), 'utf8')).toBe('first');
    expect(readFileSync(join(root, 'uploaded', 'sub', 'a (2).pdf'), 'utf8')).toBe('second');
    expect(existsSync(join(root, 'sub', 'a.pdf'))).toBe(false);
  });

  it('finishes a move a crash cut short between its link and its unlink', async () => {
    writeFileSync(join(root, 'b.pdf'), 'content');
    mkdirSync(join(root, 'uploaded'));
    linkSync(join(root, 'b.pdf'), join(root, 'uploaded', 'b.pdf'));
    const to = await moveIntoSubfolder(join(root, 'b.pdf'), root, 'uploaded');
    expect(to).toBe(join(root, 'uploaded', 'b.pdf'));
    expect(existsSync(join(root, 'b.pdf'))).toBe(false);
    expect(existsSync(join(root, 'uploaded', 'b (2).pdf'))).toBe(false);
  });
});

describe('is it still the attached file?', () => {
  it('answers same only for the same size, mtime and content', async () => {
    const path = join(root, 'c.pdf');
    writeFileSync(path, 'attached bytes');
    const facts = statSync(path);
    const attached = {
      size: facts.size,
      mtimeMs: Math.trunc(facts.mtimeMs),
      sha256: sha256Of(Buffer.from('attached bytes')),
    };
    expect(await stillAttachedContent(path, attached)).toBe('same');
    // Same size and mtime, other bytes: rewritten in place with the time put back.
    writeFileSync(path, 'ATTACHED BYTES');
    utimesSync(path, facts.atime, facts.mtime);
    expect(await stillAttachedContent(path, attached)).toBe('changed');
    writeFileSync(path, 'longer content now');
    expect(await stillAttachedContent(path, attached)).toBe('changed');
    rmSync(path);
    expect(await stillAttachedContent(path, attached)).toBe('gone');
  });
});
