import { platformOfUserAgent } from '../../../preload/shared/accelerator.ts';
import type {
  EnqueueResult,
  PastedClipboard,
  TaskdropEvents,
  TaskTarget,
} from '../../../preload/shared/contract.ts';
import {
  isUnnamedClipboardImage,
  screenshotName,
} from '../../../preload/shared/screenshot-name.ts';
import type { RendererApi } from '../api/connect.ts';
import { plural } from '../format.ts';
import type { NoticeState } from './notices.svelte.ts';
import type { PickerState } from './picker.svelte.ts';

const describe = (target: TaskTarget): string => `“${target.taskTitle}” (${target.listName})`;

/**
 * Files arriving: dropped on the window, chosen with "Add files…", or sent from the tray. They
 * go to the task set in "Send files to", or the picker asks, the most recent task preselected.
 * What the engine refused is shown, one reason per file.
 */
export class IntakeState {
  readonly #client: RendererApi;
  readonly #picker: PickerState;
  readonly #notices: NoticeState;
  /** Where new files go without asking; null: ask each time. */
  target = $state.raw<TaskTarget | null>(null);
  /** Reading and handing over files (a browser sends their bytes). */
  busy = $state(false);
  /** Files that arrived before any account was connected: each batch goes on after sign-in. */
  #waiting: (() => Promise<void>)[] = [];
  waitingFiles = $state(0);
  readonly #hasAccount: () => boolean;

  constructor(
    client: RendererApi,
    picker: PickerState,
    notices: NoticeState,
    hasAccount: () => boolean = () => true,
  ) {
    this.#client = client;
    this.#picker = picker;
    this.#notices = notices;
    this.#hasAccount = hasAccount;
  }

  /** An account is connected now: the files that waited for it ask where they go. */
  async resumeWaiting(): Promise<void> {
    const waiting = this.#waiting;
    this.#waiting = [];
    this.waitingFiles = 0;
    for (const send of waiting) await send();
  }

  /** Keeps a batch until there is an account to send it with; true when it must wait. */
  #waitForAccount(count: number, send: () => Promise<void>): boolean {
    if (this.#hasAccount()) return false;
    this.#waiting.push(send);
    this.waitingFiles += count;
    return true;
  }

  async addFiles(files: readonly File[]): Promise<void> {
    if (files.length === 0) return;
    if (this.#waitForAccount(files.length, () => this.addFiles(files))) return;
    const target = await this.#targetFor(plural(files.length, 'file'));
    if (target === null) return;
    await this.#enqueue(target, () => this.#client.enqueueFiles(files, target));
  }

  /**
   * Ctrl/⌘+V in the window. The app reads the system clipboard itself (file lists in each OS's
   * format, images); a browser gives the page what was pasted: files go as a drop does, text
   * naming files as those files. Then the picker, as for a drop.
   */
  async paste(data: DataTransfer | null): Promise<void> {
    if (this.#client.transport === 'electron') {
      await this.#pasted(await this.#ask(() => this.#client.api.readClipboard()));
      return;
    }
    const files = [...(data?.files ?? [])].map(namedLikeScreenshot);
    if (files.length > 0) {
      await this.addFiles(files);
      return;
    }
    const text = data?.getData('text/uri-list') || data?.getData('text/plain') || '';
    await this.#pasted(await this.#ask(() => this.#client.api.pastedText(text)));
  }

  /**
   * The global shortcut: what the clipboard holds goes to the picker at once; with nothing
   * there, the picker asks where new files go, ready for a drop.
   */
  async fromShortcut(): Promise<void> {
    if (this.#picker.isOpen) return;
    if (this.#client.transport === 'electron') {
      const pasted = await this.#ask(() => this.#client.api.readClipboard());
      if (pasted !== null && pasted.kind !== 'nothing') {
        await this.#pasted(pasted);
        return;
      }
    }
    await this.chooseTarget();
  }

  async #ask(read: () => Promise<PastedClipboard>): Promise<PastedClipboard | null> {
    try {
      return await read();
    } catch (error) {
      this.#notices.failed('The clipboard could not be read', error);
      return null;
    }
  }

  async #pasted(pasted: PastedClipboard | null): Promise<void> {
    if (pasted === null) return;
    const api = this.#client.api;
    switch (pasted.kind) {
      case 'nothing':
        this.#notices.push('info', pasted.message);
        return;
      case 'files': {
        const { paths } = pasted;
        if (this.#waitForAccount(paths.length, () => this.#pasted(pasted))) return;
        const target = await this.#targetFor(plural(paths.length, 'file'));
        if (target !== null) await this.#enqueue(target, () => api.enqueue({ paths, target }));
        return;
      }
      case 'image': {
        if (this.#waitForAccount(1, () => this.#pasted(pasted))) return;
        const target = await this.#targetFor(`“${pasted.name}”`);
        if (target === null) return;
        const { pasteId } = pasted;
        await this.#enqueue(target, () => api.enqueuePasted({ pasteId, target }));
      }
    }
  }

  /** The tray, the dock or "Send to": paths to queue, or a task to send files to from now on. */
  async fromOutside(request: TaskdropEvents['targetRequested']): Promise<void> {
    if (request.paths.length === 0) {
      if (request.suggested !== null) this.setTarget(request.suggested, { announce: true });
      else await this.chooseTarget();
      return;
    }
    if (this.#waitForAccount(request.paths.length, () => this.fromOutside(request))) return;
    const target = await this.#picker.pick({
      title: `Attach ${plural(request.paths.length, 'file')} to a task`,
      confirmLabel: 'Attach here',
      suggested: request.suggested,
    });
    if (target === null) return;
    const api = this.#client.api;
    await this.#enqueue(target, () => api.enqueue({ paths: request.paths, target }));
  }

  /** "Send files to…": choose the task new files go to without asking. */
  async chooseTarget(): Promise<void> {
    const recent = this.target ?? (await this.#recent());
    const target = await this.#picker.pick({
      title: 'Send new files to',
      confirmLabel: 'Use this task',
      suggested: recent,
    });
    if (target !== null) this.setTarget(target);
  }

  /** `announce`: say so, when the choice was made elsewhere (the tray menu). */
  setTarget(target: TaskTarget | null, options: { announce?: boolean } = {}): void {
    this.target = target;
    if (target !== null && options.announce === true) {
      this.#notices.push('info', `New files go to ${describe(target)}.`);
    }
  }

  /** The task new files went to is gone from To Do: they ask again, and the person hears why. */
  tasksGone(gone: readonly TaskTarget[]): void {
    const target = this.target;
    if (target === null || !gone.some((task) => task.taskId === target.taskId)) return;
    this.target = null;
    this.#notices.push('info', `${describe(target)} no longer exists in To Do.`, [
      'New files ask which task they go to.',
    ]);
  }

  async #targetFor(what: string): Promise<TaskTarget | null> {
    if (this.target !== null) return this.target;
    return this.#picker.pick({
      title: `Attach ${what} to a task`,
      confirmLabel: 'Attach here',
      suggested: await this.#recent(),
    });
  }

  async #recent(): Promise<TaskTarget | null> {
    try {
      return (await this.#client.api.recentTargets())[0] ?? null;
    } catch {
      return null;
    }
  }

  async #enqueue(target: TaskTarget, send: () => Promise<EnqueueResult>): Promise<void> {
    this.busy = true;
    try {
      const { accepted, refused } = await send();
      if (accepted.length > 0) {
        this.#notices.push(
          'success',
          `${plural(accepted.length, 'file')} queued for ${describe(target)}.`,
        );
      }
      if (refused.length > 0) {
        this.#notices.push(
          'error',
          `${plural(refused.length, 'file was', 'files were')} not queued`,
          refused.map((refusal) => refusal.message),
        );
      }
    } catch (error) {
      this.#notices.failed('The files could not be queued', error);
    } finally {
      this.busy = false;
    }
  }
}

/** An image the browser pasted as "image.png" gets the name the OS gives screenshots. */
function namedLikeScreenshot(file: File): File {
  if (!isUnnamedClipboardImage(file.name, file.type)) return file;
  const name = screenshotName(new Date(), platformOfUserAgent(navigator.userAgent));
  return new File([file], name, { type: file.type, lastModified: file.lastModified });
}
