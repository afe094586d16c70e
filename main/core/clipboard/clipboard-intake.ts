import { createHash, randomUUID } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import type { DesktopPlatform } from '../../../preload/shared/accelerator.ts';
import type {
  EnqueueRequest,
  EnqueueResult,
  PastedClipboard,
  PastedImageRequest,
  TaskTarget,
} from '../../../preload/shared/contract.ts';
import { screenshotName } from '../../../preload/shared/screenshot-name.ts';
import { EngineRequestError } from '../engine/engine.ts';
import type { StagingArea } from '../staging/staging-area.ts';
import { fileListFormats, pathsInFormat } from './file-lists.ts';
import { filesNamedBy } from './pasted-text.ts';

/**
 * The system clipboard, by format: the OS's own names for file lists (`CF_HDROP`,
 * `public.file-url`…, see fileListFormats) and `image/png`. main/app adapts Electron's clipboard.
 */
export interface ClipboardReader {
  has(format: string): Promise<boolean>;
  /** The format's bytes; null when the clipboard does not hold it. */
  bytes(format: string): Promise<Uint8Array | null>;
  text(): Promise<string>;
}

/** Pasted images saved and not queued yet, at most: an older one goes when another comes. */
const pendingImagesKept = 4;

interface PendingImage {
  folder: string;
  path: string;
  sha256: string;
}

const isFile = async (path: string): Promise<boolean> =>
  (await stat(path).catch(() => null))?.isFile() === true;

/**
 * What a paste in the app brings: files copied in a file manager (as their paths), an image
 * (saved as a PNG named like a screenshot in the staging area, kept until its job ends, as a
 * browser's drops are), or text naming files. Files win over the image macOS adds beside them.
 */
export class ClipboardIntake {
  readonly #reader: ClipboardReader;
  readonly #staging: StagingArea;
  readonly #queue: { enqueue(request: EnqueueRequest): Promise<EnqueueResult> };
  readonly #platform: DesktopPlatform;
  readonly #now: () => Date;
  readonly #pending = new Map<string, PendingImage>();

  constructor(options: {
    reader: ClipboardReader;
    staging: StagingArea;
    queue: { enqueue(request: EnqueueRequest): Promise<EnqueueResult> };
    platform: DesktopPlatform;
    now?: () => Date;
  }) {
    this.#reader = options.reader;
    this.#staging = options.staging;
    this.#queue = options.queue;
    this.#platform = options.platform;
    this.#now = options.now ?? (() => new Date());
  }

  async read(): Promise<PastedClipboard> {
    const copied = await this.#copiedFiles();
    const existing = (
      await Promise.all(copied.map(async (path) => ((await isFile(path)) ? path : null)))
    ).filter((path) => path !== null);
    if (existing.length > 0) return { kind: 'files', paths: existing };
    const png = await this.#reader.bytes('image/png');
    if (png !== null && png.length > 0) return this.#stageImage(png);
    return filesNamedBy(await this.#reader.text(), { platform: this.#platform });
  }

  /** Whether a paste would bring something, without reading an image (the tray asks often). */
  async attachable(): Promise<boolean> {
    for (const format of [...fileListFormats[this.#platform], 'image/png']) {
      if (await this.#reader.has(format)) return true;
    }
    const text = await filesNamedBy(await this.#reader.text(), { platform: this.#platform });
    return text.kind === 'files';
  }

  async enqueuePasted({ pasteId, target }: PastedImageRequest): Promise<EnqueueResult> {
    const image = this.#pending.get(pasteId);
    if (image === undefined) {
      throw new EngineRequestError(
        'invalid-request',
        'That pasted image is not waiting any more (queued already, or taskdrop restarted). Paste it again.',
      );
    }
    this.#pending.delete(pasteId);
    return this.#staging.enqueue(
      { files: [{ path: image.path, sha256: image.sha256 }], target },
      new Map([[image.path, image.folder]]),
    );
  }

  /** The tray's "Attach clipboard to…": whatever a paste would bring, straight to `target`. */
  async attachTo(target: TaskTarget): Promise<EnqueueResult | { nothing: string }> {
    const pasted = await this.read();
    switch (pasted.kind) {
      case 'files':
        return this.#queue.enqueue({ paths: pasted.paths, target });
      case 'image':
        return this.enqueuePasted({ pasteId: pasted.pasteId, target });
      case 'nothing':
        return { nothing: pasted.message };
    }
  }

  async #copiedFiles(): Promise<string[]> {
    for (const format of fileListFormats[this.#platform]) {
      const bytes = (await this.#reader.has(format)) ? await this.#reader.bytes(format) : null;
      const paths = bytes === null ? [] : pathsInFormat(format, bytes, this.#platform);
      if (paths.length > 0) return [...new Set(paths)];
    }
    return [];
  }

  async #stageImage(png: Uint8Array): Promise<PastedClipboard> {
    const name = screenshotName(this.#now(), this.#platform);
    let folder: string;
    try {
      folder = await this.#staging.newFolder();
    } catch (error) {
      throw this.#staging.cannotStage(name, error);
    }
    const path = this.#staging.pathIn(folder, name);
    try {
      await writeFile(path, png, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      await this.#staging.remove(folder);
      throw this.#staging.cannotStage(name, error);
    }
    const pasteId = randomUUID();
    const sha256 = createHash('sha256').update(png).digest('hex');
    this.#pending.set(pasteId, { folder, path, sha256 });
    await this.#forgetOlderImages();
    return { kind: 'image', pasteId, name, size: png.length };
  }

  /** A pasted image the person never queued (the picker closed) goes once others follow. */
  async #forgetOlderImages(): Promise<void> {
    const older = [...this.#pending.keys()].slice(0, -pendingImagesKept);
    for (const pasteId of older) {
      const image = this.#pending.get(pasteId);
      this.#pending.delete(pasteId);
      if (image !== undefined) await this.#staging.remove(image.folder);
    }
  }
}
