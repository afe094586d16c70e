import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskdropApi } from '../../preload/shared/contract.ts';
import type { Engine } from '../../main/core/engine/engine.ts';
import {
  FolderDraft,
  WatchedFoldersState,
} from '../../renderer/lib/state/watched-folders.svelte.ts';
import { waitUntil } from '../support/wait.ts';
import { watchHarness, type WatchHarness } from '../watch/watch-harness.ts';

/**
 * The Watched folders view's state, over a real engine that watches real folders: the form's
 * checks, what the engine refuses and where that shows, and the live status from
 * `watchedFoldersChanged`.
 */
let h: WatchHarness;
let engine: Engine;
let folders: WatchedFoldersState;
let stop: () => void;
const reported: string[] = [];

beforeAll(async () => {
  h = await watchHarness();
  engine = await h.watching();
  const api: TaskdropApi = engine;
  folders = new WatchedFoldersState(api, (what) => reported.push(what));
  stop = folders.start();
  await waitUntil(() => folders.loaded, 'the first listWatchedFolders answer');
});

afterAll(async () => {
  stop();
  await h.close();
});

describe('FolderDraft', () => {
  it('names each problem at its field, the first one first, and sends nothing', async () => {
    const draft = new FolderDraft();
    draft.include = '*.pdf, scans/*.png';
    draft.afterUpload = 'move';
    draft.moveTo = '../elsewhere';
    expect(await folders.save(draft)).toBeNull();
    expect(Object.keys(draft.errors).sort()).toEqual(['include', 'moveTo', 'path', 'target']);
    expect(draft.firstProblem).toBe('path');
    expect(draft.errors.include).toContain('“scans/*.png” is not a file-name pattern');
    expect(draft.errors.moveTo).toContain('must be a subfolder inside the watched folder');
    expect(await engine.listWatchedFolders()).toEqual([]);

    // Fixed one by one, each problem goes with its fix.
    draft.setTarget(h.target);
    expect(draft.errors.target).toBeUndefined();
    draft.path = '"/somewhere/scans"';
    draft.include = '*.pdf';
    draft.moveTo = 'uploaded';
    const settings = draft.settings();
    expect(draft.errors).toEqual({});
    // "Copy as path" quotes are taken off; the subfolder goes only where files move.
    expect(settings).toMatchObject({ path: '/somewhere/scans', include: ['*.pdf'] });
    expect(settings?.moveTo).toBe('uploaded');
    draft.afterUpload = 'keep';
    expect(draft.settings()).not.toHaveProperty('moveTo');
  });
});

describe('WatchedFoldersState, fed by the engine', () => {
  it('shows the engine refusing a folder that is not there at the path field, the typing kept', async () => {
    const draft = new FolderDraft();
    draft.path = join(h.dir, 'no-such-folder');
    draft.setTarget(h.target);
    expect(await folders.save(draft)).toBeNull();
    expect(draft.errors.path).toContain('no-such-folder');
    expect(draft.refusal).toBe('');
    expect(draft.path).toBe(join(h.dir, 'no-such-folder'));
    expect(draft.saving).toBe(false);
    expect(folders.folders).toEqual([]);
  });

  it('adds a folder, then follows its files to uploaded through watchedFoldersChanged', async () => {
    const path = h.folder('scans');
    const draft = new FolderDraft();
    draft.path = path;
    draft.setTarget(h.target);
    draft.include = '*.pdf';
    const saved = await folders.save(draft);
    expect(saved).not.toBeNull();
    expect(folders.get(saved!.id)?.path).toBe(path);

    writeFileSync(join(path, 'invoice.pdf'), 'an invoice');
    writeFileSync(join(path, 'notes.txt'), 'not taken: include is *.pdf');
    await waitUntil(
      () => folders.get(saved!.id)?.status.uploaded === 1,
      () => `the folder to count one upload: ${JSON.stringify(folders.get(saved!.id)?.status)}`,
    );
    expect(folders.get(saved!.id)?.status).toMatchObject({ filesSeen: 1, failed: 0 });
    expect(h.sim.control.attachments().map((attachment) => attachment.name)).toContain(
      'invoice.pdf',
    );

    // Editing starts from what is saved, and keeps the folder's path.
    const edit = new FolderDraft(folders.get(saved!.id)!);
    expect(edit.adding).toBe(false);
    expect(edit.include).toBe('*.pdf');
    edit.exclude = 'draft-*';
    expect((await folders.save(edit))?.exclude).toEqual(['draft-*']);
    expect(folders.get(saved!.id)?.exclude).toEqual(['draft-*']);

    await folders.setPaused(saved!.id, true);
    expect(folders.get(saved!.id)?.paused).toBe(true);
    await waitUntil(() => folders.get(saved!.id)?.status.state === 'paused', 'the folder paused');
    expect(folders.busy.size).toBe(0);

    await folders.remove(saved!.id);
    expect(folders.get(saved!.id)).toBeUndefined();
    expect(await engine.listWatchedFolders()).toEqual([]);
    expect(reported).toEqual([]);
  });

  it('reports a command on a folder the engine does not know, and stays as it was', async () => {
    const before = folders.folders;
    await folders.setPaused(9_999, true);
    expect(reported).toEqual(['Pausing did not work']);
    expect(folders.folders).toEqual(before);
    expect(folders.busy.size).toBe(0);
    reported.length = 0;
  });
});
