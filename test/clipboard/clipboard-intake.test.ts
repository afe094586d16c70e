import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PastedClipboard } from '../../preload/shared/contract.ts';
import {
  ClipboardIntake,
  type ClipboardReader,
} from '../../main/core/clipboard/clipboard-intake.ts';
import type { Engine } from '../../main/core/engine/engine.ts';
import { createLogger } from '../../main/core/logging/logger.ts';
import { StagingArea } from '../../main/core/staging/staging-area.ts';
import { harness, settle, waitUntil, type Harness } from '../support/engine-harness.ts';

/** The system clipboard in memory: what a copy in some app left there, by format. */
class MemoryClipboard implements ClipboardReader {
  formats = new Map<string, Uint8Array>();
  textContent = '';
  reads: string[] = [];

  hold(formats: Record<string, Uint8Array | string>, text = ''): void {
    this.formats = new Map(
      Object.entries(formats).map(([format, value]) => [
        format,
        typeof value === 'string' ? new TextEncoder().encode(value) : value,
      ]),
    );
    this.textContent = text;
    this.reads = [];
  }

  has(format: string): Promise<boolean> {
    return Promise.resolve(this.formats.has(format));
  }

  bytes(format: string): Promise<Uint8Array | null> {
    this.reads.push(format);
    return Promise.resolve(this.formats.get(format) ?? null);
  }

  text(): Promise<string> {
    return Promise.resolve(this.textContent);
  }
}

let h: Harness;
let engine: Engine;
let staging: StagingArea;
let stageDir: string;
const clipboard = new MemoryClipboard();
let intake: ClipboardIntake;
const pngBytes = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(30_000)]);

beforeAll(async () => {
  h = await harness();
  engine = h.open();
  stageDir = join(h.dir, 'staged');
  staging = await StagingArea.open({ dir: stageDir, queue: engine, log: createLogger() });
  intake = new ClipboardIntake({
    reader: clipboard,
    staging,
    queue: engine,
    platform: 'linux',
    now: () => new Date(2026, 11, 3, 17, 44, 5),
  });
  engine.start();
}, 30_000);

afterAll(async () => {
  staging.close();
  await h.close();
});

function image(pasted: PastedClipboard): Extract<PastedClipboard, { kind: 'image' }> {
  if (pasted.kind !== 'image') throw new Error(`expected an image, got ${JSON.stringify(pasted)}`);
  return pasted;
}

describe('what a paste in the app brings', () => {
  it('saves an image as a screenshot in the staging area, attaches it whole, then lets it go', async () => {
    clipboard.hold({ 'image/png': pngBytes });
    expect(await intake.attachable()).toBe(true);
    const pasted = image(await intake.read());
    expect(pasted).toMatchObject({
      name: 'Screenshot from 2026-12-03 17-44-05.png',
      size: pngBytes.length,
    });
    const [folder] = readdirSync(stageDir);
    const copy = join(stageDir, folder ?? '', pasted.name);
    expect(readFileSync(copy).equals(pngBytes)).toBe(true);

    const { accepted } = await intake.enqueuePasted({ pasteId: pasted.pasteId, target: h.target });
    expect(accepted.map((job) => job.fileName)).toEqual([pasted.name]);
    const [done] = await settle(engine, [accepted[0]?.id ?? 0]);
    expect(done?.state).toBe('done');
    const attachment = h.sim.control.attachments().find((each) => each.name === pasted.name);
    expect(h.sim.control.attachmentBytes(attachment?.id ?? '')?.equals(pngBytes)).toBe(true);
    await waitUntil(() => !existsSync(copy), 'the staged copy to go once its job is done');

    // The same image again for the same task: already there, by its content.
    const again = image(await intake.read());
    const second = await intake.enqueuePasted({ pasteId: again.pasteId, target: h.target });
    expect(second.accepted).toEqual([]);
    expect(second.refused.map((refusal) => refusal.reason)).toEqual(['already-attached']);
    // A pasted image is queued once: its handle is used up.
    await expect(
      intake.enqueuePasted({ pasteId: again.pasteId, target: h.target }),
    ).rejects.toThrow('That pasted image is not waiting any more');
    await waitUntil(() => readdirSync(stageDir).length === 0, 'the refused copy to go');
  });

  it('prefers files copied in a file manager over the picture macOS and others add', async () => {
    const one = h.file('Invoice 1.pdf', 2_000);
    const two = h.file('Invoice 2.pdf', 3_000);
    clipboard.hold({
      'x-special/gnome-copied-files': `copy\n${pathToFileURL(one).href}\n${pathToFileURL(two).href}`,
      'image/png': pngBytes,
    });
    expect(await intake.read()).toEqual({ kind: 'files', paths: [one, two] });
    expect(clipboard.reads).not.toContain('image/png');
    expect(readdirSync(stageDir)).toEqual([]);
  });

  it('falls back to the image when the copied files are gone, then to text naming a file', async () => {
    const gone = join(h.dir, 'moved away.pdf');
    clipboard.hold({ 'text/uri-list': pathToFileURL(gone).href, 'image/png': pngBytes });
    expect((await intake.read()).kind).toBe('image');
    const named = h.file('Named in text.pdf', 1_000);
    clipboard.hold({}, `${named}\n`);
    expect(await intake.attachable()).toBe(true);
    expect(await intake.read()).toEqual({ kind: 'files', paths: [named] });
  });

  it('says in plain words when nothing can be attached', async () => {
    clipboard.hold({}, '');
    expect(await intake.attachable()).toBe(false);
    expect(await intake.read()).toEqual({
      kind: 'nothing',
      message:
        'The clipboard holds nothing to attach. Copy a file, an image or the path of a file, then paste again.',
    });
    clipboard.hold({}, 'Meeting notes: call Ada back');
    expect(await intake.attachable()).toBe(false);
    expect(await intake.read()).toMatchObject({
      kind: 'nothing',
      message: expect.stringContaining('holds text, not a file') as string,
    });
  });

  it('keeps only the last few images nobody queued', async () => {
    clipboard.hold({ 'image/png': pngBytes });
    for (let paste = 0; paste < 6; paste += 1) await intake.read();
    // At most 4 wait, the one left from the fallback case above among the older that went.
    expect(readdirSync(stageDir).length).toBe(4);
  });

  it('attaches the clipboard straight to a task for the tray', async () => {
    const file = h.file('From the tray.pdf', 4_000);
    clipboard.hold({ 'text/uri-list': `${pathToFileURL(file).href}\r\n` });
    const outcome = await intake.attachTo(h.target);
    if ('nothing' in outcome) throw new Error(outcome.nothing);
    expect(outcome.accepted.map((job) => job.sourcePath)).toEqual([file]);
    clipboard.hold({}, '');
    expect(await intake.attachTo(h.target)).toEqual({
      nothing: expect.stringContaining('nothing to attach') as string,
    });
  });
});
